"""Spreadsheet import and export of reference data, through our service functions.

django-import-export gives the admin its import page (upload, preview, confirm)
and its export page. What we add, for every app's reference data:

* ``ServiceResource``: a resource whose save goes through the app's service
  function with the acting user and the import's reason, so every imported
  change has its history row; many-to-many values are handed to the service
  too (never set behind its back). Rows that change nothing are skipped and
  write nothing. A natural key that appears twice in one file is a row error.
* ``CodeWidget`` / ``CodesWidget``: related objects by their natural key
  (a department by its code), with an error naming the unknown value.
* ``ServiceImportExportMixin``: for the admin. The import form asks for the
  reason (required), carried to the confirm step. The preview (the dry run)
  runs the whole file inside a transaction that is rolled back: it shows what
  would change and every row error, and writes nothing. The confirm step is
  all or nothing: one error row and the file writes nothing at all. Only users
  who may add and change the model import; those who may view it export.

The credit-record import is our own engine (``registry.importing``), not this.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm

# django-import-export's own strings whose Chinese in its catalogue reads wrong:
# named here so that our catalogue (which takes precedence) carries a correct one.
_TRANSLATION_FIXES = (gettext_noop("Some rows failed to validate"),)

REASON_FIELD = "change_reason"


def _reason_field(widget=None):
    return forms.CharField(
        label=_("Reason for this import"),
        max_length=500,
        required=True,
        widget=widget or forms.TextInput(attrs={"size": 80}),
        help_text=_("Recorded in the history of every changed row with your name, e.g. the notice or letter."),
    )


class ReasonImportForm(ImportForm):
    """The upload form, with the mandatory reason for the whole import."""

    change_reason = _reason_field()


class ReasonConfirmImportForm(ConfirmImportForm):
    """The confirm form carries the reason given on upload."""

    change_reason = _reason_field(forms.HiddenInput())


class CodeWidget(widgets.ForeignKeyWidget):
    """A related object by its natural key; an unknown key is an error of the field."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                gettext("No %(model)s with %(field)s “%(value)s”.")
                % {
                    "model": self.model._meta.verbose_name,
                    "field": self.model._meta.get_field(self.field).verbose_name,
                    "value": value,
                }
            ) from None


class CodesWidget(widgets.ManyToManyWidget):
    """Related objects as a list of natural keys, ``A, B`` (comma or semicolon);
    every unknown key is named."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model.objects.none()
        codes = [code.strip() for code in str(value).replace(";", self.separator).split(self.separator)]
        codes = [code for code in codes if code]
        found = self.model.objects.filter(**{f"{self.field}__in": codes})
        missing = sorted(set(codes) - {getattr(obj, self.field) for obj in found})
        if missing:
            raise ValueError(
                gettext("No %(model)s with %(field)s: %(values)s.")
                % {
                    "model": self.model._meta.verbose_name,
                    "field": self.model._meta.get_field(self.field).verbose_name,
                    "values": ", ".join(missing),
                }
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(sorted(str(getattr(obj, self.field)) for obj in value.all()))


class ServiceResource(resources.ModelResource):
    """A model resource that saves through a service function.

    Subclasses implement ``save_through_service(instance, *, acting_user, reason,
    **many_to_many)``; ``many_to_many`` holds the cleaned values of the
    many-to-many columns present in the row, by attribute name.
    """

    class Meta:
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def save_through_service(self, instance, *, acting_user, reason, **many_to_many):  # pragma: no cover
        raise NotImplementedError

    # --- one natural key, once per file ------------------------------------------------
    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._seen_keys = {}

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        fields = [self.fields[name] for name in self.get_import_id_fields()]
        key = tuple(str(row.get(field.column_name) or "").strip() for field in fields)
        if not any(key):
            return
        earlier = self._seen_keys.setdefault(key, kwargs.get("row_number"))
        if earlier != kwargs.get("row_number"):
            raise ValidationError(
                {
                    fields[0].attribute: gettext("“%(value)s” appears twice in this file (also on row %(row)s).")
                    % {"value": ", ".join(key), "row": earlier}
                }
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's checks, except on a field whose value could not be read
        (an unknown code): that field's own error says it, once."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=errors.keys(), validate_unique=validate_unique)
        except ValidationError as error:
            for field, messages in error.update_error_dict({}).items():
                errors.setdefault(field, messages)
        if errors:
            raise ValidationError(errors)

    # --- saving ----------------------------------------------------------------------
    def _many_to_many(self, row):
        values = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                values[field.attribute] = list(field.clean(row))
        return values

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            self.save_through_service(
                instance,
                acting_user=kwargs["user"],
                reason=kwargs.get("reason", ""),
                **self._many_to_many(row),
            )
        except PermissionDenied as error:
            message = str(error) or gettext("You may not make this change.")
            raise ValidationError({NON_FIELD_ERRORS: [message]}) from error

    def save_m2m(self, instance, row, **kwargs):
        """Done by the service, with the rest of the change."""


class ServiceImportExportMixin(ImportExportMixin):
    """Import (preview, then confirm) and export for an admin whose saves go
    through a service function; keeps the admin's own scoping and history."""

    import_form_class = ReasonImportForm
    confirm_form_class = ReasonConfirmImportForm
    # What offices keep their spreadsheets in; a CSV saved by Excel starts with a BOM.
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    from_encoding = "utf-8-sig"

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial[REASON_FIELD] = import_form.cleaned_data[REASON_FIELD]
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.pop("form", None)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True  # all or nothing
        if form is not None:
            kwargs["reason"] = form.cleaned_data.get(REASON_FIELD, "")
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Something changed since the preview: the import was rolled back.
            messages.error(
                request,
                gettext("The file was not imported: some rows have errors now. Nothing was changed; import it again."),
            )
            url = reverse("admin:%s_%s_import" % self.get_model_info(), current_app=self.admin_site.name)
            return HttpResponseRedirect(url)
        return super().process_result(result, request)

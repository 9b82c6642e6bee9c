"""Registry admin: records."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReasonForm, ScopedAdmin

from .. import services
from ..admin_export import ExportActionsMixin
from ..choices import AccessAction, HoldSource, RecordStatus
from ..identifiers import normalise_document_number
from ..importing.admin import RecordImportMixin
from ..models import (
    CORRECTABLE_FIELDS,
    CatalogItem,
    CreditRecord,
    DisplayHold,
    Person,
    RecordCorrection,
    record_values,
)
from .common import OwnDepartmentFilter, client_ip, refuse_id_in_query
from .corrections import pending_correction_note
from .lookups import looked_up_person_ids

# --- Credit records -------------------------------------------------------------------------


class CreditRecordForm(ReasonForm):
    class Meta:
        model = CreditRecord
        # What a record says (the correctable fields), with its department after the person.
        fields = [CORRECTABLE_FIELDS[0], "department", *CORRECTABLE_FIELDS[1:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("catalog_item")
        if field is not None and self.instance.pk and self.instance.catalog_item_id:
            # A record keeps its item even if it is no longer offered for new records.
            field.queryset = (field.queryset | CatalogItem.objects.filter(pk=self.instance.catalog_item_id)).distinct()

    def clean_decision_no(self):
        return normalise_document_number(self.cleaned_data.get("decision_no") or "")

    def clean(self):
        """A published record's form proposes a correction: say here, on the form,
        why one cannot be proposed (the services refuse it as well)."""
        cleaned = super().clean()
        self._check_duplicate_number(cleaned)
        record = self.instance
        if record.pk is None or record.is_edited_directly:
            return cleaned
        if "department" in self.changed_data:
            self.add_error("department", _("A published record stays with the department that decided it."))
        if not any(name in CORRECTABLE_FIELDS for name in self.changed_data):
            return cleaned  # saved unchanged: nothing to propose, nothing written
        try:
            services.check_correction_allowed(record)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return cleaned

    def _check_duplicate_number(self, cleaned):
        department, number = cleaned.get("department"), cleaned.get("decision_no")
        if department and number:
            other = (
                CreditRecord.objects.filter(department=department, decision_no=number)
                .exclude(pk=self.instance.pk)
                .select_related("person")
                .first()
            )
            if other is not None:
                # The department's own record (the user may change it): name it and link to it.
                link = format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:registry_creditrecord_change", args=[other.pk]),
                    other.decision_no,
                )
                message = format_html(
                    gettext(
                        "This decision number is already recorded in this department: {record} "
                        "({person}, {status}, decided {date}). Open that record to change it, or check the number."
                    ),
                    record=link,
                    person=other.person.name,
                    status=other.get_status_display(),
                    date=other.decision_date.isoformat(),
                )
                self.add_error("decision_no", ValidationError(message, code="duplicate"))


def recordable_items(user):
    """Active catalogue items that a department of ``user`` may record (the item's
    recording departments, or those below them; an item naming none: any)."""
    items = CatalogItem.objects.filter(is_active=True)
    if user.is_superuser:
        return items
    roots = access.granted_department_paths(user, Action.CHANGE)
    keep = [
        item.pk
        for item in items.prefetch_related("recording_departments")
        if not item.recording_departments.all()
        or any(
            path.startswith(r.path) or r.path.startswith(path)
            for r in item.recording_departments.all()
            for path in roots
        )
    ]
    return CatalogItem.objects.filter(pk__in=keep)


def _objection_open():
    return Exists(DisplayHold.objects.open().filter(record=OuterRef("pk"), source=HoldSource.OBJECTION))


class StatusFilter(admin.SimpleListFilter):
    """The statuses, and "under objection": a record whose objection hold is open
    (a hold, not a status: the record keeps the status it had)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        statuses = [(status.value, status.label) for status in RecordStatus if status != RecordStatus.UNDER_OBJECTION]
        return [*statuses, (RecordStatus.UNDER_OBJECTION.value, RecordStatus.UNDER_OBJECTION.label)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == RecordStatus.UNDER_OBJECTION:
            return queryset.filter(_objection_open())
        if value:
            return queryset.filter(status=value)
        return queryset


class PendingCorrectionFilter(admin.SimpleListFilter):
    title = _("correction")
    parameter_name = "correction"

    def lookups(self, request, model_admin):
        return [("pending", _("Correction waiting for review"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(corrections__state=RecordCorrection.State.PENDING)
        return queryset


class RecordActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


@admin.register(CreditRecord)
class CreditRecordAdmin(RecordImportMixin, ExportActionsMixin, ScopedAdmin):
    form = CreditRecordForm
    action_form = RecordActionForm
    actions = ["publish_selected", "export_selected_csv", "export_selected_xlsx", "expire_now"]
    # Fits a 1366 px screen with status and dates in view: the person's name and
    # masked number share a column, the department shows its name, the item its code.
    list_display = [
        "decision_no",
        "person_display",
        "department_name",
        "catalog_item_code",
        "severity",
        "status_display",
        "decision_date",
        "display_until",
    ]
    list_select_related = ["person", "department", "catalog_item"]
    list_filter = [StatusFilter, PendingCorrectionFilter, "severity", OwnDepartmentFilter, "catalog_item__category"]
    search_fields = ["decision_no", "person__name"]
    search_help_text = _(
        "Searches the person's name and any part of the decision document number (e.g. 张三, or 〔2026〕101). "
        "To find a person by ID number, use “Find by ID number” on the persons page."
    )
    autocomplete_fields = ["person"]
    readonly_fields = ["status", "corrections", "created_at", "updated_at"]

    def get_queryset(self, request):
        # Whether an objection's hold is open, for the status column (one subquery, no query per row).
        return super().get_queryset(request).annotate(objection_open=_objection_open())

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        if getattr(obj, "objection_open", False):
            return RecordStatus.UNDER_OBJECTION.label
        return obj.get_status_display()

    date_hierarchy = None
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["person", "department", "catalog_item", "severity", "status"]}),
        (_("Decision"), {"fields": ["decision_no", "decision_date", "summary", "legal_basis"]}),
        (_("Display period"), {"fields": ["display_from", "display_until"]}),
        (_("Corrections"), {"fields": ["corrections"]}),
        (_("Record keeping"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("corrections"))
    def corrections(self, obj):
        return pending_correction_note(obj)

    @admin.display(description=_("person"), ordering="person__name")
    def person_display(self, obj):
        return format_html('{}<br><span class="masked-id">{}</span>', obj.person.name, obj.person.id_number_masked)

    @admin.display(description=_("department"), ordering="department__path")
    def department_name(self, obj):
        return obj.department.name

    @admin.display(description=_("catalogue item"), ordering="catalog_item__code")
    def catalog_item_code(self, obj):
        return format_html('<span title="{}">{}</span>', obj.catalog_item.name, obj.catalog_item.code)

    def get_search_results(self, request, queryset, search_term):
        """The person's name (any part) or any part of the decision number.
        An ID number is refused (it would stand in the address)."""
        if refuse_id_in_query(request, search_term):
            return queryset.none(), False
        term = normalise_document_number(search_term or "")
        if term:
            return queryset.filter(Q(decision_no__contains=term) | Q(person__name__contains=term)), False
        return queryset, False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = self.scoped_departments(request)
        elif db_field.name == "person":
            # The persons the user's departments see, and those the user has just
            # found by ID number (the only way to reach a person registered by
            # another department, before a record of one's own exists).
            visible = access.restrict(Person.objects.all(), request.user, Action.VIEW)
            kwargs["queryset"] = Person.objects.filter(
                Q(pk__in=visible.values("pk")) | Q(pk__in=looked_up_person_ids(request))
            )
        elif db_field.name == "catalog_item":
            kwargs["queryset"] = recordable_items(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        departments = list(self.scoped_departments(request)[:2])
        if "department" not in initial and len(departments) == 1:
            initial["department"] = departments[0].pk  # the one department the user holds
        return initial

    def log_read(self, request, obj: CreditRecord, purpose: str) -> None:
        services.log_access(
            user=request.user, action=AccessAction.VIEW, record=obj, purpose=purpose, ip_address=client_ip(request)
        )

    def has_change_permission(self, request, obj=None):
        # A record under objection changes only through the objection's decision: its page is read-only.
        if obj is not None and obj.is_under_objection:
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened in the admin"))
            if obj.is_under_objection:
                messages.info(
                    request,
                    gettext("This record is under objection: it changes only through the objection's decision."),
                )
            elif not obj.is_edited_directly and super().has_change_permission(request, obj):
                messages.info(
                    request,
                    gettext(
                        "This record has been published. Saving a change proposes a correction: a reviewer or "
                        "publisher of the department approves it, and until then the public sees the record as it is."
                    ),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        reason = self.change_reason(form)
        current = CreditRecord.objects.get(pk=obj.pk) if change else None
        if current is not None and not current.is_edited_directly and record_values(obj) != record_values(current):
            request._proposed_correction = services.propose_correction(
                obj,
                acting_user=request.user,
                reason=reason,
                **{name: getattr(obj, name) for name in CORRECTABLE_FIELDS},
            )
            return
        services.save_credit_record(obj, acting_user=request.user, reason=reason)

    def log_change(self, request, obj, message):
        if getattr(request, "_proposed_correction", None) is not None:
            return None  # the record did not change: the correction has its own history
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        correction = getattr(request, "_proposed_correction", None)
        if correction is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            gettext(
                "Saved as %(correction)s, waiting for review: the record is not changed until a reviewer or "
                "publisher of the department approves it, and the public sees it as it was."
            )
            % {"correction": correction},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:registry_creditrecord_change", args=[obj.pk]))

    @admin.action(description=_("Publish selected draft records"))
    def publish_selected(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, gettext("Give a reason in the box beside the action."), messages.ERROR)
            self.keep_ticked(request)
            return
        try:
            count = services.publish_records(
                access.restrict(queryset, request.user, Action.PUBLISH), acting_user=request.user, reason=reason
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            self.keep_ticked(request)
            return
        self.message_user(request, gettext("%(count)d records published.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Run expiry now (records past their display period)"))
    def expire_now(self, request, queryset):
        """Ask the worker to run the expiry at once (e.g. after a night the task
        missed). Province-wide and state-based: the selection does not matter.
        If the broker is down the request still succeeds; the next scheduled
        run does the work."""
        from creditportal.tasking import enqueue_on_commit

        from ..tasks import expire_records

        enqueue_on_commit(expire_records)
        self.message_user(
            request,
            gettext("Expiry has been requested; records past their display period will be expired shortly."),
            messages.SUCCESS,
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.permitted_departments(request.user, Action.PUBLISH).exists():
            actions.pop("publish_selected", None)
        if not request.user.is_superuser:
            actions.pop("expire_now", None)
        return actions

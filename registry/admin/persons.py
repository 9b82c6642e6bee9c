"""Registry admin: persons."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReasonForm, ScopedAdmin

from .. import services
from ..choices import AccessAction
from ..identifiers import mask_id, validate_resident_id
from ..models import CreditRecord, Person
from .common import FindByIdForm, client_ip, refuse_id_in_query

# --- Persons --------------------------------------------------------------------------


class PersonForm(ReasonForm):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 24}),
        help_text=_("18 characters; a final x is read as X. Leave empty to keep the registered number."),
    )

    class Meta:
        model = Person
        fields = ["name", "registered_by", "phone", "email", "address"]

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        if not value:
            if self.instance.pk is None:
                raise ValidationError(_("Enter the person's resident ID number."), code="required")
            return ""
        number = validate_resident_id(value).number
        clash = Person.objects.filter(id_number_index=Person.index_for(number))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("A person with this ID number is already registered."), code="duplicate")
        return number


class PersonRecordInline(admin.TabularInline):
    """The person's records, as far as the user's departments reach."""

    model = CreditRecord
    fk_name = "person"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["decision_no", "department", "catalog_item", "severity", "status", "decision_date", "display_until"]
    readonly_fields = fields
    verbose_name_plural = _("Records (your departments)")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("department", "catalog_item")
        return access.restrict(qs, request.user, Action.VIEW)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("Why you need the full number (e.g. 'verify identity for objection 2026-013'). It is logged."),
    )


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    form = PersonForm
    list_display = ["name", "id_number_masked", "region_code", "registered_by"]
    list_select_related = ["registered_by"]
    search_fields = ["name"]
    search_help_text = _("Search by name (beginning). To find a person by ID number, use “Find by ID number”.")
    readonly_fields = ["id_number_masked", "region_code", "birth_date", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "id_number_masked", "registered_by"]}),
        (_("Derived from the ID number"), {"fields": ["region_code", "birth_date"]}),
        (_("Contact"), {"fields": ["phone", "email", "address"]}),
        (_("Record keeping"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [PersonRecordInline]
    change_form_template = "admin/registry/person/change_form.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._can_edit(request, obj):
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "id_number"]}) for name, opts in fieldsets
            ]
        return fieldsets

    def get_search_results(self, request, queryset, search_term):
        if refuse_id_in_query(request, search_term):
            return queryset.none(), False
        if search_term:
            return queryset.filter(name__startswith=search_term.strip()), False
        return queryset, False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "registered_by":
            kwargs["queryset"] = self.scoped_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def log_read(self, request, obj: Person, purpose: str) -> None:
        services.log_access(
            user=request.user, action=AccessAction.VIEW, person=obj, purpose=purpose, ip_address=client_ip(request)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened in the admin"))
        extra_context = {**(extra_context or {}), "can_reveal": access.can(request.user, Action.REVEAL, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        reason = self.change_reason(form)
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in ("name", "registered_by", "phone", "email", "address") if f in data}
            services.update_person(
                obj, acting_user=request.user, reason=reason, id_number=data.get("id_number") or None, **changes
            )
        else:
            services.register_person(
                person=obj,
                name=data["name"],
                id_number=data["id_number"],
                registered_by=data["registered_by"],
                acting_user=request.user,
                reason=reason,
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                address=data.get("address", ""),
            )

    def get_urls(self):
        urls = super().get_urls()
        info = self.opts.app_label, self.opts.model_name
        return [
            path("find/", self.admin_site.admin_view(self.find_view), name="%s_%s_find" % info),
            path("<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view), name="%s_%s_reveal" % info),
        ] + urls

    def find_view(self, request):
        """Find a person of the user's departments by full ID number (POST only,
        through the blind index; the lookup is logged) and open their page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FindByIdForm(request.POST or None)
        not_found = False
        if request.method == "POST" and form.is_valid():
            number = form.cleaned_data["id_number"]
            person = self.get_queryset(request).filter(id_number_index=Person.index_for(number)).first()
            services.log_access(
                user=request.user,
                action=AccessAction.SEARCH,
                person=person,
                purpose=form.cleaned_data["purpose"] or gettext("Search by ID number in the admin"),
                detail=mask_id(number),
                ip_address=client_ip(request),
            )
            if person is not None:
                return HttpResponseRedirect(reverse("admin:registry_person_change", args=[person.pk]))
            not_found = True
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Find by ID number"),
            "form": form,
            "not_found": not_found,
        }
        return TemplateResponse(request, "admin/registry/person/find.html", context)

    def reveal_view(self, request, object_id):
        """Show the full ID number after the caseworker states a purpose (POST only)."""
        person = self.get_object(request, object_id)
        if not access.can(request.user, Action.REVEAL, person):
            raise PermissionDenied
        revealed = None
        form = RevealForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                revealed = services.reveal_id_number(
                    person,
                    acting_user=request.user,
                    purpose=form.cleaned_data["purpose"],
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                form.add_error("purpose", exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": person,
            "title": gettext("Reveal ID number"),
            "form": form,
            "revealed": revealed,
            "change_url": reverse("admin:registry_person_change", args=[person.pk]),
        }
        return TemplateResponse(request, "admin/registry/person/reveal.html", context)

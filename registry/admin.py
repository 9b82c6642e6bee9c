"""Caseworkers' pages for the registry.

Every page is scoped through ``creditportal.access`` (see ``ScopedAdmin``);
every save goes through ``registry.services`` with the form's reason; opening
a person or a record writes an access-log row; ID numbers are masked unless
the user reveals one, stating a purpose.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReadOnlyAdmin, ReasonForm, ScopedAdmin

from . import services
from .admin_export import ExportActionsMixin
from .choices import AccessAction
from .identifiers import is_valid_resident_id, mask_id, normalise, validate_resident_id
from .importing.admin import ImportJob, ImportJobAdmin, RecordImportMixin
from .models import AccessLog, CatalogItem, CreditRecord, Department, Person, RoleGrant

admin.site.site_header = _("Provincial public credit portal")
admin.site.site_title = _("Public credit portal")
admin.site.index_title = _("Caseworker desk")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


ID_SHAPED_TERM = re.compile(r"^\d{14}[\dXx]{1,4}$")


def refuse_id_in_query(request, search_term: str) -> bool:
    """ID numbers never travel in URLs (they end up in access logs and browser
    history): a search box term that looks like one is refused, and the user is
    sent to the POST-only lookup."""
    term = normalise(search_term)
    if term and (ID_SHAPED_TERM.match(term) or is_valid_resident_id(term)):
        messages.warning(
            request,
            gettext("ID numbers are not searched through the address bar. Use “Find by ID number” on the persons page."),
        )
        return True
    return False


class FindByIdForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "size": 24})
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)

    def clean_id_number(self):
        return validate_resident_id(self.cleaned_data.get("id_number")).number


class ScopedDepartmentFilter(admin.SimpleListFilter):
    """A department filter that lists only the user's departments."""

    title = _("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        departments = access.permitted_departments(request.user, Action.VIEW).order_by("path")
        return [(str(d.pk), d.name) for d in departments[:500]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(department_id=self.value())
        return queryset


# --- Departments ----------------------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    fields = ["code", "name", "level", "parent", "is_active"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = self.scoped_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_department(obj, acting_user=request.user, reason=self.change_reason(form))


# --- Catalogue ------------------------------------------------------------------------


@admin.register(CatalogItem)
class CatalogItemAdmin(SimpleHistoryAdmin):
    """The catalogue is province-wide reference data: every staff role reads it,
    administrators change it (model permission), nobody deletes it."""

    form = ReasonForm
    list_display = ["code", "name", "category", "sector", "sharing_level", "polarity", "default_severity", "is_active"]
    list_filter = ["category", "sharing_level", "polarity", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["recording_departments"]
    history_list_display = ["history_change_reason"]
    fieldsets = [
        (None, {"fields": ["code", "name", "category", "sector", "legal_basis", "is_provincial", "is_active"]}),
        (_("Use"), {"fields": ["sharing_level", "polarity", "default_severity", "recording_departments"]}),
        (
            _("Display periods (days from the decision date)"),
            {
                "fields": [
                    ("minor_min_days", "minor_max_days"),
                    ("general_min_days", "general_max_days"),
                    ("serious_min_days", "serious_max_days"),
                ]
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if editable:
            fieldsets.append((_("Reason"), {"fields": ["change_reason"]}))
        return fieldsets

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_catalog_item(
            obj,
            acting_user=request.user,
            reason=form.cleaned_data["change_reason"],
            recording_departments=form.cleaned_data.get("recording_departments"),
        )

    def save_related(self, request, form, formsets, change):
        # Not form.save_m2m(): the service has set the recording departments, with history.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


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
            services.update_person(obj, acting_user=request.user, reason=reason, id_number=data.get("id_number") or None, **changes)
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


# --- Credit records -------------------------------------------------------------------------


class CreditRecordForm(ReasonForm):
    class Meta:
        model = CreditRecord
        fields = [
            "person",
            "department",
            "catalog_item",
            "severity",
            "decision_no",
            "decision_date",
            "summary",
            "legal_basis",
            "display_from",
            "display_until",
        ]

    def clean_decision_no(self):
        return (self.cleaned_data.get("decision_no") or "").strip()


class RecordActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


@admin.register(CreditRecord)
class CreditRecordAdmin(RecordImportMixin, ExportActionsMixin, ScopedAdmin):
    form = CreditRecordForm
    action_form = RecordActionForm
    actions = ["publish_selected", "export_selected_csv", "export_selected_xlsx", "expire_now"]
    list_display = [
        "decision_no",
        "person_name",
        "person_id_masked",
        "department",
        "catalog_item",
        "severity",
        "status",
        "decision_date",
        "display_until",
    ]
    list_select_related = ["person", "department", "catalog_item"]
    list_filter = ["status", "severity", ScopedDepartmentFilter, "catalog_item__category"]
    search_fields = ["decision_no"]
    search_help_text = _("Search by decision document number (beginning). To find a person by ID number, use “Find by ID number” on the persons page.")
    autocomplete_fields = ["person", "catalog_item"]
    readonly_fields = ["status", "created_at", "updated_at"]
    date_hierarchy = None
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["person", "department", "catalog_item", "severity", "status"]}),
        (_("Decision"), {"fields": ["decision_no", "decision_date", "summary", "legal_basis"]}),
        (_("Display period"), {"fields": ["display_from", "display_until"]}),
        (_("Record keeping"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("name"), ordering="person__name")
    def person_name(self, obj):
        return obj.person.name

    @admin.display(description=_("ID number"))
    def person_id_masked(self, obj):
        return obj.person.id_number_masked

    def get_search_results(self, request, queryset, search_term):
        if refuse_id_in_query(request, search_term):
            return queryset.none(), False
        if search_term:
            return queryset.filter(decision_no__startswith=search_term.strip()), False
        return queryset, False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = self.scoped_departments(request)
        elif db_field.name == "person":
            kwargs["queryset"] = access.restrict(Person.objects.all(), request.user, Action.VIEW)
        elif db_field.name == "catalog_item":
            kwargs["queryset"] = CatalogItem.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def log_read(self, request, obj: CreditRecord, purpose: str) -> None:
        services.log_access(
            user=request.user, action=AccessAction.VIEW, record=obj, purpose=purpose, ip_address=client_ip(request)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened in the admin"))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_credit_record(obj, acting_user=request.user, reason=self.change_reason(form))

    @admin.action(description=_("Publish selected draft records"))
    def publish_selected(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, gettext("Give a reason in the box beside the action."), messages.ERROR)
            return
        try:
            count = services.publish_records(
                access.restrict(queryset, request.user, Action.PUBLISH), acting_user=request.user, reason=reason
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, gettext("%(count)d records published.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Run expiry now (records past their display period)"))
    def expire_now(self, request, queryset):
        """Ask the worker to run the expiry at once (e.g. after a night the task
        missed). Province-wide and state-based: the selection does not matter.
        If the broker is down the request still succeeds; the next scheduled
        run does the work."""
        from creditportal.tasking import enqueue_on_commit

        from .tasks import expire_records

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


# --- Role grants --------------------------------------------------------------------------------


class RoleGrantForm(ReasonForm):
    class Meta:
        model = RoleGrant
        fields = ["user", "department", "role", "is_active"]


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    """Who holds which role where. Granting and revoking go through the
    services, which keep django-guardian's object permissions in step."""

    form = RoleGrantForm
    list_display = ["user", "role", "department", "is_active", "granted_by", "updated_at"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "department", "granted_by"]
    search_fields = ["user__username", "department__name", "department__code"]
    autocomplete_fields = ["user"]

    def get_fields(self, request, obj=None):
        return ["user", "department", "role", "is_active"] if obj is None else ["is_active"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets.insert(0, (None, {"fields": ["user", "department", "role", "granted_by"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["user", "department", "role", "granted_by"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = self.scoped_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        reason = self.change_reason(form)
        if change and not obj.is_active:
            services.revoke_role(obj, acting_user=request.user, reason=reason)
            return
        grant = services.grant_role(
            obj.user, role=obj.role, department=obj.department, acting_user=request.user, reason=reason
        )
        obj.pk, obj._state.adding, obj._state.db = grant.pk, False, grant._state.db


# --- Access log --------------------------------------------------------------------------------


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Supervisors read who looked at what, within their departments."""

    list_display = ["at", "user", "action", "person", "record", "purpose", "ip_address"]
    list_select_related = ["user", "person", "record"]
    list_filter = ["action"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request):
        return access.restrict(super().get_queryset(request), request.user, Action.VIEW)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj


# --- Import jobs (registry.importing.admin) -------------------------------------------------------

admin.site.register(ImportJob, ImportJobAdmin)

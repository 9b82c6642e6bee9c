"""Registry admin: records."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReasonForm, ScopedAdmin

from .. import services
from ..admin_export import ExportActionsMixin
from ..choices import AccessAction
from ..importing.admin import RecordImportMixin
from ..models import CatalogItem, CreditRecord, Person
from .common import ScopedDepartmentFilter, client_ip, refuse_id_in_query
from .lookups import looked_up_person_ids

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
    search_help_text = _(
        "Search by decision document number (beginning). To find a person by ID number, use “Find by ID number” on the persons page."
    )
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
            # The persons the user's departments see, and those the user has just
            # found by ID number (the only way to reach a person registered by
            # another department, before a record of one's own exists).
            visible = access.restrict(Person.objects.all(), request.user, Action.VIEW)
            kwargs["queryset"] = Person.objects.filter(
                Q(pk__in=visible.values("pk")) | Q(pk__in=looked_up_person_ids(request))
            )
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

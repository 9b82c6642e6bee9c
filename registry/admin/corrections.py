"""Registry admin: corrections of published records.

A caseworker proposes a correction by saving a published record's change
form (``records.py``); it waits here. A reviewer or publisher of the record's
department (never the proposer) ticks it and runs *Approve* or *Reject* with a
reason in the box beside the actions; a caseworker may *Withdraw* it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ScopedAdmin

from .. import services
from ..choices import AccessAction, Severity
from ..models import CatalogItem, CreditRecord, Person, RecordCorrection
from .common import ScopedDepartmentFilter, client_ip, refuse_id_in_query


def display_value(name: str, value) -> str:
    """A correctable field's stored (JSON) value as a reader sees it."""
    if value in (None, ""):
        return "—"
    if name == "person":
        person = Person.objects.filter(pk=value).first()
        return str(person) if person else str(value)
    if name == "catalog_item":
        item = CatalogItem.objects.filter(pk=value).first()
        return str(item) if item else str(value)
    if name == "severity":
        return str(Severity(value).label) if value in Severity.values else value
    return str(value)


def changes_table(correction: RecordCorrection):
    """The fields the correction changes: what the record says now (as decided), and what it would say."""
    rows = [
        (
            CreditRecord._meta.get_field(name).verbose_name,
            display_value(name, correction.original.get(name)),
            display_value(name, value),
        )
        for name, value in correction.proposed.items()
    ]
    return format_html(
        '<table class="correction-changes"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        gettext("field"),
        gettext("before the correction"),
        gettext("proposed"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


class CorrectionDepartmentFilter(ScopedDepartmentFilter):
    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(record__department_id=self.value())
        return queryset


class CorrectionActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


@admin.register(RecordCorrection)
class RecordCorrectionAdmin(ScopedAdmin):
    """Read-only pages: corrections are proposed from the record's form and decided by the actions."""

    action_form = CorrectionActionForm
    actions = ["approve_selected", "reject_selected", "withdraw_selected"]
    list_display = [
        "id",
        "record_link",
        "department",
        "state",
        "changed_fields",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
    ]
    list_select_related = ["record", "record__department", "proposed_by", "decided_by"]
    list_filter = ["state", CorrectionDepartmentFilter]
    search_fields = ["record__decision_no"]
    search_help_text = _("Search by the record's decision document number (beginning).")
    fields = [
        "record_link",
        "state",
        "changes",
        "reason",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    ]
    readonly_fields = fields

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.fields})]

    @admin.display(description=_("credit record"), ordering="record__decision_no")
    def record_link(self, obj):
        url = reverse("admin:registry_creditrecord_change", args=[obj.record_id])
        return format_html('<a href="{}">{}</a>', url, obj.record.decision_no)

    @admin.display(description=_("department"))
    def department(self, obj):
        return obj.record.department.name

    @admin.display(description=_("fields changed"))
    def changed_fields(self, obj):
        return ", ".join(str(CreditRecord._meta.get_field(name).verbose_name) for name in obj.proposed)

    @admin.display(description=_("changes"))
    def changes(self, obj):
        return changes_table(obj)

    def get_search_results(self, request, queryset, search_term):
        if refuse_id_in_query(request, search_term):
            return queryset.none(), False
        if search_term:
            return queryset.filter(record__decision_no__startswith=search_term.strip()), False
        return queryset, False

    def has_add_permission(self, request):
        return False  # proposed by saving a published record's form

    def has_change_permission(self, request, obj=None):
        return False  # decided by the actions, never edited

    def log_read(self, request, obj: RecordCorrection, purpose: str) -> None:
        services.log_access(
            user=request.user,
            action=AccessAction.VIEW,
            record=obj.record,
            purpose=purpose,
            ip_address=client_ip(request),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened a correction in the admin"))
        return super().change_view(request, object_id, form_url, extra_context)

    # --- decisions ---------------------------------------------------------------------------

    def _decide_selected(self, request, queryset, service, done_message: str):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, gettext("Give a reason in the box beside the action."), messages.ERROR)
            return
        done = 0
        for correction in queryset.select_related("record", "record__department").order_by("pk"):
            try:
                service(correction, acting_user=request.user, reason=reason)
            except (PermissionDenied, ValidationError) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{correction}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected corrections (the public then sees the corrected record)"))
    def approve_selected(self, request, queryset):
        self._decide_selected(
            request, queryset, services.approve_correction, gettext("%(count)d corrections approved and applied.")
        )

    @admin.action(description=_("Reject selected corrections (the record stays as it is)"))
    def reject_selected(self, request, queryset):
        self._decide_selected(request, queryset, services.reject_correction, gettext("%(count)d corrections rejected."))

    @admin.action(description=_("Withdraw selected corrections"))
    def withdraw_selected(self, request, queryset):
        self._decide_selected(
            request, queryset, services.withdraw_correction, gettext("%(count)d corrections withdrawn.")
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        reviews = access.permitted_departments(request.user, Action.PUBLISH).exists() or (
            access.permitted_departments(request.user, Action.DECIDE).exists()
        )
        if not reviews:
            actions.pop("approve_selected", None)
            actions.pop("reject_selected", None)
        if not access.permitted_departments(request.user, Action.CHANGE).exists():
            actions.pop("withdraw_selected", None)
        return actions


def pending_correction_note(record: CreditRecord):
    """What the record's page says about its corrections (HTML), or "—"."""
    if record.pk is None:
        return "—"
    corrections = list(record.corrections.select_related("proposed_by", "decided_by").order_by("-proposed_at")[:5])
    if not corrections:
        return "—"
    parts = []
    for correction in corrections:
        url = reverse("admin:registry_recordcorrection_change", args=[correction.pk])
        if correction.is_pending:
            parts.append(
                format_html(
                    '<p class="pending-correction"><a href="{}">{}</a> · {} · {}</p>{}',
                    url,
                    str(correction),
                    correction.get_state_display(),
                    gettext("Until a reviewer or publisher approves it, the record stays displayed as it was decided."),
                    changes_table(correction),
                )
            )
        else:
            parts.append(
                format_html('<p><a href="{}">{}</a> · {}</p>', url, str(correction), correction.get_state_display())
            )
    return format_html_join("", "{}", ((part,) for part in parts))

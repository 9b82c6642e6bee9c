"""The outbox in the admin: staff see the notifications of their departments'
cases (read only); those who may change them can send failed ones again."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ScopedAdmin

from ..admin.common import ScopedDepartmentFilter, client_ip
from ..choices import AccessAction
from ..permissions import RegistryPermission
from . import services
from .models import Notification


class NotificationActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    action_form = NotificationActionForm
    actions = ["send_again"]
    list_display = [
        "created_at",
        "recipient_label",
        "channel",
        "template",
        "language",
        "case_label",
        "state",
        "attempts",
        "sent_at",
    ]
    list_filter = ["state", "channel", "template", ScopedDepartmentFilter]
    list_select_related = ["recipient_user", "recipient_person", "department", "case_type"]
    date_hierarchy = "created_at"
    fields = [
        "recipient_label",
        "channel",
        "template",
        "language",
        "department",
        "case_label",
        "context",
        "state",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("recipient"))
    def recipient_label(self, obj):
        return obj.recipient_label

    @admin.display(description=_("case"))
    def case_label(self, obj):
        if not obj.case_type_id:
            return "—"
        return f"{obj.case_type.name} #{obj.case_id}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page is a read-only view; changes happen only through "send again".
        return False

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.fields})]

    def log_read(self, request, obj, purpose: str) -> None:
        if obj.recipient_person_id:
            from ..services import log_access

            log_access(
                user=request.user,
                action=AccessAction.VIEW,
                person=obj.recipient_person,
                purpose=purpose,
                detail=f"notification #{obj.pk}",  # shown translated (registry.system_text)
                ip_address=client_ip(request),
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened in the admin"))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(RegistryPermission.CHANGE_NOTIFICATION):
            actions.pop("send_again", None)
        return actions

    @admin.action(description=_("Send the selected failed notifications again"))
    def send_again(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, gettext("Give a reason in the box beside the action."), messages.ERROR)
            return
        try:
            count = services.retry_notifications(
                access.restrict(queryset, request.user, Action.CHANGE), acting_user=request.user, reason=reason
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request, gettext("%(count)d notifications queued to be sent again.") % {"count": count}, messages.SUCCESS
        )

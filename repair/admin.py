"""Staff pages of the repair app: the public site's verification codes, read-only.

A code's page shows when it was asked for, sent, used or spent; never the code
(only its hash is stored, and the hash is not shown either). Staff see the
codes of the persons they see (``VerificationCode.access_scope``); opening one
is an access-log row, like opening the person.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext, gettext_noop

from creditportal.admin_scoping import ScopedAdmin
from registry.choices import AccessAction
from registry.services import log_access

from .models import VerificationCode

OPENED = gettext_noop("Opened in the admin")


@admin.register(VerificationCode)
class VerificationCodeAdmin(ScopedAdmin):
    list_display = ["person", "channel", "created_at", "expires_at", "used_at", "attempts"]
    list_select_related = ["person"]
    list_filter = ["channel"]
    fields = ["person", "channel", "created_at", "expires_at", "used_at", "attempts"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def log_read(self, request, obj, purpose: str) -> None:
        log_access(
            user=request.user,
            action=AccessAction.VIEW,
            person=obj.person,
            purpose=purpose,
            ip_address=request.META.get("REMOTE_ADDR"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self._require_in_scope(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext(OPENED))
        return super().change_view(request, object_id, form_url, extra_context)

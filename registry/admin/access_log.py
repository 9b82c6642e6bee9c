"""Registry admin: access log."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReadOnlyAdmin

from ..models import AccessLog

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

"""Export actions for the credit-records changelist.

"Export selected (CSV)" and "Export selected (XLSX)" export the ticked records
— or, after "Select all", every record the current filters and search match —
through ``registry.exporting`` (scoped, masked, logged). The purpose of the
export is the ``reason`` typed beside the action dropdown; without one the
export is refused.
"""

from __future__ import annotations

import tempfile

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import exporting


class ExportActionsMixin:
    """Admin actions that download the selected records as CSV or XLSX."""

    export_actions = ("export_selected_csv", "export_selected_xlsx")

    @admin.action(description=_("Export selected (CSV)"), permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return self._export_response(request, queryset, exporting.CSV)

    @admin.action(description=_("Export selected (XLSX)"), permissions=["view"])
    def export_selected_xlsx(self, request, queryset):
        return self._export_response(request, queryset, exporting.XLSX)

    def _export_response(self, request, queryset, fmt: str):
        purpose = (request.POST.get("reason") or "").strip()
        if not purpose:
            self.message_user(
                request, gettext("State the purpose of the export in the box beside the action."), messages.ERROR
            )
            self.keep_ticked(request)
            return None
        try:
            export = exporting.prepare_export(
                queryset,
                acting_user=request.user,
                fmt=fmt,
                purpose=purpose,
                ip_address=request.META.get("REMOTE_ADDR") or None,
            )
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            self.keep_ticked(request)
            return None
        filename = export.filename()
        if fmt == exporting.CSV:
            response = StreamingHttpResponse(export.iter_csv(), content_type=export.content_type)
            response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
            return response
        # openpyxl needs a seekable file to build the zip: a temporary file on
        # this machine's disk, deleted when the response is closed.
        spool = tempfile.TemporaryFile()
        try:
            export.write_to(spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=filename, content_type=export.content_type)

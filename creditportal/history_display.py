"""History pages in the reader's language.

django-simple-history's admin history page lists raw values (``draft → active``),
untranslated column names and the reason twice. :class:`ReadableHistoryMixin`
shows, per row: when (Asia/Shanghai), who (full name and username), what kind
of change, the reason once (a system-written reason as a sentence in the
reader's language, see ``creditportal.system_text``), and the change in words:
field labels, choice labels (草稿 → 公示中), related objects by name, yes/no,
dates as dates. Bookkeeping fields (created/updated times) and secrets (the
encrypted ID number, its blind index) never appear; a changed ID number shows
as its masked old and new forms, marked as changed even when both masks look
alike.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey
from django.http import HttpResponseNotAllowed
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.template_utils import HistoricalRecordContextHelper

from .audit import staff_name
from .system_text import render as render_system_text

#: Fields never shown in a history diff: bookkeeping and secrets.
HIDDEN_HISTORY_FIELDS = {"created_at", "updated_at", "id_number_encrypted", "id_number_index"}


def display_value(field, value) -> str:
    """A field's stored value as a reader reads it."""
    if value is None or value == "":
        return gettext("(empty)")
    if isinstance(value, list):  # many-to-many: already prepared names
        return gettext(", ").join(str(v) for v in value) if value else gettext("(none)")
    if getattr(field, "flatchoices", None):
        labels = dict(field.flatchoices)
        if value in labels:
            return str(labels[value])
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, get_user_model()):
        return staff_name(value)
    return str(value)


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    def format_delta_change(self, change):
        field = self.model._meta.get_field(change.field)
        old = self.prepare_delta_change_value(change, change.old)
        new = self.prepare_delta_change_value(change, change.new)
        if isinstance(field, ForeignKey) and not hasattr(old, "_meta") and old is not None and old != "":
            old = field.related_model._default_manager.filter(pk=old).first() or old
        if isinstance(field, ForeignKey) and not hasattr(new, "_meta") and new is not None and new != "":
            new = field.related_model._default_manager.filter(pk=new).first() or new
        old_str, new_str = self.get_obj_diff_display().common_shorten_repr(
            display_value(field, old), display_value(field, new)
        )
        return dataclasses.replace(
            change,
            field=capfirst(field.verbose_name),
            old=conditional_escape(old_str),
            new=conditional_escape(new_str),
        )


class ReadableHistoryMixin:
    """For a ``SimpleHistoryAdmin``: the readable history page."""

    object_history_template = "admin/history/object_history.html"
    object_history_list_template = "admin/history/object_history_list.html"
    history_list_display: list[str] = []

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An earlier version is for reading. ``SIMPLE_HISTORY_REVERT_DISABLED``
        only hides the button: a POST here would save the form past the change
        page's checks (a revert). Changes are made on the change page."""
        if request.method not in ("GET", "HEAD"):
            if not self.has_view_history_or_change_history_permission(request):
                raise PermissionDenied
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view_title(self, request, obj):
        return gettext("History: %(object)s") % {"object": obj}

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        for index, record in enumerate(records):
            record.changed_by = staff_name(record.history_user) if record.history_user_id else ""
            record.reason_display = render_system_text(record.history_change_reason)
            record.local_date = timezone.localtime(record.history_date)
            older = records[index + 1] if index + 1 < len(records) else None
            if older is None:
                continue
            tracked = {f.name for f in record.instance_type._meta.fields}
            delta = record.diff_against(
                older,
                excluded_fields=(HIDDEN_HISTORY_FIELDS & tracked) | {"id_number_masked"},
                foreign_keys_are_objs=foreign_keys_are_objs,
            )
            helper = self.get_historical_record_context_helper(request, record)
            changes = helper.context_for_delta_changes(delta)
            changes.extend(self._id_number_change(record, older))
            record.history_delta_changes = changes
            record.no_visible_change = not changes

    def _id_number_change(self, record, older) -> list[dict]:
        """A changed ID number as its masked forms (never the ciphertext)."""
        if not hasattr(record, "id_number_index"):
            return []
        if record.id_number_index == older.id_number_index and record.id_number_masked == older.id_number_masked:
            return []
        field = record.instance_type._meta.get_field("id_number_masked")
        new = record.id_number_masked
        if new == older.id_number_masked:
            new = gettext("%(masked)s (a different number)") % {"masked": new}
        return [{"field": capfirst(field.verbose_name), "old": older.id_number_masked, "new": new}]

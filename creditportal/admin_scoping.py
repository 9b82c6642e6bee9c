"""Admin base classes shared by every app: department scoping, reasons, history.

* ``get_queryset`` goes through ``creditportal.access.restrict`` (VIEW), so
  changelists, search, autocomplete, change and history pages only ever see
  the user's departments; an object outside them is a 404, not a redirect.
* ``has_change_permission`` needs the model permission *and* CHANGE on the
  object's department.
* Every change form asks for a reason; ``save_model`` hands it, with the user,
  to the app's service function, which writes the history row.
* Nothing is deleted through the admin: records end by status, with history.
"""

from __future__ import annotations

import contextvars

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from creditportal import access
from creditportal.access import Action
from creditportal.history_display import ReadableHistoryMixin

REASON_FIELD = "change_reason"
TICKED_SESSION_KEY = "admin_ticked_rows"
# The rows to show ticked while one changelist page renders (see keep_ticked).
_ticked_rows: contextvars.ContextVar[frozenset] = contextvars.ContextVar("ticked_rows", default=frozenset())


class ReasonForm(forms.ModelForm):
    """A model form with the mandatory reason for the change."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=500,
        required=True,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_("Recorded in the history with your name, e.g. the decision or letter that requires it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No maxlength in the page: a browser cuts pasted text at it without a word.
        # The limit is checked on save instead, and the message says how long the text is.
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)


class EstimatedCountPaginator(Paginator):
    """On PostgreSQL, use the planner's row estimate instead of ``COUNT(*)``
    once a result is large (``ADMIN_ESTIMATED_COUNT_THRESHOLD``); exact below."""

    @cached_property
    def count(self):
        from django.conf import settings

        if connection.vendor == "postgresql" and isinstance(self.object_list, QuerySet):
            estimate = estimate_rows(self.object_list)
            if estimate is not None and estimate >= settings.ADMIN_ESTIMATED_COUNT_THRESHOLD:
                return estimate
        return super().count


def estimate_rows(queryset: QuerySet) -> int | None:
    import json

    try:
        plan = json.loads(queryset.order_by().explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
    except Exception:  # an unexpected plan shape: fall back to an exact count
        return None


class ScopedAdmin(ReadableHistoryMixin, SimpleHistoryAdmin):
    """Base admin for department-owned models."""

    form = ReasonForm
    view_action = Action.VIEW
    change_action = Action.CHANGE
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    # --- scope -----------------------------------------------------------------
    def get_queryset(self, request):
        return access.restrict(super().get_queryset(request), request.user, self.view_action)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Out of scope and nonexistent look the same: a plain 404.
            raise Http404(_("No such object."))
        return obj

    def _require_in_scope(self, request, object_id):
        from django.contrib.admin.utils import unquote

        obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if obj is None:
            raise Http404(_("No such object."))
        return obj

    def log_read(self, request, obj, purpose: str) -> None:
        """Write the AccessLog row for a staff read of ``obj`` (personal data); the
        admins of persons and records do, others have nothing personal to log."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self._require_in_scope(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened its history in the admin"))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._require_in_scope(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened an earlier version in the admin"))
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- actions refused: the ticked rows stay ticked -----------------------------------
    def keep_ticked(self, request) -> None:
        """Call when an action is refused (a missing reason, say): the list the
        user comes back to has the same rows ticked and the same action chosen,
        so they only add what was missing."""
        request.session[TICKED_SESSION_KEY] = {
            "model": self.opts.label_lower,
            "ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)[:1000],
            "action": request.POST.get("action", ""),
        }

    def changelist_view(self, request, extra_context=None):
        kept = None
        if request.method == "GET" and TICKED_SESSION_KEY in request.session:
            if request.session[TICKED_SESSION_KEY].get("model") == self.opts.label_lower:
                kept = request.session.pop(TICKED_SESSION_KEY)
        token = _ticked_rows.set(frozenset(kept["ids"]) if kept else frozenset())
        try:
            response = super().changelist_view(request, extra_context)
            if kept and hasattr(response, "render"):
                action_form = (getattr(response, "context_data", None) or {}).get("action_form")
                if action_form is not None:
                    action_form.fields["action"].initial = kept["action"]
                response.render()  # while the ticked rows are known
            return response
        finally:
            _ticked_rows.reset(token)

    def action_checkbox(self, obj):
        ticked = _ticked_rows.get()
        if not ticked or str(obj.pk) not in ticked:
            return super().action_checkbox(obj)
        attrs = {
            "class": "action-select",
            "aria-label": format_html(gettext("Select this object for an action - {}"), str(obj)),
        }
        return forms.CheckboxInput(attrs, lambda value: True).render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    # --- permissions -----------------------------------------------------------------
    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or access.can(request.user, self.view_action, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.can(request.user, self.change_action, obj)

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        return access.permitted_departments(request.user, self.change_action).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def scoped_departments(self, request, action: Action | None = None):
        return access.permitted_departments(request.user, action or self.change_action)

    # --- reason ----------------------------------------------------------------------
    def _can_edit(self, request, obj):
        return self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != REASON_FIELD]}) for name, opts in fieldsets
        ]
        if self._can_edit(request, obj):
            fieldsets.append((_("Reason"), {"fields": [REASON_FIELD]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.current_user = request.user
        return form

    def change_reason(self, form) -> str:
        return form.cleaned_data.get(REASON_FIELD, "")

    def delete_model(self, request, obj):  # pragma: no cover - delete is disabled
        raise PermissionError("Deletion is disabled; end records by status.")


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only data (the access log): view only, for everyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

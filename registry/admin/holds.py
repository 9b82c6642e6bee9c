"""Registry admin: display holds (what shields a record from display and sharing).

Reviewers open a hold for a court order or a review of their department's
record and close holds with a reason; objections open and close theirs through
the repair app. Holds are never deleted: a closed hold stays as the record of
why the record was not shown.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import REASON_FIELD, ReasonForm, ScopedAdmin

from .. import services
from ..models import CreditRecord, DisplayHold


class HoldForm(ReasonForm):
    class Meta:
        model = DisplayHold
        fields = ["record", "source", "reference"]


class HoldActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class OpenFilter(admin.SimpleListFilter):
    title = _("open")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(DisplayHold)
class DisplayHoldAdmin(ScopedAdmin):
    form = HoldForm
    change_action = Action.DECIDE
    action_form = HoldActionForm
    actions = ["close_selected"]
    list_display = ["record", "source", "reference", "opened_at", "opened_by", "closed_at"]
    list_filter = [OpenFilter, "source"]
    list_select_related = ["record", "opened_by"]
    search_fields = ["reference", "record__decision_no"]
    # Searched by decision number (a department holds many thousands of records);
    # the form accepts only the records the user may decide on (below).
    autocomplete_fields = ["record"]
    readonly_fields = ["opened_at", "opened_by", "open_reason", "closed_at", "closed_by", "close_reason"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["record", "source", "reference", REASON_FIELD]
        return ["record", "source", "reference", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a hold is opened once; it ends by closing, with a reason
            return ["record", "source", "reference", *self.readonly_fields]
        return []

    def has_change_permission(self, request, obj=None):
        # The change page is for reading: closing is the action below.
        return obj is None and super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "record":
            kwargs["queryset"] = access.restrict(
                CreditRecord.objects.select_related("person"), request.user, Action.DECIDE
            ).order_by("-id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.pk = services.open_hold(
            form.cleaned_data["record"],
            source=form.cleaned_data["source"],
            reference=form.cleaned_data["reference"],
            acting_user=request.user,
            reason=self.change_reason(form),
        ).pk

    @admin.action(description=_("Close selected holds"))
    def close_selected(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, gettext("Give a reason in the box beside the action."), messages.ERROR)
            return
        closed = 0
        try:
            for hold in access.restrict(queryset, request.user, Action.DECIDE).filter(closed_at__isnull=True):
                services.close_hold(hold, acting_user=request.user, reason=reason)
                closed += 1
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, gettext("%(count)d holds closed.") % {"count": closed}, messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.permitted_departments(request.user, Action.DECIDE).exists():
            actions.pop("close_selected", None)
        return actions

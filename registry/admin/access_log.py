"""Registry admin: access log.

Supervisors read who looked at what, within their departments. A row is
listed when it concerns data their departments hold or a reader who held a
role in them (``AccessLog.access_scope``); within a row they see only what
their departments hold: the person as ``creditportal.access`` lets them see
the person (name and masked number), the record only if it is one of their
departments' records, otherwise a neutral placeholder (list, detail page and
search alike: a search by name or number never finds a row by a person they
may not see).
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReadOnlyAdmin
from creditportal.audit import staff_name
from creditportal.system_text import render as render_system_text

from ..identifiers import normalise
from ..models import AccessLog, CreditRecord, Person, RoleGrant
from .common import refuse_id_in_query

# --- Access log --------------------------------------------------------------------------------


def visible_persons(user):
    return access.restrict(Person.objects.all(), user, Action.VIEW)


class UserFilter(admin.SimpleListFilter):
    """Readers the supervisor may audit: staff who held a role in their
    departments, and the operators and the system user (who act everywhere)."""

    title = _("user")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        User = get_user_model()
        grants = access.restrict(RoleGrant.objects.all(), request.user, Action.VIEW).values("user_id")
        users = User.objects.filter(
            Q(pk__in=grants) | Q(is_superuser=True) | Q(username=access_system_username())
        ).order_by("username")
        return [(str(u.pk), staff_name(u)) for u in users[:300]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(user_id=self.value())
        return queryset


def access_system_username() -> str:
    from django.conf import settings

    return settings.SYSTEM_USERNAME


#: Purposes the system writes (their English form); also stored translated by older pages.
SYSTEM_PURPOSES = [
    ("admin_open", "Opened in the admin"),
    ("admin_history", "Opened its history in the admin"),
    ("admin_version", "Opened an earlier version in the admin"),
    ("admin_find", "Search by ID number in the admin"),
]


def stored_forms(msgid: str) -> list[str]:
    from django.conf import settings

    forms = {msgid}
    for code, _name in settings.LANGUAGES:
        with override(code):
            forms.add(gettext(msgid))
    return sorted(forms)


class PurposeFilter(admin.SimpleListFilter):
    title = _("purpose")
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        return [(key, gettext(msgid)) for key, msgid in SYSTEM_PURPOSES] + [
            ("import", gettext("Import of a file")),
            ("stated", gettext("Stated by the reader (reveal, export, search)")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        system = dict(SYSTEM_PURPOSES)
        if value in system:
            return queryset.filter(purpose__in=stored_forms(system[value]))
        if value == "import":
            return queryset.filter(purpose__startswith="import ")
        if value == "stated":
            known = [form for msgid in system.values() for form in stored_forms(msgid)]
            return queryset.exclude(purpose__in=known).exclude(purpose__startswith="import ")
        return queryset


class DateRangeFilter(admin.ListFilter):
    """From / until (days in Asia/Shanghai, both included)."""

    title = _("date range")
    template = "admin/registry/accesslog/date_range_filter.html"
    parameters = ("at_from", "at_until")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                value = value[-1] if isinstance(value, list) else value
                self.values[name] = value
        self.request = request

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def _day(self, name) -> datetime.date | None:
        try:
            return parse_date(self.values.get(name) or "")
        except ValueError:
            return None

    def queryset(self, request, queryset):
        zone = timezone.get_current_timezone()
        start, end = self._day("at_from"), self._day("at_until")
        if start:
            queryset = queryset.filter(at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone))
        if end:
            following = end + datetime.timedelta(days=1)
            queryset = queryset.filter(at__lt=datetime.datetime.combine(following, datetime.time.min, tzinfo=zone))
        return queryset

    def choices(self, changelist):
        others = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in self.parameters
            for value in (values if isinstance(values, list) else [values])
        ]
        today = timezone.localdate()
        yield {
            "from": self.values.get("at_from", ""),
            "until": self.values.get("at_until", ""),
            "others": others,
            "clear_url": changelist.get_query_string(remove=list(self.parameters)),
            "quick": [
                (gettext("Today"), changelist.get_query_string({"at_from": today, "at_until": today})),
                (
                    gettext("Last 7 days"),
                    changelist.get_query_string({"at_from": today - datetime.timedelta(days=6), "at_until": today}),
                ),
                (
                    gettext("Last 30 days"),
                    changelist.get_query_string({"at_from": today - datetime.timedelta(days=29), "at_until": today}),
                ),
            ],
        }


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Supervisors read who looked at what, within their departments."""

    list_display = ["when", "who", "action", "person_shown", "record_shown", "purpose_shown", "detail_shown"]
    list_select_related = ["user", "person", "record"]
    list_filter = [DateRangeFilter, UserFilter, "action", PurposeFilter]
    search_fields = ["purpose"]  # the search itself: get_search_results
    search_help_text = _(
        "Search by user (name or username), person (name, or masked number such as 530102********1234) "
        "or purpose. Full ID numbers are not searched here."
    )
    fields = ["when", "who", "action", "person_shown", "record_shown", "purpose_shown", "detail_shown", "ip_address"]
    readonly_fields = fields
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        queryset = access.restrict(super().get_queryset(request), request.user, Action.VIEW)
        user = request.user
        if user.is_superuser:
            return queryset.annotate(
                person_visible=Value(True, output_field=BooleanField()),
                record_visible=Value(True, output_field=BooleanField()),
            )
        return queryset.annotate(
            person_visible=Exists(access.restrict(Person.objects.filter(pk=OuterRef("person_id")), user, Action.VIEW)),
            record_visible=Exists(
                access.restrict(CreditRecord.objects.filter(pk=OuterRef("record_id")), user, Action.VIEW)
            ),
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        if refuse_id_in_query(request, term):
            return queryset.none(), False
        persons = visible_persons(request.user)
        if "*" in term:
            masked = normalise(term).replace("＊", "*").upper()
            return queryset.filter(person__in=persons.filter(id_number_masked=masked).values("pk")), False
        matches = (
            Q(user__username__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(purpose__icontains=term)
            | Q(person__in=persons.filter(name__startswith=term).values("pk"))
        )
        return queryset.filter(matches), False

    # --- columns -------------------------------------------------------------------------------
    @admin.display(description=_("time (Beijing time)"), ordering="at")
    def when(self, obj):
        return timezone.localtime(obj.at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("user"), ordering="user__username")
    def who(self, obj):
        return staff_name(obj.user)

    def _person_visible(self, obj) -> bool:
        return bool(getattr(obj, "person_visible", False))

    def _record_visible(self, obj) -> bool:
        return bool(getattr(obj, "record_visible", False))

    def _hides_something(self, obj) -> bool:
        return (obj.person_id and not self._person_visible(obj)) or (obj.record_id and not self._record_visible(obj))

    @admin.display(description=_("person"))
    def person_shown(self, obj):
        if not obj.person_id:
            return "—"
        if not self._person_visible(obj):
            return gettext("(a person outside your departments)")
        return f"{obj.person.name} {obj.person.id_number_masked}"

    @admin.display(description=_("record"))
    def record_shown(self, obj):
        if not obj.record_id:
            return "—"
        if not self._record_visible(obj):
            return gettext("(a record of another department)")
        return obj.record.decision_no

    @admin.display(description=_("purpose"))
    def purpose_shown(self, obj):
        return render_system_text(obj.purpose)

    @admin.display(description=_("detail"))
    def detail_shown(self, obj):
        if not obj.detail:
            return "—"
        if self._hides_something(obj):
            return gettext("(not shown: outside your departments)")
        return render_system_text(obj.detail)

"""Roles as data: each role is a group with model permissions (which kinds of
page) plus the department actions it is granted on its departments (where).

``registry.services.grant_role`` puts a user in the group and grants the
department actions on one department (covering its subtree).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from creditportal.access import Action


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    REVIEWER = "reviewer", _("Reviewer")
    PUBLISHER = "publisher", _("Publisher")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


def _perms(model: str, *verbs: str) -> list[str]:
    return [f"registry.{verb}_{model}" for verb in verbs]


# The holiday schedule (registry.CalendarDay): every role reads it (it explains
# a deadline), administrators enter each year's schedule.
CALENDAR_ADD_PERM, CALENDAR_CHANGE_PERM = _perms("calendarday", "add", "change")

_READ = _perms("department", "view") + _perms("catalogitem", "view") + _perms("calendarday", "view")

# Notifications of their departments' cases: every role reads them; those who
# change records may send a failed one again (no one writes one by hand).
_NOTIFICATIONS = _perms("notification", "view", "change")

ROLE_MODEL_PERMISSIONS: dict[Role, list[str]] = {
    Role.CASEWORKER: _READ
    + _perms("person", "view", "add", "change")
    + _perms("creditrecord", "view", "add", "change")
    + _perms("displayhold", "view")
    + _NOTIFICATIONS,
    Role.REVIEWER: _READ
    + _perms("person", "view")
    + _perms("creditrecord", "view")
    + _perms("displayhold", "view", "add", "change")
    + _perms("notification", "view"),
    Role.PUBLISHER: _READ
    + _perms("person", "view")
    + _perms("creditrecord", "view")
    + _perms("displayhold", "view")
    + _perms("notification", "view"),
    Role.SUPERVISOR: _READ
    + _perms("person", "view", "add", "change")
    + _perms("creditrecord", "view", "add", "change")
    + _perms("displayhold", "view", "add", "change")
    + _NOTIFICATIONS
    + _perms("accesslog", "view")
    + _perms("rolegrant", "view"),
    Role.ADMINISTRATOR: _perms("department", "view", "add", "change")
    + _perms("catalogitem", "view", "add", "change")
    + _perms("calendarday", "view", "add", "change")
    + _perms("person", "view", "add", "change")
    + _perms("creditrecord", "view", "add", "change")
    + _perms("displayhold", "view", "add", "change")
    + _NOTIFICATIONS
    + _perms("accesslog", "view")
    + _perms("rolegrant", "view", "add", "change")
    # Viewing users only (to pick them in a grant): changing accounts stays with
    # operators, since Django's user form can make anyone a superuser.
    + ["auth.view_user"],
}

ROLE_DEPARTMENT_ACTIONS: dict[Role, list[Action]] = {
    Role.CASEWORKER: [Action.VIEW, Action.CHANGE, Action.REVEAL],
    Role.REVIEWER: [Action.VIEW, Action.DECIDE, Action.REVEAL],
    Role.PUBLISHER: [Action.VIEW, Action.PUBLISH],
    Role.SUPERVISOR: [Action.VIEW, Action.CHANGE, Action.PUBLISH, Action.DECIDE, Action.REVEAL],
    Role.ADMINISTRATOR: [Action.VIEW, Action.CHANGE, Action.PUBLISH, Action.DECIDE, Action.REVEAL],
}


def group_name(role: Role) -> str:
    return str(role.value)

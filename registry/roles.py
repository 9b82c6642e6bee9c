"""Roles as data: each role is a group with model permissions (which kinds of
page) plus the department actions it is granted on its departments (where).

``registry.services.grant_role`` puts a user in the group and grants the
department actions on one department (covering its subtree).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from creditportal.access import Action

from .permissions import AccountPermission, RegistryPermission


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    REVIEWER = "reviewer", _("Reviewer")
    PUBLISHER = "publisher", _("Publisher")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


P = RegistryPermission

# The holiday schedule (registry.CalendarDay): every role reads it (it explains
# a deadline), administrators enter each year's schedule.
CALENDAR_ADD_PERM, CALENDAR_CHANGE_PERM = P.ADD_CALENDARDAY, P.CHANGE_CALENDARDAY

# Everyone with a role sees the corrections of their departments' records;
# proposing and deciding them is gated by department actions (CHANGE; PUBLISH or DECIDE).
_READ = [P.VIEW_DEPARTMENT, P.VIEW_CATALOGITEM, P.VIEW_CALENDARDAY, P.VIEW_RECORDCORRECTION]
_RECORDS_WRITE = [P.VIEW_PERSON, P.ADD_PERSON, P.CHANGE_PERSON, P.VIEW_CREDITRECORD, P.ADD_CREDITRECORD,
                  P.CHANGE_CREDITRECORD]  # fmt: skip
_RECORDS_READ = [P.VIEW_PERSON, P.VIEW_CREDITRECORD]
_HOLDS_DECIDE = [P.VIEW_DISPLAYHOLD, P.ADD_DISPLAYHOLD, P.CHANGE_DISPLAYHOLD]

# Notifications of their departments' cases: every role reads them; those who
# change records may send a failed one again (no one writes one by hand).
_NOTIFICATIONS = [P.VIEW_NOTIFICATION, P.CHANGE_NOTIFICATION]

# What each role may do in the registry (which kinds of page); contributed to
# creditportal.permissions by RegistryConfig.ready, beside the other apps' shares.
ROLE_MODEL_PERMISSIONS: dict[Role, list[RegistryPermission | AccountPermission]] = {
    Role.CASEWORKER: _READ + _RECORDS_WRITE + [P.VIEW_DISPLAYHOLD] + _NOTIFICATIONS,
    Role.REVIEWER: _READ + _RECORDS_READ + _HOLDS_DECIDE + [P.VIEW_NOTIFICATION],
    Role.PUBLISHER: _READ + _RECORDS_READ + [P.VIEW_DISPLAYHOLD, P.VIEW_NOTIFICATION],
    Role.SUPERVISOR: _READ + _RECORDS_WRITE + _HOLDS_DECIDE + _NOTIFICATIONS + [P.VIEW_ACCESSLOG, P.VIEW_ROLEGRANT],
    Role.ADMINISTRATOR: [P.VIEW_DEPARTMENT, P.ADD_DEPARTMENT, P.CHANGE_DEPARTMENT]
    + [P.VIEW_CATALOGITEM, P.ADD_CATALOGITEM, P.CHANGE_CATALOGITEM]
    + [P.VIEW_CALENDARDAY, P.ADD_CALENDARDAY, P.CHANGE_CALENDARDAY]
    + [P.VIEW_RECORDCORRECTION]
    + _RECORDS_WRITE
    + _HOLDS_DECIDE
    + _NOTIFICATIONS
    + [P.VIEW_ACCESSLOG, P.VIEW_ROLEGRANT, P.ADD_ROLEGRANT, P.CHANGE_ROLEGRANT]
    # Staff accounts: add, change names, e-mail and password, deactivate (with a
    # reason, registry.accounts); superuser status, groups and permissions stay
    # with operators, and roles come only from role grants.
    + [AccountPermission.VIEW_USER, AccountPermission.ADD_USER, AccountPermission.CHANGE_USER],
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

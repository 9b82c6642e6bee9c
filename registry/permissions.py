"""The registry's model permissions, as data (see ``creditportal.permissions``).

Department actions (where a role may act: view, change, publish, decide,
reveal) are ``creditportal.access.Action``, object permissions on departments;
these are the model permissions (which kinds of page a role may use).
"""

from __future__ import annotations

from creditportal.permissions import PermissionEnum


class RegistryPermission(PermissionEnum):
    VIEW_DEPARTMENT = "registry.view_department"
    ADD_DEPARTMENT = "registry.add_department"
    CHANGE_DEPARTMENT = "registry.change_department"
    VIEW_CATALOGITEM = "registry.view_catalogitem"
    ADD_CATALOGITEM = "registry.add_catalogitem"
    CHANGE_CATALOGITEM = "registry.change_catalogitem"
    VIEW_CALENDARDAY = "registry.view_calendarday"
    ADD_CALENDARDAY = "registry.add_calendarday"
    CHANGE_CALENDARDAY = "registry.change_calendarday"
    VIEW_PERSON = "registry.view_person"
    ADD_PERSON = "registry.add_person"
    CHANGE_PERSON = "registry.change_person"
    VIEW_CREDITRECORD = "registry.view_creditrecord"
    ADD_CREDITRECORD = "registry.add_creditrecord"
    CHANGE_CREDITRECORD = "registry.change_creditrecord"
    VIEW_DISPLAYHOLD = "registry.view_displayhold"
    ADD_DISPLAYHOLD = "registry.add_displayhold"
    CHANGE_DISPLAYHOLD = "registry.change_displayhold"
    VIEW_RECORDCORRECTION = "registry.view_recordcorrection"
    VIEW_ACCESSLOG = "registry.view_accesslog"
    VIEW_ROLEGRANT = "registry.view_rolegrant"
    ADD_ROLEGRANT = "registry.add_rolegrant"
    CHANGE_ROLEGRANT = "registry.change_rolegrant"
    VIEW_IMPORTJOB = "registry.view_importjob"
    VIEW_NOTIFICATION = "registry.view_notification"
    CHANGE_NOTIFICATION = "registry.change_notification"


class AccountPermission(PermissionEnum):
    """Django's own account permissions the registry's roles use."""

    VIEW_USER = "auth.view_user"
    ADD_USER = "auth.add_user"
    CHANGE_USER = "auth.change_user"

"""Permissions as data, and the role groups built from every app's share.

Each app declares its model permissions as an enum next to its models
(Saleor's ``permission/enums.py``), subclassing :class:`PermissionEnum`, and
says in its ``AppConfig.ready`` what each role may do in it::

    permissions.contribute("repair", {"reviewer": [RepairPermission.VIEW_OBJECTION, ...]})

No ``"app.codename"`` string appears anywhere else (a test checks). The role
groups (one Django group per role: which kinds of page a role may use; *where*
comes from department grants, ``creditportal.access``) are built by
:func:`ensure_role_groups` after ``migrate``, once every app's permissions
exist, whatever order the apps migrated in.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from django.core.exceptions import ImproperlyConfigured


class PermissionEnum(str, enum.Enum):
    """A model permission, valued ``"<app_label>.<codename>"`` (what ``has_perm`` takes)."""

    def __str__(self) -> str:
        return self.value

    @property
    def app_label(self) -> str:
        return self.value.split(".", 1)[0]

    @property
    def codename(self) -> str:
        return self.value.split(".", 1)[1]


# app label -> role name -> the permissions that app gives the role
_contributions: dict[str, dict[str, frozenset[PermissionEnum]]] = {}


def contribute(app_label: str, grants: Mapping[str, Iterable[PermissionEnum]]) -> None:
    """Record what each role may do in ``app_label`` (replaces that app's earlier share)."""
    _contributions[app_label] = {str(role): frozenset(perms) for role, perms in grants.items()}


def role_permissions(role: str) -> frozenset[PermissionEnum]:
    """Everything ``role`` may do, over every app that contributed."""
    return frozenset().union(*(share.get(str(role), frozenset()) for share in _contributions.values()))


def roles() -> list[str]:
    return sorted({role for share in _contributions.values() for role in share})


def ensure_role_groups(group_name=str) -> dict:
    """Create or refresh one group per role with exactly its permissions.

    Every installed app's permissions are created first (Django creates them
    app by app after ``migrate``; a role naming a permission of an app that
    comes later would otherwise not find it). A permission that still does not
    exist is a mistake in a declaration: refused, naming it.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    groups = {}
    for role in roles():
        wanted = role_permissions(role)
        found = {
            f"{app_label}.{codename}": pk
            for pk, app_label, codename in Permission.objects.filter(
                content_type__app_label__in={perm.app_label for perm in wanted},
                codename__in={perm.codename for perm in wanted},
            ).values_list("pk", "content_type__app_label", "codename")
        }
        missing = sorted(perm.value for perm in wanted if perm.value not in found)
        if missing:
            raise ImproperlyConfigured(f"Role {role} names permissions that do not exist: {', '.join(missing)}")
        group, _created = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set([found[perm.value] for perm in wanted])
        groups[role] = group
    return groups

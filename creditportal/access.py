"""The one permission chokepoint: ``restrict(queryset, user, action)``.

Caseworkers hold django-guardian object permissions on ``Department`` objects
(never one row per record). A grant on a department covers that department
and its whole subtree, so a supervisor granted on a prefecture sees every
department under it. Global (model-level) permissions decide which *kinds* of
page a role may use; they never widen *which departments* a user reaches
(``accept_global_perms=False``). Only superusers (operators) see everything.

Every admin page, public view, API, import and task that reads or writes
department-owned data passes its queryset through :func:`restrict`. Models
say how they hang off a department:

* ``access_department_path = "department"`` (a lookup to a Department), or
* ``access_scope(departments) -> Q`` (a classmethod) for anything subtler.
"""

from __future__ import annotations

import enum
from functools import reduce
from operator import or_

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _


class Action(str, enum.Enum):
    """Department-scoped actions; the value is the Department permission codename."""

    VIEW = "records_view"
    CHANGE = "records_change"
    PUBLISH = "records_publish"
    DECIDE = "records_decide"
    REVEAL = "ids_reveal"

    @property
    def perm(self) -> str:
        """The object permission's full name, in the app of the configured department model."""
        return f"{_department_model()._meta.app_label}.{self.value}"


class SystemDuty(str, enum.Enum):
    """What the named system user (``settings.SYSTEM_USERNAME``) does for the
    portal: Celery tasks and the steps citizens take on the public site (a
    citizen is not a staff user; the portal records their step as the system,
    with the citizen named in the reason)."""

    EXPIRE_RECORDS = "expire_records"  # end display periods when they are over (registry.expiry)
    OPEN_HOLDS = "open_holds"  # shield a record when its subject files an objection
    CLOSE_HOLDS = "close_holds"  # lift such a hold when the objection is withdrawn
    SEND_NOTIFICATIONS = "send_notifications"  # the outbox
    REMIND = "remind"  # deadline reminders and escalations
    SYNCHRONISE = "synchronise"  # open-data feeds and other platforms
    OPERATOR_IMPORT = "operator_import"  # run an import an operator started with manage.py on the server
    VERIFY_CITIZENS = "verify_citizens"  # one-time codes of the public site's identity check


# The system's policy, explicit: which duties it has, and which department
# actions it holds (in every department: its duties are the province's). It
# reads everything it works on (VIEW) and changes nothing through a
# caseworker's action: each write it makes is one of its duties above,
# checked by the service that makes it with :func:`system_may`.
SYSTEM_DUTIES: frozenset[SystemDuty] = frozenset(SystemDuty)
SYSTEM_ACTIONS: frozenset[Action] = frozenset({Action.VIEW})


def is_system_user(user) -> bool:
    from django.conf import settings

    # The system account never logs in: it is inactive. An active account that
    # happens to bear the name (made by hand) is an ordinary user.
    return bool(
        user is not None
        and getattr(user, "pk", None)
        and user.get_username() == settings.SYSTEM_USERNAME
        and not user.is_active
    )


def system_may(user, duty: SystemDuty) -> bool:
    """Whether ``user`` is the system acting under its policy for ``duty``."""
    return is_system_user(user) and SystemDuty(duty) in SYSTEM_DUTIES


_CACHE_ATTR = "_creditportal_department_scope"


_scope = {"department_model": None}


def configure(*, department_model) -> None:
    """Say which model is the department tree that everything is scoped by
    (the registry's ``Department``, from its ``AppConfig.ready``): this module
    names no app's models itself."""
    _scope["department_model"] = department_model


def _department_model():
    model = _scope["department_model"]
    if model is None:
        raise ImproperlyConfigured("creditportal.access.configure(department_model=...) has not been called")
    return model


def granted_department_paths(user, action: Action) -> tuple[str, ...]:
    """Paths of the departments on which ``user`` holds ``action`` (directly or via a group)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if action not in cache:
        from guardian.shortcuts import get_objects_for_user

        departments = get_objects_for_user(
            user,
            action.perm,
            klass=_department_model(),
            accept_global_perms=False,
            with_superuser=False,
        )
        cache[action] = tuple(sorted(set(departments.values_list("path", flat=True))))
    return cache[action]


def clear_cache(user) -> None:
    """Forget the cached scope of ``user`` (after grants change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def permitted_departments(user, action: Action) -> QuerySet:
    """Departments (whole subtrees of the grants) where ``user`` may do ``action``."""
    Department = _department_model()
    if getattr(user, "is_superuser", False) and user.is_active:
        return Department.objects.all()
    if is_system_user(user):
        return Department.objects.all() if Action(action) in SYSTEM_ACTIONS else Department.objects.none()
    paths = granted_department_paths(user, action)
    if not paths:
        return Department.objects.none()
    # Drop paths already covered by an ancestor's grant.
    roots = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return Department.objects.filter(reduce(or_, (Q(path__startswith=p) for p in roots)))


def _scope_q(model, departments: QuerySet) -> Q:
    if model is _department_model():
        return Q(pk__in=departments.values("pk"))
    scope = getattr(model, "access_scope", None)
    if scope is not None:
        return scope(departments.values("pk"))
    path = getattr(model, "access_department_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} does not say how it is scoped by department")
    return Q(**{f"{path}__in": departments.values("pk")})


def restrict(queryset: QuerySet, user, action: Action) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may ``action``."""
    if is_system_user(user):  # inactive (nobody logs in as it), acting under its policy
        return queryset if Action(action) in SYSTEM_ACTIONS else queryset.none()
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not granted_department_paths(user, action):
        return queryset.none()
    return queryset.filter(_scope_q(queryset.model, permitted_departments(user, action)))


def can(user, action: Action, obj) -> bool:
    """May ``user`` do ``action`` on ``obj`` (a saved model instance)?"""
    if obj is None or obj.pk is None:
        return False
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def can_in_department(user, action: Action, department) -> bool:
    """May ``user`` do ``action`` for data owned by ``department``?"""
    if department is None:
        return False
    return permitted_departments(user, action).filter(pk=department.pk).exists()


def require_department(user, action: Action, department) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may ``action`` in ``department``.

    Service functions call this after writing, inside their transaction
    (NetBox's re-check): a write that would leave the user's scope is undone.
    """
    if not can_in_department(user, action, department):
        raise PermissionDenied(
            _("You do not have permission for this in department %(department)s.") % {"department": department}
        )

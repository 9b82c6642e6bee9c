"""Who may import into a department: the one check, in one place.

The admin's pages, the ``import_records`` command, the job services (the web and
the Celery worker) and the engine (before it reads a file, and again after the
write, inside the import's transaction) all ask :func:`check_import_allowed`.

An import needs ``Action.CHANGE`` on the department, through the chokepoint
(``creditportal.access``). The one exception is the **operator action**: an
operator who runs ``manage.py import_records`` on the server without ``--user``
already holds the database, and the command imports as the (inactive) system
user on that authority. The ``operator_action`` flag is trusted here and nowhere
else, and only inside :func:`operator_shell`, which that command alone enters:
the same flag from a web request or a worker is refused.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from creditportal import access
from creditportal.access import Action, SystemDuty

IMPORT_ACTION = Action.CHANGE

_operator_shell = contextvars.ContextVar("registry_import_operator_shell", default=False)


@contextlib.contextmanager
def operator_shell():
    """The operator's command line: ``operator_action`` is trusted inside this block only.
    Entered by the ``import_records`` management command, and by nothing else."""
    token = _operator_shell.set(True)
    try:
        yield
    finally:
        _operator_shell.reset(token)


def _acts_as_operator(user, operator_action: bool) -> bool:
    """Is this an operator action we trust? False when none is claimed; a claim
    outside the operator's shell, or by anyone but the system user, is refused."""
    if not operator_action:
        return False
    if not _operator_shell.get():
        raise PermissionDenied(_("An operator import is started only with the import_records command on the server."))
    if not access.system_may(user, SystemDuty.OPERATOR_IMPORT):
        raise PermissionDenied(_("Only the system user acts as an operator."))
    return True


def may_import(user, department) -> bool:
    """May ``user`` import into ``department`` (on their own grants)?"""
    return access.can_in_department(user, IMPORT_ACTION, department)


def import_departments(user) -> QuerySet:
    """The departments ``user`` may import into (the upload form's choices)."""
    return access.permitted_departments(user, IMPORT_ACTION)


def check_import_allowed(user, department, *, operator_action: bool = False) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may import into ``department``."""
    if _acts_as_operator(user, operator_action):
        return
    if not may_import(user, department):
        raise PermissionDenied(
            _("You may not import records into department %(department)s.") % {"department": department}
        )


def job_operator_action(job, user) -> bool:
    """Whether a run of ``job`` by ``user`` is the operator action the job was
    created as: only when its creator (the system user, from the command) runs it.
    Anyone else running the job is checked on their own grants."""
    return bool(job.operator_action) and user == job.created_by


def check_job_allowed(user, job) -> bool:
    """:func:`check_import_allowed` for a run of an ``ImportJob``; returns the
    ``operator_action`` the run carries (for the engine's own checks)."""
    operator_action = job_operator_action(job, user)
    check_import_allowed(user, job.department, operator_action=operator_action)
    return operator_action


def departments_seen(user, *, operator_action: bool = False) -> list[int] | None:
    """The departments whose persons ``user`` may see (the import logs a match
    outside them as a read), or None when there is no one to log: a superuser
    sees every person, and the operator action is the operator's own authority."""
    if _acts_as_operator(user, operator_action) or getattr(user, "is_superuser", False):
        return None
    return list(access.permitted_departments(user, Action.VIEW).values_list("pk", flat=True))

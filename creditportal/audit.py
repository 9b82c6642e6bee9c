"""Audit helpers shared by every app: the system user and history plumbing.

Every write that matters goes through a service function that calls
:func:`save_with_history` (or writes history in bulk itself), so that the
history row carries the acting user and the change reason in the same
transaction as the change.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction


def get_system_user():
    """The named user that Celery tasks, imports without a user and data
    migrations act as, so that history always says who did it."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_active": False, "is_staff": False, "first_name": "system"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def require_reason(reason: str | None) -> str:
    """A change reason is mandatory for every audited write."""
    cleaned = (reason or "").strip()
    if not cleaned:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("A reason for the change is required."), code="reason_required")
    return cleaned


def save_with_history(instance, *, acting_user, reason: str, **save_kwargs):
    """Save ``instance`` so that its history row names ``acting_user`` and ``reason``.

    Must be called inside ``transaction.atomic`` (service functions open one);
    the history row is written by django-simple-history's post_save handler in
    the same transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_with_history must run inside transaction.atomic")
    instance._history_user = acting_user
    instance._change_reason = require_reason(reason)
    try:
        instance.save(**save_kwargs)
    finally:
        # Do not let a reason leak into a later, unrelated save of the same object.
        for attr in ("_history_user", "_change_reason"):
            if hasattr(instance, attr):
                delattr(instance, attr)
    return instance

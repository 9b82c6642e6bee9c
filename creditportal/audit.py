"""Audit helpers shared by every app: the system user and history plumbing.

Every write that matters goes through a service function that calls
:func:`save_with_history` (or writes history in bulk itself), so that the
history row carries the acting user and the change reason in the same
transaction as the change.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.indexes import BrinIndex
from django.db import models, transaction
from django.db.models import Index
from simple_history.models import HistoricalRecords


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


def staff_name(user) -> str:
    """How staff are named on every page: full name with the username,
    ``张三（zhangsan）``; the username alone when no name is set."""
    from django.utils.translation import gettext

    if user is None:
        return ""
    username = user.get_username()
    if username == settings.SYSTEM_USERNAME:
        full = gettext("System")
    else:
        full = (user.get_full_name() or "").strip()
    if not full or full == username:
        return username
    return gettext("%(name)s (%(username)s)") % {"name": full, "username": username}


def _tracked_fields(instance, update_fields=None) -> tuple[list, list]:
    """The concrete fields whose change matters: (those the history tracks, the others).
    Fields set on every save (``auto_now``) never count as a change."""
    model = type(instance)
    history_model = getattr(getattr(model, "history", None), "model", None)
    history_names = {f.name for f in history_model._meta.fields} if history_model is not None else set()
    tracked, untracked = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False):
            continue
        if update_fields is not None and field.name not in update_fields and field.attname not in update_fields:
            continue
        if field.name not in history_names:
            untracked.append(field)
        else:
            tracked.append(field)
    return tracked, untracked


def changed_fields(instance, update_fields=None) -> tuple[bool, bool]:
    """Compare a saved ``instance`` with its row: (a tracked field changed, another field changed)."""
    tracked, untracked = _tracked_fields(instance, update_fields)
    fields = tracked + untracked
    stored = type(instance)._default_manager.filter(pk=instance.pk).values(*[f.attname for f in fields]).first()
    if stored is None:
        return True, True

    def differs(field) -> bool:
        value = getattr(instance, field.attname)
        try:
            value = field.to_python(value)
        except Exception:  # a value the field cannot read: let the save (and its validation) decide
            return True
        return value != stored[field.attname]

    return any(differs(f) for f in tracked), any(differs(f) for f in untracked)


def save_with_history(instance, *, acting_user, reason: str, **save_kwargs):
    """Save ``instance`` so that its history row names ``acting_user`` and ``reason``.

    Must be called inside ``transaction.atomic`` (service functions open one);
    the history row is written by django-simple-history's post_save handler in
    the same transaction.

    Saving an existing object without a change writes nothing: no history row
    (and no new ``updated_at``). A change only to fields the history does not
    keep is saved without a row. ``force_history=True`` writes the row anyway
    (a change the fields do not show, e.g. many-to-many links).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_with_history must run inside transaction.atomic")
    from .system_text import mask

    force = save_kwargs.pop("force_history", False)
    reason = mask(require_reason(reason))  # an ID number typed into a reason is kept masked
    if not force and instance.pk is not None and not instance._state.adding and not save_kwargs.get("force_insert"):
        tracked_changed, other_changed = changed_fields(instance, save_kwargs.get("update_fields"))
        if not tracked_changed:
            if other_changed:
                instance.skip_history_when_saving = True
                try:
                    instance.save(**save_kwargs)
                finally:
                    del instance.skip_history_when_saving
            return instance
    instance._history_user = acting_user
    instance._change_reason = reason
    try:
        instance.save(**save_kwargs)
    finally:
        # Do not let a reason leak into a later, unrelated save of the same object.
        for attr in ("_history_user", "_change_reason"):
            if hasattr(instance, attr):
                delattr(instance, attr)
    return instance


class TimeOrderIndex(BrinIndex):
    """A BRIN index on PostgreSQL (for columns that grow with insertion order);
    a plain B-tree elsewhere (SQLite has no BRIN)."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class AuditHistory(HistoricalRecords):
    """django-simple-history's ``HistoricalRecords``, shaped for large, append-only history.

    History tables only grow, and bulk writers (imports, the expiry) add
    hundreds of thousands of rows at once, so every per-row cost counts:

    * ``history_date`` gets a BRIN index instead of a B-tree. Rows arrive in
      time order, so a BRIN index (a few pages) answers date ranges ("what
      changed last week") at a tiny fraction of the B-tree's upkeep. An
      object's own history is found through its ``id`` index, as before.
    * ``history_user`` stays a foreign key for the ORM but has no database
      constraint and no index: no per-row check trigger, no index upkeep.
      Users are deactivated, never deleted (``on_delete=PROTECT`` refuses a
      delete in the ORM); questions like "what did this user change" are
      asked over a date range, which the BRIN index narrows.
    """

    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        user = fields.get("history_user")
        if isinstance(user, models.ForeignKey):
            fields["history_user"] = models.ForeignKey(
                user.remote_field.model,
                null=True,
                related_name=user.remote_field.related_name,
                on_delete=models.PROTECT,
                db_constraint=False,
                db_index=False,
            )
        return fields

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_date"] = models.DateTimeField(db_index=False)
        return extra

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        digest = hashlib.md5(model._meta.db_table.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]
        options["indexes"] = [
            TimeOrderIndex(fields=["history_date"], name=f"{model._meta.model_name[:14]}_hdate_{digest}")
        ]
        return options

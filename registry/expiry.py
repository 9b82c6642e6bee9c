"""Expiry: records whose display period has ended stop being shown and shared.

State-based and idempotent. Each run selects by date and status
(``display_until < today`` and a displayed status), so a missed day is caught
up, a second run finds nothing, and two runs at once share the work: on
PostgreSQL each chunk holds an advisory lock while it runs, so two runs take
turns chunk by chunk: no row is processed twice and none is skipped. Each
chunk is one transaction that sets the status and writes exactly one history
row per record (system user, reason "display period ended"), set-based: one
``UPDATE ... RETURNING`` feeding one ``INSERT ... SELECT`` into the history
table. A worker killed mid-run leaves whole chunks done and the rest for the
next run.

The public and sharing queries filter on the date themselves
(``CreditRecord.objects.displayable()``), so nothing past its period is shown
even before this runs.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from creditportal import access
from creditportal.access import SystemDuty
from creditportal.audit import get_system_user

from . import hooks
from .choices import RecordStatus
from .models import CreditRecord, local_today

logger = logging.getLogger(__name__)

EXPIRY_REASON = "display period ended"
# Statuses that end when the period ends: displayed records, and drafts that
# were never published in time (they can no longer be). A record under
# objection is already shielded from display; its objection decides its fate.
DUE_STATUSES = (RecordStatus.DRAFT, RecordStatus.ACTIVE, RecordStatus.CORRECTED)
DEFAULT_CHUNK_SIZE = 50_000
EXPIRY_LOCK_KEY = 0x1A2B0004  # PostgreSQL advisory lock: one chunk at a time


@dataclass
class ExpiryResult:
    today: datetime.date
    expired: int = 0
    chunks: int = 0
    dry_run: bool = False
    seconds: float = 0.0


def due_records(today: datetime.date | None = None):
    """Records whose display period has ended by ``today`` but are still marked displayed."""
    return CreditRecord.objects.filter(status__in=DUE_STATUSES, display_until__lt=today or local_today())


def expire_records(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    pause: float = 0.0,
    acting_user=None,
    max_chunks: int | None = None,
) -> ExpiryResult:
    """Expire every due record, chunk by chunk. Returns what was done.

    ``pause`` sleeps between chunks (to spare a busy database); ``max_chunks``
    stops early (the rest is left, due, for the next run).
    """
    today = today or local_today()
    result = ExpiryResult(today=today, dry_run=dry_run)
    started = time.monotonic()
    if dry_run:
        result.expired = due_records(today).count()
        result.seconds = time.monotonic() - started
        return result
    user = acting_user or get_system_user()
    # The system's policy (creditportal.access) says whether it ends display
    # periods; an operator may run it by hand. Nobody else.
    if not (getattr(user, "is_superuser", False) or access.system_may(user, SystemDuty.EXPIRE_RECORDS)):
        raise PermissionDenied("Only the system under its EXPIRE_RECORDS duty, or an operator, runs the expiry.")
    expire_chunk = _expire_chunk_postgresql if connection.vendor == "postgresql" else _expire_chunk_generic
    while max_chunks is None or result.chunks < max_chunks:
        with transaction.atomic():
            ids = expire_chunk(today, chunk_size, user)
            # What derives from the records (list entries, measures) ends in
            # the same transaction: a handler that fails undoes the chunk.
            hooks.fire(hooks.RecordEvent.WITHDRAWN, ids, acting_user=user, reason=EXPIRY_REASON, on=today,
                       source="expiry")  # fmt: skip
        if not ids:
            break
        result.expired += len(ids)
        result.chunks += 1
        logger.info("expired %d records (display period ended before %s)", len(ids), today)
        if len(ids) < chunk_size:
            break
        if pause:
            time.sleep(pause)
    result.seconds = time.monotonic() - started
    return result


def _history_columns() -> tuple[list[str], list[str]]:
    """Columns shared by the records table and its history table."""
    record_columns = [field.column for field in CreditRecord._meta.concrete_fields]
    history_model = CreditRecord.history.model
    history_columns = {field.column for field in history_model._meta.concrete_fields}
    shared = [column for column in record_columns if column in history_columns]
    return shared, record_columns


def _expire_chunk_postgresql(today: datetime.date, chunk_size: int, user) -> list[int]:
    shared, _all = _history_columns()
    quote = connection.ops.quote_name
    records = quote(CreditRecord._meta.db_table)
    history = quote(CreditRecord.history.model._meta.db_table)
    columns = ", ".join(quote(c) for c in shared)
    sql = f"""
        WITH due AS (
            -- No ORDER BY: an order would make every chunk walk past the rows
            -- earlier chunks already expired.
            SELECT id FROM {records}
            WHERE status = ANY(%(statuses)s) AND display_until < %(today)s
            LIMIT %(limit)s
        ), expired AS (
            -- ANY(ARRAY(...)) looks the chunk's ids up through the primary key
            -- instead of hashing the whole table for a join. The conditions are
            -- repeated here: a row that a caseworker changed meanwhile is
            -- re-checked in its new version (and left alone if no longer due).
            UPDATE {records} AS r
            SET status = %(expired)s, updated_at = %(now)s
            WHERE r.id = ANY(ARRAY(SELECT id FROM due))
              AND r.status = ANY(%(statuses)s) AND r.display_until < %(today)s
            RETURNING r.*
        )
        INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type, history_user_id)
        -- In id order: the history's id index then grows page by page instead
        -- of being written all over (fewer pages dirtied, less WAL).
        SELECT {columns}, %(now)s, %(reason)s, '~', %(user)s FROM expired ORDER BY id
        RETURNING id
    """
    params = {
        "statuses": [str(s) for s in DUE_STATUSES],
        "today": today,
        "limit": chunk_size,
        "expired": str(RecordStatus.EXPIRED),
        "now": timezone.now(),
        "reason": EXPIRY_REASON,
        "user": user.pk,
    }
    with connection.cursor() as cursor:
        # One chunk at a time across all runs: a second run waits here, then
        # (its statement seeing the first run's committed chunk) takes the next
        # rows. Cheaper than locking each row with FOR UPDATE SKIP LOCKED,
        # which writes every row twice (the lock, then the update).
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EXPIRY_LOCK_KEY])
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _expire_chunk_generic(today: datetime.date, chunk_size: int, user) -> list[int]:
    """SQLite (and any other database): the same result, in three statements."""
    history_model = CreditRecord.history.model
    ids = list(due_records(today).order_by("id").values_list("id", flat=True)[:chunk_size])
    if not ids:
        return []
    now = timezone.now()
    CreditRecord.objects.filter(id__in=ids, status__in=DUE_STATUSES).update(status=RecordStatus.EXPIRED, updated_at=now)
    expired = list(CreditRecord.objects.filter(id__in=ids, status=RecordStatus.EXPIRED, updated_at=now))
    shared, _all = _history_columns()
    attnames = [f.attname for f in CreditRecord._meta.concrete_fields if f.column in shared]
    history_model.objects.bulk_create(
        [
            history_model(
                **{name: getattr(record, name) for name in attnames},
                history_date=now,
                history_change_reason=EXPIRY_REASON,
                history_type="~",
                history_user_id=user.pk,
            )
            for record in expired
        ],
        batch_size=1000,
    )
    return [record.pk for record in expired]

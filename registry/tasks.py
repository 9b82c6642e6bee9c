"""Celery tasks of the registry.

Tasks act as the named system user (``creditportal.audit.get_system_user``),
so that anything they write is attributed in the history. The expiry task
(records leaving their display period) will sit beside these.
"""

from __future__ import annotations

from celery import shared_task
from django.db.models import Count

from creditportal.audit import get_system_user

from . import expiry
from .choices import RecordStatus
from .models import CreditRecord


@shared_task(name="registry.tasks.expire_records")
def expire_records(today: str | None = None) -> dict:
    """End the display of every record past its period (beat: daily and hourly).

    Idempotent and state-based (see registry.expiry): safe to run twice, to
    run after a missed day, or to run on two workers at once. Acts as the
    system user. ``today`` (YYYY-MM-DD) is for catching up a specific day.
    """
    import datetime

    day = datetime.date.fromisoformat(today) if today else None
    result = expiry.expire_records(today=day, acting_user=get_system_user())
    return {"today": result.today.isoformat(), "expired": result.expired, "chunks": result.chunks}


@shared_task(name="registry.tasks.purge_import_files")
def purge_import_files() -> int:
    """Delete uploaded import files idle past ``IMPORT_FILE_RETENTION_DAYS`` (beat: daily)."""
    from .importing.jobs import purge_files

    return purge_files()


@shared_task
def record_counts() -> dict:
    """Province-wide counts of credit records by status, computed in the database.

    A system task for monitoring and for checking the worker seam (broker,
    worker, database, result backend). It reads aggregates only, no personal
    data, so it is not narrowed to a department scope. The result is plain
    JSON::

        {"by_status": {"draft": 2, "active": 1, ...}, "total": 3,
         "displayable": 1, "computed_by": "system"}
    """
    system_user = get_system_user()
    by_status = {status: 0 for status in RecordStatus.values}
    for row in CreditRecord.objects.order_by().values("status").annotate(n=Count("id")):
        by_status[row["status"]] = row["n"]
    return {
        "by_status": by_status,
        "total": sum(by_status.values()),
        "displayable": CreditRecord.objects.displayable().count(),
        "computed_by": system_user.username,
    }


from .import_tasks import run_import_job  # noqa: E402,F401
from .notifications.tasks import send_due_notifications, send_notification  # noqa: E402,F401

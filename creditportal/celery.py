"""The Celery application, in production shape.

Broker and result backend come from ``REDIS_URL``. Without it (``make demo``,
the SQLite test run) ``CELERY_TASK_ALWAYS_EAGER`` is on and tasks run in the
caller's process, so nothing needs a broker. The delivery settings below are
deliberate; each says why.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditportal.settings")

app = Celery("creditportal")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.update(
    # Acknowledge after the task finishes, so a worker killed mid-task leaves
    # the message on the queue for another worker. Safe because every task is
    # idempotent and state-based (expiry selects by date and status; an import
    # job resumes from its recorded state).
    task_acks_late=True,
    # ...and when the worker process dies outright (OOM, SIGKILL), requeue too.
    task_reject_on_worker_lost=True,
    # One message at a time per worker process: long tasks (imports, expiry of
    # a million rows) must not hold a queue of others hostage.
    worker_prefetch_multiplier=1,
    # Redis redelivers an unacknowledged message after the visibility timeout.
    # It must exceed the longest task (the hard time limit below), or a slow
    # but healthy task would be run twice at once.
    # max_retries 0: a publish whose broker is down fails at once instead of
    # retrying for seconds inside a web request (the work is state-based: the
    # next scheduled run, or the outbox's sweep, does it).
    broker_transport_options={"visibility_timeout": 4 * 3600, "max_retries": 0},
    result_backend_transport_options={"visibility_timeout": 4 * 3600},
    # Limits: a soft limit lets a task stop between chunks and commit what it
    # has; the hard limit kills a stuck one. Both below the visibility timeout.
    task_soft_time_limit=3 * 3600,
    task_time_limit=3 * 3600 + 600,
    # Results are for monitoring only; keep them a day.
    result_expires=24 * 3600,
    task_track_started=True,
    # A request that enqueues work must not hang when Redis is down: fail fast
    # (creditportal.tasking.enqueue logs it; the next scheduled run catches up).
    broker_connection_timeout=3,
    broker_connection_retry_on_startup=True,
    # Worker restarts: recycle processes now and then against slow leaks.
    worker_max_tasks_per_child=200,
    timezone="Asia/Shanghai",
    enable_utc=True,
)

# The one static beat schedule (exactly one beat process runs it). Later
# issues add their reminders here.
app.conf.beat_schedule = {
    # Daily, shortly after midnight in Asia/Shanghai: records whose display
    # period ended yesterday stop being shown and shared.
    "expire-records-daily": {
        "task": "registry.tasks.expire_records",
        "schedule": crontab(hour=0, minute=5),
    },
    # Hourly catch-up: a missed night (beat or worker down, broker outage)
    # is finished within the hour. State-based, so a run with nothing due is cheap.
    "expire-records-hourly-catch-up": {
        "task": "registry.tasks.expire_records",
        "schedule": crontab(minute=35),
    },
    # Daily: uploaded import files (ID numbers in clear) idle past the retention
    # period are deleted (registry.importing.jobs.purge_files).
    "purge-import-files-daily": {
        "task": "registry.tasks.purge_import_files",
        "schedule": crontab(hour=1, minute=15),
    },
    # Every 5 minutes: notifications still pending and due (a send lost with the
    # broker, a retry whose message was lost, the eager path) are sent.
    "send-due-notifications": {
        "task": "registry.notifications.send_due",
        "schedule": crontab(minute="*/5"),
    },
}


@setup_logging.connect
def use_project_logging(**_kwargs) -> None:
    """Workers and beat log through the project's ``LOGGING``, whose handlers mask
    ID numbers. Celery's own setup would replace them with unfiltered ones, and
    it logs task results and, for a message it cannot run, the whole body."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


app.autodiscover_tasks()

"""Enqueueing background work from requests and services.

``enqueue_on_commit(task, ...)`` sends the task after the current transaction
commits (so the worker sees the data) and never lets a broker outage break
the request: the failure is logged and the work is left to the next
scheduled, state-based run.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Send ``task`` now; return False (and log) if the broker cannot take it."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception as exc:  # kombu/redis raise various connection errors
        logger.error("could not enqueue %s: %s; the next scheduled run will do the work", task.name, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))

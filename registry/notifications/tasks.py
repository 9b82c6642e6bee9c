"""Celery tasks that send notifications (see ``registry.notifications.services``)."""

from __future__ import annotations

from celery import shared_task

from .models import NotificationState


@shared_task(bind=True, name="registry.notifications.send", max_retries=None)
def send_notification(self, notification_id: int) -> str:
    """Send one notification; on failure, retry with exponential backoff.

    The attempt count, the error and the next attempt's time are kept on the
    row (``deliver``), so a retry lost with the broker is picked up by the
    beat's sweep (``send_due_notifications``). Eager (no ``REDIS_URL``): one
    attempt; the sweep retries.
    """
    from .models import Notification
    from .services import deliver

    state = deliver(notification_id)
    if state == NotificationState.PENDING and not self.request.is_eager:
        notification = Notification.objects.only("next_attempt_at").get(pk=notification_id)
        raise self.retry(eta=notification.next_attempt_at)
    return state


@shared_task(name="registry.notifications.send_due")
def send_due_notifications(limit: int = 500) -> int:
    """Beat, every few minutes: send pending notifications that are due and were
    not sent after their commit (a broker outage, a lost retry, the eager path)."""
    from .services import deliver, due_notifications

    ids = list(due_notifications().values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if deliver(pk) == NotificationState.SENT)

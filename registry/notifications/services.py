"""Writing, rendering and sending notifications.

* :func:`notify` is what a workflow step calls, inside its transaction.
* :func:`deliver` makes one attempt to send one notification (the Celery task
  and the beat's sweep call it); it never raises for a failed send.
* :func:`render` renders a template in a language, with ID numbers masked.

Templates live in ``templates/notifications/<name>/``: ``subject.txt`` and
``body.txt`` for e-mail, ``sms.txt`` for text messages. They are Django
templates (``{% load i18n %}``, ``{% blocktranslate %}``), rendered in the
notification's language.
"""

from __future__ import annotations

import datetime
import json
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from creditportal import access
from creditportal.access import Action
from creditportal.audit import get_system_user, require_reason, save_with_history

from ..identifiers import contains_id_number, mask_ids_in_text
from ..permissions import RegistryPermission
from . import sms
from .models import Channel, Notification, NotificationState

logger = logging.getLogger(__name__)

REASON_QUEUED = "notification written with the step that causes it"
REASON_SENT = "sent"
REASON_RETRY = "send failed, will be retried"
REASON_FAILED = "send failed, no more attempts"


class UnmaskedIdError(ValueError):
    """A notification's context still held a full ID number after masking."""


# --- masking --------------------------------------------------------------------------


def mask_context(value):
    """``value`` (JSON-shaped) with every ID number in its strings masked."""
    if isinstance(value, str):
        return mask_ids_in_text(value)
    if isinstance(value, dict):
        return {str(key): mask_context(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_context(item) for item in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_ids_in_text(str(value))


def assert_no_full_id(text: str) -> None:
    if contains_id_number(text):
        raise UnmaskedIdError("a full ID number would leave in a notification")


# --- rendering ---------------------------------------------------------------------------


def template_names(name: str, channel: str) -> list[str]:
    if channel == Channel.SMS:
        return [f"notifications/{name}/sms.txt"]
    return [f"notifications/{name}/subject.txt", f"notifications/{name}/body.txt"]


def _as_dates(context: dict) -> dict:
    """ISO dates stored in the context come back as dates, so templates format them."""
    result = {}
    for key, value in context.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                pass
        result[key] = value
    return result


def render(name: str, *, channel: str = Channel.EMAIL, language: str, context: dict) -> dict[str, str]:
    """``{"subject": ..., "body": ...}`` (e-mail) or ``{"body": ...}`` (SMS), in ``language``,
    with every ID number masked in the context and again in the output."""
    masked = _as_dates(mask_context(dict(context)))
    with translation.override(language):
        parts = [render_to_string(template, masked).strip() for template in template_names(name, channel)]
    parts = [mask_ids_in_text(part) for part in parts]
    if channel == Channel.SMS:
        return {"body": parts[0]}
    return {"subject": " ".join(parts[0].split()), "body": parts[1]}


# --- writing ------------------------------------------------------------------------------


def notify(
    *,
    recipient,
    template: str,
    department,
    acting_user,
    case=None,
    context: dict | None = None,
    channel: str = Channel.EMAIL,
    language: str | None = None,
) -> Notification:
    """Write a notification in the caller's transaction and send it after the commit.

    ``recipient``: a staff user or a ``registry.Person``. ``department``: the
    department whose case it is (staff who see that department see the
    notification). ``case``: any saved model instance. ``context``: JSON-shaped
    values for the template; ID numbers in it are masked before it is stored.
    ``language``: the recipient's language (default: the site's, Simplified Chinese).

    Must run inside the step's ``transaction.atomic``: if the step rolls back,
    so does the notification, and nothing is sent.
    """
    from ..models import Person

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the step that causes it")
    for name in template_names(template, channel):
        get_template(name)  # a missing template is a programming error: fail the step in development
    stored = mask_context(context or {})
    assert_no_full_id(json.dumps(stored, ensure_ascii=False))
    notification = Notification(
        channel=channel,
        template=template,
        language=language or settings.LANGUAGE_CODE,
        department=department,
        context=stored,
        next_attempt_at=timezone.now(),
    )
    if isinstance(recipient, Person):
        notification.recipient_person = recipient
    else:
        notification.recipient_user = recipient
    if case is not None:
        notification.case_type = ContentType.objects.get_for_model(case)
        notification.case_id = str(case.pk)
    notification.full_clean()
    save_with_history(notification, acting_user=acting_user, reason=REASON_QUEUED)
    from creditportal.tasking import enqueue

    from .tasks import send_notification

    pk = notification.pk
    transaction.on_commit(lambda: enqueue(send_notification, pk))
    return notification


# --- sending -------------------------------------------------------------------------------


class NoAddress(Exception):
    """The recipient has no address for the channel: retrying will not help."""


def backoff_seconds(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: base, 2 x base, 4 x base ..., capped."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATION_RETRY_MAX_SECONDS)


def address_of(notification: Notification) -> str:
    recipient = notification.recipient
    if notification.channel == Channel.SMS:
        address = getattr(recipient, "phone", "") or ""
        if not address:
            raise NoAddress(_("The recipient has no mobile phone number registered."))
    else:
        address = recipient.email or ""
        if not address:
            raise NoAddress(_("The recipient has no e-mail address registered."))
    return address


def _send(notification: Notification) -> None:
    address = address_of(notification)
    rendered = render(
        notification.template,
        channel=notification.channel,
        language=notification.language,
        context=notification.context,
    )
    for text in rendered.values():
        assert_no_full_id(text)
    if notification.channel == Channel.SMS:
        sms.get_backend().send(address, rendered["body"])
    else:
        send_mail(rendered["subject"], rendered["body"], settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


def deliver(notification_id: int, *, now: datetime.datetime | None = None) -> str:
    """One attempt at sending a pending notification that is due.

    Returns the state afterwards (``pending`` means: retry after
    ``next_attempt_at``), or ``""`` when there was nothing to do (already
    sent or failed, not due yet, or being sent by another worker). Never
    raises for a failed send and never touches the step that wrote it.
    """
    now = now or timezone.now()
    system = get_system_user()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, state=NotificationState.PENDING)
            .first()
        )
        if notification is None or (notification.next_attempt_at and notification.next_attempt_at > now):
            return ""
        notification.attempts += 1
        try:
            _send(notification)
        except Exception as exc:  # any backend failure: record it, never raise into the caller
            error = mask_ids_in_text(f"{type(exc).__name__}: {exc}")[:1000]
            notification.last_error = error
            if isinstance(exc, NoAddress) or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.state = NotificationState.FAILED
                notification.next_attempt_at = None
                reason = REASON_FAILED
                logger.error(
                    "notification %s failed for good after %s attempts: %s",
                    notification.pk,
                    notification.attempts,
                    error,
                )
            else:
                notification.next_attempt_at = now + datetime.timedelta(seconds=backoff_seconds(notification.attempts))
                reason = REASON_RETRY
                logger.warning(
                    "notification %s: attempt %s failed (%s), retrying", notification.pk, notification.attempts, error
                )
        else:
            notification.state = NotificationState.SENT
            notification.sent_at = now
            notification.next_attempt_at = None
            notification.last_error = ""
            reason = REASON_SENT
        save_with_history(notification, acting_user=system, reason=reason)
        return notification.state


def due_notifications(now: datetime.datetime | None = None, *, grace_seconds: int = 60):
    """Pending notifications whose next attempt is due (and that the on-commit
    send has had ``grace_seconds`` to take): what the beat's sweep sends."""
    now = now or timezone.now()
    return Notification.objects.filter(
        state=NotificationState.PENDING,
        next_attempt_at__lte=now,
        created_at__lte=now - datetime.timedelta(seconds=grace_seconds),
    ).order_by("next_attempt_at", "pk")


@transaction.atomic
def retry_notifications(notifications, *, acting_user, reason: str) -> int:
    """Put failed notifications back in the queue (after the address was corrected, say)."""
    require_reason(reason)
    count = 0
    # of=("self",): the admin's queryset joins nullable relations (no FOR UPDATE on those).
    for notification in notifications.select_for_update(of=("self",)).filter(state=NotificationState.FAILED):
        if not acting_user.has_perm(RegistryPermission.CHANGE_NOTIFICATION) or not access.can(
            acting_user, Action.CHANGE, notification
        ):
            raise PermissionDenied(_("You may not send this notification again."))
        notification.state = NotificationState.PENDING
        notification.attempts = 0
        notification.next_attempt_at = timezone.now()
        save_with_history(notification, acting_user=acting_user, reason=reason)
        from creditportal.tasking import enqueue

        from .tasks import send_notification

        pk = notification.pk
        transaction.on_commit(lambda pk=pk: enqueue(send_notification, pk))
        count += 1
    return count

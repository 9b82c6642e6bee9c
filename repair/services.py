"""Service functions of the repair app: every write goes through here.

Identity verification on the public site (issue 11, "Verify identity"):

* :func:`request_code` takes a name and an ID number. When they match a
  registered person who has a contact on file, a one-time code is written
  (hashed) and sent to that contact after the commit; otherwise nothing
  happens. The caller cannot tell which: the function returns nothing, and the
  public view answers the same sentence either way.
* :func:`check_code` checks a code typed back for the pending request.
* Requests and attempts are counted per person (the ID number's blind index,
  so that unknown numbers are counted the same way) and per network address in
  Django's cache; over the limit, :class:`RateLimited` is raised.
* :func:`record_contact_at_window` is the service-window step for a person with
  no contact on file: a caseworker checks the identity card and records it.

Citizens are not staff users: their steps are written by the system user under
its ``VERIFY_CITIZENS`` duty, the citizen named by the row itself.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from creditportal import access
from creditportal.audit import get_system_user, save_with_history
from creditportal.tasking import enqueue_on_commit
from registry import services as registry_services
from registry.choices import AccessAction
from registry.identifiers import validate_resident_id
from registry.models import Person
from registry.notifications.models import Channel

from . import rules
from .models import VerificationCode

logger = logging.getLogger(__name__)

REASON_CODE_SENT = gettext_noop("One-time code requested on the public site")
REASON_CODE_USED = gettext_noop("One-time code entered correctly")
REASON_CODE_WRONG = gettext_noop("Wrong one-time code entered")
REASON_CONTACT_AT_WINDOW = gettext_noop("Contact recorded at a service window after checking the identity card")
CODE_DIGITS = 6


class RateLimited(Exception):
    """Too many requests or attempts for this person or from this address."""


# --- codes ----------------------------------------------------------------------------------


def _hash(code: str, salt: str) -> str:
    key = hashlib.sha256(b"creditportal.verification-code:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _channel_for(person: Person) -> str:
    """E-mail when we hold an address, else a text message to the mobile number held."""
    if person.email:
        return Channel.EMAIL
    if person.phone:
        return Channel.SMS
    return ""


# --- rate limits ------------------------------------------------------------------------------


def _person_key(id_index: str) -> str:
    return hashlib.sha256(id_index.encode()).hexdigest()[:32]


def _count(kind: str, key: str, limit: int) -> None:
    """Count one more ``kind`` for ``key`` in the current window; refuse past ``limit``."""
    name = f"verify:{kind}:{key}"
    window = settings.VERIFICATION_RATE_WINDOW_SECONDS
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    if count > limit:
        raise RateLimited(kind)


def _limit_requests(id_index: str, address: str) -> None:
    _count("request-address", address, settings.VERIFICATION_REQUESTS_PER_ADDRESS)
    _count("request-person", _person_key(id_index), settings.VERIFICATION_REQUESTS_PER_PERSON)


def _limit_attempts(id_index: str, address: str) -> None:
    _count("attempt-address", address, settings.VERIFICATION_ATTEMPTS_PER_ADDRESS)
    _count("attempt-person", _person_key(id_index), settings.VERIFICATION_ATTEMPTS_PER_PERSON)


# --- the steps ---------------------------------------------------------------------------------


def id_index_of(id_number: str) -> str:
    """The blind index of a valid ID number (raises ``ValidationError`` for an invalid one)."""
    return Person.index_for(validate_resident_id(id_number).number)


def request_code(*, name: str, id_number: str, address: str, language: str | None = None) -> str:
    """Send a one-time code to the contact held for the person with this name and
    ID number, if there is one. Returns the ID number's blind index (what the
    pending request is checked against), whatever the outcome.

    Raises ``ValidationError`` for an ID number that is not valid at all and
    :class:`RateLimited` when this person or this address asked too often.
    """
    id_index = id_index_of(id_number)
    _limit_requests(id_index, address)
    name = " ".join((name or "").split())
    person = Person.objects.filter(id_number_index=id_index, name=name).first()
    channel = _channel_for(person) if person is not None else ""
    if person is None or not channel:
        _hash(new_code(), secrets.token_hex(16))  # the same work as a match
        return id_index
    system = get_system_user()
    with transaction.atomic():
        if not access.system_may(system, access.SystemDuty.VERIFY_CITIZENS):
            raise PermissionError("the system user may not verify citizens")
        now = timezone.now()
        # A new code replaces any earlier one still open for this person.
        for earlier in VerificationCode.objects.select_for_update().filter(
            person=person, used_at__isnull=True, expires_at__gt=now
        ):
            earlier.expires_at = now
            save_with_history(earlier, acting_user=system, reason=REASON_CODE_SENT)
        code = new_code()
        salt = secrets.token_hex(16)
        record = VerificationCode(
            person=person,
            salt=salt,
            code_hash=_hash(code, salt),
            channel=channel,
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=settings.VERIFICATION_CODE_MINUTES),
        )
        save_with_history(record, acting_user=system, reason=REASON_CODE_SENT)
        from .tasks import send_verification_code

        enqueue_on_commit(send_verification_code, record.pk, code, language or settings.LANGUAGE_CODE)
    return id_index


def check_code(*, id_index: str, code: str, address: str) -> Person | None:
    """The person whose open code for ``id_index`` is ``code``, or None.

    A correct code is used up; a wrong one counts against the code (after
    ``VERIFICATION_MAX_ATTEMPTS`` it is dead) and against the person's and the
    address's attempts (:class:`RateLimited` past the limit).
    """
    _limit_attempts(id_index, address)
    code = "".join((code or "").split())
    system = get_system_user()
    with transaction.atomic():
        now = timezone.now()
        record = (
            VerificationCode.objects.select_for_update()
            .filter(person__id_number_index=id_index, used_at__isnull=True, expires_at__gt=now)
            .select_related("person")
            .order_by("-created_at")
            .first()
        )
        if record is None:
            _hash(code, secrets.token_hex(16))
            return None
        if hmac.compare_digest(record.code_hash, _hash(code, record.salt)):
            record.used_at = now
            save_with_history(record, acting_user=system, reason=REASON_CODE_USED)
            return record.person
        record.attempts += 1
        if record.attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
            record.expires_at = now
        save_with_history(record, acting_user=system, reason=REASON_CODE_WRONG)
        return None


def deliver_code(code_id: int, code: str, language: str) -> None:
    """Send ``code`` to the contact held for the code's person (the Celery task calls this).

    Rendered from ``templates/notifications/verification_code/`` and sent by the
    notification backends (e-mail; text messages through ``SMS_BACKEND``), but
    not written to the outbox: a stored notification keeps its context for
    staff to read, and the code must exist only in the message itself.
    """
    from django.core.mail import send_mail

    from registry.notifications import sms
    from registry.notifications.services import render

    record = VerificationCode.objects.select_related("person").get(pk=code_id)
    person = record.person
    context = {"code": code, "minutes": settings.VERIFICATION_CODE_MINUTES, "recipient_name": person.name}
    rendered = render("verification_code", channel=record.channel, language=language, context=context)
    if record.channel == "sms":
        sms.get_backend().send(person.phone, rendered["body"])
    else:
        send_mail(rendered["subject"], rendered["body"], settings.DEFAULT_FROM_EMAIL, [person.email])
    logger.info("verification code %s sent (%s)", record.pk, record.channel)


def record_contact_at_window(person: Person, *, acting_user, email: str = "", phone: str = "") -> Person:
    """The service-window step: a caseworker has checked the person's identity card
    and records the contact the person gives (history and access log say so)."""
    changes = {key: value for key, value in (("email", email), ("phone", phone)) if value}
    if not changes:
        raise ValidationError(gettext("Give an e-mail address or a mobile phone number."))
    with transaction.atomic():
        person = registry_services.update_person(
            person, acting_user=acting_user, reason=REASON_CONTACT_AT_WINDOW, **changes
        )
        registry_services.log_access(
            user=acting_user, action=AccessAction.VIEW, person=person, purpose=REASON_CONTACT_AT_WINDOW
        )
    return person


# --- the citizen's own records (PIPL art. 45) ---------------------------------------------

REASON_OWN_RECORDS = gettext_noop("The person viewed their own records on the public site (verified)")


def own_records(person: Person, *, address: str | None = None) -> list:
    """Every record about ``person``, in every status, newest first, and one
    access-log row saying the person read them (the system writes it, the
    person named by the row). A fixed number of queries however many records;
    each record carries ``under_objection`` (an objection's hold is open)."""
    from registry.choices import HoldSource, RecordStatus
    from registry.models import CreditRecord, DisplayHold

    system = get_system_user()
    records = list(
        CreditRecord.objects.filter(person=person)
        .select_related("department", "catalog_item")
        .order_by("-decision_date", "-id")
    )
    held = set(
        DisplayHold.objects.open()
        .filter(record__person=person, source=HoldSource.OBJECTION)
        .values_list("record_id", flat=True)
    )
    for record in records:
        record.under_objection = record.pk in held
        record.repair_from = rules.earliest_repair_date(record)
        record.repair_on_performance = rules.minimum_display_days(record) == 0
        record.status_text = (
            str(RecordStatus.UNDER_OBJECTION.label) if record.under_objection else str(record.get_status_display())
        )
    registry_services.log_access(
        user=system, action=AccessAction.VIEW, person=person, purpose=REASON_OWN_RECORDS, ip_address=_ip(address)
    )
    return records


def _ip(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None

"""The verified citizen session: only the person's key and an expiry, both in the
server-side session; short (VERIFIED_SESSION_MINUTES), ended by signing out."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from registry.models import Person

SESSION_KEY = "repair.citizen"
PENDING_KEY = "repair.pending_verification"


def sign_in(request, person: Person) -> None:
    request.session.cycle_key()  # a new session id: nothing from before carries over
    request.session.pop(PENDING_KEY, None)
    until = timezone.now() + datetime.timedelta(minutes=settings.VERIFIED_SESSION_MINUTES)
    request.session[SESSION_KEY] = {"person": person.pk, "until": until.timestamp()}


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()


def verified_person(request) -> Person | None:
    """The person this session verified as, while the verification lasts."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    if data.get("until", 0) <= timezone.now().timestamp():
        request.session.pop(SESSION_KEY, None)
        return None
    return Person.objects.filter(pk=data.get("person")).first()


def verified_until(request) -> datetime.datetime | None:
    data = request.session.get(SESSION_KEY)
    return datetime.datetime.fromtimestamp(data["until"], tz=datetime.UTC) if data else None


def set_pending(request, id_index: str) -> None:
    until = timezone.now() + datetime.timedelta(minutes=settings.VERIFICATION_CODE_MINUTES)
    request.session[PENDING_KEY] = {"index": id_index, "until": until.timestamp()}


def pending_index(request) -> str | None:
    data = request.session.get(PENDING_KEY)
    if not data or data.get("until", 0) <= timezone.now().timestamp():
        return None
    return data.get("index")


def client_address(request) -> str:
    if settings.USE_X_FORWARDED_FOR and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or "unknown"

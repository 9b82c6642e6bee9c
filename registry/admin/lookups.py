"""The trail a find-by-ID-number lookup leaves in the user's session.

A person registered by another department, and of whom the user's departments
hold no record, is reached only through the lookup: it remembers the person in
the session (by primary key, for a limited time), and the record form accepts
that person only while the mark lasts (``registry.services.may_record_for_person``
checks the lookup again, from the access log). The person stays out of every list.
"""

from __future__ import annotations

import time

from ..services import LOOKUP_VALID_FOR

SESSION_KEY = "registry.looked_up_persons"
LOOKUP_VALID_SECONDS = int(LOOKUP_VALID_FOR.total_seconds())  # as long as the services accept the lookup
MAX_REMEMBERED = 50


def remember_lookup(request, person) -> None:
    now = int(time.time())
    marks = {pk: at for pk, at in _marks(request).items() if now - at < LOOKUP_VALID_SECONDS}
    marks[str(person.pk)] = now
    if len(marks) > MAX_REMEMBERED:
        marks = dict(sorted(marks.items(), key=lambda item: item[1])[-MAX_REMEMBERED:])
    request.session[SESSION_KEY] = marks


def looked_up_person_ids(request) -> list[int]:
    """Persons the user found by ID number recently (in this session)."""
    now = int(time.time())
    return [int(pk) for pk, at in _marks(request).items() if now - at < LOOKUP_VALID_SECONDS]


def _marks(request) -> dict[str, int]:
    session = getattr(request, "session", None)
    marks = session.get(SESSION_KEY) if session is not None else None
    return marks if isinstance(marks, dict) else {}

"""A correction waiting for review, for the demo (the reviewer's *Record corrections* page).

The demo caseworker of 昆明市市场监督管理局 proposes to correct the facts of
one of the bureau's published records, through the same service as the admin
(``registry.services.propose_correction``). It stays pending: the demo
reviewer or publisher approves or rejects it. Idempotent: once the caseworker
has proposed any correction in the bureau, nothing is written.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from registry import services
from registry.choices import RecordStatus
from registry.models import CreditRecord, Department, DisplayHold, RecordCorrection, local_today

DEPARTMENT = "YN-KM-SCJ"
USERNAME = "caseworker"
REASON = "决定书送达稿与存档稿核对，事实摘要漏记整改期限，依原处罚决定书更正"
ADDED = "（责令于十五日内改正）"


def load_demo_correction(loader) -> None:
    tally = loader.tallies.setdefault("corrections", type(next(iter(loader.tallies.values())))())
    department = Department.objects.filter(code=DEPARTMENT).first()
    user = get_user_model().objects.filter(username=USERNAME).first()
    if department is None or user is None:
        return
    if RecordCorrection.objects.filter(record__department=department, proposed_by=user).exists():
        tally.present += 1
        return
    record = (
        CreditRecord.objects.filter(
            department=department,
            status=RecordStatus.ACTIVE,
            display_until__gt=local_today(),
            corrections__isnull=True,
        )
        .exclude(pk__in=DisplayHold.objects.open().values("record_id"))  # held records wait for their case
        .order_by("pk")
        .first()
    )
    if record is None:
        return
    with transaction.atomic():
        correction = services.propose_correction(
            record, acting_user=user, reason=REASON, summary=record.summary + ADDED
        )
    tally.created += 1
    loader.say(f"Correction waiting for review: {correction} (proposed by {USERNAME})")

"""An ID number typed into free text (a reveal's detail, a lookup's purpose, a
change reason, a hold's reason) is kept and shown masked: the access log and
history pages never show it in full, however it was written."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from registry import services
from registry.choices import HoldSource, RevealPurpose
from registry.models import AccessLog, DisplayHold
from tests.conftest import make_id_number

# Written the way people paste it: spaced, with a lower-case x, full-width.
NUMBER = make_id_number(region="530103", birth="19850612")


def spaced(number: str) -> str:
    return f"{number[:6]} {number[6:14]} {number[14:].lower()}"


def full_width(number: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def test_a_number_typed_into_a_reveal_detail_or_a_lookup_purpose_is_logged_masked(client, users, tree, make_person,
                                                                                  make_record):  # fmt: skip
    person = make_person(tree["A"], name="周八", id_number=NUMBER)
    make_record(person, tree["A"])
    services.reveal_id_number(
        person, acting_user=users["caseworker_a"], purpose=RevealPurpose.CASE, detail=f"核对申请人 {spaced(NUMBER)}"
    )
    services.look_up_person(NUMBER, acting_user=users["caseworker_a"], purpose=f"查询 {full_width(NUMBER)} 的记录")
    stored = " ".join(f"{row.purpose} {row.detail}" for row in AccessLog.objects.all())
    assert NUMBER[6:14] not in digits(stored.translate({0xFF10 + i: str(i) for i in range(10)}))
    client.force_login(users["supervisor"])
    body = client.get(reverse("admin:registry_accesslog_changelist")).content.decode()
    assert "核对申请人" in body and "530103" in body  # the row is there, the region kept
    assert NUMBER[6:14] not in digits(body)


def test_a_number_typed_into_a_change_reason_is_shown_masked_in_the_history(client, users, tree, make_person,
                                                                            make_record):  # fmt: skip
    person = make_person(tree["A"], name="周八", id_number=NUMBER)
    record = make_record(person, tree["A"])
    with transaction.atomic():
        services.update_person(
            person, acting_user=users["caseworker_a"], reason=f"本人来电 {NUMBER}", phone="13812345678"
        )
        hold = services.open_hold(
            record,
            source=HoldSource.COURT_ORDER,
            reference="（2026）云01民初1号",
            acting_user=users["reviewer_a"],
            reason=f"法院协助 {spaced(NUMBER)}",
        )
    assert NUMBER[6:14] not in digits(DisplayHold.objects.get(pk=hold.pk).open_reason)
    assert NUMBER[6:14] not in digits(str(person.history.values_list("history_change_reason", flat=True)))
    client.force_login(users["caseworker_a"])
    body = client.get(reverse("admin:registry_person_history", args=[person.pk])).content.decode()
    assert "本人来电" in body
    assert NUMBER[6:14] not in digits(body)

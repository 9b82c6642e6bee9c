"""See my records (PIPL art. 45): a verified person sees every record about them in
every status, with the department, item, facts, dates, display period, status in
words and when and how repair may be asked for; their contact details masked; each
view one access-log row; a fixed number of queries; never another person's records."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from creditportal.audit import get_system_user
from registry import services as registry_services
from registry.choices import AccessAction, HoldSource, RecordStatus
from registry.models import AccessLog, CatalogItem, CreditRecord
from repair.citizen import sign_in
from repair.rules import earliest_repair_date
from tests.conftest import make_id_number

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def me(tree, operator):
    with transaction.atomic():
        return registry_services.register_person(
            name="王小明",
            id_number=make_id_number(seq=555),
            registered_by=tree["A"],
            acting_user=operator,
            reason="test",
            email="xiaoming@example.cn",
            phone="13812345678",
        )


def signed_in(client, person):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = client.session
    sign_in(request, person)
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key
    return client


def set_status(record, status):
    CreditRecord.objects.filter(pk=record.pk).update(status=status)


def test_not_verified_goes_to_verify(client, me):
    response = client.get("/me/", **EN)
    assert response.status_code == 302 and response["Location"] == "/verify/"
    assert not AccessLog.objects.filter(person=me).exists()


def test_every_status_listed_newest_first_with_its_facts(client, me, tree, make_record):
    records = {}
    for n, status in enumerate(RecordStatus.values):
        if status == RecordStatus.UNDER_OBJECTION:
            continue
        record = make_record(
            me,
            tree["A"],
            decision_no=f"DOC-{status}",
            decision_date=datetime.date(2026, 1, 1 + n),
            summary=f"facts {status}",
        )
        set_status(record, status)
        records[status] = record
    body = signed_in(client, me).get("/me/", **EN).content.decode()
    for status in records:
        assert f"DOC-{status}" in body and f"facts {status}" in body
        assert str(RecordStatus(status).label) in body
    positions = [body.index(f"DOC-{s}") for s in records]
    assert positions == sorted(positions, reverse=True)  # newest decision first
    assert tree["A"].name in body and "行政处罚信息" in body


def test_open_objection_hold_shows_under_objection(client, me, tree, make_record, operator):
    record = make_record(me, tree["A"], decision_no="DOC-HELD")
    set_status(record, RecordStatus.ACTIVE)
    with transaction.atomic():
        registry_services.open_hold(
            record, source=HoldSource.OBJECTION, reference="OBJ-1", acting_user=get_system_user(), reason="objection"
        )
    body = signed_in(client, me).get("/me/", **EN).content.decode()
    assert "Under objection" in body


def test_another_persons_records_never_shown(client, me, tree, make_record, make_person):
    other = make_person(tree["A"], name="张三")
    make_record(other, tree["A"], decision_no="NOT-MINE")
    make_record(me, tree["B"], decision_no="MINE-IN-B")
    body = signed_in(client, me).get("/me/", **EN).content.decode()
    assert "MINE-IN-B" in body and "NOT-MINE" not in body and "张三" not in body


def test_each_view_is_one_access_log_row_with_the_subject(client, me, tree, make_record):
    make_record(me, tree["A"])
    signed_in(client, me)
    client.get("/me/", **EN)
    client.get("/me/", **EN)
    rows = AccessLog.objects.filter(person=me, user=get_system_user())
    assert rows.count() == 2
    row = rows.first()
    assert row.action == AccessAction.VIEW and "own records" in row.purpose


def test_contacts_and_id_number_masked(client, me, tree, make_record):
    make_record(me, tree["A"])
    body = signed_in(client, me).get("/me/", **EN).content.decode()
    assert "138****5678" in body and "x***@example.cn" in body
    assert "13812345678" not in body and "xiaoming@" not in body
    assert me.id_number not in body and me.id_number_masked in body


@pytest.mark.parametrize("count", [1, 30])
def test_fixed_number_of_queries(client, me, tree, make_record, django_assert_max_num_queries, count):
    for n in range(count):
        make_record(me, tree["A" if n % 2 else "B"], decision_no=f"Q-{n}")
    signed_in(client, me)
    get_system_user()
    with django_assert_max_num_queries(12):
        response = client.get("/me/", **EN)
    assert response.content.decode().count('class="panel record"') == count


@pytest.mark.parametrize(
    ("severity", "item_min", "days"),
    [("minor", 0, 0), ("general", 0, 90), ("serious", 0, 365), ("general", 120, 120), ("serious", 400, 400)],
)
def test_earliest_repair_date(severity, item_min, days):
    item = CatalogItem(**{f"{severity}_min_days": item_min})
    record = CreditRecord(catalog_item=item, severity=severity, decision_date=datetime.date(2026, 1, 1))
    assert earliest_repair_date(record) == datetime.date(2026, 1, 1) + datetime.timedelta(days=days)


def test_page_says_when_repair_may_be_asked(client, me, tree, make_record, catalog_item):
    make_record(me, tree["A"], severity="general", decision_date=datetime.date(2026, 3, 2))
    body = signed_in(client, me).get("/me/", **EN).content.decode()
    assert "2026-05-31" in body  # 2 March + 90 days
    assert "2026-05-30" not in body


def test_page_in_chinese(client, me, tree, make_record):
    make_record(me, tree["A"], severity="serious", decision_date=datetime.date(2026, 3, 2))
    body = signed_in(client, me).get("/me/", **ZH).content.decode()
    assert "关于您的全部记录" in body and "您可自 2027-03-02 起申请信用修复。" in body

"""The supervisors' access log: no leak of other departments' data, search, filters, Beijing time, full names."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from registry.choices import AccessAction
from registry.models import AccessLog, RoleGrant
from registry.services import log_access
from tests.conftest import make_id_number

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def page_text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def named(users):
    for username, name in (("caseworker_a", "王五"), ("operator", "赵运维")):
        users[username].first_name = name
        users[username].save()
    return users


@pytest.fixture
def shared_person(tree, make_person, make_record):
    """A person of Kunming (department A) with a record of Qujing (department C) as well."""
    person = make_person(tree["A"], name="孙九", id_number=make_id_number(region="530102", birth="19700707"))
    theirs = make_record(person, tree["C"], decision_no="曲税罚〔2026〕77号")
    ours = make_record(person, tree["A"], decision_no="昆市监罚〔2026〕5号")
    return person, ours, theirs


def test_a_record_of_another_department_is_not_shown_to_the_supervisor(client, named, shared_person):
    person, ours, theirs = shared_person
    client.force_login(named["operator"])
    assert client.get(reverse("admin:registry_creditrecord_change", args=[theirs.pk])).status_code == 200
    entry = AccessLog.objects.get(record=theirs)
    client.force_login(named["supervisor"])
    # That record's own page is a 404 for them...
    assert client.get(reverse("admin:registry_creditrecord_change", args=[theirs.pk])).status_code == 404
    # ...and the log shows the row (it is about their person) without the record.
    listing = page_text(client.get(reverse("admin:registry_accesslog_changelist")))
    assert person.name in listing and person.id_number_masked in listing
    assert theirs.decision_no not in listing
    assert "其他部门的记录" in listing
    detail = page_text(client.get(reverse("admin:registry_accesslog_change", args=[entry.pk])))
    assert theirs.decision_no not in detail and "其他部门的记录" in detail
    # Their own record, read the same way, is shown.
    client.force_login(named["operator"])
    client.get(reverse("admin:registry_creditrecord_change", args=[ours.pk]))
    client.force_login(named["supervisor"])
    assert ours.decision_no in page_text(client.get(reverse("admin:registry_accesslog_changelist")))


def test_a_person_outside_the_departments_is_a_placeholder(client, named, tree, make_person):
    """A reader of their department searched for a person of another prefecture:
    the supervisor audits the read, but learns neither the name nor the number."""
    stranger = make_person(tree["C"], name="钱十", id_number=make_id_number(region="530302", birth="19660606"))
    log_access(
        user=named["caseworker_a"],
        action=AccessAction.SEARCH,
        person=stranger,
        purpose="核对",
        detail=stranger.id_number_masked,
    )
    client.force_login(named["supervisor"])
    listing = page_text(client.get(reverse("admin:registry_accesslog_changelist")))
    assert "王五（caseworker_a）" in listing
    assert stranger.name not in listing and stranger.id_number_masked not in listing
    assert "非本部门范围内的当事人" in listing
    # A search by their name or masked number finds nothing either.
    for term in (stranger.name, stranger.id_number_masked):
        found = client.get(reverse("admin:registry_accesslog_changelist"), {"q": term}).context["cl"].result_list
        assert list(found) == [], term


def at(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def log_rows(named, tree, make_person):
    # The roles were held since January (the log's export rows count by who held a role when).
    RoleGrant.history.update(history_date=at(2026, 1, 1, 9))
    person = make_person(tree["A"], name="周一", id_number=make_id_number(region="530102", birth="19880808"))
    other = make_person(tree["B"], name="吴二")
    rows = {
        "view": AccessLog.objects.create(
            user=named["caseworker_a"],
            action=AccessAction.VIEW,
            person=person,
            purpose="Opened in the admin",
            at=at(2026, 3, 2, 0, 30),
        ),
        "reveal": AccessLog.objects.create(
            user=named["caseworker_a"],
            action=AccessAction.REVEAL,
            person=person,
            purpose="核实异议申请人身份",
            at=at(2026, 3, 5, 10),
        ),
        "import": AccessLog.objects.create(
            user=named["operator"],
            action=AccessAction.SEARCH,
            person=other,
            purpose="import 名单.csv",
            detail="dry run",
            at=at(2026, 3, 9, 23, 59),
        ),
        "export": AccessLog.objects.create(
            user=named["caseworker_a"],
            action=AccessAction.EXPORT,
            purpose="年度报送",
            detail="format=xlsx; rows=37; full_id_numbers=no",
            at=at(2026, 3, 10, 8),
        ),
    }
    return person, rows


def listed(client, **params) -> set[int]:
    response = client.get(reverse("admin:registry_accesslog_changelist"), params)
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


def test_supervisor_searches_and_filters_the_log(client, named, log_rows):
    person, rows = log_rows
    ids = {name: row.pk for name, row in rows.items()}
    client.force_login(named["supervisor"])
    assert listed(client) == set(ids.values())
    # Search: by the user's full name or username, the person's name or masked number, the purpose.
    assert listed(client, q="王五") == {ids["view"], ids["reveal"], ids["export"]}
    assert listed(client, q="operator") == {ids["import"]}
    assert listed(client, q="周一") == {ids["view"], ids["reveal"]}
    assert listed(client, q=person.id_number_masked) == {ids["view"], ids["reveal"]}
    assert listed(client, q="异议") == {ids["reveal"]}
    # Filters: user, action, purpose, date range (days in Beijing time, both ends included).
    assert listed(client, user=named["operator"].pk) == {ids["import"]}
    assert listed(client, action=AccessAction.REVEAL) == {ids["reveal"]}
    assert listed(client, purpose="admin_open") == {ids["view"]}
    assert listed(client, purpose="import") == {ids["import"]}
    assert listed(client, purpose="stated") == {ids["reveal"], ids["export"]}
    assert listed(client, at_from="2026-03-02", at_until="2026-03-09") == {ids["view"], ids["reveal"], ids["import"]}
    assert listed(client, at_from="2026-03-03") == {ids["reveal"], ids["import"], ids["export"]}
    assert listed(client, at_until="2026-03-02", action=AccessAction.VIEW) == {ids["view"]}


def test_the_log_reads_in_words_and_in_beijing_time(client, named, log_rows):
    person, rows = log_rows
    client.force_login(named["supervisor"])
    listing = page_text(client.get(reverse("admin:registry_accesslog_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    # 00:30 in Beijing is 16:30 the day before in UTC: the page shows Beijing time.
    assert "2026-03-02 00:30:00" in listing and "2026-03-01 16:30" not in listing
    assert "时间（北京时间）" in listing
    assert "在管理后台查看" in listing  # a system purpose, in the reader's language
    assert "XLSX 文件，37 行，身份证号码已脱敏" in listing and "format=xlsx" not in listing
    assert "王五（caseworker_a）" in listing
    detail = page_text(client.get(reverse("admin:registry_accesslog_change", args=[rows["view"].pk])))
    title = re.search(r"<title>(.*?)</title>", detail).group(1)
    assert "2026-03-02 00:30" in title and "王五（caseworker_a）" in title


def test_role_grants_show_staff_by_full_name(client, named):
    client.force_login(named["operator"])
    listing = page_text(client.get(reverse("admin:registry_rolegrant_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "王五（caseworker_a）" in listing and "赵运维（operator）" in listing

"""Reads of personal data are logged; the log cannot be changed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from registry.choices import AccessAction
from registry.models import AccessLog
from registry.services import log_access
from tests.conftest import make_id_number


@pytest.fixture
def person_and_record(tree, make_person, make_record):
    person = make_person(tree["A"], name="孙九", id_number=make_id_number(region="530102", birth="19700707"))
    return person, make_record(person, tree["A"])


def test_opening_a_person_or_record_is_logged(client, users, person_and_record):
    person, record = person_and_record
    client.force_login(users["caseworker_a"])
    assert client.get(reverse("admin:registry_person_change", args=[person.pk])).status_code == 200
    assert client.get(reverse("admin:registry_creditrecord_change", args=[record.pk])).status_code == 200
    rows = list(AccessLog.objects.filter(user=users["caseworker_a"]).order_by("id"))
    assert [(r.action, r.person_id, r.record_id) for r in rows] == [
        (AccessAction.VIEW, person.pk, None),
        (AccessAction.VIEW, person.pk, record.pk),
    ]
    assert rows[0].ip_address == "127.0.0.1"


def test_opening_a_history_or_an_earlier_version_is_logged(client, users, person_and_record):
    person, record = person_and_record
    client.force_login(users["caseworker_a"])
    for obj, name in ((person, "person"), (record, "creditrecord")):
        version = obj.history.earliest("history_date")
        url = reverse(f"admin:registry_{name}_history", args=[obj.pk])
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
        url = reverse(f"admin:registry_{name}_simple_history", args=[obj.pk, version.history_id])
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    rows = list(AccessLog.objects.filter(user=users["caseworker_a"]).order_by("id"))
    assert [(r.action, r.person_id, r.record_id) for r in rows] == [
        (AccessAction.VIEW, person.pk, None),
        (AccessAction.VIEW, person.pk, None),
        (AccessAction.VIEW, person.pk, record.pk),
        (AccessAction.VIEW, person.pk, record.pk),
    ]
    assert [r.purpose for r in rows[:2]] == [
        "Opened its history in the admin",
        "Opened an earlier version in the admin",
    ]


def test_pages_show_masked_numbers_only(client, users, person_and_record):
    """Every page about the person opens (a 404 would hide the number too) and shows
    the masked number, never the full one."""
    person, record = person_and_record
    client.force_login(users["caseworker_a"])
    for url in (
        reverse("admin:registry_person_changelist"),
        reverse("admin:registry_person_change", args=[person.pk]),
        reverse("admin:registry_creditrecord_changelist"),
        reverse("admin:registry_creditrecord_change", args=[record.pk]),
        reverse("admin:registry_person_history", args=[person.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert person.id_number not in body, url
        assert person.id_number_masked in body, url


def test_find_by_full_id_number_is_post_only_scoped_and_logged(client, users, person_and_record):
    person, record = person_and_record
    client.force_login(users["caseworker_a"])
    # The search box (GET: the number would land in access logs and browser history) refuses it.
    for url in (reverse("admin:registry_creditrecord_changelist"), reverse("admin:registry_person_changelist")):
        response = client.get(url, {"q": person.id_number})
        assert response.status_code == 302 and response["Location"] == url
    assert not AccessLog.objects.filter(action=AccessAction.SEARCH).exists()
    # The POST lookup finds the person and opens their page (by primary key).
    response = client.post(reverse("admin:registry_person_find"), {"id_number": person.id_number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:registry_person_change", args=[person.pk])
    assert person.id_number not in response["Location"]
    log = AccessLog.objects.get(action=AccessAction.SEARCH)
    assert log.person == person and log.detail == person.id_number_masked
    # A number registered nowhere is not found, and that lookup is logged too.
    response = client.post(reverse("admin:registry_person_find"), {"id_number": make_id_number(region="530111")})
    assert response.status_code == 200 and response.context["not_found"]
    assert AccessLog.objects.filter(action=AccessAction.SEARCH, person=None).count() == 1


def test_reveal_needs_a_purpose_and_is_logged(client, users, person_and_record):
    person, _record = person_and_record
    url = reverse("admin:registry_person_reveal", args=[person.pk])
    client.force_login(users["caseworker_a"])
    page = client.get(url).content.decode()
    assert person.id_number not in page  # GET shows the form, not the number
    refused = client.post(url, {"purpose": "objection", "detail": "  "}).content.decode()
    assert person.id_number not in refused
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()
    shown = client.post(url, {"purpose": "objection", "detail": "核实异议申请人身份"}).content.decode()
    assert person.id_number in shown
    log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (log.user, log.person, log.purpose, log.detail) == (
        users["caseworker_a"],
        person,
        "复核异议",
        "核实异议申请人身份",
    )


@pytest.mark.parametrize("username,status", [("publisher_a", 403), ("caseworker_b", 404), ("supervisor", 200)])
def test_who_may_reveal(client, users, person_and_record, username, status):
    person, _record = person_and_record
    client.force_login(users[username])
    response = client.post(
        reverse("admin:registry_person_reveal", args=[person.pk]), {"purpose": "case", "detail": "核对身份"}
    )
    assert response.status_code == status
    assert AccessLog.objects.filter(action=AccessAction.REVEAL).exists() == (status == 200)


def test_access_log_is_append_only_in_the_orm_and_admin(client, users, person_and_record):
    person, _record = person_and_record
    entry = log_access(user=users["operator"], action=AccessAction.VIEW, person=person, purpose="核对")
    with pytest.raises(PermissionError):
        entry.purpose = "改写"
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=entry.pk).update(purpose="改写")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    client.force_login(users["operator"])
    change_url = reverse("admin:registry_accesslog_change", args=[entry.pk])
    client.post(change_url, {"purpose": "改写"})
    client.post(reverse("admin:registry_accesslog_delete", args=[entry.pk]), {"post": "yes"})
    entry.refresh_from_db()
    assert entry.purpose == "核对"


@pytest.mark.postgres
def test_postgresql_trigger_refuses_update_and_delete(users, person_and_record):
    assert connection.vendor == "postgresql"
    person, _record = person_and_record
    entry = log_access(user=users["operator"], action=AccessAction.VIEW, person=person, purpose="核对")
    for sql in (
        "UPDATE registry_accesslog SET purpose = 'x' WHERE id = %s",
        "DELETE FROM registry_accesslog WHERE id = %s",
        "DELETE FROM registry_accesslog",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk] if "%s" in sql else None)
    assert AccessLog.objects.get(pk=entry.pk).purpose == "核对"


def test_supervisor_reads_the_log_of_their_departments_only(client, users, tree, make_person, make_record):
    in_km = make_record(make_person(tree["A"]), tree["A"])
    in_qj = make_record(make_person(tree["C"]), tree["C"])
    for record in (in_km, in_qj):
        log_access(user=users["operator"], action=AccessAction.VIEW, record=record, purpose="核对")
    client.force_login(users["supervisor"])
    listed = client.get(reverse("admin:registry_accesslog_changelist")).context["cl"].result_list
    assert {entry.record_id for entry in listed} == {in_km.pk}


def test_staff_pages_are_not_cached(client, users, person_and_record):
    person, _record = person_and_record
    client.force_login(users["caseworker_a"])
    response = client.get(reverse("admin:registry_person_change", args=[person.pk]))
    assert "no-store" in response["Cache-Control"]


def test_supervisor_sees_exports_by_people_of_their_departments(client, users, tree):
    from registry.models import AccessLog

    mine = log_access(user=users["caseworker_a"], action=AccessAction.EXPORT, purpose="年度报送", detail="rows=3")
    elsewhere = log_access(user=users["operator"], action=AccessAction.EXPORT, purpose="x", detail="rows=1")
    client.force_login(users["supervisor"])
    listed = {
        entry.pk for entry in client.get(reverse("admin:registry_accesslog_changelist")).context["cl"].result_list
    }
    assert mine.pk in listed and elsewhere.pk not in listed
    assert AccessLog.objects.count() == 2


def test_a_revoked_caseworkers_exports_stay_in_the_supervisors_log(client, users, tree):
    from django.db import transaction

    from registry import services
    from registry.models import RoleGrant
    from registry.roles import Role

    grant = RoleGrant.objects.get(user=users["caseworker_a"], role="caseworker")
    during = log_access(user=users["caseworker_a"], action=AccessAction.EXPORT, purpose="年度报送", detail="rows=3")
    with transaction.atomic():
        services.revoke_role(grant, acting_user=users["operator"], reason="left the office")
    after = log_access(user=users["caseworker_a"], action=AccessAction.EXPORT, purpose="调岗后", detail="rows=2")
    client.force_login(users["supervisor"])
    listed = {e.pk for e in client.get(reverse("admin:registry_accesslog_changelist")).context["cl"].result_list}
    assert during.pk in listed  # made while the role was held: still audited after the revocation
    assert after.pk not in listed  # made after it: none of this department's business
    assert client.get(reverse("admin:registry_accesslog_change", args=[during.pk])).status_code == 200
    # Granted again later (the same grant row, a second period): the read made in
    # between, in another prefecture, stays out of this supervisor's sight.
    with transaction.atomic():
        services.grant_role(users["caseworker_a"], role=Role.CASEWORKER, department=tree["A"],
                            acting_user=users["operator"])  # fmt: skip
    listed = {e.pk for e in client.get(reverse("admin:registry_accesslog_changelist")).context["cl"].result_list}
    assert during.pk in listed and after.pk not in listed
    # Someone's reads from before they joined are not this department's business either.
    from django.contrib.auth import get_user_model

    newcomer = get_user_model().objects.create_user("newcomer", password="x" * 12)
    with transaction.atomic():
        services.grant_role(newcomer, role=Role.CASEWORKER, department=tree["C"], acting_user=users["operator"])
    before = log_access(user=newcomer, action=AccessAction.EXPORT, purpose="调入前", detail="rows=1")
    with transaction.atomic():
        services.grant_role(newcomer, role=Role.CASEWORKER, department=tree["A"], acting_user=users["operator"])
    joined = log_access(user=newcomer, action=AccessAction.EXPORT, purpose="调入后", detail="rows=1")
    listed = {e.pk for e in client.get(reverse("admin:registry_accesslog_changelist")).context["cl"].result_list}
    assert joined.pk in listed and before.pk not in listed

"""Persons belong to the province, records to departments: the cross-department
lookup, a record of one's own department for a person registered elsewhere, what
that department then sees, and who may change what on a shared person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from registry import services
from registry.choices import AccessAction
from registry.contacts import mask_address, mask_email, mask_phone
from registry.models import AccessLog, CreditRecord, Person
from registry.roles import Role
from tests.conftest import make_id_number, make_user

PHONE = "13812345678"


@pytest.fixture
def shared(tree, make_person, make_record, operator):
    """A person registered by department A, with a record of A and contacts."""
    person = make_person(tree["A"], name="欧阳娜", id_number=make_id_number(region="530103", birth="19850612"))
    with transaction.atomic():
        services.update_person(
            person,
            acting_user=operator,
            reason="test",
            phone=PHONE,
            email="ouyang.na@example.cn",
            address="云南省昆明市五华区青年路100号",
        )
    record_a = make_record(person, tree["A"], decision_no="昆市监罚〔2026〕77号")
    return person, record_a


def record_post(person, department, catalog_item, decision_no="昆交罚〔2026〕5号"):
    return {
        "person": person.pk,
        "department": department.pk,
        "catalog_item": catalog_item.pk,
        "severity": "general",
        "decision_no": decision_no,
        "decision_date": "2026-03-02",
        "summary": "超限运输",
        "legal_basis": "",
        "display_from": "",
        "display_until": "",
        "change_reason": "录入交通运输行政处罚",
    }


def find(client, number, purpose="办理超限运输案件"):
    return client.post(reverse("admin:registry_person_find"), {"id_number": number, "purpose": purpose})


def test_lookup_finds_a_person_registered_elsewhere_and_logs_one_search(client, users, shared):
    person, _record = shared
    client.force_login(users["caseworker_b"])
    response = find(client, person.id_number)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["found"] == person
    assert person.name in body and person.id_number_masked in body and person.id_number not in body
    assert PHONE not in body
    assert response.context["record_url"] == reverse("admin:registry_creditrecord_add") + f"?person={person.pk}"
    rows = list(AccessLog.objects.filter(user=users["caseworker_b"]))
    assert [(r.action, r.person_id, r.purpose, r.detail) for r in rows] == [
        (AccessAction.SEARCH, person.pk, "办理超限运输案件", person.id_number_masked)
    ]
    # The lookup does not make the person visible in lists or by address.
    changelist = client.get(reverse("admin:registry_person_changelist"))
    assert person not in list(changelist.context["cl"].result_list)
    assert client.get(reverse("admin:registry_person_change", args=[person.pk])).status_code == 404


def test_a_record_for_a_person_registered_elsewhere_only_through_the_lookup(client, users, tree, shared, catalog_item):
    person, _record = shared
    client.force_login(users["caseworker_b"])
    add = reverse("admin:registry_creditrecord_add")
    # Without the lookup the form does not accept the person (not even by primary key).
    refused = client.post(add, record_post(person, tree["B"], catalog_item))
    assert refused.status_code == 200 and "person" in refused.context["adminform"].form.errors
    assert not CreditRecord.objects.filter(department=tree["B"]).exists()
    # After the lookup the form comes preselected with the person, and saving works.
    find(client, person.id_number)
    form_page = client.get(add, {"person": person.pk})
    assert form_page.context["adminform"].form.initial["person"] == str(person.pk)
    assert person.name in form_page.content.decode()
    created = client.post(add, record_post(person, tree["B"], catalog_item))
    assert created.status_code == 302
    record_b = CreditRecord.objects.get(department=tree["B"])
    assert record_b.person == person
    # The lookup is the user's own: a caseworker of another department who did not look the person up cannot.
    caseworker_c = make_user("caseworker_c", Role.CASEWORKER, tree["C"], users["operator"])
    client.force_login(caseworker_c)
    other = client.post(add, record_post(person, tree["C"], catalog_item, decision_no="曲税罚〔2026〕1号"))
    assert other.status_code == 200 and "person" in other.context["adminform"].form.errors


def test_a_department_sees_the_person_through_its_record(client, users, tree, shared, make_record):
    person, record_a = shared
    record_b = make_record(person, tree["B"], decision_no="昆交罚〔2026〕9号")
    client.force_login(users["caseworker_b"])
    changelist = client.get(reverse("admin:registry_person_changelist"))
    assert person in list(changelist.context["cl"].result_list)
    body = client.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()
    assert person.name in body and person.id_number_masked in body
    assert record_b.decision_no in body and record_a.decision_no not in body
    # Contact details masked, never in full.
    assert "138****5678" in body and PHONE not in body
    assert "o***@example.cn" in body and "ouyang.na@example.cn" not in body
    assert "云南省昆明市…" in body and "青年路" not in body
    # The registering department sees them in full.
    client.force_login(users["caseworker_a"])
    body = client.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()
    assert PHONE in body and "青年路" in body


def test_who_may_change_what_on_a_shared_person(users, tree, shared, make_record):
    person, _record = shared
    make_record(person, tree["B"], decision_no="昆交罚〔2026〕9号")
    b, a, supervisor = users["caseworker_b"], users["caseworker_a"], users["supervisor"]
    assert services.changeable_person_fields(b, person) == {"phone", "email", "address"}
    assert services.changeable_person_fields(a, person) == {"name", "id_number", "phone", "email", "address"}
    assert services.changeable_person_fields(users["reviewer_a"], person) == set()
    # B (a record of its own) replaces the phone number: the person stays A's.
    with transaction.atomic():
        services.update_person(person, acting_user=b, reason="当事人提供新号码", phone="13900001111")
    person.refresh_from_db()
    assert person.phone == "13900001111" and person.registered_by == tree["A"]
    assert person.history.first().history_user == b
    # B may not change the name or the ID number; nothing is written.
    for changes in ({"name": "欧阳丽"}, {"id_number": make_id_number(region="530103")}):
        with pytest.raises(PermissionDenied), transaction.atomic():
            services.update_person(person, acting_user=b, reason="改名", **changes)
    person.refresh_from_db()
    assert person.name == "欧阳娜"
    # Nobody moves a person by editing it, not even the registering department.
    with pytest.raises(ValidationError), transaction.atomic():
        services.update_person(person, acting_user=a, reason="移交", registered_by=tree["B"])
    # The registering department and a supervisor above it may change the name.
    with transaction.atomic():
        services.update_person(person, acting_user=supervisor, reason="户籍信息更正", name="欧阳丽")
    person.refresh_from_db()
    assert person.name == "欧阳丽" and person.registered_by == tree["A"]
    # A department with no record of the person changes nothing.
    caseworker_c = make_user("caseworker_c", Role.CASEWORKER, tree["C"], users["operator"])
    with pytest.raises(PermissionDenied), transaction.atomic():
        services.update_person(person, acting_user=caseworker_c, reason="x", phone="13700000000")


def test_a_contact_change_in_the_admin_keeps_who_registered_the_person(client, users, tree, shared, make_record):
    person, _record = shared
    make_record(person, tree["B"], decision_no="昆交罚〔2026〕9号")
    client.force_login(users["caseworker_b"])
    url = reverse("admin:registry_person_change", args=[person.pk])
    form = client.get(url).context["adminform"].form
    # The form offers only what B may change: the contact details, empty (shown masked).
    assert set(form.fields) - {"change_reason", "id_number"} == {"phone", "email", "address"}
    assert form.initial["phone"] == ""
    response = client.post(
        url,
        {
            "phone": "13900001111",
            "email": "",
            "address": "",
            "name": "改掉的名字",
            "registered_by": tree["B"].pk,
            "change_reason": "当事人提供新号码",
            "records-TOTAL_FORMS": "0",
            "records-INITIAL_FORMS": "0",
            "records-MIN_NUM_FORMS": "0",
            "records-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.phone == "13900001111"
    assert person.email == "ouyang.na@example.cn" and person.address.startswith("云南省昆明市五华区")
    assert person.name == "欧阳娜" and person.registered_by == tree["A"]


def test_adding_an_already_registered_number_is_refused_and_logged(client, users, tree, shared):
    person, _record = shared
    client.force_login(users["caseworker_b"])
    response = client.post(
        reverse("admin:registry_person_add"),
        {
            "name": "某人",
            "id_number": person.id_number,
            "registered_by": tree["B"].pk,
            "phone": "",
            "email": "",
            "address": "",
            "change_reason": "登记",
            "records-TOTAL_FORMS": "0",
            "records-INITIAL_FORMS": "0",
            "records-MIN_NUM_FORMS": "0",
            "records-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "id_number" in response.context["adminform"].form.errors
    assert Person.objects.count() == 1
    rows = list(AccessLog.objects.filter(user=users["caseworker_b"]))
    assert [(r.action, r.person_id) for r in rows] == [(AccessAction.SEARCH, person.pk)]
    # The service refuses and logs the same way (outside its transaction).
    with pytest.raises(ValidationError):
        services.register_person(
            name="某人",
            id_number=person.id_number,
            registered_by=tree["B"],
            acting_user=users["caseworker_b"],
            reason="x",
        )
    assert AccessLog.objects.filter(user=users["caseworker_b"], action=AccessAction.SEARCH).count() == 2


def test_the_person_page_links_to_the_records_the_user_may_see(client, users, tree, shared, make_record):
    person, record_a = shared
    record_b = make_record(person, tree["B"], decision_no="昆交罚〔2026〕9号")
    client.force_login(users["caseworker_b"])
    page = client.get(reverse("admin:registry_person_change", args=[person.pk]))
    assert page.context["record_count"] == 1
    link = page.context["records_url"]
    assert f'href="{link}"' in page.content.decode().replace("&amp;", "&")
    listed = client.get(link)
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [record_b]
    client.force_login(users["supervisor"])
    listed = client.get(link)
    assert set(listed.context["cl"].result_list) == {record_a, record_b}


def test_the_history_shows_a_recording_department_contacts_masked(client, users, tree, shared, make_record):
    person, _record = shared
    make_record(person, tree["B"], decision_no="昆交罚〔2026〕9号")
    with transaction.atomic():
        services.update_person(person, acting_user=users["caseworker_a"], reason="新号码", phone="13900001111")
    version = person.history.order_by("history_date").first()
    client.force_login(users["caseworker_b"])
    for url in (
        reverse("admin:registry_person_history", args=[person.pk]),
        reverse("admin:registry_person_simple_history", args=[person.pk, version.history_id]),
    ):
        body = client.get(url).content.decode()
        assert "13900001111" not in body and PHONE not in body, url
        assert "ouyang.na@example.cn" not in body and "青年路" not in body, url
    client.force_login(users["caseworker_a"])
    body = client.get(reverse("admin:registry_person_history", args=[person.pk])).content.decode()
    assert "13900001111" in body


def test_the_services_accept_a_record_for_a_person_registered_elsewhere_only_after_a_lookup(users, tree, shared):
    person, record_a = shared
    b = users["caseworker_b"]

    def new_record(decision_no):
        return CreditRecord(
            person=person,
            department=tree["B"],
            catalog_item=record_a.catalog_item,
            severity="general",
            decision_no=decision_no,
            decision_date=record_a.decision_date,
            summary="超限运输",
        )

    with pytest.raises(PermissionDenied), transaction.atomic():
        services.save_credit_record(new_record("昆交罚〔2026〕1号"), acting_user=b, reason="录入")
    assert not CreditRecord.objects.filter(department=tree["B"]).exists()
    services.look_up_person(person.id_number, acting_user=b, purpose="办理超限运输案件")
    with transaction.atomic():
        services.save_credit_record(new_record("昆交罚〔2026〕2号"), acting_user=b, reason="录入")
    assert CreditRecord.objects.filter(department=tree["B"], person=person).count() == 1


@pytest.mark.parametrize(
    "mask,value,shown",
    [
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "", ""),
        (mask_email, "alice@example.cn", "a***@example.cn"),
        (mask_address, "云南省昆明市五华区青年路100号", "云南省昆明市…"),
        (mask_address, "云南省红河哈尼族彝族自治州蒙自市天马路8号", "云南省红河哈尼族彝族自治州…"),
        (mask_address, "北京市朝阳区建国路1号", "北京市…"),
        (mask_address, "青年路100号", "青年路…"),
    ],
)
def test_contact_details_are_masked_to_their_first_part(mask, value, shown):
    assert mask(value) == shown


def test_the_lookup_page_never_writes_the_number_back(client, users, shared):
    person, _record = shared
    client.force_login(users["caseworker_b"])
    unknown = make_id_number(region="530111", birth="19920202")
    mistyped = unknown[:-1] + ("0" if unknown[-1] != "0" else "1")
    for number in (unknown, mistyped, person.id_number):
        body = find(client, number).content.decode()
        assert number not in body, number


def test_changing_an_id_number_to_a_registered_one_is_refused_and_logged(tree, users, make_person):
    """The refusal confirms that the number is registered: like adding, it is a
    SEARCH row for the user (outside the change's transaction, so it stays)."""
    from django.core.exceptions import ValidationError

    from registry import services
    from registry.choices import AccessAction
    from registry.models import AccessLog

    mine = make_person(tree["A"], name="甲")
    theirs = make_person(tree["C"], name="乙")
    with pytest.raises(ValidationError):
        services.update_person(mine, acting_user=users["caseworker_a"], reason="更正号码", id_number=theirs.id_number)
    row = AccessLog.objects.get(user=users["caseworker_a"], person=theirs)
    assert row.action == AccessAction.SEARCH

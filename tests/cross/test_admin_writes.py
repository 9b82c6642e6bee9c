"""Writes through the admin and the services: scope, reasons, history, validation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from registry import services
from registry.choices import HoldSource, RecordStatus
from registry.models import CreditRecord, Department, DisplayHold, Person
from tests.conftest import make_id_number


def record_form(record_or_values, **overrides):
    """POST data for the credit-record change form."""
    data = {
        "person": "",
        "department": "",
        "catalog_item": "",
        "severity": "general",
        "decision_no": "",
        "decision_date": "2026-03-02",
        "summary": "未按规定履行义务",
        "legal_basis": "",
        "display_from": "",
        "display_until": "",
        "change_reason": "",
        # The read-only inline formsets are absent on this form.
    }
    if isinstance(record_or_values, CreditRecord):
        r = record_or_values
        data.update(
            person=r.person_id,
            department=r.department_id,
            catalog_item=r.catalog_item_id,
            severity=r.severity,
            decision_no=r.decision_no,
            decision_date=r.decision_date.isoformat(),
            summary=r.summary,
            legal_basis=r.legal_basis,
            display_from=r.display_from.isoformat(),
            display_until=r.display_until.isoformat(),
        )
    else:
        data.update(record_or_values)
    data.update(overrides)
    return data


@pytest.fixture
def person_a(tree, make_person):
    return make_person(tree["A"], name="陈七")


def test_caseworker_adds_a_record_with_reason_and_history(client, users, tree, person_a, catalog_item):
    client.force_login(users["caseworker_a"])
    response = client.post(
        reverse("admin:registry_creditrecord_add"),
        record_form(
            {
                "person": person_a.pk,
                "department": tree["A"].pk,
                "catalog_item": catalog_item.pk,
                "decision_no": "昆市监罚〔2026〕1号",
            },
            change_reason="录入行政处罚决定",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    record = CreditRecord.objects.get(decision_no="昆市监罚〔2026〕1号")
    assert record.status == RecordStatus.DRAFT
    # Display period computed from the catalogue: general -> at most 365 days from the decision.
    assert record.display_from == datetime.date(2026, 3, 2)
    assert record.display_until == datetime.date(2026, 3, 2) + datetime.timedelta(days=365)
    row = record.history.get()
    assert row.history_user == users["caseworker_a"]
    assert row.history_change_reason == "录入行政处罚决定"


def test_a_change_without_a_reason_is_refused(client, users, tree, person_a, make_record):
    record = make_record(person_a, tree["A"])
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_creditrecord_change", args=[record.pk])
    response = client.post(url, record_form(record, summary="改过的事实"))
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors
    record.refresh_from_db()
    assert record.summary != "改过的事实"
    assert record.history.count() == 1

    response = client.post(url, record_form(record, summary="改过的事实", change_reason="更正笔误"))
    assert response.status_code == 302
    latest = record.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason, latest.summary) == (
        "~",
        users["caseworker_a"],
        "更正笔误",
        "改过的事实",
    )
    # The history page shows the reason and who made the change.
    page = client.get(reverse("admin:registry_creditrecord_history", args=[record.pk])).content.decode()
    assert "更正笔误" in page and "caseworker_a" in page


def test_caseworker_cannot_create_a_record_for_another_department(client, users, tree, person_a, catalog_item):
    client.force_login(users["caseworker_a"])
    response = client.post(
        reverse("admin:registry_creditrecord_add"),
        record_form(
            {"person": person_a.pk, "department": tree["B"].pk, "catalog_item": catalog_item.pk, "decision_no": "X-1"},
            change_reason="试图录入他部门",
        ),
    )
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    assert not CreditRecord.objects.filter(decision_no="X-1").exists()


def test_caseworker_cannot_move_a_record_into_another_department(client, users, tree, person_a, make_record):
    record = make_record(person_a, tree["A"])
    client.force_login(users["caseworker_a"])
    response = client.post(
        reverse("admin:registry_creditrecord_change", args=[record.pk]),
        record_form(record, department=tree["B"].pk, change_reason="转移"),
    )
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    record.refresh_from_db()
    assert record.department == tree["A"]


def test_caseworker_cannot_post_to_another_departments_record(client, users, tree, make_person, make_record):
    record_b = make_record(make_person(tree["B"]), tree["B"])
    client.force_login(users["caseworker_a"])
    response = client.post(
        reverse("admin:registry_creditrecord_change", args=[record_b.pk]),
        record_form(record_b, summary="篡改", change_reason="x"),
    )
    assert response.status_code == 404
    record_b.refresh_from_db()
    assert record_b.summary != "篡改"


def test_services_recheck_scope_after_the_write(users, tree, person_a, make_record, catalog_item):
    """The chokepoint holds below the admin too: a write outside the user's
    departments is undone whole."""
    with pytest.raises(PermissionDenied):
        with transaction.atomic():
            services.save_credit_record(
                CreditRecord(
                    person=person_a,
                    department=tree["B"],
                    catalog_item=catalog_item,
                    severity="general",
                    decision_no="SVC-1",
                    decision_date=datetime.date(2026, 1, 1),
                    summary="x",
                ),
                acting_user=users["caseworker_a"],
                reason="test",
            )
    assert not CreditRecord.objects.filter(decision_no="SVC-1").exists()
    assert not CreditRecord.history.filter(decision_no="SVC-1").exists()

    record = make_record(person_a, tree["A"])
    record.department = tree["B"]
    with pytest.raises(PermissionDenied), transaction.atomic():
        services.save_credit_record(record, acting_user=users["caseworker_a"], reason="move")
    assert CreditRecord.objects.get(pk=record.pk).department == tree["A"]

    with pytest.raises(PermissionDenied), transaction.atomic():
        services.register_person(
            name="某人",
            id_number=make_id_number(),
            registered_by=tree["B"],
            acting_user=users["caseworker_a"],
            reason="x",
        )


@pytest.mark.parametrize(
    "severity,days,ok",
    [
        ("general", 89, False),
        ("general", 90, True),
        ("general", 365, True),
        ("general", 366, False),
        ("serious", 364, False),
        ("serious", 1095, True),
        ("serious", 1096, False),
        ("minor", 91, False),
    ],
)
def test_display_period_outside_the_catalogue_bounds_is_refused(
    client, users, tree, person_a, catalog_item, severity, days, ok
):
    client.force_login(users["caseworker_a"])
    decided = datetime.date(2025, 6, 1)
    response = client.post(
        reverse("admin:registry_creditrecord_add"),
        record_form(
            {
                "person": person_a.pk,
                "department": tree["A"].pk,
                "catalog_item": catalog_item.pk,
                "decision_no": f"P-{severity}-{days}",
                "severity": severity,
                "decision_date": decided.isoformat(),
                "display_until": (decided + datetime.timedelta(days=days)).isoformat(),
            },
            change_reason="录入",
        ),
    )
    assert CreditRecord.objects.filter(decision_no=f"P-{severity}-{days}").exists() == ok
    if not ok:
        assert "display_until" in response.context["adminform"].form.errors


def test_future_decision_date_and_duplicate_decision_number(client, users, tree, person_a, catalog_item, make_record):
    make_record(person_a, tree["A"], decision_no="DUP-1")
    client.force_login(users["caseworker_a"])
    base = {"person": person_a.pk, "department": tree["A"].pk, "catalog_item": catalog_item.pk}
    future = client.post(
        reverse("admin:registry_creditrecord_add"),
        record_form({**base, "decision_no": "F-1", "decision_date": "2099-01-01"}, change_reason="x"),
    )
    assert "decision_date" in future.context["adminform"].form.errors
    duplicate = client.post(
        reverse("admin:registry_creditrecord_add"), record_form({**base, "decision_no": "DUP-1"}, change_reason="x")
    )
    assert duplicate.status_code == 200
    assert CreditRecord.objects.filter(decision_no="DUP-1").count() == 1


def person_form(**values):
    return {
        "name": "",
        "id_number": "",
        "registered_by": "",
        "phone": "",
        "email": "",
        "address": "",
        "change_reason": "",
        "records-TOTAL_FORMS": "0",
        "records-INITIAL_FORMS": "0",
        "records-MIN_NUM_FORMS": "0",
        "records-MAX_NUM_FORMS": "0",
        **values,
    }


def test_person_registration_through_the_admin(client, users, tree):
    client.force_login(users["caseworker_a"])
    number = make_id_number(region="530111", birth="19790315")
    url = reverse("admin:registry_person_add")
    bad = client.post(
        url,
        person_form(
            name="周八",
            id_number=number[:-1] + ("0" if number[-1] != "0" else "1"),
            registered_by=tree["A"].pk,
            change_reason="登记",
        ),
    )
    assert "id_number" in bad.context["adminform"].form.errors
    ok = client.post(
        url, person_form(name="周八", id_number=number.lower(), registered_by=tree["A"].pk, change_reason="登记")
    )
    assert ok.status_code == 302
    person = Person.objects.get(name="周八")
    assert person.id_number == number and person.id_number_masked == number[:6] + "********" + number[-4:]
    assert person.region_code == "530111" and person.birth_date == datetime.date(1979, 3, 15)
    assert person.history.get().history_change_reason == "登记"
    again = client.post(url, person_form(name="周八", id_number=number, registered_by=tree["A"].pk, change_reason="x"))
    assert again.status_code == 200 and Person.objects.filter(name="周八").count() == 1


def test_publisher_publishes_drafts_with_a_reason(client, users, tree, person_a, make_record):
    draft = make_record(person_a, tree["A"])
    url = reverse("admin:registry_creditrecord_changelist")
    client.force_login(users["caseworker_a"])
    assert "publish_selected" not in client.get(url).content.decode()
    client.force_login(users["publisher_a"])
    client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk], "reason": ""})
    draft.refresh_from_db()
    assert draft.status == RecordStatus.DRAFT
    client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk], "reason": "审核通过，予以公示"})
    draft.refresh_from_db()
    assert draft.status == RecordStatus.ACTIVE
    assert draft.history.first().history_change_reason == "审核通过，予以公示"
    assert draft.history.first().history_user == users["publisher_a"]


def test_department_and_catalogue_changes_have_history(users, tree, catalog_item):
    operator = users["operator"]
    with transaction.atomic():
        department = Department.objects.get(pk=tree["A"].pk)
        department.name = "昆明市市场监督管理局（更名）"
        services.save_department(department, acting_user=operator, reason="机构更名")
        catalog_item.serious_max_days = 730
        services.save_catalog_item(catalog_item, acting_user=operator, reason="省级目录调整")
    assert department.history.first().history_change_reason == "机构更名"
    assert catalog_item.history.first().history_change_reason == "省级目录调整"
    assert catalog_item.history.first().history_user == operator


def test_moving_a_department_updates_its_subtree_paths(users, tree):
    with transaction.atomic():
        km = Department.objects.get(pk=tree["KM"].pk)
        km.parent = tree["QJ"]
        services.save_department(km, acting_user=users["operator"], reason="区划调整")
    assert Department.objects.get(pk=tree["A"].pk).path == "YN/YN-QJ/YN-KM/YN-KM-SCJ/"
    # And the grants follow: the supervisor of KM still reaches A.
    from creditportal import access

    users["supervisor"].__dict__.pop("_creditportal_department_scope", None)
    assert access.can_in_department(users["supervisor"], access.Action.VIEW, tree["A"])


def test_catalogue_bounds_are_checked(users, catalog_item):
    from django.core.exceptions import ValidationError

    catalog_item.serious_max_days = 1200
    with pytest.raises(ValidationError) as info, transaction.atomic():
        services.save_catalog_item(catalog_item, acting_user=users["operator"], reason="x")
    assert "serious_max_days" in info.value.message_dict


def test_status_changes_only_along_the_workflow(users, tree, person_a, make_record):
    from django.core.exceptions import ValidationError

    record = make_record(person_a, tree["A"])
    # Editing cannot smuggle a status change past the publish permission.
    record.status = RecordStatus.ACTIVE
    with pytest.raises(ValidationError), transaction.atomic():
        services.save_credit_record(record, acting_user=users["caseworker_a"], reason="x")
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT
    # Publishing needs PUBLISH on the department: the caseworker lacks it, the publisher has it.
    with pytest.raises(PermissionDenied):
        services.change_record_status(record, status=RecordStatus.ACTIVE, acting_user=users["caseworker_a"], reason="x")
    services.change_record_status(record, status=RecordStatus.ACTIVE, acting_user=users["publisher_a"], reason="公示")
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.ACTIVE
    # No edge from active back to draft; expiry waits for the end of the period.
    with pytest.raises(ValidationError):
        services.change_record_status(record, status=RecordStatus.DRAFT, acting_user=users["operator"], reason="x")
    with pytest.raises(ValidationError):
        services.change_record_status(record, status=RecordStatus.EXPIRED, acting_user=users["operator"], reason="x")
    # A new record cannot be born published.
    with pytest.raises(ValidationError), transaction.atomic():
        services.save_credit_record(
            CreditRecord(
                person=person_a,
                department=tree["A"],
                catalog_item=record.catalog_item,
                severity="general",
                decision_no="BORN-ACTIVE",
                decision_date=datetime.date(2026, 1, 1),
                summary="x",
                status=RecordStatus.ACTIVE,
            ),
            acting_user=users["operator"],
            reason="x",
        )
    assert [h.status for h in record.history.all()] == [RecordStatus.ACTIVE, RecordStatus.DRAFT]


def test_department_levels_keep_the_tree_sound(users, tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info, transaction.atomic():
        services.save_department(
            Department(code="YN-X", name="无上级的局", level="department"), acting_user=users["operator"], reason="x"
        )
    assert "parent" in info.value.message_dict
    with pytest.raises(ValidationError), transaction.atomic():
        services.save_department(
            Department(code="YN-Y", name="省中之省", level="province", parent=tree["YN"]),
            acting_user=users["operator"],
            reason="x",
        )
    assert not Department.objects.filter(code__in=["YN-X", "YN-Y"]).exists()


def test_a_user_named_in_history_cannot_be_deleted_only_deactivated(tree, admin_client):
    """History keeps who did what: deleting that user is refused (deactivate instead)."""
    from django.contrib.auth import get_user_model
    from django.db.models import ProtectedError

    # A user whose only trace is one change (no grants, no reads, no imports).
    official = get_user_model().objects.create_superuser("second_operator", "second@example.cn", "x")
    with transaction.atomic():
        department = Department.objects.get(pk=tree["A"].pk)
        department.name = "昆明市市场监督管理局（更名）"
        services.save_department(department, acting_user=official, reason="机构更名")
    with pytest.raises(ProtectedError):
        official.delete()
    # The admin deletes no account, not even for an operator: deactivate instead.
    response = admin_client.post(reverse("admin:auth_user_delete", args=[official.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=official.pk).exists()
    assert department.history.first().history_user == official


def test_only_the_recording_departments_may_record_a_catalogue_item(users, tree, catalog_item, person_a, make_record):
    from django.core.exceptions import ValidationError

    operator = users["operator"]
    with transaction.atomic():
        services.save_catalog_item(catalog_item, acting_user=operator, reason="明确记录部门",
                                   recording_departments=[tree["B"], tree["QJ"]])  # fmt: skip
    # One history row carries the departments.
    latest = catalog_item.history.first()
    assert latest.history_change_reason == "明确记录部门"
    assert {row.department_id for row in latest.recording_departments.all()} == {tree["B"].pk, tree["QJ"].pk}
    assert catalog_item.history.filter(history_change_reason="明确记录部门").count() == 1
    # A (昆明市场监管) is neither named nor below a named one; C (曲靖税务) is below 曲靖.
    assert not catalog_item.may_be_recorded_by(tree["A"])
    assert catalog_item.may_be_recorded_by(tree["B"]) and catalog_item.may_be_recorded_by(tree["C"])
    with pytest.raises(ValidationError) as info:
        make_record(person_a, tree["A"])
    assert "catalog_item" in info.value.message_dict
    assert make_record(person_a, tree["C"]).pk
    # Emptying the list opens the item to every department again.
    with transaction.atomic():
        services.save_catalog_item(catalog_item, acting_user=operator, reason="取消限制", recording_departments=[])
    assert make_record(person_a, tree["A"]).pk
    assert list(catalog_item.history.first().recording_departments.all()) == []


def test_the_admin_sets_recording_departments_with_history(client, users, tree, catalog_item):
    from django.urls import reverse

    client.force_login(users["operator"])
    url = reverse("admin:registry_catalogitem_change", args=[catalog_item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(recording_departments=[tree["A"].pk], change_reason="由市场监管部门记录")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(catalog_item.recording_departments.all()) == [tree["A"]]
    latest = catalog_item.history.first()
    assert latest.history_change_reason == "由市场监管部门记录" and latest.history_user == users["operator"]
    assert [row.department_id for row in latest.recording_departments.all()] == [tree["A"].pk]


def test_a_department_keeps_correcting_its_records_of_an_item_given_to_others(users, tree, catalog_item, person_a,
                                                                             make_record):  # fmt: skip
    from django.core.exceptions import ValidationError

    record = make_record(person_a, tree["A"])
    with transaction.atomic():
        services.save_catalog_item(catalog_item, acting_user=users["operator"], reason="改由交通部门记录",
                                   recording_departments=[tree["B"]])  # fmt: skip
    record.summary = "更正后的事实"
    with transaction.atomic():
        services.save_credit_record(record, acting_user=users["caseworker_a"], reason="更正笔误")
    assert CreditRecord.objects.get(pk=record.pk).summary == "更正后的事实"
    # Moving it to another department (or a new record) is a new use of the item: refused.
    with pytest.raises(ValidationError), transaction.atomic():
        make_record(person_a, tree["A"])
    record.department = tree["C"]
    with pytest.raises(ValidationError), transaction.atomic():
        services.save_credit_record(record, acting_user=users["operator"], reason="移交")


def test_an_earlier_version_is_read_only(client, users, tree, make_person, make_record):
    """Revert is disabled: posting the form of an earlier version changes nothing
    (it used to save the record past the change page, and a hold's answered 500)."""
    person = make_person(tree["A"], name="周八")
    record = make_record(person, tree["A"], decision_no="昆市监罚〔2026〕1号")
    with transaction.atomic():
        hold = services.open_hold(
            record, source=HoldSource.COURT_ORDER, reference="R1", acting_user=users["reviewer_a"], reason="法院函"
        )
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_creditrecord_simple_history", args=[record.pk, record.history.earliest().history_id])
    assert client.get(url).status_code == 200
    data = {
        "person": person.pk,
        "department": tree["A"].pk,
        "catalog_item": record.catalog_item_id,
        "severity": "general",
        "decision_no": "昆市监罚〔2026〕2号",
        "decision_date": "2026-03-02",
        "summary": "未按规定履行义务",
        "legal_basis": "",
        "display_from": "",
        "display_until": "",
        "change_reason": "从早先版本保存",
    }
    assert client.post(url, data).status_code == 405
    assert CreditRecord.objects.get(pk=record.pk).decision_no == "昆市监罚〔2026〕1号"
    client.force_login(users["reviewer_a"])
    url = reverse("admin:registry_displayhold_simple_history", args=[hold.pk, hold.history.earliest().history_id])
    assert client.post(url, {"change_reason": "再开"}).status_code == 405
    assert DisplayHold.objects.count() == 1

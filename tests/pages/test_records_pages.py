"""The records list and form as a caseworker works in them: search with a hint,
the own-departments filter, the catalogue items the department may record, the
department preselected, a duplicate decision number linked, the display-period
error with its range, and a refused bulk action that keeps the ticked rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from registry import services
from registry.models import CatalogItem, CreditRecord
from tests.cross.test_admin_writes import record_form

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHANGELIST = reverse("admin:registry_creditrecord_changelist")
ADD = reverse("admin:registry_creditrecord_add")


def shown(response) -> set[str]:
    return {record.decision_no for record in response.context["cl"].result_list}


@pytest.fixture
def records(tree, make_person, make_record):
    zhang = make_person(tree["A"], name="张三丰")
    li = make_person(tree["A"], name="李四")
    wang = make_person(tree["B"], name="王五")
    return {
        "a1": make_record(zhang, tree["A"], decision_no="昆市监罚〔2026〕101号"),
        "a2": make_record(li, tree["A"], decision_no="昆市监罚〔2026〕202号"),
        "b1": make_record(wang, tree["B"], decision_no="昆交罚〔2025〕7号"),
    }


# --- The list --------------------------------------------------------------------------------


def test_search_by_part_of_the_name_and_of_the_decision_number(client, users, records):
    client.force_login(users["supervisor"])
    assert shown(client.get(CHANGELIST, {"q": "三丰"})) == {"昆市监罚〔2026〕101号"}
    assert shown(client.get(CHANGELIST, {"q": "〔2026〕202"})) == {"昆市监罚〔2026〕202号"}
    assert shown(client.get(CHANGELIST, {"q": "罚〔２０２６〕"})) == {"昆市监罚〔2026〕101号", "昆市监罚〔2026〕202号"}
    assert shown(client.get(CHANGELIST, {"q": "2025"})) == {"昆交罚〔2025〕7号"}


def test_the_search_box_says_what_it_searches(client, users, records):
    client.force_login(users["caseworker_a"])
    page = client.get(CHANGELIST, **ZH).content.decode()
    assert "当事人姓名" in page and "决定文书号的任意部分" in page


def test_filter_for_the_users_own_departments(client, users, tree, records):
    client.force_login(users["supervisor"])
    response = client.get(CHANGELIST, **ZH)
    spec = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "department")
    labels = [label for _value, label in spec.lookup_choices]
    assert labels[0] == "昆明市（全部）"
    assert {label.strip() for label in labels[1:]} == {"昆明市市场监督管理局", "昆明市交通运输局"}
    assert "曲靖市税务局" not in "".join(labels)  # not theirs
    assert shown(client.get(CHANGELIST, {"department": tree["KM"].pk})) == {r.decision_no for r in records.values()}
    assert shown(client.get(CHANGELIST, {"department": tree["B"].pk})) == {"昆交罚〔2025〕7号"}
    assert shown(client.get(CHANGELIST, {"department": tree["C"].pk})) == set()  # outside their reach

    client.force_login(users["caseworker_a"])
    spec = next(
        f for f in client.get(CHANGELIST).context["cl"].filter_specs if getattr(f, "parameter_name", "") == "department"
    )
    assert [label for _value, label in spec.lookup_choices] == ["昆明市市场监督管理局"]


# --- The form --------------------------------------------------------------------------------


@pytest.fixture
def items(tree, operator, catalog_item):
    """catalog_item (XZCF-001) may be recorded by anyone; JT-001 by B only; SC-001 by A only."""
    made = {"any": catalog_item}
    with transaction.atomic():
        for code, dept in (("JT-001", "B"), ("SC-001", "A")):
            made[code] = services.save_catalog_item(
                CatalogItem(
                    code=code, name=f"{code} 信息", category="penalty", legal_basis="法", sharing_level="public"
                ),
                acting_user=operator,
                reason="test",
                recording_departments=[tree[dept]],
            )
    return made


def item_choices(response) -> set[str]:
    field = response.context["adminform"].form.fields["catalog_item"]
    return {item.code for item in field.queryset}


def test_only_items_the_department_may_record_are_offered(client, users, items):
    client.force_login(users["caseworker_a"])
    response = client.get(ADD)
    assert item_choices(response) == {"XZCF-001", "SC-001"}
    assert "JT-001" not in response.content.decode()
    client.force_login(users["caseworker_b"])
    assert item_choices(client.get(ADD)) == {"XZCF-001", "JT-001"}
    client.force_login(users["supervisor"])  # several departments: what any of them may record
    assert item_choices(client.get(ADD)) == {"XZCF-001", "JT-001", "SC-001"}


def test_a_mismatch_with_several_departments_is_refused_by_the_existing_check(client, users, tree, items, make_person):
    person = make_person(tree["A"])
    client.force_login(users["supervisor"])
    response = client.post(
        ADD,
        record_form(
            {"person": person.pk, "department": tree["A"].pk, "catalog_item": items["JT-001"].pk, "decision_no": "X-1"},
            change_reason="录入",
        ),
        **EN,
    )
    assert response.status_code == 200
    assert "may not record this catalogue item" in response.context["adminform"].form.errors["catalog_item"][0]


def test_an_existing_record_keeps_an_item_no_longer_offered(
    client, users, tree, items, make_person, make_record, operator
):
    record = make_record(make_person(tree["A"]), tree["A"], catalog_item=items["SC-001"])
    with transaction.atomic():
        items["SC-001"].is_active = False
        services.save_catalog_item(items["SC-001"], acting_user=operator, reason="停用")
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_creditrecord_change", args=[record.pk])
    assert "SC-001" in item_choices(client.get(url))
    assert "SC-001" not in item_choices(client.get(ADD))
    response = client.post(url, record_form(record, summary="更正", change_reason="更正笔误"))
    assert response.status_code == 302


def test_the_department_is_preselected_when_the_user_holds_one(client, users, tree):
    client.force_login(users["caseworker_a"])
    form = client.get(ADD).context["adminform"].form
    assert form.initial.get("department") == tree["A"].pk
    client.force_login(users["supervisor"])  # several: the user chooses
    assert not client.get(ADD).context["adminform"].form.initial.get("department")


def test_a_duplicate_decision_number_names_and_links_the_record(client, users, tree, records, catalog_item):
    existing = records["a1"]
    client.force_login(users["caseworker_a"])
    response = client.post(
        ADD,
        record_form(
            {
                "person": existing.person_id,
                "department": tree["A"].pk,
                "catalog_item": catalog_item.pk,
                "decision_no": " 昆市监罚〔２０２６〕101号",
            },
            change_reason="录入",
        ),
        **ZH,
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["decision_no"]  # one message, where the number is
    link = reverse("admin:registry_creditrecord_change", args=[existing.pk])
    page = response.content.decode()
    assert f'<a href="{link}">昆市监罚〔2026〕101号</a>' in page
    assert "张三丰" in errors["decision_no"][0]
    assert CreditRecord.objects.filter(decision_no="昆市监罚〔2026〕101号").count() == 1


def test_the_display_period_error_gives_the_range_and_the_default(client, users, tree, records, catalog_item):
    client.force_login(users["caseworker_a"])
    response = client.post(
        ADD,
        record_form(
            {
                "person": records["a1"].person_id,
                "department": tree["A"].pk,
                "catalog_item": catalog_item.pk,
                "decision_no": "新-1",
                "decision_date": "2026-03-02",
                "display_until": "2026-04-01",
            },
            change_reason="录入",
        ),
        **EN,
    )
    message = response.context["adminform"].form.errors["display_until"][0]
    first = datetime.date(2026, 3, 2) + datetime.timedelta(days=90)
    last = datetime.date(2026, 3, 2) + datetime.timedelta(days=365)
    assert f"between {first.isoformat()} and {last.isoformat()}" in message
    assert "empty to take the default" in message and last.isoformat() in message


# --- Bulk actions ------------------------------------------------------------------------------


def test_a_bulk_action_refused_for_a_missing_reason_keeps_the_ticked_rows(client, users, records):
    client.force_login(users["publisher_a"])
    ticked = [records["a1"].pk, records["a2"].pk]
    response = client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": ticked, "index": 0, "reason": ""},
        follow=True,
        **ZH,
    )
    page = response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    for pk in ticked:
        assert "checked" in _checkbox(page, pk)
    assert 'value="publish_selected" selected' in page
    # Only once: the next visit is a fresh list.
    assert "checked" not in _checkbox(client.get(CHANGELIST).content.decode(), ticked[0])
    assert CreditRecord.objects.get(pk=ticked[0]).status == "draft"


def test_a_refused_export_keeps_the_ticked_rows(client, users, records):
    client.force_login(users["caseworker_a"])
    pk = records["a2"].pk
    response = client.post(
        CHANGELIST, {"action": "export_selected_csv", "_selected_action": [pk], "index": 0, "reason": ""}, follow=True
    )
    assert "checked" in _checkbox(response.content.decode(), pk)
    assert "checked" not in _checkbox(response.content.decode(), records["a1"].pk)


def _checkbox(page: str, pk) -> str:
    """The HTML of the row checkbox for ``pk``."""
    marker = f'value="{pk}"'
    at = page.index(marker)
    return page[page.rindex("<input", 0, at) : page.index(">", at) + 1]

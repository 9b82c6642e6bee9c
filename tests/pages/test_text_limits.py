"""Long text is refused with the limit stated, on the form, in the model and in
the import; nothing is cut off."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry.importing import import_records
from registry.models import LEGAL_BASIS_MAX, SUMMARY_MAX, CatalogItem, CreditRecord
from tests.cross.test_admin_writes import record_form
from tests.registry.importing_helpers import csv_bytes, rows_for

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
LONG = "违" * 50_000


def test_the_form_states_the_limits(client, users):
    client.force_login(users["caseworker_a"])
    page = client.get(reverse("admin:registry_creditrecord_add"), **ZH).content.decode()
    assert f"最多 {SUMMARY_MAX} 个字符" in page
    assert f"最多 {LEGAL_BASIS_MAX} 个字符" in page
    # No maxlength in the page: a browser would cut a pasted text short without a word.
    assert 'maxlength="2000"' not in page


def test_a_50000_character_summary_is_refused_not_cut(client, users, tree, make_person, catalog_item):
    person = make_person(tree["A"])
    client.force_login(users["caseworker_a"])
    response = client.post(
        reverse("admin:registry_creditrecord_add"),
        record_form(
            {"person": person.pk, "department": tree["A"].pk, "catalog_item": catalog_item.pk, "decision_no": "长-1"},
            summary=LONG,
            legal_basis="法" * (LEGAL_BASIS_MAX + 1),
            change_reason="录入",
        ),
        **ZH,
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "summary" in errors and "2000" in errors["summary"][0] and "50000" in errors["summary"][0]
    assert "legal_basis" in errors
    assert not CreditRecord.objects.filter(decision_no="长-1").exists()


def test_model_validation_refuses_long_text(tree, make_person, make_record, catalog_item):
    record = make_record(make_person(tree["A"]), tree["A"])
    record.summary = "x" * (SUMMARY_MAX + 1)
    with pytest.raises(ValidationError) as raised:
        record.full_clean()
    assert "summary" in raised.value.message_dict
    record.summary = "x" * SUMMARY_MAX
    record.full_clean()
    catalog_item.legal_basis = "x" * (LEGAL_BASIS_MAX + 1)
    with pytest.raises(ValidationError) as raised:
        catalog_item.full_clean()
    assert "legal_basis" in raised.value.message_dict


def test_catalogue_form_states_the_limit(client, users, catalog_item):
    client.force_login(users["administrator"])
    page = client.get(reverse("admin:registry_catalogitem_change", args=[catalog_item.pk]), **ZH).content.decode()
    assert f"最多 {LEGAL_BASIS_MAX} 个字符" in page
    assert CatalogItem.objects.count() == 1


def test_the_import_gives_a_row_error_for_long_text(tree, users, catalog_item):
    from django.utils import translation

    rows = rows_for(3)
    rows[1][6] = LONG
    header = ["姓名", "身份证号", "信息项编码", "决定文书号", "决定日期", "严重程度", "事实摘要", "法律依据"]
    rows = [row + ["依据"] for row in rows]
    rows[2][7] = "法" * (LEGAL_BASIS_MAX + 1)
    with translation.override("en"):
        result = import_records(
            io.BytesIO(csv_bytes(header, rows)),
            file_name="long.csv",
            department=tree["A"],
            acting_user=users["caseworker_a"],
        )
    assert not result.ok
    found = {(error.row, error.column): error.message for error in result.errors}
    assert set(found) == {(3, "事实摘要"), (4, "法律依据")}
    assert "At most 2000 characters; this text has 50000." in found[(3, "事实摘要")]
    assert CreditRecord.objects.count() == 0

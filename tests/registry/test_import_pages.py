"""What a caseworker meets around the import (issue 9): every error of a row in
one pass, UTF-16 files (Excel's "Unicode text"), a plain message for a file in
no readable encoding, no rerun of a file that failed its check, the template
(CSV and XLSX) and, after an import, the records it wrote.

Not marked ``postgres``: the PostgreSQL pass runs these on the COPY stage, the
SQLite pass on the portable one (the cross-row checks differ between them)."""

from __future__ import annotations

import codecs
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.importing import import_records, reading
from registry.importing.types import RowError
from registry.models import CreditRecord, ImportJob
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = pytest.mark.django_db

UPLOAD = "admin:registry_creditrecord_import"
ENCODINGS_NAMED = "UTF-8, GB18030/GBK or UTF-16"


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def run(data: bytes, tree, user, *, name="records.csv", **kwargs):
    return import_records(io.BytesIO(data), file_name=name, department=tree["A"], acting_user=user, **kwargs)


def upload(client, tree, data, name="records.csv"):
    return client.post(
        reverse(UPLOAD),
        {"department": tree["A"].pk, "encoding": "auto", "file": SimpleUploadedFile(name, data, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def tab_separated_utf16(header, rows, *, bom=True, endian="le") -> bytes:
    """What Excel's "Save as: Unicode text" writes: UTF-16 with a BOM, tabs, CRLF."""
    text = "\r\n".join("\t".join(cells) for cells in [header, *rows]) + "\r\n"
    data = text.encode(f"utf-16-{endian}")
    if bom:
        data = (codecs.BOM_UTF16_LE if endian == "le" else codecs.BOM_UTF16_BE) + data
    return data


# --- Every error of a row, in one pass -----------------------------------------------------------


def test_every_independent_error_of_a_row_is_reported_in_one_pass(tree, users, catalog_item):
    header = CHINESE_HEADER + ["公示开始日期", "公示截止日期"]
    rows = rows_for(3)
    for row in rows:
        row += ["", ""]
    # Row 2: no name, a mistyped ID number, and a display period of 22 days for a general record.
    rows[0][0] = ""
    rows[0][1] = rows[0][1][:-1] + ("0" if rows[0][1][-1] != "0" else "1")
    rows[0][5], rows[0][4], rows[0][7], rows[0][8] = "一般", "2026-01-10", "2026-01-10", "2026-02-01"
    # Row 3: an unknown severity and an impossible display end: the period check needs
    # both, so it is not made (no second message about the same dates).
    rows[1][5], rows[1][8] = "很严重", "2026-02-30"
    # Row 4: the same decision number as row 2 and an unknown catalogue code.
    rows[2][3], rows[2][2] = rows[0][3], "NO-SUCH"
    result = run(csv_bytes(header, rows), tree, users["caseworker_a"])
    found = sorted((error.row, error.column) for error in result.errors)
    assert found == [
        (2, "公示截止日期"),
        (2, "姓名"),
        (2, "身份证号"),
        (3, "严重程度"),
        (3, "公示截止日期"),
        (4, "信息项编码"),
        (4, "决定文书号"),
    ]
    messages = {(error.row, error.column): error.message for error in result.errors}
    assert "between 90 and 365" in messages[(2, "公示截止日期")]
    assert "Not a valid date" in messages[(3, "公示截止日期")]
    assert "row 2" in messages[(4, "决定文书号")]
    assert CreditRecord.objects.count() == 0


# --- Encodings -------------------------------------------------------------------------------------


def test_excels_unicode_text_imports_like_the_utf8_csv(tree, users, catalog_item):
    rows = rows_for(4)
    result = run(tab_separated_utf16(CHINESE_HEADER, rows), tree, users["caseworker_a"], name="records.txt")
    assert result.ok, [str(error) for error in result.errors]
    assert result.created == 4
    written = sorted(CreditRecord.objects.values_list("decision_no", "person__name", "summary"))
    assert written == sorted((row[3], row[0], row[6]) for row in rows)
    # The same rows as a UTF-8 CSV: nothing to change.
    again = run(csv_bytes(CHINESE_HEADER, rows, bom=True), tree, users["caseworker_a"])
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.parametrize(
    "make",
    [
        lambda header, rows: tab_separated_utf16(header, rows, endian="be"),
        lambda header, rows: tab_separated_utf16(header, rows, bom=False),
        lambda header, rows: codecs.BOM_UTF16_LE + csv_bytes(header, rows, encoding="utf-16-le", newline="\r\n"),
    ],
    ids=["big-endian", "no-bom", "comma-separated"],
)
def test_other_utf16_files_are_read(tree, users, catalog_item, make):
    result = run(make(CHINESE_HEADER, rows_for(2)), tree, users["caseworker_a"])
    assert result.ok, [str(error) for error in result.errors]
    assert result.created == 2


def test_a_utf16_file_is_read_even_with_another_encoding_chosen(tree, users, catalog_item):
    data = tab_separated_utf16(CHINESE_HEADER, rows_for(2))
    result = run(data, tree, users["caseworker_a"], encoding="gb18030")
    assert result.ok and result.created == 2


def test_a_file_in_no_readable_encoding_names_the_encodings_and_no_row(client, tree, users, catalog_item):
    garbage = b"\x81\xff\xfe\x80" * 200
    result = run(garbage, tree, users["caseworker_a"])
    assert not result.ok and len(result.errors) == 1
    message = str(result.errors[0])
    assert ENCODINGS_NAMED in message and "CSV UTF-8" in message
    assert not message.startswith("Row") and "row 0" not in message.lower()
    # The page: no row number in the row column, the encodings in the problem.
    client.force_login(users["caseworker_a"])
    page = client.get(upload(client, tree, garbage)["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ENCODINGS_NAMED in page and "<tr><td></td>" in page and "<tr><td>0</td>" not in page
    job = ImportJob.objects.get()
    report = client.get(reverse("admin:registry_creditrecord_import_errors", args=[job.pk])).content.decode("utf-8-sig")
    assert report.splitlines()[1].startswith(",")  # the row cell of the report is empty


def test_a_row_in_another_encoding_is_named(tree, users, catalog_item):
    rows = rows_for(30)
    data = (
        csv_bytes(CHINESE_HEADER, rows[:20])
        + csv_bytes(CHINESE_HEADER, rows[20:], encoding="gb18030").split(b"\n", 1)[1]
    )
    result = run(data, tree, users["caseworker_a"], encoding="utf-8")
    assert not result.ok
    assert "Row 22 is not UTF-8 text" in result.errors[0].message
    assert CreditRecord.objects.count() == 0


def test_an_old_xls_workbook_is_refused_with_what_to_do(tree, users, catalog_item):
    data = reading.XLS_MAGIC + b"\x00" * 600
    result = run(data, tree, users["caseworker_a"], name="records.csv")
    assert not result.ok and ".xls" in result.errors[0].message and ".xlsx" in result.errors[0].message


def test_a_file_problem_prints_without_a_row():
    assert str(RowError(0, "", "", "The file is empty.")) == "The file is empty."
    assert str(RowError(3, "姓名", "", "Enter the name.")) == "Row 3, 姓名: Enter the name."


# --- A file that failed its check ---------------------------------------------------------------


def test_a_file_that_failed_its_check_asks_for_a_corrected_file_not_a_rerun(client, tree, users, catalog_item):
    client.force_login(users["supervisor"])  # several departments to choose from
    rows = rows_for(2)
    rows[1][2] = "NO-SUCH"
    location = upload(client, tree, csv_bytes(CHINESE_HEADER, rows))["Location"]
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    page = client.get(location, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Run the import again" not in page and 'name="action" value="rerun"' not in page
    corrected = reverse(UPLOAD) + f"?department={tree['A'].pk}"
    assert "Upload a corrected file" in page and f'href="{corrected}"' in page
    # The upload page it leads to has the department chosen.
    form = client.get(corrected, HTTP_ACCEPT_LANGUAGE="en").context["form"]
    assert form["department"].value() == tree["A"].pk
    # Posting a rerun anyway runs nothing.
    before = job.history.count()
    response = client.post(location, {"action": "rerun"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID and job.history.count() == before


# --- The template --------------------------------------------------------------------------------


def test_the_import_page_offers_the_templates_made_from_the_columns(client, tree, users, catalog_item):
    client.force_login(users["caseworker_a"])
    page = client.get(reverse(UPLOAD), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    csv_url = reverse("admin:registry_creditrecord_import_template_csv")
    xlsx_url = reverse("admin:registry_creditrecord_import_template_xlsx")
    assert f'href="{csv_url}"' in page and f'href="{xlsx_url}"' in page
    assert "Keep the column formatted as text" in page  # each column's content is explained

    response = client.get(csv_url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8").splitlines() == [",".join(column.chinese for column in reading.COLUMNS)]
    # Unchanged, it imports (nothing); filled in, it imports the rows.
    assert run(data, tree, users["caseworker_a"]).ok
    row = dict(zip(CHINESE_HEADER, rows_for(1)[0]))
    filled = data + (",".join(row.get(column.chinese, "") for column in reading.COLUMNS) + "\r\n").encode()
    assert run(filled, tree, users["caseworker_a"]).created == 1


def test_the_xlsx_template_keeps_id_numbers_as_text_and_imports_filled_in(client, tree, users, catalog_item):
    from openpyxl import load_workbook

    client.force_login(users["caseworker_a"])
    response = client.get(reverse("admin:registry_creditrecord_import_template_xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = response.content
    assert run(data, tree, users["caseworker_a"], name="template.xlsx").ok  # unchanged: no errors

    book = load_workbook(io.BytesIO(data))
    sheet, guide = book.worksheets
    header = [cell.value for cell in sheet[1]]
    assert header == [column.chinese for column in reading.COLUMNS]
    assert all(sheet.column_dimensions[letter].number_format == "@" for letter in "ABCDEFGHIJ")
    explained = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert explained["严重程度"][4] == "一般" and explained["身份证号"][2] == "yes"
    # Filled in below the header (as text, as the column's format makes Excel do).
    values = dict(zip(CHINESE_HEADER, rows_for(2)[1]))
    sheet.append([values.get(name, "") for name in header])
    out = io.BytesIO()
    book.save(out)
    result = run(out.getvalue(), tree, users["caseworker_a"], name="filled.xlsx")
    assert result.ok and result.created == 1


def test_the_template_is_for_those_who_may_import(client, tree, users):
    client.force_login(users["reviewer_a"])
    assert client.get(reverse("admin:registry_creditrecord_import_template_csv")).status_code == 403
    assert client.get(reverse("admin:registry_creditrecord_import_template_xlsx")).status_code == 403


# --- The records an import wrote -----------------------------------------------------------------


def confirm(client, tree, data, name):
    location = upload(client, tree, data, name=name)["Location"]
    client.post(location, {"action": "confirm"}, HTTP_ACCEPT_LANGUAGE="en")
    return location, ImportJob.objects.get(file_name=name)


def listed(client, url) -> set[str]:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {record.decision_no for record in response.context["cl"].result_list}


def test_a_finished_import_links_to_the_records_it_created_or_changed(client, tree, users, catalog_item, make_person,
                                                                      make_record):  # fmt: skip
    client.force_login(users["caseworker_a"])
    other = make_record(make_person(tree["A"]), tree["A"], decision_no="OTHER-1")  # not from an import
    rows = rows_for(3)
    first_page, first = confirm(client, tree, csv_bytes(CHINESE_HEADER, rows), "first.csv")
    assert first.state == ImportJob.State.DONE
    # The second file changes one record, leaves one alone and adds one.
    rows[0][6] = "更正后的事实摘要"
    second_rows = [rows[0], rows[1], *rows_for(1, start=50)]
    second_page, second = confirm(client, tree, csv_bytes(CHINESE_HEADER, second_rows), "second.csv")
    assert (second.created_count, second.updated_count, second.unchanged_count) == (1, 1, 1)

    page = client.get(second_page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    link = f"{reverse('admin:registry_creditrecord_changelist')}?import_job={second.pk}"
    assert f'href="{link}"' in page and "Show the records this import created or changed" in page
    job_page = client.get(reverse("admin:registry_importjob_change", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert f'href="{link}"' in job_page.content.decode()  # the job's own page links there too
    assert listed(client, link) == {rows[0][3], second_rows[2][3]}
    assert listed(client, f"{reverse('admin:registry_creditrecord_changelist')}?import_job={first.pk}") == {
        row[3] for row in rows
    }
    assert other.decision_no not in listed(client, link)
    # A record someone else changed while the import ran is not the import's.
    history = other.history.latest("history_date")
    type(history).objects.filter(pk=history.pk).update(history_date=second.started_at, history_type="~")
    assert other.decision_no not in listed(client, link)
    # Someone who may not see the job sees none of it, not the whole list.
    client.force_login(users["caseworker_b"])
    assert listed(client, link) == set()


def test_a_check_that_is_not_imported_links_to_no_records(client, tree, users, catalog_item):
    client.force_login(users["caseworker_a"])
    location = upload(client, tree, csv_bytes(CHINESE_HEADER, rows_for(2)))["Location"]
    page = client.get(location, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "import_job=" not in page
    job = ImportJob.objects.get()
    assert listed(client, f"{reverse('admin:registry_creditrecord_changelist')}?import_job={job.pk}") == set()

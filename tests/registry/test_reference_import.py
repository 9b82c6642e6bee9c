"""Reference data in a spreadsheet: departments, catalogue items and the holiday
schedule imported (preview, then confirm) and exported through the admin,
every change through the service functions, with history and the import's reason."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from import_export.tmp_storages import TempFolderStorage

from registry import services
from registry.models import CalendarDay, CatalogItem, Department

REASON = "按省政府办公厅通知更新参考数据"
CSV = "0"  # the first of the offered formats (CSV, XLSX)


def rows_to_csv(header, *rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def preview(client, model_name, text, reason=REASON):
    upload = SimpleUploadedFile("data.csv", text.encode("utf-8-sig"), content_type="text/csv")
    return client.post(
        reverse(f"admin:registry_{model_name}_import"),
        {"resource": "0", "format": CSV, "import_file": upload, "change_reason": reason},
    )


def confirm(client, model_name, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse(f"admin:registry_{model_name}_process_import"), data)


def confirm_file(client, model_name, text, reason=REASON):
    """The confirm step for a file stored as the preview stores it (as if the data
    had changed since the preview)."""
    storage = TempFolderStorage(encoding="utf-8-sig", read_mode="r")
    storage.save(text.encode("utf-8-sig"))
    data = {
        "import_file_name": storage.name,
        "original_file_name": "data.csv",
        "format": CSV,
        "resource": "0",
        "change_reason": reason,
    }
    return client.post(reverse(f"admin:registry_{model_name}_process_import"), data)


def history_count() -> int:
    return sum(model.history.count() for model in (Department, CatalogItem, CalendarDay))


def row_errors(response) -> list[tuple[int, str, str]]:
    """(row number, field, message) of every invalid row of a preview."""
    errors = []
    for row in response.context["result"].invalid_rows:
        for field, messages in row.field_specific_errors.items():
            errors.extend((row.number, field, str(message)) for message in messages)
    return errors


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["administrator"])
    return client


# --- departments -----------------------------------------------------------------------


@pytest.mark.django_db
def test_departments_preview_then_confirm(admin_client, users, tree):
    header = ["code", "name", "level", "parent", "is_active"]
    text = rows_to_csv(
        header,
        ["YN-KM-GAJ", "昆明市公安局", "department", "YN-KM", "1"],  # new, parent by code
        ["YN-KM-JTJ", "昆明市交通运输局（更名）", "department", "YN-KM", "1"],  # renamed
        ["YN-KM-SCJ", "昆明市市场监督管理局", "department", "YN-KM", "1"],  # unchanged
    )
    before = history_count()

    response = preview(admin_client, "department", text)
    assert response.status_code == 200
    assert "confirm_form" in response.context
    totals = response.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (1, 1, 1)
    # The preview writes nothing.
    assert not Department.objects.filter(code="YN-KM-GAJ").exists()
    assert Department.objects.get(code="YN-KM-JTJ").name == "昆明市交通运输局"
    assert history_count() == before

    response = confirm(admin_client, "department", response)
    assert response.status_code == 302
    new = Department.objects.get(code="YN-KM-GAJ")
    assert new.parent == tree["KM"] and new.path.startswith(tree["KM"].path)  # the service keeps the path
    row = new.history.get()
    assert (row.history_user, row.history_change_reason) == (users["administrator"], REASON)
    renamed = Department.objects.get(code="YN-KM-JTJ")
    assert renamed.name == "昆明市交通运输局（更名）"
    assert renamed.history.first().history_change_reason == REASON
    # Unchanged rows write nothing: one row for the new department, one for the renamed.
    assert history_count() == before + 2


@pytest.mark.django_db
def test_department_export_lists_parents_by_code_and_keeps_the_scope(client, users, tree):
    client.force_login(users["supervisor"])  # Kunming: KM, A, B
    data = {"resource": "0", "format": CSV}
    data.update({f"departmentresource_{name}": "on" for name in ("code", "name", "level", "parent", "is_active")})
    response = client.post(reverse("admin:registry_department_export"), data)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["code"]: row["parent"] for row in rows} == {
        "YN-KM": "YN",
        "YN-KM-SCJ": "YN-KM",
        "YN-KM-JTJ": "YN-KM",
    }


# --- catalogue -------------------------------------------------------------------------

CATALOG_HEADER = [
    "code",
    "name",
    "category",
    "sharing_level",
    "legal_basis",
    "minor_min_days",
    "minor_max_days",
    "recording_departments",
]


@pytest.mark.django_db
def test_catalogue_preview_then_confirm(admin_client, users, tree, catalog_item):
    text = rows_to_csv(
        CATALOG_HEADER,
        ["XZXK-009", "行政许可信息", "licensing", "public", "《行政许可法》", "0", "30", "YN-KM-SCJ, YN-KM-JTJ"],
        ["XZCF-001", "行政处罚信息（修订）", "penalty", "public", "《中华人民共和国行政处罚法》", "0", "90", ""],
    )
    before = history_count()
    response = preview(admin_client, "catalogitem", text)
    assert "confirm_form" in response.context, row_errors(response)
    assert not CatalogItem.objects.filter(code="XZXK-009").exists()
    assert history_count() == before

    assert confirm(admin_client, "catalogitem", response).status_code == 302
    item = CatalogItem.objects.get(code="XZXK-009")
    assert {d.code for d in item.recording_departments.all()} == {"YN-KM-SCJ", "YN-KM-JTJ"}
    latest = item.history.first()
    assert (latest.history_user, latest.history_change_reason) == (users["administrator"], REASON)
    assert {row.department.code for row in latest.recording_departments.all()} == {"YN-KM-SCJ", "YN-KM-JTJ"}
    catalog_item.refresh_from_db()
    assert catalog_item.name == "行政处罚信息（修订）"
    assert catalog_item.history.first().history_change_reason == REASON


@pytest.mark.django_db
def test_catalogue_export_lists_recording_departments_by_code(admin_client, users, tree, catalog_item):
    with transaction.atomic():
        services.save_catalog_item(
            catalog_item, acting_user=users["operator"], reason="test", recording_departments=[tree["A"], tree["B"]]
        )
    response = admin_client.post(
        reverse("admin:registry_catalogitem_export"),
        {
            "resource": "0",
            "format": CSV,
            "catalogitemresource_code": "on",
            "catalogitemresource_recording_departments": "on",
        },
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [{"code": "XZCF-001", "recording_departments": "YN-KM-JTJ,YN-KM-SCJ"}]


# --- holiday schedule ------------------------------------------------------------------


@pytest.mark.django_db
def test_holiday_schedule_preview_then_confirm(admin_client, users):
    from registry.workdays import is_working_day

    notice = "国办发明电〔2026〕12号"
    text = rows_to_csv(
        ["date", "kind", "name", "notice"],
        ["2027-02-05", "holiday", "春节", notice],  # a Friday
        ["2027-02-06", "working_day", "春节", notice],  # a Saturday
    )
    response = preview(admin_client, "calendarday", text)
    assert "confirm_form" in response.context, row_errors(response)
    assert not CalendarDay.objects.exists()

    assert confirm(admin_client, "calendarday", response).status_code == 302
    assert not is_working_day(datetime.date(2027, 2, 5))
    assert is_working_day(datetime.date(2027, 2, 6))
    for day in CalendarDay.objects.all():
        row = day.history.get()
        assert (row.history_user, row.history_change_reason) == (users["administrator"], REASON)

    # The same file again changes nothing and writes no history.
    response = preview(admin_client, "calendarday", text)
    assert response.context["result"].totals["skip"] == 2
    confirm(admin_client, "calendarday", response)
    assert sum(day.history.count() for day in CalendarDay.objects.all()) == 2


# --- errors: row and field shown, nothing written ------------------------------------------


@pytest.mark.django_db
def test_unknown_parent_code_is_a_row_error_and_nothing_is_written(admin_client, tree):
    text = rows_to_csv(
        ["code", "name", "level", "parent"],
        ["YN-KM-GAJ", "昆明市公安局", "department", "YN-KM"],
        ["YN-XX-GAJ", "某市公安局", "department", "YN-XX"],
    )
    before = history_count()
    response = preview(admin_client, "department", text)
    assert "confirm_form" not in response.context
    [(number, field, message)] = row_errors(response)
    assert (number, field) == (2, "parent") and "YN-XX" in message
    assert "YN-XX" in response.content.decode()
    # Confirmed anyway (the data changed since the preview): all or nothing.
    response = confirm_file(admin_client, "department", text)
    assert response.status_code == 302 and response["Location"].endswith("/import/")
    assert not Department.objects.filter(code="YN-KM-GAJ").exists()
    assert history_count() == before


@pytest.mark.django_db
def test_invalid_display_bounds_are_a_row_error_and_nothing_is_written(admin_client, tree, catalog_item):
    text = rows_to_csv(
        CATALOG_HEADER,
        ["XZXK-009", "行政许可信息", "licensing", "public", "《行政许可法》", "0", "30", ""],
        ["XZXK-010", "行政确认信息", "licensing", "public", "《行政许可法》", "60", "30", ""],
    )
    response = preview(admin_client, "catalogitem", text)
    assert [(n, f) for n, f, _m in row_errors(response)] == [(2, "minor_max_days")]
    response = confirm_file(admin_client, "catalogitem", text)
    assert not CatalogItem.objects.filter(code__in=["XZXK-009", "XZXK-010"]).exists()


@pytest.mark.django_db
def test_a_date_twice_is_a_row_error_and_nothing_is_written(admin_client):
    text = rows_to_csv(
        ["date", "kind", "name", "notice"],
        ["2027-02-05", "holiday", "春节", "国办发明电〔2026〕12号"],
        ["2027-02-05", "holiday", "元宵节", "国办发明电〔2026〕12号"],
    )
    response = preview(admin_client, "calendarday", text)
    [(number, field, message)] = row_errors(response)
    assert (number, field) == (2, "date") and "1" in message
    confirm_file(admin_client, "calendarday", text)
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_the_import_asks_for_a_reason(admin_client):
    text = rows_to_csv(["date", "kind", "name", "notice"], ["2027-02-05", "holiday", "春节", "国办发明电〔2026〕12号"])
    response = preview(admin_client, "calendarday", text, reason="")
    assert "change_reason" in response.context["form"].errors
    assert "result" not in response.context


# --- who may import ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", ["department", "catalogitem", "calendarday"])
def test_a_caseworker_cannot_import_but_may_export(client, users, model_name):
    client.force_login(users["caseworker_a"])
    assert client.get(reverse(f"admin:registry_{model_name}_import")).status_code == 403
    text = rows_to_csv(["code"], ["X"])
    assert preview(client, model_name, text).status_code == 403
    assert client.get(reverse(f"admin:registry_{model_name}_export")).status_code == 200
    changelist = client.get(reverse(f"admin:registry_{model_name}_changelist")).content.decode()
    assert reverse(f"admin:registry_{model_name}_import") not in changelist

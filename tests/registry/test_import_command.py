"""``manage.py import_records``: who acts, what it prints, its exit codes."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.models import CreditRecord, ImportJob
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    return settings.MEDIA_ROOT


def write(tmp_path, rows, name="records.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(CHINESE_HEADER, rows, bom=True))
    return path


def command(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_records", *map(str, args), "--no-progress", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_without_user_the_operator_imports_as_the_system_user(tree, catalog_item, tmp_path, media,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    path = write(tmp_path, rows_for(3))
    with django_capture_on_commit_callbacks(execute=True):
        code, out, _err = command(path, "--department", "YN-KM-SCJ")
    assert code == 0, _err
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 errors" in out
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE and job.operator_action
    assert job.created_by.username == django_settings.SYSTEM_USERNAME
    assert not job.file and len(job.sha256) == 64  # imported: the stored copy is deleted, its digest kept
    assert not any(p.is_file() for p in media.rglob("*")), list(media.rglob("*"))
    assert {h.history_change_reason for h in CreditRecord.history.all()} == {f"import records.csv (job {job.pk})"}
    assert {h.history_user.username for h in CreditRecord.history.all()} == {django_settings.SYSTEM_USERNAME}
    # Again: nothing changes.
    code, out, _err = command(path, "--department", "YN-KM-SCJ")
    assert code == 0 and "0 created, 0 updated, 3 unchanged" in out
    assert CreditRecord.history.count() == 3


def test_errors_exit_1_and_write_nothing(tree, catalog_item, tmp_path):
    rows = rows_for(3)
    rows[0][1] = "12345"
    rows[2][4] = "yesterday"
    path = write(tmp_path, rows)
    report = tmp_path / "errors.csv"
    code, _out, err = command(path, "--department", "YN-KM-SCJ", "--errors-csv", report)
    assert code == 1
    assert "Row 2, 身份证号 (1***5)" in err and "Row 4, 决定日期 (yesterday)" in err
    assert "2 errors" in err and "Nothing was written" in err
    assert CreditRecord.objects.count() == 0
    assert ImportJob.objects.get().state == ImportJob.State.INVALID
    text = report.read_bytes().decode("utf-8-sig")
    assert "1***5" in text and "12345" not in text


def test_dry_run_writes_nothing_and_creates_no_job(tree, catalog_item, tmp_path, users):
    path = write(tmp_path, rows_for(2))
    code, out, _err = command(path, "--department", "YN-KM-SCJ", "--user", "caseworker_a", "--dry-run")
    assert code == 0 and "2 would be created" in out
    assert CreditRecord.objects.count() == 0 and ImportJob.objects.count() == 0


def test_a_user_without_the_department_is_refused_with_exit_3(tree, catalog_item, tmp_path, users):
    path = write(tmp_path, rows_for(1))
    code, _out, err = command(path, "--department", "YN-KM-SCJ", "--user", "caseworker_b")
    assert code == 3 and "may not import" in err
    assert CreditRecord.objects.count() == 0 and ImportJob.objects.count() == 0
    code, _out, _err = command(path, "--department", "YN-KM-SCJ", "--user", "caseworker_a")
    assert code == 0
    assert {h.history_user.username for h in CreditRecord.history.all()} == {"caseworker_a"}


def test_usage_problems_exit_2(tree, catalog_item, tmp_path, users):
    path = write(tmp_path, rows_for(1))
    assert command(path, "--department", "NOPE")[0] == 2
    assert command(path, "--department", "YN-KM-SCJ", "--user", "nobody")[0] == 2
    assert command(tmp_path / "missing.csv", "--department", "YN-KM-SCJ")[0] == 2

"""load_demo shows a finished import job, and stays idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from registry.models import CreditRecord, ImportJob

pytestmark = pytest.mark.django_db


def test_load_demo_has_a_finished_import_job_and_reruns_write_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", persons=20, records=40, stdout=StringIO())
    job = ImportJob.objects.get(state=ImportJob.State.DONE)
    assert job.created_by.username == "caseworker"
    assert job.unchanged_count == job.rows_total > 0 and job.error_count == 0
    # A checked file with errors, several in its first row, waiting for a corrected file.
    invalid = ImportJob.objects.get(state=ImportJob.State.INVALID)
    assert sorted(error["column"] for error in invalid.errors if error["row"] == 2) == [
        "公示截止日期",
        "姓名",
        "身份证号",
    ]
    assert invalid.error_count == 6
    counts = (ImportJob.history.count(), CreditRecord.history.count(), CreditRecord.objects.count())
    call_command("load_demo", persons=20, records=40, stdout=StringIO())
    assert (ImportJob.history.count(), CreditRecord.history.count(), CreditRecord.objects.count()) == counts

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
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE and job.created_by.username == "caseworker"
    assert job.unchanged_count == job.rows_total > 0 and job.error_count == 0
    counts = (ImportJob.history.count(), CreditRecord.history.count(), CreditRecord.objects.count())
    call_command("load_demo", persons=20, records=40, stdout=StringIO())
    assert (ImportJob.history.count(), CreditRecord.history.count(), CreditRecord.objects.count()) == counts

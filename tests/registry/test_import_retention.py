"""Uploaded import files hold ID numbers in clear: deleted once imported, and
otherwise after IMPORT_FILE_RETENTION_DAYS without activity."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from registry.importing import jobs
from registry.models import CreditRecord, ImportJob
from registry.tasks import purge_import_files
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 1 << 30
    settings.LANGUAGE_CODE = "en"


def upload(tree, user, rows) -> ImportJob:
    return jobs.create_job(ContentFile(csv_bytes(CHINESE_HEADER, rows), name="records.csv"),
                           department=tree["A"], acting_user=user)  # fmt: skip


def test_the_file_is_deleted_once_imported(tree, users, catalog_item, django_capture_on_commit_callbacks):
    caseworker = users["caseworker_a"]
    job = upload(tree, caseworker, rows_for(3))
    stored = job.file.name
    assert default_storage.exists(stored)
    jobs.run_job(job.pk, mode=jobs.CHECK, acting_user=caseworker)
    assert default_storage.exists(stored)  # the preview keeps it for the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.run_job(job.pk, mode=jobs.IMPORT, acting_user=caseworker)
    assert job.state == ImportJob.State.DONE and CreditRecord.objects.count() == 3
    assert not default_storage.exists(stored)
    job.refresh_from_db()
    assert not job.file and job.file_name == "records.csv" and len(job.sha256) == 64  # what it was stays known


def test_an_idle_file_is_deleted_after_the_retention_period(tree, users, catalog_item, settings,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    caseworker = users["caseworker_a"]
    rows = rows_for(2)
    rows[1][2] = "NO-SUCH"
    invalid = upload(tree, caseworker, rows)
    jobs.run_job(invalid.pk, mode=jobs.CHECK, acting_user=caseworker)
    waiting = upload(tree, caseworker, rows_for(2, start=10))
    jobs.run_job(waiting.pk, mode=jobs.CHECK, acting_user=caseworker)
    recent = upload(tree, caseworker, rows_for(2, start=20))
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    ImportJob.objects.filter(pk__in=[invalid.pk, waiting.pk]).update(updated_at=eight_days_ago)
    stored = {job.pk: ImportJob.objects.get(pk=job.pk).file.name for job in (invalid, waiting, recent)}

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_import_files.delay().get() == 2  # the beat task, eager here
    assert not default_storage.exists(stored[invalid.pk]) and not default_storage.exists(stored[waiting.pk])
    assert default_storage.exists(stored[recent.pk])
    waiting.refresh_from_db()
    assert waiting.state == ImportJob.State.VALIDATED and not waiting.file
    assert "Upload it again" in waiting.message
    latest = waiting.history.latest("history_date")
    assert latest.history_user.username == settings.SYSTEM_USERNAME and "7 days" in latest.history_change_reason
    # Nothing can run without the file: neither the confirmation nor a rerun.
    assert jobs.run_job(waiting.pk, mode=jobs.IMPORT, acting_user=caseworker) is None
    assert jobs.run_job(invalid.pk, mode=jobs.CHECK, acting_user=caseworker) is None
    assert CreditRecord.objects.count() == 0
    # Running it again (the command does what the beat does) finds nothing more to delete.
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    assert "Deleted the files of 0 import jobs" in out.getvalue()


def test_a_job_imported_before_files_were_deleted_keeps_its_message(tree, users, catalog_item, settings):
    caseworker = users["caseworker_a"]
    job = upload(tree, caseworker, rows_for(2))
    jobs.run_job(job.pk, mode=jobs.IMPORT, acting_user=caseworker)
    stored = "imports/old-copy.csv"
    default_storage.save(stored, ContentFile(b"x"))
    ImportJob.objects.filter(pk=job.pk).update(file=stored, message="",
                                               updated_at=timezone.now() - datetime.timedelta(days=30))  # fmt: skip
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    job.refresh_from_db()
    assert "Deleted the files of 1 import jobs" in out.getvalue()
    assert not job.file and job.state == ImportJob.State.DONE and job.message == ""


def test_the_admin_offers_no_confirmation_once_the_file_is_gone(client, tree, users, catalog_item):
    caseworker = users["caseworker_a"]
    job = upload(tree, caseworker, rows_for(2))
    jobs.run_job(job.pk, mode=jobs.CHECK, acting_user=caseworker)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    client.force_login(caseworker)
    page_url = reverse("admin:registry_creditrecord_import_job", args=[job.pk])
    assert "Confirm the import" in client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    jobs.purge_files()
    content = client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirm the import" not in content and "Upload it again" in content
    client.post(page_url, {"action": "confirm"})
    assert CreditRecord.objects.count() == 0

"""The admin import flow: upload -> preview (dry run) -> confirm, through the test client."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import CreditRecord, ImportJob
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = pytest.mark.django_db

UPLOAD = "admin:registry_creditrecord_import"


@pytest.fixture(autouse=True)
def storage(settings):
    # Django's storage, in memory: nothing of a web process's local disk is used.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.LANGUAGE_CODE = "en"


def upload(client, tree, data, name="records.csv", dept="A"):
    return client.post(
        reverse(UPLOAD),
        {"department": tree[dept].pk, "encoding": "auto", "file": SimpleUploadedFile(name, data, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_upload_preview_confirm(client, users, tree, catalog_item):
    client.force_login(users["caseworker_a"])
    changelist = client.get(reverse("admin:registry_creditrecord_changelist"))
    assert reverse(UPLOAD).encode() in changelist.content  # the button
    rows = rows_for(3)
    response = upload(client, tree, csv_bytes(CHINESE_HEADER, rows, bom=True))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:registry_creditrecord_import_job", args=[job.pk]
    )
    # Preview: a dry run; nothing is written yet.
    assert job.state == ImportJob.State.VALIDATED and job.created_count == 3
    assert CreditRecord.objects.count() == 0
    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b"Confirm the import" in preview.content
    # Confirm: imported, as the user, with the job in the reason.
    confirmed = client.post(response["Location"], {"action": "confirm"}, HTTP_ACCEPT_LANGUAGE="en")
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.created_count == 3
    assert CreditRecord.objects.count() == 3
    assert {(h.history_user.username, h.history_change_reason) for h in CreditRecord.history.all()} == {
        ("caseworker_a", f"import records.csv (job {job.pk})")
    }
    # Confirming twice does not import twice.
    client.post(response["Location"], {"action": "confirm"})
    assert CreditRecord.history.count() == 3
    # The job's admin page shows it.
    page = client.get(reverse("admin:registry_importjob_change", args=[job.pk]))
    assert page.status_code == 200 and b"100%" in page.content


def test_preview_lists_every_row_error_and_offers_the_csv(client, users, tree, catalog_item):
    client.force_login(users["caseworker_a"])
    rows = rows_for(4)
    rows[0][1] = rows[0][1][:17] + ("1" if rows[0][1][17] != "1" else "2")
    rows[3][2] = "NOPE"
    # Someone named the file after the person it is about.
    response = upload(client, tree, csv_bytes(CHINESE_HEADER, rows), name=f"更正-{rows[1][1]}.csv")
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID and job.error_count == 2
    assert job.file_name == f"更正-{rows[1][1][:6]}********{rows[1][1][-4:]}.csv"
    assert not any(rows[1][1] in (h.history_change_reason or "") for h in job.history.all())
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert "Confirm the import" not in content
    assert "2 problems" in content and rows[0][1] not in content and rows[0][1][:6] + "********" in content
    assert rows[1][1] not in content
    report = client.get(reverse("admin:registry_creditrecord_import_errors", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    text = report.content.decode("utf-8-sig")
    assert "身份证号" in text and "NOPE" in text and rows[0][1] not in text
    assert client.get(reverse("admin:registry_importjob_errors", args=[job.pk])).status_code == 200
    # Confirming an invalid job imports nothing.
    client.post(response["Location"], {"action": "confirm"})
    assert CreditRecord.objects.count() == 0


def test_upload_size_limit(client, users, tree, catalog_item, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(users["caseworker_a"])
    response = upload(client, tree, csv_bytes(CHINESE_HEADER, rows_for(5)))
    assert response.status_code == 200
    assert "files up to 100" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_only_departments_the_user_may_change(client, users, tree, catalog_item):
    client.force_login(users["caseworker_a"])
    response = upload(client, tree, csv_bytes(CHINESE_HEADER, rows_for(1)), dept="B")
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    client.force_login(users["publisher_a"])  # may view, not change
    assert client.get(reverse(UPLOAD)).status_code == 403


def test_another_departments_job_is_not_found(client, users, tree, catalog_item):
    client.force_login(users["caseworker_a"])
    upload(client, tree, csv_bytes(CHINESE_HEADER, rows_for(1)))
    job = ImportJob.objects.get()
    client.force_login(users["caseworker_b"])
    url = reverse("admin:registry_creditrecord_import_job", args=[job.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    assert client.get(reverse("admin:registry_creditrecord_import_errors", args=[job.pk])).status_code == 404
    assert CreditRecord.objects.count() == 0


def test_large_files_go_to_the_background_and_show_progress(client, users, tree, catalog_item, settings):
    """Above the threshold the job is a Celery task (eager here: no REDIS_URL)."""
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 10
    client.force_login(users["caseworker_a"])
    response = upload(client, tree, csv_bytes(CHINESE_HEADER, rows_for(2)))
    job = ImportJob.objects.get()
    assert job.background and job.task_id
    # The eager task ran on commit of the request's transaction.
    assert job.state in (ImportJob.State.VALIDATED, ImportJob.State.UPLOADED)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200


def test_a_failed_job_can_be_rerun(client, users, tree, catalog_item, monkeypatch):
    from registry.importing import engine

    client.force_login(users["caseworker_a"])
    response = upload(client, tree, csv_bytes(CHINESE_HEADER, rows_for(2)))
    original = engine.Importer._check_and_write

    def crash(self, stage, reason):
        raise RuntimeError("database went away")

    monkeypatch.setattr(engine.Importer, "_check_and_write", crash)
    with pytest.raises(RuntimeError):
        client.post(response["Location"], {"action": "confirm"})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED and "nothing was written" in job.message
    assert CreditRecord.objects.count() == 0
    monkeypatch.setattr(engine.Importer, "_check_and_write", original)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b"Run the import again" in page.content
    client.post(response["Location"], {"action": "rerun"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and CreditRecord.objects.count() == 2

"""A background import through a REAL Celery worker: Redis broker -> worker
process -> the PostgreSQL test database, the file read from shared storage.

Runs in the Redis pass of ``make test`` (see tests/integration/test_celery_worker.py
for the approach: a unique queue, the test database's URL given to the worker,
bounded waits, the worker always stopped).
"""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from registry.importing import jobs
from registry.models import CreditRecord, ImportJob
from tests.integration.workers import running_worker, tail
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DEADLINE = 90  # seconds for the worker to start, check and import


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_background_job(users, tree, catalog_item, tmp_path, settings):
    assert connection.vendor == "postgresql", "a separate worker process needs a server database"
    media = tmp_path / "media"  # the "shared storage": both processes use it
    settings.MEDIA_ROOT = media
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 0
    caseworker = users["caseworker_a"]
    rows = rows_for(25)
    job = jobs.create_job(ContentFile(csv_bytes(CHINESE_HEADER, rows, bom=True), name="worker.csv"),
                          department=tree["A"], acting_user=caseworker)  # fmt: skip
    assert job.background

    with running_worker(tmp_path, extra_env={"MEDIA_ROOT": str(media)}) as (_queue, _url, log_path, worker):
        deadline = time.monotonic() + DEADLINE
        for mode, final in ((jobs.CHECK, ImportJob.State.VALIDATED), (jobs.IMPORT, ImportJob.State.DONE)):
            assert jobs.submit(job, mode=mode, acting_user=caseworker) is not None
            while True:
                job.refresh_from_db()
                if job.state in (final, ImportJob.State.FAILED, ImportJob.State.INVALID) and job.finished_at:
                    break
                if worker.poll() is not None:
                    pytest.fail(f"the worker exited with {worker.returncode}:\n{tail(log_path)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"job still {job.state} after {DEADLINE}s; worker log:\n{tail(log_path)}")
                time.sleep(0.2)
            assert job.state == final, (job.message, job.errors[:3], tail(log_path))
            if mode == jobs.CHECK:
                assert CreditRecord.objects.count() == 0  # the preview wrote nothing

    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (25, 0, 0, 0)
    assert CreditRecord.objects.filter(department=tree["A"]).count() == 25
    assert {(h.history_user_id, h.history_change_reason) for h in CreditRecord.history.all()} == {
        (caseworker.pk, job.history_reason)
    }
    assert "run_import_job" in log_path.read_text(errors="replace")

"""The Celery task that runs an ``ImportJob`` (check or import) in a worker.

Registered through ``registry.tasks`` (one import line there), so that
autodiscovery finds it. Safe to run twice: the job is claimed under a row lock
(``registry.importing.jobs``), a finished job is left alone, and the import
itself is one transaction, so a worker killed mid-import leaves nothing and
the redelivered message (``task_acks_late``) or a rerun starts it afresh.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="registry.tasks.run_import_job", bind=True)
def run_import_job(self, job_id: int, mode: str = "import", user_id: int | None = None) -> dict:
    from registry.importing import jobs

    user = jobs.user_by_pk(user_id) if user_id else None
    job = jobs.run_job(job_id, mode=mode, acting_user=user, task_id=self.request.id or "")
    if job is None:
        return {"job": job_id, "state": "not started"}
    return {
        "job": job.pk,
        "state": job.state,
        "rows": job.rows_total,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "errors": job.error_count,
    }

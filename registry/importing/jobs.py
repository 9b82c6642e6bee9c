"""Service functions for ``ImportJob``: create (upload), check (dry run),
import, rerun. The admin, the ``import_records`` command and the Celery task
call these; nothing else changes a job's state.

* The uploaded file goes to Django's default storage under a random name, so
  the preview, the confirmation and a worker may run on different machines.
* State changes are claimed under ``select_for_update`` and written with
  history (user and reason). Progress counters (``rows_done``,
  ``rows_total``) are plain updates without history: they are a heartbeat,
  not a change anyone needs to audit, and they must be visible while the
  import's own transaction is still open.
* A run claims the job first, so the same job never runs twice at once; a run
  that died (a killed worker: its transaction rolled back, nothing written)
  may be claimed again once it has shown no progress for
  ``IMPORT_STALE_SECONDS``, or at once by the redelivered Celery message.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from creditportal.audit import get_system_user, save_with_history

from ..identifiers import mask_ids_in_text
from ..models import Department, ImportJob
from . import permissions
from .engine import Importer
from .types import ImportResult

logger = logging.getLogger(__name__)
State = ImportJob.State

CHECK = "check"
IMPORT = "import"
MODES = (CHECK, IMPORT)
# Which states a run of each mode may start from (besides a stale running one).
START_STATES = {
    CHECK: {State.UPLOADED, State.VALIDATED, State.INVALID, State.FAILED},
    IMPORT: {State.UPLOADED, State.VALIDATED, State.INVALID, State.FAILED},
}
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")


def check_upload_size(size: int) -> None:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; files up to %(limit)s can be imported. Split it into several files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )


@transaction.atomic
def create_job(
    upload,
    *,
    department: Department,
    acting_user,
    file_name: str | None = None,
    encoding: str = ImportJob.Encoding.AUTO,
    operator_action: bool = False,
    enforce_size_limit: bool = True,
) -> ImportJob:
    """Store ``upload`` (a Django ``File``/``UploadedFile``) and record the job."""
    permissions.check_import_allowed(acting_user, department, operator_action=operator_action)
    # The name is shown on pages and written into every history row's reason, which
    # cannot be edited afterwards: an ID number in it ("更正-5301....csv") is masked.
    name = mask_ids_in_text(os.path.basename(file_name or upload.name or "import.csv"))[:255]
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("Import a .csv or .xlsx file."), code="file_type")
    size = upload.size
    if enforce_size_limit:
        check_upload_size(size)
    if encoding not in ImportJob.Encoding.values:
        raise ValidationError(_("Unknown encoding."), code="encoding")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = ImportJob(
        created_by=acting_user,
        operator_action=operator_action,
        department=department,
        file_name=name,
        file_size=size,
        sha256=digest.hexdigest(),
        encoding=encoding,
        background=size > settings.IMPORT_BACKGROUND_THRESHOLD_BYTES,
    )
    suffix = os.path.splitext(name)[1].lower() or ".csv"
    # A random stored name: the user's file name may say more than it should.
    job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    save_with_history(job, acting_user=acting_user, reason=f"upload {name}")
    return job


def _is_stale(job: ImportJob) -> bool:
    return job.updated_at < timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS)


def can_start(job: ImportJob, mode: str) -> bool:
    if not job.file:
        return False  # deleted: imported already, or kept past the retention period
    if job.state in START_STATES[mode]:
        return True
    return job.is_running and _is_stale(job)


@transaction.atomic
def _claim(job_id: int, mode: str, acting_user, task_id: str = "") -> ImportJob | None:
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    redelivered = bool(task_id) and job.task_id == task_id and job.is_running
    if not (can_start(job, mode) or redelivered):
        return None
    job.state = State.VALIDATING if mode == CHECK else State.IMPORTING
    job.rows_done = 0
    job.started_at = timezone.now()
    job.finished_at = None
    job.message = ""
    if task_id:
        job.task_id = task_id
    save_with_history(job, acting_user=acting_user, reason=f"{mode} {job.file_name}")
    return job


def _progress(job: ImportJob):
    def report(rows_done: int, estimate: int | None) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=rows_done, rows_total=estimate or 0, updated_at=timezone.now()
        )

    return report


@transaction.atomic
def _finish(job: ImportJob, mode: str, acting_user, result: ImportResult | None, message: str = "") -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    job.finished_at = timezone.now()
    job.message = message[:2000]
    if result is None:
        job.state = State.FAILED
    else:
        job.rows_total = job.rows_done = result.rows
        job.created_count, job.updated_count = result.created, result.updated
        job.unchanged_count, job.persons_created = result.unchanged, result.persons_created
        job.error_count = result.error_count
        job.errors = [error.as_dict() for error in result.errors]
        if result.ok:
            job.state = State.VALIDATED if mode == CHECK else State.DONE
        else:
            job.state = State.INVALID
        if job.state == State.DONE:
            _discard_file(job)  # the records hold the numbers now, encrypted
        if mode == CHECK:
            job.validated_at = job.finished_at
            job.validation_seconds = result.validation_seconds + result.write_seconds
        else:
            job.validation_seconds = result.validation_seconds
            job.import_seconds = result.write_seconds
    save_with_history(job, acting_user=acting_user, reason=f"{mode} {job.file_name}: {job.get_state_display()}")
    return job


def _discard_file(job: ImportJob) -> None:
    """Empty ``job.file`` (the caller saves the job); the stored file is deleted
    once that transaction commits, so a rollback never loses a file still needed."""
    name, storage = job.file.name, job.file.storage
    if not name:
        return
    job.file = ""

    def delete() -> None:
        try:
            storage.delete(name)
        except Exception:  # the job no longer names it: log it for the operator
            logger.exception("import job %s: could not delete its stored file %s", job.pk, name)

    transaction.on_commit(delete)


def purge_files(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploaded files of jobs idle for ``IMPORT_FILE_RETENTION_DAYS``
    (previews never confirmed, invalid or failed files); returns how many.

    The job keeps its name, size, SHA-256, counts and error report; it can no
    longer be run, and its message says to upload the file again.
    """
    days = settings.IMPORT_FILE_RETENTION_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    system_user = get_system_user()
    purged = 0
    candidates = ImportJob.objects.exclude(file="").filter(updated_at__lt=cutoff).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=pk)
            if not job.file or job.updated_at >= cutoff:
                continue  # taken up again meanwhile
            _discard_file(job)
            if job.state != State.DONE:  # (a job imported before files were deleted on import: just the file)
                job.message = _(
                    "The uploaded file was deleted after %(days)d days without an import, as it holds ID numbers "
                    "in clear. Upload it again to import it."
                ) % {"days": days}
            save_with_history(job, acting_user=system_user, reason=f"file deleted after {days} days")
            purged += 1
    if purged:
        logger.info("deleted the uploaded files of %d idle import jobs", purged)
    return purged


def run_job(job_id: int, *, mode: str, acting_user=None, task_id: str = "") -> ImportJob | None:
    """Check (``mode="check"``: a dry run) or import a job's file, in this process.

    ``acting_user`` (default: who uploaded it) is the user the history rows
    name and whose permission is checked. Returns the finished job, or None
    when the job was not in a state to run (already running or done).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    job = ImportJob.objects.select_related("department", "created_by").get(pk=job_id)
    acting_user = acting_user or job.created_by
    try:
        operator_action = permissions.check_job_allowed(acting_user, job)
    except PermissionDenied as exc:
        if job.state in START_STATES[mode]:
            return _finish(job, mode, acting_user, None, str(exc))
        raise
    job = _claim(job_id, mode, acting_user, task_id)
    if job is None:
        logger.info("import job %s: not started (%s)", job_id, mode)
        return None
    importer = Importer(
        department=job.department,
        acting_user=acting_user,
        reason=job.history_reason,
        dry_run=mode == CHECK,
        operator_action=operator_action,
        progress=_progress(job),
    )
    try:
        with job.file.open("rb") as fileobj:
            result = importer.run(fileobj, file_name=job.file_name, encoding=job.encoding)
    except PermissionDenied as exc:
        return _finish(job, mode, acting_user, None, str(exc))
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        _finish(
            job,
            mode,
            acting_user,
            None,
            _("The import stopped with an internal error (%(error)s); nothing was written. It can be run again.")
            % {"error": type(exc).__name__},
        )
        raise
    return _finish(job, mode, acting_user, result)


def submit(job: ImportJob, *, mode: str, acting_user) -> ImportJob | None:
    """Run the job now (small files) or hand it to a Celery worker (files above
    ``IMPORT_BACKGROUND_THRESHOLD_BYTES``, and every job marked background)."""
    permissions.check_job_allowed(acting_user, job)
    if not job.background:
        return run_job(job.pk, mode=mode, acting_user=acting_user)
    from ..import_tasks import run_import_job

    task_id = uuid.uuid4().hex
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not can_start(locked, mode):
            return None
        locked.task_id = task_id
        locked.message = _("Waiting for a worker.")
        save_with_history(locked, acting_user=acting_user, reason=f"queued {mode} {job.file_name}")

        def send():
            try:
                run_import_job.apply_async(args=[job.pk, mode, acting_user.pk], task_id=task_id, retry=False)
            except Exception as exc:  # broker down: say so on the job; it can be submitted again
                logger.error("could not enqueue import job %s: %s", job.pk, exc)
                ImportJob.objects.filter(pk=job.pk).update(
                    message=_("The job could not be queued (no worker reachable). Try again later.")
                )

        transaction.on_commit(send)
    return locked


def user_by_pk(pk: int):
    return get_user_model().objects.get(pk=pk)

"""``manage.py import_records FILE --department CODE [--user USERNAME] [--dry-run] [--encoding ...]``

Imports a CSV/XLSX file of credit records into one department, all or nothing
(``registry.importing``). Without ``--dry-run`` the file is stored as an
``ImportJob`` (visible in the admin; history rows say ``import <file> (job N)``)
and imported in this process, whatever its size.

Who acts:

* ``--user USERNAME``: that user; they must be active and hold the change
  permission on the department (the same check as in the admin).
* no ``--user``: the system user, as an **operator action**. Whoever can run
  ``manage.py`` on the server already holds the database; the command records
  the import under the system user with ``operator_action`` set on the job.
  Only this command sets it, inside ``registry.importing.permissions.operator_shell``:
  the one permission check trusts the flag nowhere else (the web and the workers
  that claim it are refused).

Exit status: 0 imported (or, with ``--dry-run``, the file is valid); 1 the file
has errors and nothing was written; 2 a problem with the command line (unknown
department, user or file); 3 the user may not import into the department.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from creditportal.audit import get_system_user
from registry.importing import import_records, jobs, permissions, report
from registry.importing.types import RowError
from registry.models import Department, ImportJob

SHOWN_ERRORS = 100
EXIT_INVALID, EXIT_USAGE, EXIT_DENIED = 1, 2, 3


class ProgressBar:
    """A one-line progress bar on stderr (rows, percentage when known, rows/s)."""

    def __init__(self, stream, enabled: bool = True):
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, rows: int, total: int | None) -> None:
        if not self.enabled:
            return
        rate = rows / max(time.monotonic() - self.started, 1e-6)
        if total:
            filled = int(30 * min(rows, total) / total)
            bar = "#" * filled + "-" * (30 - filled)
            text = f"\r[{bar}] {100 * min(rows, total) // total:3d}%  {rows:,} rows  {rate:,.0f} rows/s"
        else:
            text = f"\r{rows:,} rows  {rate:,.0f} rows/s"
        self.stream.write(text)
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import credit records from a CSV or XLSX file into one department (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument("--department", required=True, help="the department's code, e.g. YN-KM-SCJ")
        parser.add_argument("--user", help="the importing user (default: the system user, as an operator action)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
        parser.add_argument("--encoding", choices=ImportJob.Encoding.values, default="auto",
                            help="CSV encoding (default: detect UTF-8, UTF-8 with BOM or GB18030)")  # fmt: skip
        parser.add_argument("--errors-csv", metavar="PATH", help="also write every problem to this CSV file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        # The operator's shell: the one place where operator_action is trusted (see the module docstring).
        with permissions.operator_shell():
            return self.import_file(**options)

    def import_file(self, *, file, department, user, dry_run, encoding, errors_csv, no_progress, verbosity, **options):
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise CommandError(f"No department has the code {department!r}.", returncode=EXIT_USAGE)
        if user:
            acting_user = get_user_model().objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"No user is called {user!r}.", returncode=EXIT_USAGE)
            operator_action = False
        else:
            acting_user, operator_action = get_system_user(), True
        try:
            # Refused before the file is even opened.
            permissions.check_import_allowed(acting_user, dept, operator_action=operator_action)
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=EXIT_DENIED) from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}", returncode=EXIT_USAGE)

        progress = ProgressBar(sys.stderr, enabled=not no_progress and verbosity > 0)
        with path.open("rb") as fileobj:
            if dry_run:
                result = import_records(
                    fileobj,
                    file_name=path.name,
                    department=dept,
                    acting_user=acting_user,
                    encoding=encoding,
                    dry_run=True,
                    operator_action=operator_action,
                    progress=progress,
                )
                progress.done()
                errors = [error.as_dict() for error in result.errors]
                counts = (result.rows, result.created, result.updated, result.unchanged, result.error_count)
                job = None
            else:
                try:
                    job = jobs.create_job(
                        File(fileobj, name=path.name),
                        department=dept,
                        acting_user=acting_user,
                        encoding=encoding,
                        operator_action=operator_action,
                        enforce_size_limit=False,  # the upload limit is for the web
                    )
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages), returncode=EXIT_USAGE) from None
                job = jobs.run_job(job.pk, mode=jobs.IMPORT, acting_user=acting_user) or job
                job.refresh_from_db()
                progress.done()
                if job.state == ImportJob.State.FAILED:
                    raise CommandError(job.message, returncode=EXIT_INVALID)
                errors = job.errors
                counts = (job.rows_total, job.created_count, job.updated_count, job.unchanged_count, job.error_count)

        rows, created, updated, unchanged, error_count = counts
        for error in errors[:SHOWN_ERRORS]:
            self.stderr.write(str(RowError(**error)))
        if error_count > SHOWN_ERRORS:
            self.stderr.write(f"... and {error_count - SHOWN_ERRORS} more (--errors-csv PATH writes them all).")
        if errors_csv and errors:
            Path(errors_csv).write_bytes(report.errors_csv(errors))
        verb = "would be " if dry_run else ""
        summary = (
            f"{rows} rows: {created} {verb}created, {updated} {verb}updated, {unchanged} unchanged, "
            f"{error_count} errors"
        )
        if job is not None:
            summary += f" (import job {job.pk})"
        if error_count:
            raise CommandError(summary + ". Nothing was written.", returncode=EXIT_INVALID)
        self.stdout.write(self.style.SUCCESS(summary + ("; dry run, nothing written." if dry_run else ".")))

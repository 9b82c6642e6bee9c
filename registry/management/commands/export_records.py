"""Export credit records to CSV or XLSX, as a named user and within their permissions.

    python manage.py export_records --user caseworker --format csv \\
        --purpose "quarterly reconciliation with the provincial platform" --output records.csv

The user's department grants decide which records are exported and whether ID
numbers are full or masked (``registry.exporting``); the export is written to
the access log with its purpose. ``--output -`` writes CSV to standard output
(the summary then goes to standard error).
"""

from __future__ import annotations

import os
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from creditportal import access
from creditportal.access import Action
from registry import exporting
from registry.choices import RecordStatus
from registry.models import CreditRecord, Department


class Command(BaseCommand):
    help = "Export the credit records a user may see to a CSV or XLSX file (logged in the access log)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username whose permissions apply; named in the access log.")
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="CODE",
            help="Only records of this department and the departments under it (repeatable).",
        )
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=RecordStatus.values,
            help="Only records in this status (repeatable).",
        )
        parser.add_argument("--format", required=True, choices=exporting.FORMATS, dest="fmt")
        parser.add_argument("--purpose", required=True, help="Why the data is exported; stored in the access log.")
        parser.add_argument("--output", required=True, help="File to write; '-' for standard output (CSV only).")
        parser.add_argument(
            "--masked", action="store_true", help="Mask every ID number, even where the user may reveal it."
        )

        parser.add_argument(
            "--for-import",
            action="store_true",
            help="Leave out the department and status columns, so that the file can be imported as it is.",
        )

    def handle(self, *args, user, department, status, fmt, purpose, output, masked, for_import, **options):
        acting_user = self._user(user)
        if not purpose.strip():
            raise CommandError(_("State the purpose of the export (--purpose)."))
        if output == "-" and fmt != exporting.CSV:
            raise CommandError(_("Only CSV can be written to standard output; give a file name for XLSX."))

        queryset = CreditRecord.objects.all()
        if department:
            queryset = queryset.filter(self._departments_q(acting_user, department))
        if status:
            queryset = queryset.filter(status__in=status)

        partial = None
        if output != "-":
            # The file holds personal data: readable by its owner only, and
            # complete or absent (written beside the target, then renamed).
            # Opened before the export is logged, so a bad path logs nothing.
            partial = f"{output}.part"
            try:
                if os.path.lexists(partial):
                    os.unlink(partial)  # left by an interrupted run: someone may hold it open
                fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}
                ) from exc
        try:
            export = exporting.prepare_export(
                queryset, acting_user=acting_user, fmt=fmt, purpose=purpose, reveal=not masked, for_import=for_import
            )
            if partial is None:
                self._write_stdout(export)
            else:
                with os.fdopen(fd, "wb") as target:
                    fd = None
                    export.write_to(target)
                os.replace(partial, output)
        except BaseException as exc:
            if partial is not None:
                if fd is not None:
                    os.close(fd)
                if os.path.exists(partial):
                    os.unlink(partial)
            if isinstance(exc, (PermissionDenied, ValidationError)):
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
            raise
        report = self.stderr if partial is None else self.stdout
        full = (
            _("full ID numbers in %(count)d rows") % {"count": export.full_id_rows}
            if export.full_ids
            else _("ID numbers masked")
        )
        report.write(
            self.style.SUCCESS(_("Exported %(count)d records (%(full)s).") % {"count": export.count, "full": full})
        )

    def _user(self, username: str):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(_("No user named %(name)s.") % {"name": username}) from None
        if not user.is_active:
            raise CommandError(_("The user %(name)s is inactive and cannot export records.") % {"name": username})
        return user

    def _departments_q(self, user, codes: list[str]) -> Q:
        q = Q()
        for code in codes:
            dept = Department.objects.filter(code=code).first()
            if dept is None:
                raise CommandError(_("No department with the code %(code)s.") % {"code": code})
            if not access.can_in_department(user, Action.VIEW, dept):
                raise CommandError(
                    _("%(name)s may not see the records of %(department)s.") % {"name": user, "department": dept}
                )
            q |= Q(department__path__startswith=dept.path)
        return q

    def _write_stdout(self, export) -> None:
        stream = getattr(self.stdout, "_out", sys.stdout)
        binary = getattr(stream, "buffer", None)
        for chunk in export.iter_csv():
            if binary is not None:
                binary.write(chunk)
            else:  # a text stream (e.g. call_command(stdout=StringIO()))
                stream.write(chunk.decode("utf-8"))
        (binary or stream).flush()

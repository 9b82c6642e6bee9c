"""Export of credit records to CSV or XLSX, in the import format.

One entry point, :func:`export_records` (or :func:`prepare_export` when the
caller streams the bytes itself, as the admin does):

* the queryset always passes through ``creditportal.access.restrict(...,
  Action.VIEW)``, even if the caller already restricted it;
* ID numbers are masked (``Person.id_number_masked``, made by
  ``identifiers.mask_id``) unless the user may reveal them in the record's
  department (the set of such departments is computed once, not per row); only
  those rows are decrypted;
* every text cell that a spreadsheet would read as a formula (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a
  single quote (OWASP "CSV injection"); in XLSX it is also stored as a string;
* every export writes exactly one ``AccessLog`` row (action ``export``) with
  the row count, whether full ID numbers were included and the format — before
  the first byte leaves, so that nothing is exported without its log row;
* rows are read as plain tuples from one joined query with
  ``iterator(chunk_size=2000)`` (a server-side cursor on PostgreSQL) and
  written as they come: memory stays flat whatever the size. CSV is UTF-8 with a BOM and CRLF line
  ends (Excel on Windows opens it as it is); XLSX is written by openpyxl in
  write-only mode.

Nothing here logs a cell's content: the module logger names the user, the
format and the count, never a person.
"""

from __future__ import annotations

import csv
import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from creditportal import access
from creditportal.access import Action

from . import crypto
from .choices import REVEAL_DETAIL_MIN_CHARS, AccessAction, RecordStatus, Severity
from .importing.reading import CONTROL_CHARACTERS
from .models import ID_NUMBER_CONTEXT, CreditRecord
from .services import log_access, real_characters

logger = logging.getLogger(__name__)

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

CHUNK_SIZE = 2000
# Bytes of CSV gathered before a chunk is handed to the stream.
_CSV_FLUSH_BYTES = 64 * 1024

# --- The file format (the import format's Chinese headers, plus department and status) ---
# These are a file format shared with departments' spreadsheets and the
# importer, not interface text: they are not translated.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("姓名", "name"),
    ("身份证号", "id_number"),
    ("信息项编码", "catalog_code"),
    ("决定文书号", "decision_no"),
    ("决定日期", "decision_date"),
    ("严重程度", "severity"),
    ("公示开始日期", "display_from"),
    ("公示截止日期", "display_until"),
    ("事实摘要", "summary"),
    ("法律依据", "legal_basis"),
    ("部门", "department"),
    ("状态", "status"),
)
HEADERS = tuple(header for header, _key in COLUMNS)
# The columns the importer reads (registry.importing.reading.COLUMNS): an export
# made ``for_import`` leaves out department and status and can be imported as it is.
IMPORT_HEADERS = HEADERS[:10]

SEVERITY_IN_FILE = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}
STATUS_IN_FILE = {
    RecordStatus.DRAFT: "草稿",
    RecordStatus.ACTIVE: "公示中",
    RecordStatus.UNDER_OBJECTION: "异议处理中",
    RecordStatus.CORRECTED: "已更正",
    RecordStatus.REPAIRED: "已修复",
    RecordStatus.EXPIRED: "公示期满",
    RecordStatus.REVOKED: "已撤销",
}
DATE_FORMAT = "%Y-%m-%d"

# A cell starting with one of these is read as a formula by Excel, LibreOffice
# or Google Sheets (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# The values read per record, in one query with its joins: plain tuples, not
# model instances (four instances a row would cost more than everything else).
_FIELDS = (
    "person__name",
    "person__id_number_masked",
    "person__id_number_encrypted",
    "catalog_item__code",
    "decision_no",
    "decision_date",
    "severity",
    "display_from",
    "display_until",
    "summary",
    "legal_basis",
    "department_id",
    "department__code",
    "status",
)

# Excel's last row (1,048,576) less the header.
XLSX_MAX_ROWS = 1_048_575


def escape_formula(value: str) -> str:
    """``=1+1`` -> ``'=1+1``: the cell is shown as typed, never evaluated.

    Invisible control characters are dropped first: ``"\\x01=HYPERLINK(...)"``
    does not start with ``=``, but XLSX cannot hold the ``\\x01`` and would be
    left with a live formula once it is removed.
    """
    if CONTROL_CHARACTERS.search(value):
        value = CONTROL_CHARACTERS.sub("", value)
    if value.lstrip("'").startswith(FORMULA_TRIGGERS):
        # Also a value that itself begins '= (or ''=): one more quote, as the import
        # reads exactly one quote off such a cell.
        return "'" + value
    return value


def export_filename(fmt: str, *, now: datetime.datetime | None = None) -> str:
    """``credit-records-20260302-1430.csv`` in the office's time (Asia/Shanghai)."""
    local = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    return f"credit-records-{local:%Y%m%d-%H%M}.{fmt}"


@dataclass
class Export:
    """A prepared export: scoped, counted and logged; its rows not yet read.

    Produce the file with :meth:`write_to` (a binary file object) or, for CSV,
    stream it with :meth:`iter_csv`. Either can be used once.
    """

    queryset: QuerySet
    fmt: str
    count: int
    full_id_rows: int
    revealable_department_ids: frozenset[int] = field(repr=False)
    for_import: bool = False
    log: object = None

    @property
    def headers(self) -> tuple[str, ...]:
        return IMPORT_HEADERS if self.for_import else HEADERS

    @property
    def full_ids(self) -> bool:
        return self.full_id_rows > 0

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]

    def filename(self, now: datetime.datetime | None = None) -> str:
        return export_filename(self.fmt, now=now)

    # --- rows ------------------------------------------------------------------------
    def rows(self) -> Iterator[list]:
        """One list of cell values per record, in ``headers`` order.

        Text is formula-escaped; dates stay ``date`` objects (the writers format them).
        """
        reveal = self.revealable_department_ids
        width = len(self.headers)
        for (
            name,
            id_masked,
            id_encrypted,
            catalog_code,
            decision_no,
            decision_date,
            severity,
            display_from,
            display_until,
            summary,
            legal_basis,
            department_id,
            department_code,
            status,
        ) in self.queryset.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
            if department_id in reveal:
                id_number = crypto.decrypt(id_encrypted, context=ID_NUMBER_CONTEXT)  # only these rows
            else:
                id_number = id_masked
            row = [
                escape_formula(name),
                escape_formula(id_number),
                escape_formula(catalog_code),
                escape_formula(decision_no),
                decision_date,
                SEVERITY_IN_FILE.get(severity, severity),
                display_from,
                display_until,
                escape_formula(summary),
                escape_formula(legal_basis),
                escape_formula(department_code),
                STATUS_IN_FILE.get(status, status),
            ]
            yield row[:width]

    # --- CSV -------------------------------------------------------------------------
    def iter_csv(self) -> Iterator[bytes]:
        """The CSV file as chunks of bytes: UTF-8 with a BOM, CRLF line ends."""
        if self.fmt != CSV:
            raise ValueError("iter_csv() is for CSV exports")
        buffer = _LineBuffer()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.headers)
        yield b"\xef\xbb\xbf" + buffer.take()
        for row in self.rows():
            writer.writerow([_csv_text(value) for value in row])
            if buffer.size >= _CSV_FLUSH_BYTES:
                yield buffer.take()
        tail = buffer.take()
        if tail:
            yield tail

    # --- XLSX ------------------------------------------------------------------------
    def _write_xlsx(self, target: IO[bytes]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="信用记录")
        widths = (10, 21, 14, 26, 12, 9, 13, 13, 40, 30, 14, 11)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(list(self.headers))

        def text(value: str):
            # Characters XML 1.0 cannot hold would abort the whole file: drop them.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("'"):
                # An escaped formula (or a value typed with a quote): say "string" explicitly.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                return cell
            return value  # openpyxl stores it as a string; dates get yyyy-mm-dd

        for row in self.rows():
            sheet.append([text(value) if isinstance(value, str) else value for value in row])
        workbook.save(target)

    def write_to(self, target: IO[bytes]) -> None:
        """Write the whole file to a binary file object."""
        if self.fmt == CSV:
            for chunk in self.iter_csv():
                target.write(chunk)
        else:
            self._write_xlsx(target)
        target.flush()


class _LineBuffer:
    """The file object ``csv.writer`` writes to: gathers text, hands out UTF-8 bytes."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.parts.append(data)
        self.size += len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _require_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        raise PermissionDenied(_("Only an active user can export records."))


def prepare_export(
    queryset: QuerySet,
    *,
    acting_user,
    fmt: str,
    purpose: str,
    reveal: bool = True,
    for_import: bool = False,
    ip_address: str | None = None,
) -> Export:
    """Scope, count and log an export of ``queryset``; return it ready to write.

    ``reveal=False`` masks every ID number even where the user could reveal it
    (minimum necessary data); ``for_import=True`` leaves out the department and
    status columns, which the importer does not take. The access-log row is committed before this
    returns: the file can be produced only after its export is on record.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError(_("State the purpose of the export."), code="purpose_required")
    _require_user(acting_user)
    if queryset.model is not CreditRecord:
        raise TypeError("export_records exports credit records")

    scoped = access.restrict(queryset, acting_user, Action.VIEW)
    if reveal:
        revealable = frozenset(access.permitted_departments(acting_user, Action.REVEAL).values_list("pk", flat=True))
    else:
        revealable = frozenset()

    if revealable:
        totals = scoped.order_by().aggregate(rows=Count("pk"), full=Count("pk", filter=Q(department_id__in=revealable)))
        count, full_id_rows = totals["rows"], totals["full"]
    else:
        count, full_id_rows = scoped.order_by().count(), 0
    if fmt == XLSX and count > XLSX_MAX_ROWS:
        raise ValidationError(
            _("%(count)d records are more than an XLSX sheet can hold (%(max)d); export them as CSV.")
            % {"count": count, "max": XLSX_MAX_ROWS},
            code="too_many_rows",
        )
    if full_id_rows:
        # Full numbers leave only for a purpose of real length, as a reveal's detail.
        real = real_characters(purpose)
        if len(real) < REVEAL_DETAIL_MIN_CHARS or len(set(real)) < 2:
            raise ValidationError(
                _(
                    "Say what exactly you need the number for, in at least %(min)d letters, characters or digits "
                    "(punctuation and spaces do not count), e.g. the case or objection number."
                ),
                code="purpose_too_short",
                params={"min": REVEAL_DETAIL_MIN_CHARS},
            )
    detail = f"format={fmt}; rows={count}; full_id_numbers={'yes' if full_id_rows else 'no'}"
    if full_id_rows:
        detail += f" ({full_id_rows} rows)"
    if for_import:
        detail += "; columns=import"

    with transaction.atomic():
        log = log_access(
            user=acting_user, action=AccessAction.EXPORT, purpose=purpose, detail=detail, ip_address=ip_address
        )
    logger.info("Export of credit records by user %s: %s", acting_user.pk, detail)

    rows_queryset = scoped if scoped.ordered else scoped.order_by("pk")
    return Export(
        queryset=rows_queryset,
        fmt=fmt,
        count=count,
        full_id_rows=full_id_rows,
        revealable_department_ids=revealable,
        for_import=for_import,
        log=log,
    )


def export_records(
    queryset: QuerySet,
    *,
    acting_user,
    fmt: str,
    purpose: str,
    target: IO[bytes],
    reveal: bool = True,
    for_import: bool = False,
    ip_address: str | None = None,
) -> Export:
    """Export the records of ``queryset`` that ``acting_user`` may see to ``target``
    (a binary file object), logging the export once. Returns the :class:`Export`."""
    export = prepare_export(
        queryset,
        acting_user=acting_user,
        fmt=fmt,
        purpose=purpose,
        reveal=reveal,
        for_import=for_import,
        ip_address=ip_address,
    )
    export.write_to(target)
    return export

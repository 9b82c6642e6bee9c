"""The import engine: validate every row, then write everything or nothing.

1. **Permission first** (:mod:`.permissions`, the one check): the acting user
   needs ``Action.CHANGE`` on the target department; otherwise the file is not
   even read. An operator on the command line without ``--user`` acts as the
   system user (``operator_action=True``, trusted only in that check). The same
   check runs again after the write, inside the import's transaction.
2. **Validate every row** while streaming the file: columns, ID number (the
   messages of ``registry.identifiers.validate_resident_id``), name, catalogue
   code, severity, dates and the display period (``CreditRecord.clean``'s own
   rules, cached per distinct combination). Valid rows are encrypted and
   blind-indexed in Python (the fast paths of ``registry.crypto`` and
   ``registry.identifiers``) and go to a *stage* (:class:`.types.Stage`):

   * PostgreSQL: ``COPY`` into a temporary table (session-local, not logged);
   * anything else (SQLite): a Python list (small files; correct, slower).

3. **Cross-row checks** on the stage: a decision number twice in the file, one
   ID number with two names in the file, a name that does not match the person
   already registered under the ID number.
4. **Write, in one transaction**, only if there is no error at all: persons
   matched by blind index or created (``registered_by`` = the department);
   records matched by (department, decision number): new rows create drafts,
   changed rows update (the status is never touched), identical rows are left
   alone and get no history row. Every created or updated row gets its history
   row (user = the importer, reason = ``import <file name>``) in the same
   transaction: on PostgreSQL set-based (``INSERT ... SELECT`` /
   ``UPDATE ... FROM`` with ``RETURNING`` feeding the history insert), on
   SQLite with ``bulk_create`` and simple-history's ``bulk_history_create``.

A dry run does steps 1-3 and counts what step 4 would do.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import crypto, hooks, services
from ..identifiers import (
    id_check_character,
    mask_id,
    mask_ids_in_text,
    mask_resident_id,
    normalise,
    region_valid_in,
    validate_resident_id,
)
from ..models import (
    ID_NUMBER_CONTEXT,
    LEGAL_BASIS_MAX,
    SUMMARY_MAX,
    CatalogItem,
    CreditRecord,
    Department,
    Person,
    local_today,
    not_competent_message,
)
from . import permissions, reading
from .types import ImportResult, ProgressCallback, RowError, Stage

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10_000  # rows between progress callbacks (and COPY batches)
CLEAN_CACHE_LIMIT = 200_000  # distinct (item, severity, dates) combinations kept
NAME_MAX = Person._meta.get_field("name").max_length
DECISION_NO_MAX = CreditRecord._meta.get_field("decision_no").max_length
# How a spreadsheet spells a big number: 5.30102E+17, 5.30102198001011e+17.
NUMBER_SPELLING = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")

# CreditRecord.clean's field names -> the import's column keys.
CLEAN_FIELD_COLUMNS = {
    "decision_date": "decision_date",
    "catalog_item": "catalog_code",
    "display_from": "display_from",
    "display_until": "display_until",
    "severity": "severity",
}
DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    # With a time of day (Excel's CSV writes 2026/3/2 0:00; an XLSX cell may hold 9:30): the date counts.
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"),
)
FORMULA_WRAPPED = re.compile(r'^="(.*)"$')
DATE_MESSAGE = gettext_lazy("Not a valid date; write it as YYYY-MM-DD (e.g. 2026-03-02).")


SEVERITY_FAST = {"轻微": "minor", "一般": "general", "严重": "serious", "minor": "minor", "general": "general",
                 "serious": "serious"}  # fmt: skip


class ImportAborted(Exception):
    """Raised inside the write transaction to roll it back (errors, or a dry run)."""


# --- Row validation ------------------------------------------------------------------------


class RowValidator:
    """Validates one row at a time, caching whatever repeats (dates, the
    catalogue, the display-period rules per combination)."""

    def __init__(self, reader: reading.TableReader, *, today: datetime.date, department: Department | None = None):
        self.reader = reader
        self.today = today
        cols = reader.columns
        # An export's 部门 column: every row must name the target department (its
        # code, as the export writes it, or its name); 状态 (status) is not read.
        self.department = department
        self.department_index = cols.get("department") if department is not None else None
        self.department_label = reader.column_label("department")
        self.department_names = set()
        if department is not None:
            for text in (department.code, department.name, str(department)):
                self.department_names.add(text.upper())
        self.idx = {key: cols.get(key) for key in reading.COLUMN_KEYS}
        # Cells in a column without a header would be dropped without a word (an
        # unquoted comma shifts the rest of the row right): they are errors.
        self.header_width = len(reader.header)
        self.unnamed = tuple(index for index, text in enumerate(reader.header) if not text)
        # All ten cells of a row in one call; -1 is the empty cell rows() appends.
        self.pick = itemgetter(*(-1 if cols.get(key) is None else cols[key] for key in reading.COLUMN_KEYS))
        self.encryptor = crypto.Encryptor(context=ID_NUMBER_CONTEXT)
        self.labels = {key: reader.column_label(key) for key in reading.COLUMN_KEYS}
        self.catalogue: dict[str, CatalogItem] = {}
        # Items the target department is not competent for: their rows are errors.
        self.not_recordable: set[int] = set()
        for item in CatalogItem.objects.prefetch_related("recording_departments"):
            self.catalogue[item.code] = item
            self.catalogue.setdefault(item.code.upper(), item)
            if department is not None and not item.may_be_recorded_by(department):
                self.not_recordable.add(item.pk)
        # ...except for the department's existing records that already have such an
        # item (or one deactivated since): those may still be corrected.
        self.kept_items: set[tuple[str, int]] = set()
        restricted = self.not_recordable | {item.pk for item in self.catalogue.values() if not item.is_active}
        if department is not None and restricted:
            self.kept_items = set(
                CreditRecord.objects.filter(department=department, catalog_item_id__in=restricted).values_list(
                    "decision_no", "catalog_item_id"
                )
            )
        self._dates: dict[str, datetime.date | None] = {}
        self._births: dict[str, datetime.date | None] = {}
        self._regions: dict[tuple[str, int], bool] = {}
        self._clean: dict[tuple, tuple] = {}
        self.blind_index = crypto.blind_indexer(context=ID_NUMBER_CONTEXT)

    def parse_date(self, text: str) -> datetime.date | None:
        """A date in one of the usual spellings, or None (cached: dates repeat)."""
        try:
            return self._dates[text]
        except KeyError:
            pass
        value = None
        for pattern in DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    value = datetime.date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    value = None
                break
        if len(self._dates) < 100_000:
            self._dates[text] = value
        return value

    def period_problems(self, item: CatalogItem, severity: str, decision_date, display_from, display_until):
        """``CreditRecord.clean`` for these values: (display_from, display_until, [(field, message)])."""
        key = (item.pk, severity, decision_date, display_from, display_until)
        try:
            return self._clean[key]
        except KeyError:
            pass
        record = CreditRecord(
            catalog_item=item,
            severity=severity,
            decision_date=decision_date,
            display_from=display_from,
            display_until=display_until,
        )
        problems = []
        try:
            record.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problems.extend((name, message) for message in messages)
        outcome = (record.display_from, record.display_until, tuple(problems))
        if len(self._clean) >= CLEAN_CACHE_LIMIT:
            self._clean.clear()
        self._clean[key] = outcome
        return outcome

    def resident_id(self, raw: str):
        """``(number, region, birth_date)`` of a valid ID number; raises ``ValidationError``.

        A fast path for the common case (18 ASCII characters) with the birth
        dates and region checks cached; anything it does not accept goes to
        ``validate_resident_id``, which gives the precise message. Both accept
        exactly the same numbers (tests/registry/test_import.py checks it).
        """
        number = raw
        if len(number) == 18 and number.isascii() and number[:17].isdigit():
            last = number[17]
            if last == "x":
                number, last = number[:17] + "X", "X"
            if last == id_check_character(number[:17]):
                key = number[6:14]
                birth = self._births.get(key, False)
                if birth is False:
                    birth = _birth_date(key, self.today)
                    self._births[key] = birth
                if birth is not None:
                    region_key = (number[:6], birth.year)
                    region_ok = self._regions.get(region_key)
                    if region_ok is None:
                        region_ok = self._regions[region_key] = region_valid_in(number[:6], birth.year)
                    if region_ok:
                        return number, number[:6], birth
        resident = validate_resident_id(normalise(raw), today=self.today)
        return resident.number, resident.region_code, resident.birth_date

    def validate(self, row_no: int, cells: list[str]):
        """Return ``(staged_row | None, partial, errors)``.

        The fast path for a row without problems; any doubt goes to
        :meth:`validate_with_messages`, which is the reference.
        """
        name, raw_id, code, decision_no, decision_text, severity_text, from_text, until_text, summary, legal_basis = (
            self.pick(cells)
        )
        if self.department_index is not None and cells[self.department_index].upper() not in self.department_names:
            return self.validate_with_messages(row_no, cells)
        if (len(cells) > self.header_width + 1 or self.unnamed) and self.stray_cell(cells):
            return self.validate_with_messages(row_no, cells)
        item = self.catalogue.get(code)
        severity = SEVERITY_FAST.get(severity_text)
        dates = self._dates
        decision_date = dates.get(decision_text)
        display_from = dates.get(from_text) if from_text else None
        display_until = dates.get(until_text) if until_text else None
        if (
            item is None
            or item.pk in self.not_recordable
            or severity is None
            or decision_date is None
            or (from_text and display_from is None)
            or (until_text and display_until is None)
            or not name
            or len(name) > NAME_MAX
            or not decision_no
            or len(decision_no) > DECISION_NO_MAX
            or len(summary) > SUMMARY_MAX
            or len(legal_basis) > LEGAL_BASIS_MAX
        ):
            return self.validate_with_messages(row_no, cells)
        try:
            number, region, birth = self.resident_id(raw_id)
        except ValidationError:
            return self.validate_with_messages(row_no, cells)
        display_from, display_until, problems = self.period_problems(
            item, severity, decision_date, display_from, display_until
        )
        if problems:
            return self.validate_with_messages(row_no, cells)
        id_index = self.blind_index(number)
        masked = mask_resident_id(number)
        staged = (
            row_no,
            name,
            id_index,
            self.encryptor.encrypt(number),
            masked,
            region,
            birth,
            item.pk,
            severity,
            decision_no,
            decision_date,
            summary or item.name,
            legal_basis,
            display_from,
            display_until,
        )
        return staged, (decision_no, id_index, masked, name), ()

    def stray_cell(self, cells: list[str]) -> tuple[int, str] | None:
        """``(index, value)`` of the first non-empty cell in a column without a header."""
        for index in self.unnamed:
            if cells[index]:
                return index, cells[index]
        for index in range(self.header_width, len(cells) - 1):  # the last cell is rows()' own
            if cells[index]:
                return index, cells[index]
        return None

    def validate_with_messages(self, row_no: int, cells: list[str]):
        """Return ``(staged_row | None, partial, errors)``.

        ``staged_row`` is the tuple of :data:`STAGE_COLUMNS` for a valid row.
        ``partial`` is ``(decision_no, id_index, id_masked, name)`` for the
        cross-row checks even when the row has other errors (parts may be None).
        """
        errors: list[RowError] = []
        width = len(cells)
        idx = self.idx

        def cell(key: str) -> str:
            index = idx[key]
            return cells[index] if index is not None and index < width else ""

        def error(key: str, value: str, message) -> None:
            shown = mask_id(value) if key == "id_number" else value
            errors.append(RowError(row_no, self.labels[key], shown, str(message)))

        if self.department_index is not None:
            written = cells[self.department_index]
            if written.upper() not in self.department_names:
                if written:
                    message = _(
                        "This row belongs to department %(value)s, not the target department %(department)s."
                    ) % {"value": written, "department": self.department}
                else:
                    message = _(
                        "The department is empty: it must be the target department %(department)s "
                        "(or leave out the column)."
                    ) % {"department": self.department}
                errors.append(RowError(row_no, self.department_label, written, message))

        stray = self.stray_cell(cells)
        if stray is not None:
            index, value = stray
            errors.append(
                RowError(
                    row_no,
                    _("column %(number)d (no header)") % {"number": index + 1},
                    value,
                    _(
                        "This cell is in a column without a header, so it would be lost. Often a comma inside a "
                        "cell that is not in quotes has moved the rest of the row to the right."
                    ),
                )
            )

        name = cell("name")
        if not name:
            error("name", name, _("Enter the person's name."))
        elif len(name) > NAME_MAX:
            error("name", name, _("A name has at most %(max)d characters.") % {"max": NAME_MAX})

        raw_id = cell("id_number")
        if raw_id.startswith("="):
            wrapped = FORMULA_WRAPPED.match(raw_id)
            if wrapped:  # ="530102..." (Excel's way of keeping digits as text)
                raw_id = wrapped[1]
        number = masked = None
        try:
            number, region, birth = self.resident_id(raw_id)
            masked = mask_resident_id(number)
        except ValidationError as exc:
            if NUMBER_SPELLING.match(raw_id):
                message = _(
                    "The ID number was stored as a number, so the spreadsheet has already lost its last digits. "
                    "Format the column as text and enter the numbers again."
                )
            else:
                message = exc.messages[0]
            error("id_number", raw_id, message)

        code = cell("catalog_code")
        item = None
        if not code:
            error("catalog_code", code, _("Enter the catalogue item code."))
        else:
            item = self.catalogue.get(code) or self.catalogue.get(code.upper())
            if item is None:
                error("catalog_code", code, _("No catalogue item has this code."))
            elif item.pk in self.not_recordable and (cell("decision_no"), item.pk) not in self.kept_items:
                error("catalog_code", code, not_competent_message(self.department))
                item = None

        severity_text = cell("severity")
        severity = reading.SEVERITY_WORDS.get(severity_text) or reading.severity_value(severity_text)
        if severity is None:
            if severity_text:
                error("severity", severity_text, _("Unknown severity. %(help)s") % {"help": reading.SEVERITY_HELP})
            else:
                error("severity", severity_text, _("Enter the severity. %(help)s") % {"help": reading.SEVERITY_HELP})

        decision_no = cell("decision_no")
        if not decision_no:
            error("decision_no", decision_no, _("Enter the decision document number."))
        elif len(decision_no) > DECISION_NO_MAX:
            error("decision_no", decision_no, _("At most %(max)d characters.") % {"max": DECISION_NO_MAX})

        for key, limit in (("summary", SUMMARY_MAX), ("legal_basis", LEGAL_BASIS_MAX)):
            text = cell(key)
            if len(text) > limit:  # refused, never cut: the row names the limit and the length
                error(
                    key,
                    text,
                    _("At most %(max)d characters; this text has %(length)d.") % {"max": limit, "length": len(text)},
                )

        decision_date = display_from = display_until = None
        text = cell("decision_date")
        if not text:
            error("decision_date", text, _("Enter the decision date."))
        else:
            decision_date = self.parse_date(text)
            if decision_date is None:
                error("decision_date", text, DATE_MESSAGE)
        text = cell("display_from")
        if text:
            display_from = self.parse_date(text)
            if display_from is None:
                error("display_from", text, DATE_MESSAGE)
        text = cell("display_until")
        if text:
            display_until = self.parse_date(text)
            if display_until is None:
                error("display_until", text, DATE_MESSAGE)

        # The display period depends on the item, the severity and the dates: it is
        # checked whenever those are valid, whatever else is wrong with the row.
        if (
            item is not None
            and severity is not None
            and decision_date is not None
            and (display_from is not None or not cell("display_from"))
            and (display_until is not None or not cell("display_until"))
        ):
            display_from, display_until, problems = self.period_problems(
                item, severity, decision_date, display_from, display_until
            )
            for name_of_field, message in problems:
                if name_of_field == "catalog_item" and (decision_no, item.pk) in self.kept_items:
                    continue  # an existing record keeps its (since deactivated) item
                key = CLEAN_FIELD_COLUMNS.get(name_of_field, "decision_date")
                error(key, cell(key), message)

        id_index = self.blind_index(number) if number is not None else None
        partial = (decision_no or None, id_index, masked, name or None)
        if errors:
            return None, partial, errors
        staged = (
            row_no,
            name,
            id_index,
            self.encryptor.encrypt(number),
            masked,
            region,
            birth,
            item.pk,
            severity,
            decision_no,
            decision_date,
            cell("summary") or item.name,
            cell("legal_basis"),
            display_from,
            display_until,
        )
        return staged, partial, errors


def _birth_date(text: str, today: datetime.date) -> datetime.date | None:
    """The birth date in characters 7-14 if ``validate_resident_id`` would accept it."""
    try:
        value = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    if value.year < 1850 or value > today:
        return None
    return value


# --- The importer ----------------------------------------------------------------------------


class Importer:
    """Import one file into one department's records.

    ``reason`` is the history change reason (``import <file name>``, or the
    job's :attr:`~registry.models.ImportJob.history_reason`). ``progress`` is
    called with ``(rows_done, estimated_total)`` every few thousand rows.
    """

    def __init__(
        self,
        *,
        department: Department,
        acting_user,
        reason: str | None = None,
        dry_run: bool = False,
        operator_action: bool = False,
        progress: ProgressCallback | None = None,
        max_errors: int | None = None,
        stage: str = "auto",
    ):
        self.department = department
        self.acting_user = acting_user
        self.reason = reason
        self.dry_run = dry_run
        self.operator_action = operator_action
        self.progress = progress
        self.max_errors = max_errors if max_errors is not None else settings.IMPORT_MAX_REPORTED_ERRORS
        self.stage_kind = stage

    # --- permission ---------------------------------------------------------------------
    def check_permission(self) -> None:
        """Refuse before reading anything, and again after the write (``permissions``)."""
        permissions.check_import_allowed(self.acting_user, self.department, operator_action=self.operator_action)

    # --- entry point -----------------------------------------------------------------------
    def run(self, fileobj, *, file_name: str, encoding: str = "auto") -> ImportResult:
        self.check_permission()
        file_name = mask_ids_in_text(file_name)  # it goes into history reasons (see jobs.create_job)
        result = ImportResult(file_name=file_name, dry_run=self.dry_run)
        reason = self.reason or f"import {file_name}"
        self._result = result
        started = time.monotonic()
        if not self.department.is_active:
            self._add_error(RowError(0, "", "", _("The department is no longer active.")))
            return result
        self._file_size = _size_of(fileobj)  # before reading: some storages' size() moves the position
        fileobj.seek(0)
        reader = reading.TableReader(fileobj, file_name=file_name, encoding=encoding)
        try:
            reader.open()
        except reading.FileProblem as exc:
            self._add_error(RowError(0, "", "", str(exc)))
            return result
        result.encoding = reader.encoding or reader.format
        for problem in reader.problems:
            self._add_error(RowError(1, problem.column, "", problem.message))
        if any(key not in reader.columns for key in reading.REQUIRED_KEYS):
            reader.close()
            return result  # without the required columns the rows cannot be checked

        stage = self._make_stage()
        try:
            with stage:
                self._load(reader, stage, fileobj)
                result.validation_seconds = time.monotonic() - started
                written = time.monotonic()
                self._check_and_write(stage, reason)
                result.write_seconds = time.monotonic() - written
        except reading.FileProblem as exc:
            self._add_error(RowError(0, "", "", str(exc)))
        finally:
            reader.close()
        result.errors.sort(key=lambda error: error.row)
        if not result.ok:
            result.created = result.updated = result.unchanged = result.persons_created = 0
        return result

    def _make_stage(self) -> Stage:
        kind = self.stage_kind
        if kind == "auto":
            kind = "postgresql" if connection.vendor == "postgresql" else "memory"
        if kind == "postgresql":
            from .pg import PostgresStage

            return PostgresStage(self.department)
        from .memory import MemoryStage

        return MemoryStage(self.department)

    def _add_error(self, error: RowError) -> None:
        self._result.error_count += 1
        if len(self._result.errors) < self.max_errors:
            self._result.errors.append(error)

    def _load(self, reader: reading.TableReader, stage: Stage, fileobj) -> None:
        validator = RowValidator(reader, today=local_today(), department=self.department)
        self._column_labels = validator.labels
        result = self._result
        size = self._file_size
        position = getattr(fileobj, "tell", None)
        rows = 0
        stage.begin()
        for row_no, cells in reader.rows():
            staged, partial, errors = validator.validate(row_no, cells)
            rows += 1
            if errors:
                for error in errors:
                    self._add_error(error)
                stage.add_partial(row_no, partial)
            else:
                stage.add(staged)
            if rows % PROGRESS_EVERY == 0:
                stage.flush()
                if self.progress is not None:
                    estimate = None
                    try:
                        done_bytes = position() if position and reader.format == "csv" else None
                    except (OSError, ValueError):
                        done_bytes = None
                    if done_bytes and size:
                        estimate = max(rows, int(rows * size / done_bytes))
                    self.progress(rows, estimate)
        stage.end()
        result.rows = rows
        if self.progress is not None:
            self.progress(rows, rows)

    def _check_and_write(self, stage: Stage, reason: str) -> None:
        result = self._result
        now = timezone.now()
        outside_scope = self._viewable_department_ids()
        matched_elsewhere: list[int] = []
        try:
            with transaction.atomic():
                stage.lock()
                if outside_scope is not None:
                    matched_elsewhere = stage.persons_outside(outside_scope)
                for error in stage.cross_row_errors(self.max_errors, self._column_labels):
                    self._add_error(error)
                if not result.ok:
                    raise ImportAborted
                if self.dry_run:
                    counts = stage.preview_counts()
                    result.created, result.updated, result.persons_created = counts
                    result.unchanged = stage.valid_rows - result.created - result.updated
                    raise ImportAborted
                created, updated, persons = stage.write(acting_user=self.acting_user, reason=reason, now=now)
                # What the updated records say changed: the other apps follow, in
                # this transaction (a handler that fails undoes the import).
                hooks.fire(hooks.RecordEvent.CHANGED, stage.updated_ids, acting_user=self.acting_user,
                           reason=reason, source="import")  # fmt: skip
                result.created, result.updated, result.persons_created = created, updated, persons
                result.unchanged = stage.valid_rows - created - updated
                # Re-check after the write (the service functions' rule): the
                # department is still one the user may change.
                self.check_permission()
        except ImportAborted:
            pass
        else:
            logger.info(
                "import %s into %s by %s: %d created, %d updated, %d unchanged, %d persons created",
                result.file_name,
                self.department.code,
                self.acting_user,
                result.created,
                result.updated,
                result.unchanged,
                result.persons_created,
            )
        if matched_elsewhere:
            # The report (or the counts) told the user these numbers are registered
            # elsewhere, and whether the names match: a read, logged after the
            # import's transaction so that a refused file logs it too.
            services.log_person_matches(
                user=self.acting_user,
                person_ids=matched_elsewhere,
                purpose=f"import {result.file_name}",
                detail="dry run" if self.dry_run else ("import" if result.ok else "import refused"),
            )

    def _viewable_department_ids(self) -> list[int] | None:
        """The departments whose persons the user may see, or None when there is no one to log."""
        return permissions.departments_seen(self.acting_user, operator_action=self.operator_action)


def _size_of(fileobj) -> int | None:
    size = getattr(fileobj, "size", None)
    if size:
        return size
    try:
        here = fileobj.tell()
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(here)
        return size
    except (OSError, AttributeError, ValueError):
        return None


def import_records(
    fileobj,
    *,
    file_name: str,
    department: Department,
    acting_user,
    encoding: str = "auto",
    dry_run: bool = False,
    reason: str | None = None,
    operator_action: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import (or, with ``dry_run``, check) one CSV/XLSX file. See the module docstring."""
    importer = Importer(
        department=department,
        acting_user=acting_user,
        reason=reason,
        dry_run=dry_run,
        operator_action=operator_action,
        progress=progress,
    )
    return importer.run(fileobj, file_name=file_name, encoding=encoding)

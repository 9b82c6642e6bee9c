"""The PostgreSQL stage: ``COPY`` into a temporary table, then set-based SQL.

The temporary table lives in this database session only (not WAL-logged,
invisible to others, dropped at the end or when the session dies), so loading
it writes nothing that anyone else can see. The writes into persons, records
and both history tables are four statements in the caller's transaction, each
a data-modifying CTE whose ``RETURNING`` feeds the history insert, so no row
is created or changed without its history row.

Column lists are generated from the models (``_meta`` and simple-history's
``tracked_fields``): a field added later is filled with its default, and a
history column this module does not know stops the import instead of being
left empty.
"""

from __future__ import annotations

import datetime
import re
import uuid

import psycopg
from django.db import DatabaseError, connection, transaction

from ..choices import RecordStatus
from ..models import CreditRecord, DisplayHold, Person
from .messages import (
    IMPORT_UPDATABLE_STATUSES,
    duplicate_decision,
    name_conflict_in_file,
    name_mismatch_registered,
    record_not_updatable,
)
from .types import RECORD_FIELDS, STAGE_COLUMNS

# Serialises the write phase of imports (any department): two imports that
# both create the same new person would otherwise collide on its blind index.
IMPORT_LOCK_KEY = 0x1A2B0003
WORK_MEM = "256MB"
TEMP_BUFFERS = "256MB"

STAGE_TYPES = {
    "row_no": "integer NOT NULL",
    "name": "text",
    "id_index": "text",
    "id_encrypted": "text",
    "id_masked": "text",
    "region_code": "text",
    "birth_date": "date",
    "catalog_item_id": "bigint",
    "severity": "text",
    "decision_no": "text",
    "decision_date": "date",
    "summary": "text",
    "legal_basis": "text",
    "display_from": "date",
    "display_until": "date",
}
COPY_LINES = 2000  # rows sent to the server at once
NEEDS_ESCAPE = re.compile(r"[\\\t\n\r\x00]").search
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
HISTORY_SPECIAL = {"history_date", "history_change_reason", "history_type", "history_user"}


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_columns(model, known: dict[str, str], params: dict) -> tuple[str, str]:
    """``(columns, expressions)`` for an INSERT of every concrete non-pk field."""
    columns, expressions = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(qn(model_field.column))
        if model_field.column in known:
            expressions.append(known[model_field.column])
        else:
            key = f"default_{model._meta.model_name}_{model_field.column}"
            params[key] = model_field.get_db_prep_save(model_field.get_default(), connection)
            expressions.append(f"%({key})s")
    return ", ".join(columns), ", ".join(expressions)


def history_columns(model, source: str, history_type: str) -> tuple[str, str, str]:
    """``(table, columns, expressions)`` copying ``source``'s row into ``model``'s history table."""
    historical = model.history.model
    tracked = {tracked_field.name for tracked_field in historical.tracked_fields}
    columns, expressions = [], []
    for hist_field in historical._meta.concrete_fields:
        if hist_field.primary_key:
            continue  # history_id: serial
        columns.append(qn(hist_field.column))
        if hist_field.name in tracked:
            expressions.append(f"{source}.{qn(model._meta.get_field(hist_field.name).column)}")
        elif hist_field.name == "history_date":
            expressions.append("%(now)s")
        elif hist_field.name == "history_change_reason":
            expressions.append("%(reason)s")
        elif hist_field.name == "history_type":
            expressions.append(f"'{history_type}'")
        elif hist_field.name == "history_user":
            expressions.append("%(user)s")
        else:
            raise RuntimeError(
                f"the import does not know the history column {historical._meta.db_table}.{hist_field.column}"
            )
    return qn(historical._meta.db_table), ", ".join(columns), ", ".join(expressions)


class PostgresStage:
    def __init__(self, department):
        self.department = department
        self.table = f"import_stage_{uuid.uuid4().hex[:16]}"
        self.valid_rows = 0
        self.updated_ids: list[int] = []  # records the write updated (for registry.hooks)
        self._cursor = None
        self._copy_context = None
        self._copy = None
        self._lines: list[str] = []
        self._dates: dict = {}

    # --- the temporary table ---------------------------------------------------------------
    def __enter__(self):
        columns = ", ".join(f"{name} {STAGE_TYPES[name]}" for name in STAGE_COLUMNS)
        # Inside a caller's transaction, an abandoned COPY (a file that turns out
        # unreadable half-way) would leave that transaction aborted: a savepoint
        # lets the stage undo itself. In autocommit only the COPY fails.
        self._savepoint = transaction.savepoint() if connection.in_atomic_block else None
        with connection.cursor() as cursor:
            try:
                # More memory for this session's temporary tables; PostgreSQL refuses
                # the change once the session has used one (then the default stays).
                with transaction.atomic():
                    cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
            except DatabaseError:
                pass
            cursor.execute(f"CREATE TEMPORARY TABLE {self.table} ({columns}, ok boolean NOT NULL)")
        return self

    def __exit__(self, exc_type, exc, tb):
        self._close_copy(failed=True)
        savepoint, self._savepoint = self._savepoint, None
        if savepoint is not None and exc_type is not None:
            transaction.savepoint_rollback(savepoint)  # drops the table too
            return False
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        except DatabaseError:
            # The surrounding transaction is broken: rolling it back drops the table,
            # and a temporary table never outlives its session anyway.
            pass
        if savepoint is not None:
            transaction.savepoint_commit(savepoint)
        return False

    def begin(self) -> None:
        self._cursor = connection.cursor()
        self._open_copy()

    def _open_copy(self) -> None:
        self._copy_context = self._cursor.copy(f"COPY {self.table} ({', '.join(STAGE_COLUMNS)}, ok) FROM STDIN")
        self._copy = self._copy_context.__enter__()

    def _close_copy(self, failed: bool = False) -> None:
        if failed:
            self._lines.clear()
        elif self._copy is not None:
            self._send()
        if self._copy_context is not None:
            context, self._copy_context, self._copy = self._copy_context, None, None
            if failed:
                try:
                    context.__exit__(RuntimeError, RuntimeError("import aborted"), None)
                except Exception:  # the COPY is being abandoned
                    pass
            else:
                context.__exit__(None, None, None)
        if failed and self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    # COPY's text format, written here rather than by psycopg's write_row: the
    # staged values' types are known, dates repeat, and most rows need no escaping.
    def add(self, staged: tuple) -> None:
        (row_no, name, id_index, id_encrypted, id_masked, region_code, birth_date, catalog_item_id, severity,
         decision_no, decision_date, summary, legal_basis, display_from, display_until) = staged  # fmt: skip
        if NEEDS_ESCAPE(f"{name}\x1f{id_encrypted}\x1f{decision_no}\x1f{summary}\x1f{legal_basis}"):
            line = self._line((*staged, True))
        else:
            date = self._date
            line = (
                f"{row_no}\t{name}\t{id_index}\t{id_encrypted}\t{id_masked}\t{region_code}\t{date(birth_date)}\t"
                f"{catalog_item_id}\t{severity}\t{decision_no}\t{date(decision_date)}\t{summary}\t{legal_basis}\t"
                f"{date(display_from)}\t{date(display_until)}\tt\n"
            )
        self._lines.append(line)
        if len(self._lines) >= COPY_LINES:
            self._send()
        self.valid_rows += 1

    def add_partial(self, row_no: int, partial: tuple) -> None:
        decision_no, id_index, id_masked, name = partial
        self._lines.append(
            self._line((row_no, name, id_index, None, id_masked, None, None, None, None, decision_no, None, None, None,
                        None, None, False))
        )  # fmt: skip

    def _date(self, value) -> str:
        text = self._dates.get(value)
        if text is None:
            text = "\\N" if value is None else value.isoformat()
            if len(self._dates) < 100_000:
                self._dates[value] = text
        return text

    def _line(self, values: tuple) -> str:
        """One row in COPY's text format, any values."""
        fields = []
        for value in values:
            if value is None:
                fields.append("\\N")
            elif isinstance(value, bool):
                fields.append("t" if value else "f")
            elif isinstance(value, str):
                if "\x00" in value:  # what psycopg's write_row raises
                    raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
                if NEEDS_ESCAPE(value):
                    value = value.translate(COPY_ESCAPES)
                fields.append(value)
            elif isinstance(value, datetime.date):
                fields.append(value.isoformat())
            else:
                fields.append(str(value))
        return "\t".join(fields) + "\n"

    def _send(self) -> None:
        if self._lines:
            self._copy.write("".join(self._lines))
            self._lines.clear()

    def flush(self) -> None:
        """End this COPY batch (so the caller can report progress) and start the next."""
        self._close_copy()
        self._open_copy()

    def end(self) -> None:
        self._close_copy()
        # Statistics (row count, distinct values) of the columns the checks and
        # writes join on, so the planner picks hash joins; the rest is not needed.
        self._cursor.execute(f"ANALYZE {self.table} (id_index, decision_no, ok)")
        self._cursor.close()
        self._cursor = None

    def lock(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            # Sorts and hashes of the stage in memory, for this transaction only.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")

    # --- cross-row checks ---------------------------------------------------------------------
    def cross_row_errors(self, limit: int, labels: dict):
        stage = self.table
        with connection.cursor() as cursor:
            # Usually there is nothing to report: find out with two hash aggregates
            # before sorting the stage for the row-by-row reports below.
            cursor.execute(
                f"""
                SELECT
                  EXISTS (SELECT 1 FROM {stage} WHERE decision_no IS NOT NULL
                          GROUP BY decision_no HAVING count(*) > 1),
                  EXISTS (SELECT 1 FROM {stage} WHERE id_index IS NOT NULL AND name IS NOT NULL
                          GROUP BY id_index HAVING min(name) <> max(name))
                """
            )
            duplicate_decisions, conflicting_names = cursor.fetchone()
        with connection.cursor() as cursor:
            if duplicate_decisions:
                cursor.execute(
                    f"""
                SELECT row_no, decision_no, first_row FROM (
                    SELECT row_no, decision_no, min(row_no) OVER (PARTITION BY decision_no) AS first_row
                    FROM {stage} WHERE decision_no IS NOT NULL
                ) d WHERE row_no <> first_row ORDER BY row_no LIMIT %s
                """,
                    [limit],
                )
                for row_no, decision_no, first_row in cursor.fetchall():
                    yield duplicate_decision(row_no, labels["decision_no"], decision_no, first_row)
            if conflicting_names:
                cursor.execute(
                    f"""
                SELECT row_no, name, first_row, id_masked FROM (
                    SELECT row_no, name, id_masked,
                           first_value(name) OVER w AS first_name, first_value(row_no) OVER w AS first_row
                    FROM {stage} WHERE id_index IS NOT NULL AND name IS NOT NULL
                    WINDOW w AS (PARTITION BY id_index ORDER BY row_no)
                ) n WHERE name <> first_name ORDER BY row_no LIMIT %s
                """,
                    [limit],
                )
                for row_no, name, first_row, masked in cursor.fetchall():
                    yield name_conflict_in_file(row_no, labels["name"], name, first_row, masked or "")
            cursor.execute(
                f"""
                SELECT s.row_no, s.name, s.id_masked FROM {stage} s
                JOIN {qn(Person._meta.db_table)} p ON p.id_number_index = s.id_index
                WHERE s.name IS NOT NULL AND p.name <> s.name ORDER BY s.row_no LIMIT %s
                """,
                [limit],
            )
            for row_no, name, masked in cursor.fetchall():
                yield name_mismatch_registered(row_no, labels["name"], name, masked or "")
            # Existing records the file would change although they are published or
            # their status is the outcome of a decision (only drafts are updatable).
            cursor.execute(
                f"""
                SELECT s.row_no, s.decision_no, r.status
                FROM {qn(CreditRecord._meta.db_table)} r
                JOIN {stage} s ON s.decision_no = r.decision_no
                LEFT JOIN {qn(Person._meta.db_table)} p ON p.id_number_index = s.id_index
                WHERE r.department_id = %s AND NOT (r.status = ANY(%s)) AND s.ok AND {self._record_compare("p")}
                  AND NOT EXISTS (SELECT 1 FROM {qn(DisplayHold._meta.db_table)} h
                                  WHERE h.record_id = r.id AND h.closed_at IS NULL)
                ORDER BY s.row_no LIMIT %s
                """,
                [self.department.pk, [str(status) for status in IMPORT_UPDATABLE_STATUSES], limit],
            )
            for row_no, decision_no, status in cursor.fetchall():
                yield record_not_updatable(row_no, labels["decision_no"], decision_no, status)
            # Records under an open display hold (an objection) change only through
            # its case: from the holds' side, as few are open at a time.
            cursor.execute(
                f"""
                SELECT s.row_no, s.decision_no
                FROM {qn(DisplayHold._meta.db_table)} h
                JOIN {qn(CreditRecord._meta.db_table)} r ON r.id = h.record_id
                JOIN {stage} s ON s.decision_no = r.decision_no
                LEFT JOIN {qn(Person._meta.db_table)} p ON p.id_number_index = s.id_index
                WHERE h.closed_at IS NULL AND r.department_id = %s
                  AND s.ok AND {self._record_compare("p")}
                ORDER BY s.row_no LIMIT %s
                """,
                [self.department.pk, limit],
            )
            for row_no, decision_no in cursor.fetchall():
                yield record_not_updatable(row_no, labels["decision_no"], decision_no, RecordStatus.UNDER_OBJECTION)

    def persons_outside(self, department_ids: list[int]) -> list[int]:
        """Registered persons the file names by ID number whom these departments
        may not see (registered elsewhere, no record here)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT DISTINCT p.id FROM {qn(Person._meta.db_table)} p
                JOIN {self.table} s ON p.id_number_index = s.id_index
                WHERE NOT (p.registered_by_id = ANY(%(departments)s) OR EXISTS (
                    SELECT 1 FROM {qn(CreditRecord._meta.db_table)} r
                    WHERE r.person_id = p.id AND r.department_id = ANY(%(departments)s)))
                """,
                {"departments": department_ids},
            )
            return [pk for (pk,) in cursor.fetchall()]

    # --- counting and writing --------------------------------------------------------------------
    def _record_compare(self, person: str) -> str:
        mine = ", ".join(f"r.{qn(name)}" for name in RECORD_FIELDS)
        theirs = ", ".join(f"{person}.id" if name == "person_id" else f"s.{name}" for name in RECORD_FIELDS)
        return f"({mine}) IS DISTINCT FROM ({theirs})"

    def preview_counts(self) -> tuple[int, int, int]:
        person_table = qn(Person._meta.db_table)
        record_table = qn(CreditRecord._meta.db_table)
        stage = self.table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT
                  (SELECT count(*) FROM {stage} s WHERE s.ok AND NOT EXISTS (
                      SELECT 1 FROM {record_table} r WHERE r.department_id = %(department)s
                      AND r.decision_no = s.decision_no)),
                  (SELECT count(*) FROM {stage} s
                      LEFT JOIN {person_table} p ON p.id_number_index = s.id_index
                      JOIN {record_table} r ON r.department_id = %(department)s AND r.decision_no = s.decision_no
                      WHERE s.ok AND {self._record_compare("p")}),
                  (SELECT count(DISTINCT s.id_index) FROM {stage} s WHERE s.ok AND NOT EXISTS (
                      SELECT 1 FROM {person_table} p WHERE p.id_number_index = s.id_index))
                """,
                {"department": self.department.pk},
            )
            created, updated, persons = cursor.fetchone()
        return created, updated, persons

    def write(self, *, acting_user, reason: str, now) -> tuple[int, int, int]:
        stage = self.table
        person_table = qn(Person._meta.db_table)
        record_table = qn(CreditRecord._meta.db_table)
        params = {"department": self.department.pk, "now": now, "reason": reason, "user": acting_user.pk,
                  "draft": RecordStatus.DRAFT.value}  # fmt: skip
        with connection.cursor() as cursor:
            # 1. Persons not yet registered (first row of each ID number), with history.
            columns, expressions = insert_columns(
                Person,
                {
                    "name": "s.name",
                    "id_number_encrypted": "s.id_encrypted",
                    "id_number_index": "s.id_index",
                    "id_number_masked": "s.id_masked",
                    "region_code": "s.region_code",
                    "birth_date": "s.birth_date",
                    "registered_by_id": "%(department)s",
                    "created_at": "%(now)s",
                    "updated_at": "%(now)s",
                },
                params,
            )
            table, hist_columns, hist_expressions = history_columns(Person, "new", "+")
            # Usually every ID number is in the file once: then no DISTINCT ON
            # (it sorts the whole stage) is needed to create each person once.
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {stage} WHERE ok GROUP BY id_index HAVING count(*) > 1)")
            (repeated_ids,) = cursor.fetchone()
            if repeated_ids:
                new_persons = f"""
                    SELECT DISTINCT ON (s.id_index) s.* FROM {stage} s
                    WHERE s.ok AND NOT EXISTS (SELECT 1 FROM {person_table} p WHERE p.id_number_index = s.id_index)
                    ORDER BY s.id_index, s.row_no"""
            else:
                new_persons = f"""
                    SELECT s.* FROM {stage} s
                    WHERE s.ok AND NOT EXISTS (SELECT 1 FROM {person_table} p WHERE p.id_number_index = s.id_index)"""
            cursor.execute(
                f"""
                WITH new AS (
                    INSERT INTO {person_table} ({columns})
                    SELECT {expressions} FROM ({new_persons}) s
                    RETURNING *
                )
                INSERT INTO {table} ({hist_columns}) SELECT {hist_expressions} FROM new
                """,
                params,
            )
            persons_created = cursor.rowcount

            # 2. Records that exist and differ: update the imported fields (never the status).
            table, hist_columns, hist_expressions = history_columns(CreditRecord, "upd", "~")
            assignments = ", ".join(f"{qn(name)} = src.{name}" for name in RECORD_FIELDS)
            source_fields = ", ".join(
                "p.id AS person_id" if name == "person_id" else f"s.{name}" for name in RECORD_FIELDS
            )
            cursor.execute(
                f"""
                WITH src AS (
                    SELECT r.id AS record_id, {source_fields}
                    FROM {stage} s
                    JOIN {person_table} p ON p.id_number_index = s.id_index
                    JOIN {record_table} r ON r.department_id = %(department)s AND r.decision_no = s.decision_no
                    WHERE s.ok AND {self._record_compare("p")}
                ), upd AS (
                    UPDATE {record_table} r SET {assignments}, updated_at = %(now)s
                    FROM src WHERE r.id = src.record_id
                    RETURNING r.*
                )
                INSERT INTO {table} ({hist_columns}) SELECT {hist_expressions} FROM upd
                RETURNING id
                """,
                params,
            )
            # The history rows' id is the record's: the set the hooks receive.
            self.updated_ids = [row[0] for row in cursor.fetchall()]
            updated = len(self.updated_ids)

            # 3. New records, as drafts, with history.
            columns, expressions = insert_columns(
                CreditRecord,
                {
                    "person_id": "p.id",
                    "department_id": "%(department)s",
                    "catalog_item_id": "s.catalog_item_id",
                    "severity": "s.severity",
                    "decision_no": "s.decision_no",
                    "decision_date": "s.decision_date",
                    "summary": "s.summary",
                    "legal_basis": "s.legal_basis",
                    "display_from": "s.display_from",
                    "display_until": "s.display_until",
                    "status": "%(draft)s",
                    "created_at": "%(now)s",
                    "updated_at": "%(now)s",
                },
                params,
            )
            table, hist_columns, hist_expressions = history_columns(CreditRecord, "new", "+")
            cursor.execute(
                f"""
                WITH new AS (
                    INSERT INTO {record_table} ({columns})
                    SELECT {expressions} FROM {stage} s
                    JOIN {person_table} p ON p.id_number_index = s.id_index
                    WHERE s.ok AND NOT EXISTS (
                        SELECT 1 FROM {record_table} r
                        WHERE r.department_id = %(department)s AND r.decision_no = s.decision_no)
                    RETURNING *
                )
                INSERT INTO {table} ({hist_columns}) SELECT {hist_expressions} FROM new
                """,
                params,
            )
            created = cursor.rowcount
        return created, updated, persons_created

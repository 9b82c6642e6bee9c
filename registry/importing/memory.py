"""The portable stage (SQLite and anything else): rows in a Python list,
cross-row checks in Python, writes with ``bulk_create`` / ``bulk_update`` and
simple-history's ``bulk_history_create`` in the caller's transaction.

Correct and slower than the PostgreSQL stage; meant for the demo and tests.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

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

BATCH = 500  # rows per query (SQLite's parameter limit)
COL = {name: index for index, name in enumerate(STAGE_COLUMNS)}


def _chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MemoryStage:
    def __init__(self, department):
        self.department = department
        self.rows: list[tuple] = []
        self.partials: list[tuple] = []  # (row_no, decision_no, id_index, id_masked, name) of every row
        self.updated_ids: list[int] = []  # records the write updated (for registry.hooks)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.rows = []
        self.partials = []
        return False

    def begin(self):
        pass

    def flush(self):
        pass

    def end(self):
        pass

    def lock(self):
        pass

    def add(self, staged: tuple) -> None:
        self.rows.append(staged)
        self.partials.append(
            tuple(staged[COL[name]] for name in ("row_no", "decision_no", "id_index", "id_masked", "name"))
        )

    def add_partial(self, row_no: int, partial: tuple) -> None:
        self.partials.append((row_no, *partial))

    @property
    def valid_rows(self) -> int:
        return len(self.rows)

    # --- checks ---------------------------------------------------------------------------
    def cross_row_errors(self, limit: int, labels: dict):
        first_decision: dict[str, int] = {}
        first_name: dict[str, tuple[str, int]] = {}
        for row_no, decision_no, id_index, masked, name in self.partials:
            if decision_no:
                if decision_no in first_decision:
                    yield duplicate_decision(row_no, labels["decision_no"], decision_no, first_decision[decision_no])
                else:
                    first_decision[decision_no] = row_no
            if id_index and name:
                if id_index in first_name:
                    other, other_row = first_name[id_index]
                    if other != name:
                        yield name_conflict_in_file(row_no, labels["name"], name, other_row, masked or "")
                else:
                    first_name[id_index] = (name, row_no)
        registered = {}
        for chunk in _chunks(first_name):
            registered.update(Person.objects.filter(id_number_index__in=chunk).values_list("id_number_index", "name"))
        for row_no, _decision_no, id_index, masked, name in self.partials:
            if id_index and name and id_index in registered and registered[id_index] != name:
                yield name_mismatch_registered(row_no, labels["name"], name, masked or "")
        persons = self._existing_persons()
        for record, _values, row in self._changes(persons):
            if record is not None and (record.status not in IMPORT_UPDATABLE_STATUSES or record.held):
                # A record under an open hold changes only through the hold's case.
                status = RecordStatus.UNDER_OBJECTION if record.held else record.status
                yield record_not_updatable(row[COL["row_no"]], labels["decision_no"], record.decision_no, status)

    def persons_outside(self, department_ids: list[int]) -> list[int]:
        """Registered persons the file names by ID number whom these departments may not see."""
        indexes = {id_index for _row, _decision, id_index, _masked, _name in self.partials if id_index}
        found: list[int] = []
        for chunk in _chunks(indexes):
            found.extend(
                Person.objects.filter(id_number_index__in=chunk)
                .exclude(Person.access_scope(department_ids))
                .values_list("pk", flat=True)
            )
        return found

    # --- matching ---------------------------------------------------------------------------
    def _existing_persons(self) -> dict[str, int]:
        found = {}
        indexes = {row[COL["id_index"]] for row in self.rows}
        for chunk in _chunks(indexes):
            found.update(Person.objects.filter(id_number_index__in=chunk).values_list("id_number_index", "pk"))
        return found

    def _existing_records(self) -> dict[str, CreditRecord]:
        found = {}
        numbers = [row[COL["decision_no"]] for row in self.rows]
        for chunk in _chunks(numbers):
            records = CreditRecord.objects.filter(department=self.department, decision_no__in=chunk).annotate(
                held=Exists(DisplayHold.objects.open().filter(record=OuterRef("pk")))
            )
            for record in records:
                found[record.decision_no] = record
        return found

    def _values(self, row: tuple, person_id) -> dict:
        return {
            "person_id": person_id,
            "catalog_item_id": row[COL["catalog_item_id"]],
            "severity": row[COL["severity"]],
            "decision_date": row[COL["decision_date"]],
            "summary": row[COL["summary"]],
            "legal_basis": row[COL["legal_basis"]],
            "display_from": row[COL["display_from"]],
            "display_until": row[COL["display_until"]],
        }

    def _changes(self, persons: dict[str, int]):
        """``(record | None, values, row)`` for every row that creates or changes a record."""
        records = self._existing_records()
        for row in self.rows:
            values = self._values(row, persons.get(row[COL["id_index"]]))
            record = records.get(row[COL["decision_no"]])
            if record is None or any(getattr(record, name) != values[name] for name in RECORD_FIELDS):
                yield record, values, row

    def _plan(self, persons: dict[str, int]):
        new, changed = [], []
        for record, values, row in self._changes(persons):
            if record is None:
                new.append((row, values))
            else:
                changed.append((record, values))
        return new, changed

    def preview_counts(self) -> tuple[int, int, int]:
        persons = self._existing_persons()
        new_persons = {row[COL["id_index"]] for row in self.rows} - set(persons)
        # A person not yet registered has no records, so compare with a placeholder id.
        placeholder = {index: -1 for index in new_persons}
        new, changed = self._plan({**persons, **placeholder})
        return len(new), len(changed), len(new_persons)

    # --- writing ------------------------------------------------------------------------------
    def write(self, *, acting_user, reason: str, now) -> tuple[int, int, int]:
        persons = self._existing_persons()
        to_create: dict[str, Person] = {}
        for row in self.rows:
            index = row[COL["id_index"]]
            if index in persons or index in to_create:
                continue
            to_create[index] = Person(
                name=row[COL["name"]],
                id_number_encrypted=row[COL["id_encrypted"]],
                id_number_index=index,
                id_number_masked=row[COL["id_masked"]],
                region_code=row[COL["region_code"]],
                birth_date=row[COL["birth_date"]],
                registered_by=self.department,
            )
        created_persons = Person.objects.bulk_create(list(to_create.values()), batch_size=BATCH)
        if any(person.pk is None for person in created_persons):  # a backend without RETURNING
            created_persons = list(Person.objects.filter(id_number_index__in=list(to_create)))
        Person.history.bulk_history_create(
            created_persons, batch_size=BATCH, default_user=acting_user, default_change_reason=reason, default_date=now
        )
        persons.update({person.id_number_index: person.pk for person in created_persons})

        new, changed = self._plan(persons)
        records = [
            CreditRecord(
                department=self.department,
                decision_no=row[COL["decision_no"]],
                status=RecordStatus.DRAFT,
                **values,
            )
            for row, values in new
        ]
        records = CreditRecord.objects.bulk_create(records, batch_size=BATCH)
        if any(record.pk is None for record in records):
            numbers = [record.decision_no for record in records]
            records = list(CreditRecord.objects.filter(department=self.department, decision_no__in=numbers))
        CreditRecord.history.bulk_history_create(
            records, batch_size=BATCH, default_user=acting_user, default_change_reason=reason, default_date=now
        )
        updated = []
        for record, values in changed:
            for name, value in values.items():
                setattr(record, name, value)
            record.updated_at = now
            updated.append(record)
        CreditRecord.objects.bulk_update(updated, [*RECORD_FIELDS, "updated_at"], batch_size=BATCH)
        self.updated_ids = [record.pk for record in updated]
        CreditRecord.history.bulk_history_create(
            updated,
            batch_size=BATCH,
            update=True,
            default_user=acting_user,
            default_change_reason=reason,
            default_date=now,
        )
        return len(records), len(updated), len(created_persons)

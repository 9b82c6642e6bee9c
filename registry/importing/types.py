"""What the engine, the two stages and the cross-row messages share.

The row error and the import's result, the columns of a staged row, the record
fields an import sets, and :class:`Stage`, the interface both stages
(:mod:`.pg` and :mod:`.memory`) implement. Everything here stands below the
engine, the stages and the messages: none of them imports another to reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext as _

from ..identifiers import mask_ids_in_text

VALUE_SHOWN_MAX = 100

# The record fields an import sets; two rows are "identical" when these are.
RECORD_FIELDS = (
    "person_id",
    "catalog_item_id",
    "severity",
    "decision_date",
    "summary",
    "legal_basis",
    "display_from",
    "display_until",
)

# A valid row as the engine hands it to a stage (a tuple in this order).
STAGE_COLUMNS = (
    "row_no",
    "name",
    "id_index",
    "id_encrypted",
    "id_masked",
    "region_code",
    "birth_date",
    "catalog_item_id",
    "severity",
    "decision_no",
    "decision_date",
    "summary",
    "legal_basis",
    "display_from",
    "display_until",
)

# Called with (rows_done, estimated_total) every few thousand rows.
ProgressCallback = Callable[[int, int | None], None]


@dataclass
class RowError:
    """One problem: spreadsheet row (header = 1), column as written, value (IDs masked), reason."""

    row: int
    column: str
    value: str
    message: str

    def __post_init__(self) -> None:
        # An ID number can turn up anywhere: in a shifted column, as a "header" when
        # the header row is missing, quoted in a message. Mask all of it, then cut
        # the value short (cutting first could leave an unmasked stump).
        self.column = mask_ids_in_text(self.column)
        self.value = mask_ids_in_text(self.value)[:VALUE_SHOWN_MAX]
        self.message = mask_ids_in_text(self.message)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}

    def __str__(self) -> str:
        if not self.row:  # the whole file (its encoding, its format): no row to name
            return self.message
        shown = f" ({self.value})" if self.value else ""
        return f"Row {self.row}, {self.column}{shown}: {self.message}"


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    persons_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    encoding: str = ""
    validation_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        verb = _("would be") if self.dry_run else ""
        return _(
            "%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(errors)d errors%(dry)s"
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.error_count,
            "dry": f" ({_('dry run: nothing written')})" if verb else "",
        }


class Stage(Protocol):
    """Where the engine puts the rows it validated, and what it asks of them.

    Used as a context manager around one import (``__exit__`` drops whatever
    the stage holds). The engine calls, in order: :meth:`begin`, :meth:`add` or
    :meth:`add_partial` for each row (with :meth:`flush` every few thousand),
    :meth:`end`; then, inside the write transaction, :meth:`lock`,
    :meth:`persons_outside`, :meth:`cross_row_errors` and either
    :meth:`preview_counts` (a dry run) or :meth:`write`, after which
    :attr:`updated_ids` names the records the write updated (the engine fires
    ``registry.hooks`` with them).
    """

    department: object
    updated_ids: list[int]

    def __enter__(self) -> Stage: ...

    def __exit__(self, exc_type, exc, tb) -> bool: ...

    @property
    def valid_rows(self) -> int:
        """How many rows were added with :meth:`add` (rows without errors)."""
        ...

    def begin(self) -> None: ...

    def add(self, staged: tuple) -> None:
        """A valid row: a tuple in the order of :data:`STAGE_COLUMNS`."""
        ...

    def add_partial(self, row_no: int, partial: tuple) -> None:
        """A row with errors: ``(decision_no, id_index, id_masked, name)``, parts may be None,
        for the cross-row checks."""
        ...

    def flush(self) -> None: ...

    def end(self) -> None: ...

    def lock(self) -> None:
        """Serialise the write phase of concurrent imports (inside the transaction)."""
        ...

    def persons_outside(self, department_ids: list[int]) -> list[int]:
        """Registered persons the file names whom these departments may not see."""
        ...

    def cross_row_errors(self, limit: int, labels: dict) -> Iterator[RowError]:
        """Duplicate decision numbers, two names for one ID number, names that do not
        match a registered person, records an import may not change."""
        ...

    def preview_counts(self) -> tuple[int, int, int]:
        """``(created, updated, persons_created)`` that :meth:`write` would give."""
        ...

    def write(self, *, acting_user, reason: str, now) -> tuple[int, int, int]:
        """Write persons, records and their history rows; ``(created, updated, persons_created)``.
        Sets :attr:`updated_ids`."""
        ...

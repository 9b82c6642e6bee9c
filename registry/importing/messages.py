"""The cross-row problems, worded once for both stages."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..choices import RecordStatus
from .types import RowError

# The statuses in which an import may change a record's content: drafts only.
# A published record changes only through a reviewed correction (proposed in
# the admin, approved by a reviewer or publisher); the other statuses are the
# outcome of a decision or of the calendar. A department's routine re-import
# of an older spreadsheet must not change what the public sees, or undo a decision.
IMPORT_UPDATABLE_STATUSES = (RecordStatus.DRAFT,)
PUBLISHED_STATUSES = (RecordStatus.ACTIVE, RecordStatus.CORRECTED)


def duplicate_decision(row: int, column: str, decision_no: str, first_row: int) -> RowError:
    return RowError(
        row,
        column,
        decision_no,
        _("The same decision number is already in row %(row)d: each decision may appear only once in a file.")
        % {"row": first_row},
    )


def name_conflict_in_file(row: int, column: str, name: str, first_row: int, masked_id: str) -> RowError:
    return RowError(
        row,
        column,
        name,
        _("Row %(row)d gives another name for the same ID number %(id)s.") % {"row": first_row, "id": masked_id},
    )


def name_mismatch_registered(row: int, column: str, name: str, masked_id: str) -> RowError:
    return RowError(
        row,
        column,
        name,
        _(
            "The name does not match the person already registered under ID number %(id)s: "
            "check the name and the ID number."
        )
        % {"id": masked_id},
    )


def record_not_updatable(row: int, column: str, decision_no: str, status: str) -> RowError:
    if status in PUBLISHED_STATUSES:
        return RowError(
            row,
            column,
            decision_no,
            _(
                "The record with this decision number is published: an import cannot change it. A change to a "
                "published record is a correction: propose it on the record's page in the admin, and a reviewer "
                "or publisher of the department approves it. Make the row match the record as it is now, or "
                "remove the row from the file."
            ),
        )
    return RowError(
        row,
        column,
        decision_no,
        _(
            "The record with this decision number is “%(status)s”: an import cannot change it (objections, "
            "corrections, repairs and revocations are decided in the admin). Make the row match the record as "
            "it is now, or remove the row from the file."
        )
        % {"status": RecordStatus(status).label},
    )

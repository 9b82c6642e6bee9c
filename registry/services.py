"""Service functions: every registry write that matters goes through here.

Each runs in one ``transaction.atomic``, checks the acting user's department
scope through ``creditportal.access`` (again after the write, so a change
cannot move data out of the user's reach), and writes its history row with the
acting user and a reason in the same transaction. Admin pages, imports,
commands and tasks call these; none of them writes the models directly.
"""

from __future__ import annotations

import datetime
import logging
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from creditportal import access, permissions
from creditportal.access import Action, SystemDuty
from creditportal.audit import require_reason, save_with_history

from . import crypto, hooks, workdays
from .choices import (
    DISPLAYABLE_STATUSES,
    REVEAL_DETAIL_MIN_CHARS,
    AccessAction,
    HoldSource,
    RecordStatus,
    RevealPurpose,
)
from .identifiers import mask_id, mask_ids_in_text, validate_resident_id
from .models import (
    CORRECTABLE_FIELDS,
    ID_NUMBER_CONTEXT,
    AccessLog,
    CalendarDay,
    CatalogItem,
    CreditRecord,
    Department,
    DisplayHold,
    Person,
    RecordCorrection,
    RoleGrant,
    apply_record_values,
    local_today,
    record_values,
)
from .permissions import RegistryPermission
from .roles import (
    CALENDAR_ADD_PERM,
    CALENDAR_CHANGE_PERM,
    ROLE_DEPARTMENT_ACTIONS,
    Role,
    group_name,
)

logger = logging.getLogger(__name__)


# --- Access log -----------------------------------------------------------------


def log_access(
    *, user, action: AccessAction, purpose: str, person=None, record=None, detail: str = "", ip_address=None
) -> AccessLog:
    """Append one row to the access log (a read of a person's non-public data)."""
    if record is not None and person is None:
        person = record.person
    return AccessLog.objects.create(
        user=user,
        action=action,
        person=person,
        record=record,
        # An ID number typed into the purpose or the detail is kept masked.
        purpose=mask_ids_in_text((purpose or "").strip())[:300] or str(AccessAction(action).label),
        detail=mask_ids_in_text(detail or "")[:300],
        ip_address=ip_address,
    )


@transaction.atomic
def log_person_matches(*, user, person_ids, purpose: str, detail: str = "") -> int:
    """Log that ``user`` matched these persons by ID number (a bulk import that
    found them registered by other departments: its report can confirm that a
    number is registered and under which name). One SEARCH row per person."""
    rows = [
        AccessLog(
            user=user,
            action=AccessAction.SEARCH,
            person_id=pk,
            purpose=mask_ids_in_text(purpose.strip())[:300],
            detail=mask_ids_in_text(detail)[:300],
        )
        for pk in person_ids
    ]
    AccessLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def real_characters(text: str) -> str:
    """The letters, characters and digits of ``text`` (any script): what is left
    when punctuation, symbols and spaces are taken away."""
    return "".join(char for char in text if unicodedata.category(char)[0] in "LN")


def check_reveal_purpose(purpose, detail: str) -> tuple[RevealPurpose, str]:
    """A reveal's purpose: one of ``RevealPurpose`` and a written detail of real
    length (``REVEAL_DETAIL_MIN_CHARS``). Returns both, or raises a
    ``ValidationError`` keyed by field ("purpose", "detail")."""
    errors = {}
    try:
        choice = RevealPurpose(purpose)
    except ValueError:
        choice = None
        errors["purpose"] = ValidationError(_("Choose the purpose from the list."), code="purpose_choice")
    detail = (detail or "").strip()
    real = real_characters(detail)
    if len(real) < REVEAL_DETAIL_MIN_CHARS or len(set(real)) < 2:
        errors["detail"] = ValidationError(
            _(
                "Say what exactly you need the number for, in at least %(min)d letters, characters or digits "
                "(punctuation and spaces do not count), e.g. the case or objection number."
            ),
            code="detail_too_short",
            params={"min": REVEAL_DETAIL_MIN_CHARS},
        )
    if errors:
        raise ValidationError(errors)
    return choice, detail


def reveal_id_number(person: Person, *, acting_user, purpose, detail: str, ip_address=None) -> str:
    """Return the clear ID number of ``person`` to a user allowed to reveal it,
    and log the reveal with its stated purpose (a ``RevealPurpose``) and detail.

    The access log keeps the purpose in the site's language (``LANGUAGE_CODE``),
    the same words whoever revealed, and the detail as written."""
    if not access.can(acting_user, Action.REVEAL, person):
        raise PermissionDenied(_("You may not reveal this person's ID number."))
    choice, detail = check_reveal_purpose(purpose, detail)
    with translation.override(settings.LANGUAGE_CODE):
        purpose_text = str(choice.label)
    with transaction.atomic():
        log_access(
            user=acting_user,
            action=AccessAction.REVEAL,
            person=person,
            purpose=purpose_text,
            detail=detail[:300],
            ip_address=ip_address,
        )
    return person.id_number


# --- Departments -------------------------------------------------------------------


@transaction.atomic
def save_department(department: Department, *, acting_user, reason: str) -> Department:
    """Create or change a department and keep the paths of its subtree right."""
    if department.parent_id:
        access.require_department(acting_user, Action.CHANGE, department.parent)
    elif not getattr(acting_user, "is_superuser", False):
        raise PermissionDenied(_("Only an operator can create or move a top-level department."))
    old_path = None
    if department.pk:
        old = Department.objects.select_for_update().get(pk=department.pk)
        old_path = old.path
        access.require_department(acting_user, Action.CHANGE, old)
    department.full_clean(exclude=["path"])
    department.path = department.compute_path()
    save_with_history(department, acting_user=acting_user, reason=reason)
    if old_path and old_path != department.path:
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk).order_by("path"):
            child.path = child.compute_path()
            save_with_history(child, acting_user=acting_user, reason=reason)
    return department


# --- Catalogue ---------------------------------------------------------------------


@transaction.atomic
def save_catalog_item(item: CatalogItem, *, acting_user, reason: str, recording_departments=None) -> CatalogItem:
    """Create or change a catalogue item; ``recording_departments`` (an iterable of
    departments, None to leave them) replaces the departments that may record it.

    One history row carries the whole change, departments included (a new item
    with departments gets its creation row, then one for the departments).
    """
    if not acting_user.has_perm(
        RegistryPermission.CHANGE_CATALOGITEM if item.pk else RegistryPermission.ADD_CATALOGITEM
    ):
        raise PermissionDenied(_("You may not change the catalogue."))
    require_reason(reason)
    item.full_clean()
    if item.pk is None:
        save_with_history(item, acting_user=acting_user, reason=reason)
        if not recording_departments:
            return item
    wanted = None if recording_departments is None else {department.pk for department in recording_departments}
    links_changed = wanted is not None and wanted != set(item.recording_departments.values_list("pk", flat=True))
    if links_changed:
        item.skip_history_when_saving = True  # no row per added or removed department...
        try:
            item.recording_departments.set(wanted)
        finally:
            del item.skip_history_when_saving
    # ...one row with them all (none when nothing changed at all)
    return save_with_history(item, acting_user=acting_user, reason=reason, force_history=links_changed)


# --- Holiday schedule ------------------------------------------------------------------


@transaction.atomic
def save_calendar_day(day: CalendarDay, *, acting_user, reason: str) -> CalendarDay:
    """Enter or correct one date of the State Council's holiday schedule.

    The table takes precedence over the ``chinesecalendar`` package for every
    deadline counted from now on (``registry.workdays``).
    """
    if not acting_user.has_perm(CALENDAR_CHANGE_PERM if day.pk else CALENDAR_ADD_PERM):
        raise PermissionDenied(_("You may not change the holiday schedule."))
    require_reason(reason)
    day.full_clean()
    save_with_history(day, acting_user=acting_user, reason=reason)
    # Cleared now, so reads in this transaction see the change, and again after the
    # commit, in case one of them cached it early. (Other processes: within
    # workdays.CACHE_SECONDS; a rolled-back entry, seen early, as long.)
    workdays.clear_cache()
    transaction.on_commit(workdays.clear_cache)
    return day


# --- Persons -----------------------------------------------------------------------
#
# Persons belong to the province, records to departments. The department that
# registered a person (and the supervisors above it) keeps the person: it sees
# the contact details in full and alone changes the name and the ID number. A
# department that holds a record of the person sees them through that record:
# name, masked ID number, masked contact details, which it may replace. Who
# registered a person never changes by an edit.

CONTACT_FIELDS = ("phone", "email", "address")
IDENTITY_FIELDS = ("name", "id_number")
_PERSON_FIELDS = ("name", "registered_by", *CONTACT_FIELDS)


def find_person_by_id_number(id_number: str) -> Person | None:
    """Exact lookup through the blind index (no scan, no clear number stored)."""
    resident = validate_resident_id(id_number)
    return Person.objects.filter(id_number_index=Person.index_for(resident.number)).first()


def look_up_person(id_number: str, *, acting_user, purpose: str = "", ip_address=None) -> Person | None:
    """Find a person registered anywhere in the province by full ID number, for
    a staff user who holds a department (the deliberate cross-department lookup).

    Writes one SEARCH row to the access log, found or not, with the stated
    purpose and the masked number. Finding a person does not make them visible
    in lists: that takes a record of one of the user's departments.
    """
    if not access.permitted_departments(acting_user, Action.VIEW).exists():
        raise PermissionDenied(_("You may not look up persons."))
    number = validate_resident_id(id_number).number
    person = Person.objects.select_related("registered_by").filter(id_number_index=Person.index_for(number)).first()
    with transaction.atomic():
        log_access(
            user=acting_user,
            action=AccessAction.SEARCH,
            person=person,
            purpose=purpose or _("Search by ID number in the admin"),
            detail=mask_id(number),
            ip_address=ip_address,
        )
    return person


# How long a lookup lets its user record for the person found (the admin keeps the
# same mark in the session): half a working day.
LOOKUP_VALID_FOR = datetime.timedelta(hours=4)


def may_record_for_person(user, person: Person) -> bool:
    """May ``user`` attach a record to ``person``? When their departments see the
    person (registered them, or hold a record of them), or when they found the
    person by full ID number (a SEARCH row of theirs) within ``LOOKUP_VALID_FOR``:
    the lookup is the only way to a person registered elsewhere."""
    # The system user reads every department (its policy in creditportal.access).
    if getattr(user, "is_superuser", False) or access.can(user, Action.VIEW, person):
        return True
    return AccessLog.objects.filter(
        user=user, person=person, action=AccessAction.SEARCH, at__gte=timezone.now() - LOOKUP_VALID_FOR
    ).exists()


def log_already_registered(person: Person, *, acting_user, purpose: str) -> bool:
    """An "already registered" answer confirms that a number is registered: log it
    the way the import does (a SEARCH row when the user may not see the person;
    superusers see everyone and are not logged). Returns whether a row was written."""
    if acting_user is None or getattr(acting_user, "is_superuser", False):
        return False
    if access.can(acting_user, Action.VIEW, person):
        return False
    log_person_matches(
        user=acting_user, person_ids=[person.pk], purpose=purpose, detail=_("the ID number is already registered")
    )
    return True


def sees_contacts_in_full(user, person: Person) -> bool:
    """The registering department (and the departments above it) see a person's
    contact details in full; departments that see them through records, masked."""
    return access.can_in_department(user, Action.VIEW, person.registered_by)


def changeable_person_fields(user, person: Person) -> frozenset[str]:
    """Which of a saved person's fields ``user`` may change.

    The registering department (or a supervisor above it): name, ID number and
    contact details. A department holding a record of the person: the contact
    details. Nobody: who registered the person.
    """
    if person.pk is None:
        return frozenset()
    if access.can_in_department(user, Action.CHANGE, person.registered_by):
        return frozenset((*IDENTITY_FIELDS, *CONTACT_FIELDS))
    if access.restrict(CreditRecord.objects.filter(person_id=person.pk), user, Action.CHANGE).exists():
        return frozenset(CONTACT_FIELDS)
    return frozenset()


def _refuse_registered_number(number: str, *, acting_user, exclude_pk=None, purpose: str) -> None:
    clash = Person.objects.filter(id_number_index=Person.index_for(number))
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    existing = clash.first()
    if existing is not None:
        log_already_registered(existing, acting_user=acting_user, purpose=purpose)
        raise ValidationError({"id_number": _("A person with this ID number is already registered.")}, code="duplicate")


def _set_id_number(person: Person, id_number: str) -> None:
    resident = validate_resident_id(id_number)
    index = Person.index_for(resident.number)
    clash = Person.objects.filter(id_number_index=index)
    if person.pk:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError({"id_number": _("A person with this ID number is already registered.")}, code="duplicate")
    person.id_number_encrypted = crypto.encrypt(resident.number, context=ID_NUMBER_CONTEXT)
    person.id_number_index = index
    person.id_number_masked = mask_id(resident.number)
    person.region_code = resident.region_code
    person.birth_date = resident.birth_date


def register_person(
    *,
    name: str,
    id_number: str,
    registered_by: Department,
    acting_user,
    reason: str,
    person: Person | None = None,
    **contact,
) -> Person:
    """Register a person under ``registered_by`` (which the user must hold).

    ``person`` may be an unsaved instance to fill (the admin passes its form's).
    A number that is already registered is refused, and the refusal (which
    confirms the number) is logged as the import logs it, outside the
    transaction so that the refusal does not take the log row with it.
    """
    number = validate_resident_id(id_number).number
    _refuse_registered_number(number, acting_user=acting_user, purpose=_("Adding a person"))
    return _register_person(
        name=name,
        id_number=number,
        registered_by=registered_by,
        acting_user=acting_user,
        reason=reason,
        person=person,
        **contact,
    )


@transaction.atomic
def _register_person(*, name, id_number, registered_by, acting_user, reason, person=None, **contact) -> Person:
    require_reason(reason)
    access.require_department(acting_user, Action.CHANGE, registered_by)
    if person is None:
        person = Person()
    elif person.pk is not None:
        raise ValueError("register_person creates; use update_person to change")
    person.name = (name or "").strip()
    person.registered_by = registered_by
    for field, value in contact.items():
        if field not in CONTACT_FIELDS:
            raise TypeError(f"register_person: unknown field {field!r}")
        setattr(person, field, value)
    _set_id_number(person, id_number)
    person.full_clean(
        exclude=["id_number_encrypted", "id_number_index", "id_number_masked", "region_code", "birth_date"]
    )
    return save_with_history(person, acting_user=acting_user, reason=reason)


def update_person(person: Person, *, acting_user, reason: str, id_number: str | None = None, **changes) -> Person:
    """Change a person's contact details, name or ID number (see :func:`_update_person`).

    A new ID number that is already another person's is refused, and the refusal
    (which confirms that the number is registered) is logged as the import logs
    it, outside the change's transaction so that the refusal keeps its log row.
    """
    if id_number and person.pk is not None and "id_number" in changeable_person_fields(acting_user, person):
        number = validate_resident_id(id_number).number
        _refuse_registered_number(
            number, acting_user=acting_user, exclude_pk=person.pk, purpose=_("Changing a person's ID number")
        )
    return _update_person(person, acting_user=acting_user, reason=reason, id_number=id_number, **changes)


@transaction.atomic
def _update_person(person: Person, *, acting_user, reason: str, id_number: str | None = None, **changes) -> Person:
    """Change a person's contact details, name or ID number, as far as the user may
    (:func:`changeable_person_fields`); always with a reason.

    The stored person is the starting point, not ``person``'s attributes (a form
    may have filled them): only the fields named in ``changes`` (and
    ``id_number``) change, and only those whose value really differs are
    checked against the user's rights. ``registered_by`` never changes here.
    ``person`` is refreshed from the saved row.
    """
    require_reason(reason)
    if person.pk is None:
        raise ValueError("update_person needs a saved person")
    unknown = set(changes) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"update_person: unknown fields {sorted(unknown)}")
    stored = Person.objects.select_for_update().select_related("registered_by").get(pk=person.pk)
    if not access.can(acting_user, Action.VIEW, stored):
        raise PermissionDenied(_("You may not change this person."))
    changed = {field: value for field, value in changes.items() if getattr(stored, field) != value}
    if "registered_by" in changed:
        raise ValidationError(
            {"registered_by": _("Who registered a person does not change when the person is edited.")},
            code="registered_by_fixed",
        )
    number = validate_resident_id(id_number).number if id_number else None
    if number and Person.index_for(number) != stored.id_number_index:
        changed["id_number"] = number
    else:
        number = None
    allowed = changeable_person_fields(acting_user, stored)
    if not allowed:
        raise PermissionDenied(_("You may not change this person."))
    if set(changed) - allowed:
        raise PermissionDenied(
            _(
                "Only the department that registered this person (%(department)s), or a supervisor above it, "
                "may change the name or the ID number."
            )
            % {"department": stored.registered_by}
        )
    for field, value in changed.items():
        if field != "id_number":
            setattr(stored, field, value)
    if number:
        _set_id_number(stored, number)
    stored.full_clean(
        exclude=["id_number_encrypted", "id_number_index", "id_number_masked", "region_code", "birth_date"]
    )
    save_with_history(stored, acting_user=acting_user, reason=reason)
    person.refresh_from_db()
    return person


# --- Credit records ------------------------------------------------------------------


# Which status changes exist, and which department action each needs. Later
# services (objections, repair, expiry) move records only along these edges.
STATUS_TRANSITIONS: dict[tuple[str, str], Action | None] = {
    (RecordStatus.DRAFT, RecordStatus.ACTIVE): Action.PUBLISH,
    (RecordStatus.DRAFT, RecordStatus.REVOKED): Action.CHANGE,
    # An objection upheld: the record is corrected or revoked (an objection
    # itself is a display hold, not a status: see open_hold).
    (RecordStatus.ACTIVE, RecordStatus.CORRECTED): Action.DECIDE,
    (RecordStatus.ACTIVE, RecordStatus.REPAIRED): Action.DECIDE,
    (RecordStatus.CORRECTED, RecordStatus.REPAIRED): Action.DECIDE,
    (RecordStatus.ACTIVE, RecordStatus.REVOKED): Action.DECIDE,
    (RecordStatus.CORRECTED, RecordStatus.REVOKED): Action.DECIDE,
    # A record whose period ended while it was under objection can still be
    # revoked when the objection is upheld (revoked records never count).
    (RecordStatus.EXPIRED, RecordStatus.REVOKED): Action.DECIDE,
    # Expiry is a fact of the calendar, not a decision: only once the period has ended.
    (RecordStatus.DRAFT, RecordStatus.EXPIRED): None,
    (RecordStatus.ACTIVE, RecordStatus.EXPIRED): None,
    (RecordStatus.CORRECTED, RecordStatus.EXPIRED): None,
}


# What a record says (its substance): a change to any of these is announced to
# the other apps (registry.hooks.RecordEvent.CHANGED).
RECORD_CONTENT_FIELDS = ("department_id",) + tuple(
    CreditRecord._meta.get_field(name).attname for name in CORRECTABLE_FIELDS
)


def _content_differs(before: CreditRecord, after: CreditRecord) -> bool:
    return any(getattr(before, name) != getattr(after, name) for name in RECORD_CONTENT_FIELDS)


@transaction.atomic
def save_credit_record(record: CreditRecord, *, acting_user, reason: str) -> CreditRecord:
    """Create (as a draft) or change a credit record's content.

    The user must hold CHANGE on the record's current department and, when it
    is moved, on the new one; the catalogue's display bounds are enforced. The
    status is not changed here: that is :func:`change_record_status`'s job.
    """
    require_reason(reason)
    current = None
    if record.pk:
        current = CreditRecord.objects.select_for_update().select_related("department").get(pk=record.pk)
        access.require_department(acting_user, Action.CHANGE, current.department)
        if record.status != current.status:
            raise ValidationError(
                {"status": _("The status is changed by publishing, deciding or expiry, not by editing.")}
            )
        refuse_under_objection(current)
        if not current.is_edited_directly:
            refuse_direct_change(current, record)
    elif record.status != RecordStatus.DRAFT:
        raise ValidationError({"status": _("A new record starts as a draft.")})
    if record.person_id and (current is None or current.person_id != record.person_id):
        if not may_record_for_person(acting_user, record.person):
            raise PermissionDenied(
                _("Find this person by their full ID number first: they are registered by another department.")
            )
    record.fill_display_period()
    record.full_clean()
    changed = record.pk is not None and _content_differs(current, record)
    save_with_history(record, acting_user=acting_user, reason=reason)
    if changed:
        hooks.fire(hooks.RecordEvent.CHANGED, [record.pk], acting_user=acting_user, reason=reason, source="services")
    # Re-check after the write: the saved record must be within the user's scope.
    if not access.can(acting_user, Action.CHANGE, record):
        raise PermissionDenied(
            _("You may not record information for department %(department)s.") % {"department": record.department}
        )
    return record


def refuse_under_objection(record: CreditRecord) -> None:
    if record.is_under_objection:
        raise ValidationError(
            _(
                "This record is under objection: it changes only through the objection's decision, "
                "not by editing or a correction."
            ),
            code="under_objection",
        )


def refuse_direct_change(current: CreditRecord, record: CreditRecord) -> None:
    """A record that is no longer a draft is not edited in place: under objection
    it waits for the objection's decision; otherwise a change to what it says
    is a correction (:func:`propose_correction`), approved by a second person."""
    refuse_under_objection(current)
    if record.department_id != current.department_id:
        raise ValidationError(
            {"department": _("A published record stays with the department that decided it.")}, code="published"
        )
    if record_values(record) != record_values(current):
        raise ValidationError(
            _(
                "This record has been published: a change to it is a correction. Propose a correction with "
                "its reason; a reviewer or publisher of the department approves it before the public sees it."
            ),
            code="published",
        )


# --- Corrections of published records ---------------------------------------------------------------


def _correction_sentence(correction: RecordCorrection, decision_reason: str) -> str:
    """The reason written into the record's history when a correction is applied."""
    return _("Correction %(id)s proposed by %(proposer)s (%(reason)s), approved by %(approver)s (%(decision)s)") % {
        "id": correction.pk,
        "proposer": correction.proposed_by.get_full_name() or correction.proposed_by.get_username(),
        "reason": correction.reason,
        "approver": correction.decided_by.get_full_name() or correction.decided_by.get_username(),
        "decision": decision_reason,
    }


def check_correction_allowed(record: CreditRecord) -> None:
    """Why ``record`` (as stored) cannot take a correction now, as a ValidationError."""
    if record.is_edited_directly:
        raise ValidationError(_("A draft is edited directly; corrections are for published records."), code="draft")
    refuse_under_objection(record)
    pending = record.corrections.filter(state=RecordCorrection.State.PENDING).first()
    if pending is not None:
        raise ValidationError(
            _(
                "Correction %(id)s of this record is still waiting for review: it must be approved, rejected "
                "or withdrawn before another is proposed."
            )
            % {"id": pending.pk},
            code="pending",
        )


@transaction.atomic
def propose_correction(record: CreditRecord, *, acting_user, reason: str, **changes) -> RecordCorrection:
    """Propose new values (``changes``: correctable field names to values) for a
    published record. The record is not changed: until a reviewer or publisher
    approves, the public keeps seeing the version that was decided.

    The values are checked by the record's own rules (CreditRecord.clean and
    its constraints) as if they were saved; only fields that really change are
    kept. Needs CHANGE on the record's department; one pending correction per record.
    """
    reason = require_reason(reason)
    current = CreditRecord.objects.select_for_update().select_related("department").get(pk=record.pk)
    access.require_department(acting_user, Action.CHANGE, current.department)
    check_correction_allowed(current)
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if "department" in unknown:
        raise ValidationError(
            {"department": _("A published record stays with the department that decided it.")}, code="published"
        )
    if unknown:
        raise ValueError(f"not correctable: {', '.join(sorted(unknown))}")
    proposed = CreditRecord.objects.select_related("catalog_item", "department").get(pk=current.pk)
    for name, value in changes.items():
        setattr(proposed, name, value)
    if proposed.person_id != current.person_id and not may_record_for_person(acting_user, proposed.person):
        raise PermissionDenied(
            _("Find this person by their full ID number first: they are registered by another department.")
        )
    proposed.fill_display_period()
    proposed.full_clean()  # normalises the decision number, as a save would
    before, after = record_values(current), record_values(proposed)
    diff = {name: value for name, value in after.items() if before[name] != value}
    if not diff:
        raise ValidationError(_("The correction changes nothing in the record."), code="no_change")
    correction = RecordCorrection(
        record=current,
        proposed=diff,
        original={name: before[name] for name in diff},
        reason=reason,
        proposed_by=acting_user,
    )
    correction.full_clean(exclude=["proposed", "original"])
    save_with_history(correction, acting_user=acting_user, reason=reason)
    return correction


def _lock_pending(correction: RecordCorrection) -> tuple[RecordCorrection, CreditRecord]:
    locked = RecordCorrection.objects.select_for_update().select_related("proposed_by").get(pk=correction.pk)
    record = CreditRecord.objects.select_for_update().select_related("department").get(pk=locked.record_id)
    if not locked.is_pending:
        raise ValidationError(
            _("This correction has already been %(state)s.") % {"state": locked.get_state_display()},
            code="decided",
        )
    return locked, record


def _require_reviewer(correction: RecordCorrection, record: CreditRecord, acting_user) -> None:
    """A reviewer or publisher of the record's department, and never the proposer."""
    if acting_user.pk == correction.proposed_by_id:
        raise PermissionDenied(
            _("You proposed this correction: another reviewer or publisher of the department decides it.")
        )
    if not (
        access.can_in_department(acting_user, Action.PUBLISH, record.department)
        or access.can_in_department(acting_user, Action.DECIDE, record.department)
    ):
        raise PermissionDenied(
            _("Only a reviewer or publisher of department %(department)s decides its corrections.")
            % {"department": record.department}
        )


def _decide(correction: RecordCorrection, state: str, *, acting_user, reason: str) -> RecordCorrection:
    correction.state = state
    correction.decided_by = acting_user
    correction.decided_at = timezone.now()
    correction.decision_reason = reason
    return save_with_history(correction, acting_user=acting_user, reason=reason)


@transaction.atomic
def approve_correction(correction: RecordCorrection, *, acting_user, reason: str) -> RecordCorrection:
    """Approve a pending correction and write its values onto the record, in one
    transaction: the record's history row names the approver (its user) and
    the proposer, with both reasons. Refused to the proposer (two people),
    while the record is under objection, and when the record changed since the
    proposal (it would overwrite what the proposer did not see)."""
    reason = require_reason(reason)
    locked, record = _lock_pending(correction)
    _require_reviewer(locked, record, acting_user)
    refuse_under_objection(record)
    now = record_values(record)
    if any(now[name] != value for name, value in locked.original.items()):
        raise ValidationError(
            _("The record has changed since this correction was proposed: reject it and propose it again."),
            code="stale",
        )
    apply_record_values(record, locked.proposed)
    record.full_clean()
    _decide(locked, RecordCorrection.State.APPROVED, acting_user=acting_user, reason=reason)
    sentence = _correction_sentence(locked, reason)
    save_with_history(record, acting_user=acting_user, reason=sentence)
    hooks.fire(hooks.RecordEvent.CHANGED, [record.pk], acting_user=acting_user, reason=sentence, source="corrections")
    correction.refresh_from_db()
    return correction


@transaction.atomic
def reject_correction(correction: RecordCorrection, *, acting_user, reason: str) -> RecordCorrection:
    """Reject a pending correction (the record stays as it is), with the reason."""
    reason = require_reason(reason)
    locked, record = _lock_pending(correction)
    _require_reviewer(locked, record, acting_user)
    _decide(locked, RecordCorrection.State.REJECTED, acting_user=acting_user, reason=reason)
    correction.refresh_from_db()
    return correction


@transaction.atomic
def withdraw_correction(correction: RecordCorrection, *, acting_user, reason: str) -> RecordCorrection:
    """A caseworker of the department (the proposer, usually) takes a pending correction back."""
    reason = require_reason(reason)
    locked, record = _lock_pending(correction)
    access.require_department(acting_user, Action.CHANGE, record.department)
    _decide(locked, RecordCorrection.State.WITHDRAWN, acting_user=acting_user, reason=reason)
    correction.refresh_from_db()
    return correction


@transaction.atomic
def change_record_status(record: CreditRecord, *, status: str, acting_user, reason: str) -> CreditRecord:
    """Move one record along an edge of :data:`STATUS_TRANSITIONS`.

    Locks the row, checks the edge and the department action it needs, writes
    the history row, and updates ``record`` in place.
    """
    require_reason(reason)
    locked = CreditRecord.objects.select_for_update().select_related("department").get(pk=record.pk)
    edge = (locked.status, status)
    if edge not in STATUS_TRANSITIONS:
        raise ValidationError(
            _("A record cannot go from %(old)s to %(new)s.")
            % {"old": locked.get_status_display(), "new": RecordStatus(status).label},
            code="invalid_transition",
        )
    needed = STATUS_TRANSITIONS[edge]
    if status == RecordStatus.ACTIVE and locked.status == RecordStatus.DRAFT and locked.display_until < local_today():
        raise ValidationError(
            _("The display period of this draft has already ended: it cannot be published."), code="period_over"
        )
    if needed is None:
        if locked.display_until >= local_today():
            raise ValidationError(_("The display period has not ended yet."), code="not_expired")
        if not (
            getattr(acting_user, "is_superuser", False) or access.system_may(acting_user, SystemDuty.EXPIRE_RECORDS)
        ):
            raise PermissionDenied(_("Only the expiry task ends a display period."))
    else:
        access.require_department(acting_user, needed, locked.department)
    was_displayable = locked.status in DISPLAYABLE_STATUSES
    locked.status = status
    save_with_history(locked, acting_user=acting_user, reason=reason)
    if was_displayable and status not in DISPLAYABLE_STATUSES:
        # Repaired, revoked, expired: what derives from the record ends with it.
        hooks.fire(hooks.RecordEvent.WITHDRAWN, [locked.pk], acting_user=acting_user, reason=reason,
                   on=local_today(), source="services")  # fmt: skip
    record.status = locked.status
    record.updated_at = locked.updated_at
    return record


# --- Display holds ----------------------------------------------------------------------


@transaction.atomic
def open_hold(record: CreditRecord, *, source: str, reference: str, acting_user, reason: str) -> DisplayHold:
    """Shield ``record`` from display and sharing until the hold closes.

    A reviewer (DECIDE on the record's department) opens one for a court order
    or a review; the system opens one for its subject's objection filed on the
    public site (its duty OPEN_HOLDS). The status is not touched. If the record
    was shown, what derives from it follows (hooks: WITHDRAWN).
    """
    require_reason(reason)
    locked = CreditRecord.objects.select_for_update().select_related("department").get(pk=record.pk)
    if not access.system_may(acting_user, SystemDuty.OPEN_HOLDS):
        access.require_department(acting_user, Action.DECIDE, locked.department)
    reference = mask_ids_in_text((reference or "").strip())
    if not reference:
        raise ValidationError({"reference": _("Name the case that holds the record.")})
    existing = DisplayHold.objects.open().filter(record=locked, source=source, reference=reference).first()
    if existing is not None:
        return existing
    was_shown = CreditRecord.objects.public().filter(pk=locked.pk).exists()
    was_shared = was_shown or CreditRecord.objects.shareable().filter(pk=locked.pk).exists()
    hold = DisplayHold(record=locked, source=HoldSource(source), reference=reference,
                       opened_by=acting_user, open_reason=mask_ids_in_text(reason)[:500])  # fmt: skip
    hold.full_clean()
    save_with_history(hold, acting_user=acting_user, reason=reason)
    if was_shared:
        hooks.fire(hooks.RecordEvent.WITHDRAWN, [locked.pk], acting_user=acting_user, reason=reason,
                   on=local_today(), source="holds")  # fmt: skip
    return hold


@transaction.atomic
def close_hold(hold: DisplayHold, *, acting_user, reason: str) -> DisplayHold:
    """Close a hold. When it was the record's last open hold, the record may be
    displayed again exactly as its status and period say (hooks: RESTORED)."""
    require_reason(reason)
    hold = DisplayHold.objects.select_for_update().select_related("record__department").get(pk=hold.pk)
    if not access.system_may(acting_user, SystemDuty.CLOSE_HOLDS):
        access.require_department(acting_user, Action.DECIDE, hold.record.department)
    if hold.closed_at is not None:
        return hold
    hold.closed_at = timezone.now()
    hold.closed_by = acting_user
    hold.close_reason = mask_ids_in_text(reason)[:500]
    save_with_history(hold, acting_user=acting_user, reason=reason)
    record_id = hold.record_id
    if not DisplayHold.objects.open().filter(record_id=record_id).exists():
        if CreditRecord.objects.shareable().filter(pk=record_id).exists():
            hooks.fire(hooks.RecordEvent.RESTORED, [record_id], acting_user=acting_user, reason=reason,
                       on=local_today(), source="holds")  # fmt: skip
    return hold


@transaction.atomic
def publish_records(records: Iterable[CreditRecord], *, acting_user, reason: str) -> int:
    """Move draft records to active (displayed from their display start); others are left alone."""
    require_reason(reason)
    published = 0
    for record in records:
        if record.status != RecordStatus.DRAFT:
            record.refresh_from_db(fields=["status"])
            if record.status != RecordStatus.DRAFT:
                continue
        change_record_status(record, status=RecordStatus.ACTIVE, acting_user=acting_user, reason=reason)
        published += 1
    return published


# --- Roles and grants ---------------------------------------------------------------------


@transaction.atomic
def ensure_role_groups() -> dict[Role, Group]:
    """Create or refresh the role groups with every app's share of each role
    (``creditportal.permissions``)."""
    groups = permissions.ensure_role_groups(group_name=lambda role: group_name(Role(role)))
    return {Role(role): group for role, group in groups.items()}


def _require_role_manager(acting_user, department: Department) -> None:
    if getattr(acting_user, "is_superuser", False):
        return
    if not acting_user.has_perm(RegistryPermission.ADD_ROLEGRANT):
        raise PermissionDenied(_("You may not grant roles."))
    access.require_department(acting_user, Action.CHANGE, department)


def _sync_department_perms(user, department: Department, *, acting_user, reason: str) -> None:
    """Make the user's guardian permissions on ``department`` exactly those
    that their active grants there call for."""
    from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

    wanted = {
        action.value
        for grant in RoleGrant.objects.filter(user=user, department=department, is_active=True)
        for action in ROLE_DEPARTMENT_ACTIONS[Role(grant.role)]
    }
    held = set(get_user_perms(user, department)) & {action.value for action in Action}
    for codename in wanted - held:
        assign_perm(f"registry.{codename}", user, department)
    for codename in held - wanted:
        remove_perm(f"registry.{codename}", user, department)
    roles = set(RoleGrant.objects.filter(user=user, is_active=True).values_list("role", flat=True))
    wanted_groups = list(user.groups.exclude(name__in=[group_name(r) for r in Role])) + list(
        Group.objects.filter(name__in=[group_name(Role(r)) for r in roles])
    )
    if {g.pk for g in wanted_groups} != set(user.groups.values_list("pk", flat=True)):
        # One row in the account's history for the new role groups, with the grant's reason.
        user.skip_history_when_saving = True
        try:
            user.groups.set(wanted_groups)
        finally:
            del user.skip_history_when_saving
        save_with_history(user, acting_user=acting_user, reason=reason, force_history=True)
    access.clear_cache(user)


@transaction.atomic
def grant_role(user, *, role: Role, department: Department, acting_user, reason: str = "role granted") -> RoleGrant:
    """Make ``user`` a ``role`` for ``department`` and its subtree (audited)."""
    role = Role(role)
    _require_role_manager(acting_user, department)
    if Group.objects.filter(name=group_name(role)).count() == 0:
        ensure_role_groups()
    grant = RoleGrant.objects.select_for_update().filter(user=user, department=department, role=role).first()
    if grant is None:
        grant = RoleGrant(user=user, department=department, role=role, granted_by=acting_user)
    if grant.pk is None or not grant.is_active:
        grant.is_active = True
        grant.granted_by = acting_user
        save_with_history(grant, acting_user=acting_user, reason=reason)
    if not user.is_staff:
        user.is_staff = True
        save_with_history(user, acting_user=acting_user, reason=reason, update_fields=["is_staff"])
    _sync_department_perms(user, department, acting_user=acting_user, reason=reason)
    logger.info("role %s granted to %s on %s by %s", role.value, user.username, department.code, acting_user)
    return grant


@transaction.atomic
def revoke_role(grant: RoleGrant, *, acting_user, reason: str) -> RoleGrant:
    """End a role grant; the permissions it gave go at once (others stay)."""
    _require_role_manager(acting_user, grant.department)
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.is_active:
        grant.is_active = False
        save_with_history(grant, acting_user=acting_user, reason=reason)
    _sync_department_perms(grant.user, grant.department, acting_user=acting_user, reason=reason)
    logger.info(
        "role %s revoked from %s on %s by %s", grant.role, grant.user.username, grant.department.code, acting_user
    )
    return grant


# --- Keys ------------------------------------------------------------------------------------


def rotate_encryption_keys(*, batch_size: int = 1000) -> int:
    """Re-encrypt every stored ID number (current rows and history) under the
    first key of ``FIELD_ENCRYPTION_KEYS``. Returns how many values changed.

    Runs in batches, each in its own transaction; safe to interrupt and rerun
    (rows already under the primary key are skipped). The clear value does not
    change, so no history rows are added.
    """
    primary = crypto.primary_key_id()
    prefix = f"{crypto.VERSION}.{primary}."
    changed = 0
    for model in (Person, Person.history.model):
        pk_name = model._meta.pk.name
        last = 0
        while True:
            with transaction.atomic():
                batch = list(
                    model.objects.select_for_update()
                    .filter(**{f"{pk_name}__gt": last})
                    .exclude(id_number_encrypted__startswith=prefix)
                    .order_by(pk_name)[:batch_size]
                )
                if not batch:
                    break
                for row in batch:
                    clear = crypto.decrypt(row.id_number_encrypted, context=ID_NUMBER_CONTEXT)
                    row.id_number_encrypted = crypto.encrypt(clear, context=ID_NUMBER_CONTEXT)
                model.objects.bulk_update(batch, ["id_number_encrypted"])
                changed += len(batch)
                last = getattr(batch[-1], pk_name)
    return changed

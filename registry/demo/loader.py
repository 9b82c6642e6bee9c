"""Write the demo data through the service functions, idempotently.

Everything is matched before it is written: departments and catalogue items
by code (changed back if someone edited them), persons by ID number (blind
index), records by (department, decision number), users by username. What is
already there is left alone, so a second run writes nothing and adds no
history rows. Each write is one service call inside ``transaction.atomic``,
acting as the ``operator`` superuser with the reason "demo data".
"""

from __future__ import annotations

import datetime
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import prefetch_related_objects
from guardian.shortcuts import get_perms

from registry import services
from registry.choices import HoldSource, RecordStatus
from registry.models import CatalogItem, CreditRecord, Department, RoleGrant, local_today
from registry.roles import ROLE_DEPARTMENT_ACTIONS, group_name

from . import data, plan
from .corrections import load_demo_correction
from .imports import load_demo_import

CHUNK = 100  # persons or records per commit

# How a published record reaches each demo status, along the service's transitions.
STATUS_PATHS = {
    # "Under objection" is a display hold on a published record (opened below).
    RecordStatus.UNDER_OBJECTION: (),
    RecordStatus.CORRECTED: (RecordStatus.CORRECTED,),
    RecordStatus.REPAIRED: (RecordStatus.REPAIRED,),
    RecordStatus.EXPIRED: (RecordStatus.EXPIRED,),
    RecordStatus.REVOKED: (RecordStatus.REVOKED,),
}


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    present: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.present} already present"
        if self.updated:
            text += f", {self.updated} updated"
        return text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class DemoLoader:
    def __init__(self, *, persons: int = 300, records: int = 600, stdout=None, style=None, verbosity: int = 1):
        self.persons_count = persons
        self.records_count = records
        self.stdout = stdout
        self.style = style
        self.verbosity = verbosity
        self.today = local_today()
        sections = ("departments", "catalogue", "persons", "records", "users", "role grants")
        self.tallies: dict[str, Tally] = {section: Tally() for section in sections}
        self.departments: dict[str, Department] = {}
        self.catalogue: dict[str, CatalogItem] = {}
        self.persons: list = []
        self.passwords: list[tuple[str, str, str, str]] = []
        self.operator = None
        self.department_specs = {spec.code: spec for spec in data.department_specs()}

    # --- output ---------------------------------------------------------------------------

    def say(self, message: str, *, level: int = 1, style: str | None = None) -> None:
        if self.stdout is None or self.verbosity < level:
            return
        if style and self.style is not None:
            message = getattr(self.style, style)(message)
        self.stdout.write(message)

    # --- entry point ----------------------------------------------------------------------

    def run(self) -> dict[str, Tally]:
        started = time.monotonic()
        self.operator = self.ensure_operator()
        self.load_departments()
        self.load_catalogue()
        self.load_persons()
        self.load_records()
        self.load_users()
        load_demo_import(self)
        load_demo_correction(self)
        self.run_expiry()
        self.say("")
        self.say("Summary:", style="MIGRATE_HEADING")
        for section, tally in self.tallies.items():
            self.say(f"  {section:<12} {tally}")
        self.say(f"Done in {time.monotonic() - started:.1f} s.", style="SUCCESS")
        self.print_users()
        return self.tallies

    def run_expiry(self) -> None:
        """What the nightly task does: records whose period has ended since the
        demo was loaded (a demo kept for weeks) expire, as the system user."""
        from registry import expiry

        result = expiry.expire_records()
        self.say(f"Expiry (as the nightly task): {result.expired} records past their display period expired")

    # --- operator -------------------------------------------------------------------------

    def ensure_operator(self):
        User = get_user_model()
        spec = data.OPERATOR
        tally = self.tallies.setdefault("users", Tally())
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, email=f"{spec.username}@example.cn", first_name=spec.display_name)
            validate_password(spec.password, user)
            with transaction.atomic():
                user = User.objects.create_superuser(
                    spec.username, f"{spec.username}@example.cn", spec.password, first_name=spec.display_name
                )
            tally.created += 1
            self.say(f"Created the operator superuser '{spec.username}'.")
            shown = spec.password
        else:
            if not (user.is_superuser and user.is_active):
                raise CommandError(
                    f"A user '{spec.username}' exists but is not an active superuser; "
                    "load_demo acts as that user and will not promote it."
                )
            tally.present += 1
            # An existing operator keeps its password (it may be a real one).
            shown = spec.password if user.check_password(spec.password) else "(existing password kept)"
        self.passwords.append((spec.username, "operator (superuser)", "all departments", shown))
        return user

    # --- departments ------------------------------------------------------------------------

    def load_departments(self) -> None:
        tally = self.tallies.setdefault("departments", Tally())
        existing = {d.code: d for d in Department.objects.all()}
        for spec in self.department_specs.values():
            parent = self.departments[spec.parent] if spec.parent else None
            department = existing.get(spec.code)
            if department is None:
                department = Department(code=spec.code, name=spec.name, level=spec.level, parent=parent)
                tally.created += 1
            elif (department.name, department.level, department.parent_id, department.is_active) != (
                spec.name,
                spec.level,
                parent.pk if parent else None,
                True,
            ):
                department.name, department.level, department.parent, department.is_active = (
                    spec.name,
                    spec.level,
                    parent,
                    True,
                )
                tally.updated += 1
            else:
                self.departments[spec.code] = department
                tally.present += 1
                continue
            with transaction.atomic():
                services.save_department(department, acting_user=self.operator, reason=data.REASON)
            self.departments[spec.code] = department
        self.say(f"Departments: {tally}")

    # --- catalogue ----------------------------------------------------------------------------

    def load_catalogue(self) -> None:
        tally = self.tallies.setdefault("catalogue", Tally())
        existing = {
            c.code: c
            for c in CatalogItem.objects.filter(code__in=[s.code for s in data.CATALOGUE]).prefetch_related(
                "recording_departments"
            )
        }
        for spec in data.CATALOGUE:
            values = spec.field_values()
            # The departments that decide its demo records are the competent ones.
            recording = [self.departments[code] for code in spec.departments]
            item = existing.get(spec.code)
            if item is None:
                item = CatalogItem(code=spec.code, **values)
                tally.created += 1
            elif any(getattr(item, name) != value for name, value in values.items()) or {
                d.pk for d in item.recording_departments.all()
            } != {d.pk for d in recording}:
                for name, value in values.items():
                    setattr(item, name, value)
                tally.updated += 1
            else:
                self.catalogue[spec.code] = item
                tally.present += 1
                continue
            with transaction.atomic():
                services.save_catalog_item(
                    item, acting_user=self.operator, reason=data.REASON, recording_departments=recording
                )
            prefetch_related_objects([item], "recording_departments")  # checked for every record below
            self.catalogue[spec.code] = item
        self.say(f"Catalogue items: {tally}")

    # --- persons ---------------------------------------------------------------------------------

    def load_persons(self) -> None:
        tally = self.tallies.setdefault("persons", Tally())
        specs = plan.plan_persons(self.persons_count)
        for chunk in _chunks(list(enumerate(specs, 1)), CHUNK):
            # One commit per chunk (SQLite commits are the slow part); each
            # service call still runs in its own atomic block (a savepoint).
            with transaction.atomic():
                for number, spec in chunk:  # noqa: B007 (progress after the loop)
                    person = services.find_person_by_id_number(spec.id_number)
                    if person is None:
                        with transaction.atomic():
                            person = services.register_person(
                                name=spec.name,
                                id_number=spec.id_number,
                                registered_by=self.departments[spec.registered_by],
                                acting_user=self.operator,
                                reason=data.REASON,
                                phone=spec.phone,
                                email=spec.email,
                                address=spec.address,
                            )
                        tally.created += 1
                    else:
                        tally.present += 1
                    self.persons.append(person)
            self.say(f"  persons: {number}/{len(specs)}", level=2)
        self.say(f"Persons: {tally}")

    # --- records ----------------------------------------------------------------------------------

    def load_records(self) -> None:
        tally = self.tallies.setdefault("records", Tally())
        specs = plan.plan_records(self.records_count, len(self.persons))
        codes = {spec.department for spec in specs}
        existing = set(
            CreditRecord.objects.filter(department__code__in=codes).values_list("department__code", "decision_no")
        )
        by_status: Counter = Counter()
        for chunk in _chunks(list(enumerate(specs, 1)), CHUNK):
            with transaction.atomic():
                for number, spec in chunk:  # noqa: B007 (progress after the loop)
                    if any((spec.department, no) in existing for no in spec.possible_decision_nos(self.today)):
                        tally.present += 1
                    else:
                        self.create_record(spec)
                        tally.created += 1
                        by_status[spec.status] += 1
            self.say(f"  records: {number}/{len(specs)}", level=2)
        self.say(f"Records: {tally}")
        if by_status:
            counts = ", ".join(f"{status} {by_status[status]}" for status in RecordStatus.values if by_status[status])
            self.say(f"  new by status: {counts}", level=2)

    def create_record(self, spec: plan.RecordSpec) -> CreditRecord:
        """Create one record as a draft, publish it, then give it its status,
        all in one transaction (a half-made record would count as present)."""
        department = self.departments[spec.department]
        decision_date = spec.decision_date(self.today)
        place = self.department_specs[spec.department].area
        record = CreditRecord(
            person=self.persons[spec.person],
            department=department,
            catalog_item=self.catalogue[spec.catalog_code],
            severity=spec.severity,
            decision_no=spec.decision_no(self.today),
            decision_date=decision_date,
            summary=plan.fill_summary(spec, self.today, place),
            legal_basis=spec.legal_basis,
            display_from=decision_date,
            display_until=decision_date + datetime.timedelta(days=spec.display_days),
            status=RecordStatus.DRAFT,
        )
        with transaction.atomic():
            with transaction.atomic():
                services.save_credit_record(record, acting_user=self.operator, reason=data.REASON)
            if spec.status == RecordStatus.DRAFT:
                return record
            if record.display_until >= self.today:
                # (A record whose period is already over can no longer be published:
                # expiry, or a revocation, takes it straight from draft.)
                with transaction.atomic():
                    services.publish_records([record], acting_user=self.operator, reason=data.REASON)
                record.refresh_from_db()
            for status in STATUS_PATHS.get(spec.status, ()):
                services.change_record_status(
                    record, status=status, acting_user=self.operator, reason=f"{data.REASON}: status {status}"
                )
            if spec.status == RecordStatus.UNDER_OBJECTION and record.status == RecordStatus.ACTIVE:
                services.open_hold(
                    record,
                    source=HoldSource.OBJECTION,
                    reference=f"DEMO-{record.pk:05d}",
                    acting_user=self.operator,
                    reason=f"{data.REASON}: objection filed",
                )
        return record

    # --- users -------------------------------------------------------------------------------------

    def load_users(self) -> None:
        User = get_user_model()
        tally = self.tallies.setdefault("users", Tally())
        grants = self.tallies.setdefault("role grants", Tally())
        with transaction.atomic():
            services.ensure_role_groups()
        for spec in data.DEMO_USERS:
            department = self.departments[spec.department]
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User(username=spec.username, email=f"{spec.username}@example.cn", first_name=spec.display_name)
                validate_password(spec.password, user)
                user.set_password(spec.password)
                with transaction.atomic():
                    user.save()
                tally.created += 1
            elif not user.check_password(spec.password) or not user.is_active:
                # A demo account: put its documented password back.
                user.set_password(spec.password)
                user.is_active = True
                with transaction.atomic():
                    user.save(update_fields=["password", "is_active"])
                tally.updated += 1
            else:
                tally.present += 1
            if self.has_role(user, spec.role, department):
                grants.present += 1
            else:
                with transaction.atomic():
                    services.grant_role(user, role=spec.role, department=department, acting_user=self.operator)
                grants.created += 1
            where = f"{department.name} ({department.code})"
            self.passwords.append((spec.username, spec.role.value, where, spec.password))
        self.say(f"Users: {tally}; role grants: {grants}")

    @staticmethod
    def has_role(user, role, department) -> bool:
        if not user.is_staff or not user.groups.filter(name=group_name(role)).exists():
            return False
        if not RoleGrant.objects.filter(user=user, role=role, department=department, is_active=True).exists():
            return False
        held = set(get_perms(user, department))
        return all(action.value in held for action in ROLE_DEPARTMENT_ACTIONS[role])

    def print_users(self) -> None:
        if self.verbosity < 1:
            return
        header = ("username", "role", "department", "password")
        rows = [header] + [tuple(str(cell) for cell in row) for row in self.passwords]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
        self.say("")
        self.say("Demo users (log in at /admin/):", style="MIGRATE_HEADING")
        for index, row in enumerate(rows):
            self.say("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                self.say("  " + "  ".join("-" * w for w in widths))

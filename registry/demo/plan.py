"""Deterministic demo persons and records (pure Python, no database).

The same arguments give the same plan on every run: a fixed random seed, and
dates kept as offsets from today (so a demo loaded next year still has recent
decisions). Records are numbered per department in generation order, so the
first N records of a larger plan are the records of a smaller one.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from stdnum import numdb
from stdnum.cn import ric

from registry.choices import DEFAULT_DISPLAY_PERIOD_DAYS, RecordStatus, Severity
from registry.identifiers import region_valid_in

from . import data

PROVINCE_PREFIX = "53"
BIRTH_YEARS = (1950, 2004)
MAX_AGE_DAYS = 3 * 365  # decisions in the past three years
DRAFT_MAX_AGE_DAYS = 45  # drafts are recent decisions not yet published

_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # county name (current)
    prefecture: str  # prefecture name (current)


def _current_name(county: str) -> str | None:
    """The name of the open-ended (current) period of a loc.dat entry, or None."""
    for part in county.split(","):
        match = _PERIOD.match(part)
        if not match:
            return part
        _start, end, name = match.groups()
        if not end:
            return name
    return None


@lru_cache(maxsize=1)
def yunnan_regions() -> tuple[Region, ...]:
    """Current county-level region codes of Yunnan from python-stdnum's table.

    Prefectures (``xx00``), "市辖区" (``xx01``) and codes no longer in use are
    left out.
    """
    table = numdb.get("cn/loc")
    province = next(p for p in table.prefixes if p[1] == PROVINCE_PREFIX)
    prefectures: dict[str, str] = {}
    counties: list[tuple[str, str]] = []
    for _length, low, high, props, _children in province[4]:
        if low != high or "county" not in props:
            continue
        name = _current_name(props["county"])
        if name is None:
            continue
        code = PROVINCE_PREFIX + low
        if low.endswith("00"):
            prefectures[low[:2]] = name
        elif not low.endswith("01") and name != "市辖区":
            counties.append((code, name))
    return tuple(Region(code, name, prefectures[code[2:4]]) for code, name in counties if code[2:4] in prefectures)


@cache
def regions_for_year(year: int) -> tuple[Region, ...]:
    return tuple(r for r in yunnan_regions() if region_valid_in(r.code, year))


def make_id_number(region: str, birth: datetime.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


@dataclass(frozen=True)
class PersonSpec:
    name: str
    id_number: str
    phone: str
    address: str
    registered_by: str  # department code
    email: str = ""  # every third person (the first among them): the public site's codes go there


def plan_persons(count: int) -> list[PersonSpec]:
    rng = random.Random(data.SEED)
    registrars = data.person_registrars()
    seen: set[str] = set()
    persons: list[PersonSpec] = []
    while len(persons) < count:
        male = rng.random() < 0.5
        chars = data.GIVEN_MALE if male else data.GIVEN_FEMALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
        name = rng.choice(data.SURNAMES) + given
        year = rng.randint(*BIRTH_YEARS)
        birth = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        region = rng.choice(regions_for_year(year))
        # The sequence's last digit is odd for men, even for women (GB 11643-1999).
        sequence = rng.randrange(500) * 2 + (1 if male else 0)
        id_number = make_id_number(region.code, birth, sequence)
        phone = rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        address = ""
        if rng.random() < 0.8:
            address = f"云南省{region.prefecture}{region.name}{rng.choice(data.STREETS)}{rng.randint(1, 399)}号"
        registered_by = rng.choice(registrars)
        if id_number in seen:
            continue
        seen.add(id_number)
        # Not drawn from rng: the persons' other data stay what they were.
        email = f"citizen{len(persons) + 1:03d}@example.cn" if len(persons) % 3 == 0 else ""
        persons.append(PersonSpec(name, id_number, phone, address, registered_by, email))
    return persons


@dataclass(frozen=True)
class RecordSpec:
    department: str  # department code
    doc: str  # decision number template ({year}, {seq})
    seq: int
    catalog_code: str
    person: int  # index into the persons plan
    severity: str
    age_days: int  # decision date = today - age_days
    display_days: int  # display until = decision date + display_days
    status: str
    summary: str  # template: {date} (the facts' date) {place} {amount}
    legal_basis: str
    facts_before_days: int
    amount: int  # yuan
    count: int  # hours, cubic metres

    def decision_date(self, today: datetime.date) -> datetime.date:
        return today - datetime.timedelta(days=self.age_days)

    def decision_no(self, today: datetime.date) -> str:
        return self.doc.format(year=self.decision_date(today).year, seq=self.seq)

    def possible_decision_nos(self, today: datetime.date) -> list[str]:
        """The number this record had if it was loaded up to a few years ago
        (its year follows the decision date, which follows the day of loading)."""
        year = self.decision_date(today).year
        return [self.doc.format(year=y, seq=self.seq) for y in range(year - 5, year + 1)]


def _bounds(spec: data.CatalogSpec, severity: str) -> tuple[int, int]:
    low, high = DEFAULT_DISPLAY_PERIOD_DAYS[Severity(severity)]
    return spec.overrides.get(f"{severity}_min_days", low), spec.overrides.get(f"{severity}_max_days", high)


def _dates(rng: random.Random, status: str, low: int, high: int) -> tuple[int, int]:
    """(age in days, display days) consistent with ``status``.

    Displayed statuses (and drafts, objections, corrections) still run today;
    expired ones ended before today; repaired ones were repaired after the
    minimum period, before the period ended.
    """
    if status == RecordStatus.EXPIRED:
        age = rng.randint(low + 1, MAX_AGE_DAYS)
        return age, rng.randint(low, min(high, age - 1))
    if status == RecordStatus.REVOKED:
        return rng.randint(1, MAX_AGE_DAYS), rng.randint(low, high)
    if status == RecordStatus.DRAFT:
        age = rng.randint(1, min(DRAFT_MAX_AGE_DAYS, high))
    elif status == RecordStatus.REPAIRED:
        # Repaired after the minimum period, while the record was still displayed.
        age = rng.randint(max(low, min(30, high), 1), min(high, MAX_AGE_DAYS))
    else:  # active, under objection, corrected
        age = rng.randint(1, min(high, MAX_AGE_DAYS))
    return age, rng.randint(max(low, age), high)


def _weighted(rng: random.Random, items, weight):
    return rng.choices(list(items), weights=[weight(i) for i in items])[0]


def plan_records(count: int, persons: int) -> list[RecordSpec]:
    if count and persons < 1:
        raise ValueError("records need at least one person")
    rng = random.Random(f"{data.SEED}-records")
    departments = {d.code: d for d in data.department_specs()}
    statuses = list(data.STATUS_WEIGHTS)
    counters: dict[str, int] = {}
    records: list[RecordSpec] = []
    showcase = [(code, status) for code in data.SHOWCASE_DEPARTMENTS for status in statuses]
    for index in range(count):
        if index < len(showcase):
            code, status = showcase[index]
            spec = _weighted(
                rng,
                [c for c in data.CATALOGUE if code in c.departments and status in c.statuses],
                lambda c: c.weight,
            )
        else:
            status = _weighted(rng, statuses, data.STATUS_WEIGHTS.__getitem__)
            spec = _weighted(rng, [c for c in data.CATALOGUE if status in c.statuses], lambda c: c.weight)
            code = rng.choice(spec.departments)
        severity = spec.default_severity if rng.random() < 0.7 else rng.choice(spec.severities)
        low, high = _bounds(spec, severity)
        age, display_days = _dates(rng, status, low, high)
        summary, legal_basis = rng.choice(spec.facts)
        counters[code] = counters.get(code, 0) + 1
        records.append(
            RecordSpec(
                department=code,
                doc=departments[code].doc,
                seq=counters[code],
                catalog_code=spec.code,
                person=rng.randrange(persons),
                severity=severity,
                age_days=age,
                display_days=display_days,
                status=status,
                summary=summary,
                legal_basis=legal_basis,
                facts_before_days=rng.randint(7, 90),
                amount=rng.choice((1, 2, 3, 5, 8)) * 10 ** rng.randint(2, 5),
                count=rng.randint(20, 3000),
            )
        )
    return records


def fill_summary(record: RecordSpec, today: datetime.date, place: str) -> str:
    facts = record.decision_date(today) - datetime.timedelta(days=record.facts_before_days)
    return record.summary.format(
        date=f"{facts.year}年{facts.month}月{facts.day}日", place=place, amount=record.amount, count=record.count
    )

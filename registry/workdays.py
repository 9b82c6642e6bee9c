"""Working days on the Chinese statutory calendar, in Asia/Shanghai.

Every deadline counts working days with these three functions:

* :func:`is_working_day` - is this date a working day?
* :func:`add_working_days` - the date ``n`` working days after a date (the
  deadline of "decide within n working days");
* :func:`working_days_between` - how many working days after one date up to
  and including another.

Where a date's answer comes from, first match wins:

1. the office's table of holidays and make-up working days
   (``registry.CalendarDay``, admin-edited, one row per date): it takes
   precedence, so the office can enter a year the package does not know yet, or
   correct it;
2. the ``chinesecalendar`` package, for the years it covers (1.11: 2004-2026);
3. a year the package does not cover but the table does (at least one row),
   the date not listed: Monday to Friday, as the schedule lists every exception;
4. a year neither covers: Monday to Friday, with a warning in the log (once per
   year and process) and a notice on the admin index (:func:`missing_years`).

The table is read once per year and process and kept for
``CACHE_SECONDS``; the service that writes it clears the cache of its own
process at once, other processes (workers) pick the change up within that time.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

import chinese_calendar
from django.utils import timezone

from .choices import CalendarDayKind

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60

_lock = threading.Lock()
_cache: dict = {"loaded_at": None, "days": {}, "years": frozenset()}
_warned_years: set[int] = set()


def clear_cache() -> None:
    """Forget the table (after a write) and the years already warned about."""
    with _lock:
        _cache["loaded_at"] = None
        _cache["days"] = {}
        _cache["years"] = frozenset()
        _warned_years.clear()


def _table() -> tuple[dict[datetime.date, str], frozenset[int]]:
    """The office's table as {date: kind}, and the years it has rows in."""
    with _lock:
        loaded_at = _cache["loaded_at"]
        if loaded_at is not None and time.monotonic() - loaded_at < CACHE_SECONDS:
            return _cache["days"], _cache["years"]
    from .models import CalendarDay

    days = dict(CalendarDay.objects.values_list("date", "kind"))
    years = frozenset(day.year for day in days)
    with _lock:
        _cache.update(loaded_at=time.monotonic(), days=days, years=years)
    return days, years


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)  # Asia/Shanghai (settings.TIME_ZONE)
        return value.date()
    return value


def package_covers(year: int) -> bool:
    """Does the installed ``chinesecalendar`` know the holidays of ``year``?"""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def year_is_entered(year: int) -> bool:
    """Is the holiday schedule of ``year`` known (package or the office's table)?"""
    return package_covers(year) or year in _table()[1]


def local_today() -> datetime.date:
    return timezone.localdate()


def missing_years(today: datetime.date | None = None) -> list[int]:
    """Years whose schedule is not known but soon needed: this year, and next
    year from November (when the State Council usually announces it)."""
    today = today or local_today()
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [year for year in wanted if not year_is_entered(year)]


def is_working_day(day) -> bool:
    """Is ``day`` (a date, or an aware datetime taken in Asia/Shanghai) a working day?"""
    day = _as_date(day)
    days, years = _table()
    kind = days.get(day)
    if kind is not None:
        return kind == CalendarDayKind.WORKING_DAY
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in years and day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "The holiday schedule of %s has not been entered: Monday to Friday are taken as working days "
                "(enter the State Council's schedule under Credit registry > Holiday schedule).",
                day.year,
            )
    return day.weekday() < 5


def add_working_days(start, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (counting from the next day).

    ``add_working_days(friday, 1)`` is the next working day; ``days=0`` gives
    ``start`` itself; a negative ``days`` counts backwards.
    """
    current = _as_date(start)
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        current += datetime.timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start, end) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier).

    ``add_working_days(start, working_days_between(start, end))`` is ``end``
    whenever ``end`` is a working day.
    """
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count

"""Working days on the statutory calendar: chinesecalendar, the office's table
(which takes precedence), and Monday to Friday with a warning for a year neither covers."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from registry import services, workdays
from registry.choices import CalendarDayKind
from registry.models import CalendarDay
from registry.workdays import add_working_days, is_working_day, working_days_between

D = datetime.date
NOTICE_2027 = "国办发明电〔2026〕12号"


def enter(user, day, kind=CalendarDayKind.HOLIDAY, name="元旦", notice=NOTICE_2027, reason="国务院办公厅通知"):
    with transaction.atomic():
        return services.save_calendar_day(
            CalendarDay(date=day, kind=kind, name=name, notice=notice), acting_user=user, reason=reason
        )


# --- chinesecalendar years ------------------------------------------------------------------


@pytest.mark.django_db
def test_spring_festival_2026_and_its_make_up_saturdays():
    assert is_working_day(D(2026, 2, 14)) and is_working_day(D(2026, 2, 28))  # Saturdays, make-up days
    assert not any(is_working_day(D(2026, 2, day)) for day in range(15, 24))  # 15-23 February off
    # Friday before the festival, accept within 1 working day: the make-up Saturday.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # Then the next one is after the festival.
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # Decide within 10 working days of 12 February: 13, 14, 24-28 February, 2-4 March.
    assert add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 4)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    assert working_days_between(D(2026, 2, 28), D(2026, 2, 13)) == -6
    assert add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)


@pytest.mark.django_db
def test_national_day_2026():
    # Accept within 3 working days of 30 September: 8, 9 and Saturday 10 October (make-up day).
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)  # Sunday 20 September is a make-up day
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4


@pytest.mark.django_db
def test_dates_and_times_are_taken_in_asia_shanghai():

    # 17:00 UTC on Friday 13 February is 01:00 on Saturday 14 February in Beijing: a make-up working day.
    assert is_working_day(datetime.datetime(2026, 2, 13, 17, 0, tzinfo=datetime.UTC))
    # 17:00 UTC on the 14th is already the 15th in Beijing: the festival.
    assert not is_working_day(datetime.datetime(2026, 2, 14, 17, 0, tzinfo=datetime.UTC))


# --- the office's table ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_table_takes_precedence_over_the_package(operator):
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    # Say the State Council adds Thursday 8 October as a holiday.
    enter(operator, D(2026, 10, 8), name="国庆节", notice="国办发明电〔2026〕99号")
    assert not is_working_day(D(2026, 10, 8))
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 12)


@pytest.mark.django_db
def test_into_a_missing_year_monday_to_friday_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="registry.workdays"):
        # 31 December, Friday 1 January 2027 (no schedule: a weekday is a working day), Monday 4 January.
        assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 4)
        assert not is_working_day(D(2027, 1, 2))  # Saturday
    warnings = [r.getMessage() for r in caplog.records if r.name == "registry.workdays"]
    assert len(warnings) == 1  # once per year and process, not once per date
    assert "2027" in warnings[0] and "not been entered" in warnings[0]
    assert workdays.missing_years(D(2026, 12, 1)) == [2027]


@pytest.mark.django_db
def test_into_an_entered_year(operator, caplog):
    enter(operator, D(2027, 1, 1), name="元旦")
    enter(operator, D(2027, 2, 20), kind=CalendarDayKind.WORKING_DAY, name="春节")  # a Saturday
    with caplog.at_level(logging.WARNING, logger="registry.workdays"):
        # 31 December, then New Year's Day is off: 4 and 5 January.
        assert add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 5)
        assert is_working_day(D(2027, 2, 20))
        assert is_working_day(
            D(2027, 3, 3)
        )  # a date not listed: Monday to Friday, as the schedule lists every exception
        assert working_days_between(D(2026, 12, 31), D(2027, 1, 8)) == 5
    assert not [r for r in caplog.records if r.name == "registry.workdays"]
    assert workdays.missing_years(D(2026, 12, 1)) == []


@pytest.mark.django_db
def test_a_change_counts_at_once(operator):
    day = enter(operator, D(2027, 1, 1))
    assert not is_working_day(D(2027, 1, 1))
    day.kind = CalendarDayKind.WORKING_DAY
    day.date = D(2027, 1, 2)
    with transaction.atomic():
        services.save_calendar_day(day, acting_user=operator, reason="更正")
    assert is_working_day(D(2027, 1, 1)) and is_working_day(D(2027, 1, 2))
    assert [h.history_change_reason for h in day.history.order_by("history_id")] == ["国务院办公厅通知", "更正"]


@pytest.mark.django_db
def test_writes_need_the_permission_a_reason_and_a_sensible_kind(users):
    with pytest.raises(PermissionDenied):
        enter(users["caseworker_a"], D(2027, 1, 1))
    with pytest.raises(ValidationError):
        enter(users["administrator"], D(2027, 1, 1), reason=" ")
    with pytest.raises(ValidationError):  # Monday is a working day already
        enter(users["administrator"], D(2027, 1, 4), kind=CalendarDayKind.WORKING_DAY)
    assert not CalendarDay.objects.exists()
    enter(users["administrator"], D(2027, 1, 1))
    assert CalendarDay.objects.get().history.get().history_user == users["administrator"]


# --- the admin ----------------------------------------------------------------------------


NOTICE_TEXT = "2027 holiday schedule has not been entered"


@pytest.fixture
def december_2026(monkeypatch):
    monkeypatch.setattr(workdays, "local_today", lambda: D(2026, 12, 1))


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def index(client, user):
    client.force_login(user)
    return client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.django_db
def test_admin_index_tells_administrators_the_year_is_missing(client, users, december_2026, english):
    assert NOTICE_TEXT in index(client, users["administrator"])
    assert NOTICE_TEXT in index(client, users["operator"])
    # Those who cannot enter it are not bothered.
    assert NOTICE_TEXT not in index(client, users["caseworker_a"])
    assert NOTICE_TEXT not in index(client, users["supervisor"])

    client.force_login(users["administrator"])
    response = client.post(
        reverse("admin:registry_calendarday_add"),
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "notice": NOTICE_2027, "change_reason": ""},
    )
    assert response.status_code == 200 and not CalendarDay.objects.exists()  # the reason is required
    response = client.post(
        reverse("admin:registry_calendarday_add"),
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "notice": NOTICE_2027, "change_reason": "2027年安排"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert day.history.get().history_change_reason == "2027年安排"
    assert NOTICE_TEXT not in index(client, users["administrator"])


@pytest.mark.django_db
def test_no_notice_before_november_for_next_year(client, users, monkeypatch, english):
    monkeypatch.setattr(workdays, "local_today", lambda: D(2026, 6, 1))
    assert "holiday schedule has not been entered" not in index(client, users["administrator"])


@pytest.mark.django_db
def test_caseworkers_read_the_schedule_but_do_not_enter_it(client, users, operator):
    day = enter(operator, D(2027, 1, 1))
    client.force_login(users["caseworker_a"])
    assert client.get(reverse("admin:registry_calendarday_changelist")).status_code == 200
    assert client.get(reverse("admin:registry_calendarday_add")).status_code == 403
    response = client.post(
        reverse("admin:registry_calendarday_change", args=[day.pk]),
        {"date": "2027-01-02", "kind": "holiday", "name": "元旦", "notice": NOTICE_2027, "change_reason": "x"},
    )
    assert response.status_code == 403
    day.refresh_from_db()
    assert day.date == D(2027, 1, 1)

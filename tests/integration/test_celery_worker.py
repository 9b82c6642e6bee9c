"""The Celery seam, end to end: Redis broker -> a real worker process -> the
PostgreSQL test database -> the Redis result backend -> back to the caller.

Runs in the PostgreSQL pass of ``make test`` (``scripts/run_tests.sh`` gives it
``REDIS_URL`` when Redis answers). The worker is a separate process, so the
test data must be committed (``transaction=True``) and the worker must be told
which database pytest-django created (``connection.settings_dict``).
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection

from registry import services
from registry.choices import RecordStatus
from registry.models import CreditRecord
from registry.tasks import record_counts
from tests.integration.workers import running_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.django_db(transaction=True)
def test_real_worker_counts_records_from_the_database(users, tree, make_person, make_record, tmp_path):
    assert connection.vendor == "postgresql", "a separate worker process needs a server database"

    operator = users["operator"]
    person_a = make_person(tree["A"])
    person_b = make_person(tree["B"])
    published = make_record(person_a, tree["A"])
    make_record(person_a, tree["A"])
    make_record(person_b, tree["B"])
    services.publish_records(
        CreditRecord.objects.filter(pk=published.pk), acting_user=operator, reason="published for the worker test"
    )
    expected_displayable = CreditRecord.objects.displayable().count()

    # A queue and node name of our own: a stray worker on this machine must not take the task.
    with running_worker(tmp_path) as (queue, _url, log_path, worker):
        counts = wait_for(record_counts.apply_async(queue=queue), worker, log_path)

    assert counts["by_status"][RecordStatus.DRAFT] == 2
    assert counts["by_status"][RecordStatus.ACTIVE] == 1
    assert counts["total"] == 3
    assert counts["displayable"] == expected_displayable
    assert counts["computed_by"] == settings.SYSTEM_USERNAME
    # The worker resolved (created) the system user in the same test database.
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username=settings.SYSTEM_USERNAME).exists()
    assert "succeeded" in log_path.read_text(errors="replace")


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_expiry_end_to_end(users, tree, make_person, make_record, tmp_path):
    """The beat's task, sent through Redis to a real worker: records past their
    period expire with one history row each, attributed to the system user."""
    import datetime

    from registry.models import local_today

    operator = users["operator"]
    today = local_today()
    records = []
    for department in (tree["A"], tree["C"]):
        record = make_record(
            make_person(department),
            department,
            decision_date=today - datetime.timedelta(days=200),
            display_until=today + datetime.timedelta(days=5),
        )
        services.publish_records([record], acting_user=operator, reason="公示")
        records.append(record)
    in_a_week = (today + datetime.timedelta(days=7)).isoformat()

    from registry.tasks import expire_records

    with running_worker(tmp_path) as (queue, _url, log_path, worker):
        outcome = wait_for(expire_records.apply_async(kwargs={"today": in_a_week}, queue=queue), worker, log_path)
        again = wait_for(expire_records.apply_async(kwargs={"today": in_a_week}, queue=queue), worker, log_path)

    assert outcome == {"today": in_a_week, "expired": 2, "chunks": 1}
    assert again["expired"] == 0
    for record in records:
        record.refresh_from_db()
        assert record.status == RecordStatus.EXPIRED
        last = record.history.first()
        assert (last.history_user.username, last.history_change_reason) == (
            settings.SYSTEM_USERNAME,
            "display period ended",
        )
        assert record.history.filter(status=RecordStatus.EXPIRED).count() == 1


def test_beat_schedule_runs_expiry_daily_after_midnight_and_hourly():
    from creditportal.celery import app

    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert tasks == {
        "registry.tasks.expire_records",
        "registry.tasks.purge_import_files",
        "registry.notifications.send_due",
    }
    sweep = schedule["send-due-notifications"]["schedule"]  # notifications a broker outage left pending
    assert len(sweep.minute) == 12
    daily = schedule["expire-records-daily"]["schedule"]
    assert daily.hour == {0} and daily.minute == {5}
    purge = schedule["purge-import-files-daily"]["schedule"]  # uploaded files idle past the retention period
    assert purge.hour == {1} and purge.minute == {15}
    assert len(schedule["expire-records-hourly-catch-up"]["schedule"].hour) == 24
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


@pytest.mark.django_db(transaction=True)
def test_the_worker_masks_id_numbers_in_its_log(tmp_path):
    """A message the worker cannot run is logged with its whole body; the
    project's masking filter must be on the worker's handlers too."""
    from tests.conftest import make_id_number

    number = make_id_number()
    with running_worker(tmp_path) as (queue, _url, log_path, worker):
        from creditportal.celery import app

        app.send_task("registry.tasks.no_such_task", args=[number], queue=queue)
        deadline = time.monotonic() + 60
        while "no_such_task" not in log_path.read_text(errors="replace"):
            assert worker.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        time.sleep(0.5)  # the rest of the message
    log = log_path.read_text(errors="replace")
    assert number not in log
    assert f"{number[:6]}********{number[-4:]}" in log

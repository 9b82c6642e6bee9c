"""Display periods end on time: expiry is state-based, idempotent, set-based, audited."""

from __future__ import annotations

import datetime
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from creditportal.audit import get_system_user
from registry import expiry, services
from registry.choices import RecordStatus
from registry.models import CreditRecord, local_today


@pytest.fixture
def record_ending(operator, tree, make_person, make_record):
    """A published record whose display period ends ``days`` from today
    (negative: it ended that many days ago, and the expiry task has not run)."""

    def _make(days: int, department=None, status=RecordStatus.ACTIVE):
        department = department or tree["A"]
        today = local_today()
        decided = today - datetime.timedelta(days=200)
        record = make_record(
            make_person(department),
            department,
            decision_date=decided,
            display_until=today + datetime.timedelta(days=10),
        )
        if status != RecordStatus.DRAFT:
            services.publish_records([record], acting_user=operator, reason="公示")
        if status == RecordStatus.UNDER_OBJECTION:  # an objection: a display hold on the active record
            services.open_hold(record, source="objection", reference="YY-1", acting_user=operator, reason="异议")
        if days != 10:
            # Time passing, not an edit: a published record is not edited
            # (a change would be a correction, and one under objection none at all).
            CreditRecord.objects.filter(pk=record.pk).update(display_until=today + datetime.timedelta(days=days))
        return CreditRecord.objects.get(pk=record.pk)

    return _make


def history_of(record):
    return list(record.history.order_by("history_date", "history_id"))


def test_nothing_past_its_period_is_displayed_even_before_expiry_runs(record_ending):
    ended = record_ending(-1)
    running = record_ending(3)
    ends_today = record_ending(0)
    assert ended.status == RecordStatus.ACTIVE  # the task has not run...
    displayed = set(CreditRecord.objects.displayable().values_list("pk", flat=True))
    assert displayed == {running.pk, ends_today.pk}  # ...but the query filters on the date
    assert not ended.is_displayed and running.is_displayed and ends_today.is_displayed
    later = local_today() + datetime.timedelta(days=4)
    assert not CreditRecord.objects.displayable(on=later).exists()


def test_expiry_moves_ended_records_with_one_history_row_each(record_ending, operator):
    ended = [record_ending(-1), record_ending(-30)]
    running = record_ending(5)
    objected = record_ending(-2, status=RecordStatus.UNDER_OBJECTION)
    stale_draft = record_ending(-3, status=RecordStatus.DRAFT)

    result = expiry.expire_records()

    # A display hold does not lengthen a display period: the end of the period
    # is a fact of the calendar (the objection is still decided: its hold stays open).
    assert result.expired == 4
    for record in [*ended, stale_draft, objected]:
        record.refresh_from_db()
        assert record.status == RecordStatus.EXPIRED
        last = history_of(record)[-1]
        assert (last.status, last.history_user, last.history_change_reason, last.history_type) == (
            RecordStatus.EXPIRED,
            get_system_user(),
            "display period ended",
            "~",
        )
        assert [h.status for h in history_of(record)].count(RecordStatus.EXPIRED) == 1
    running.refresh_from_db()
    objected.refresh_from_db()
    assert running.status == RecordStatus.ACTIVE
    assert objected.holds.open().count() == 1


def test_expiry_is_idempotent(record_ending):
    records = [record_ending(-1) for _ in range(3)]
    assert expiry.expire_records().expired == 3
    counts = [r.history.count() for r in records]
    assert expiry.expire_records().expired == 0
    assert [r.history.count() for r in records] == counts


def test_chunks_and_an_interrupted_run(record_ending):
    records = [record_ending(-1) for _ in range(5)]
    first = expiry.expire_records(chunk_size=2, max_chunks=1)  # "killed" after one chunk
    assert first.expired == 2
    rest = expiry.expire_records(chunk_size=2)
    assert (rest.expired, rest.chunks) == (3, 2)
    for record in records:
        assert [h.status for h in history_of(record)].count(RecordStatus.EXPIRED) == 1


def test_command_dry_run_and_today(record_ending, capsys):
    soon = record_ending(2)
    ended = record_ending(-1)
    call_command("expire_records", "--dry-run")
    assert "1 records are past" in capsys.readouterr().out
    assert CreditRecord.objects.get(pk=ended.pk).status == RecordStatus.ACTIVE

    in_a_week = (local_today() + datetime.timedelta(days=7)).isoformat()
    call_command("expire_records", "--dry-run", "--today", in_a_week)
    assert "2 records are past" in capsys.readouterr().out

    call_command("expire_records", "--today", in_a_week)
    assert "Expired 2 records" in capsys.readouterr().out
    assert set(CreditRecord.objects.filter(status=RecordStatus.EXPIRED).values_list("pk", flat=True)) == {
        soon.pk,
        ended.pk,
    }
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("expire_records", "--today", "21/11/2026")


def test_publishing_a_draft_whose_period_is_over_is_refused(record_ending, operator):
    from django.core.exceptions import ValidationError

    draft = record_ending(-1, status=RecordStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.change_record_status(draft, status=RecordStatus.ACTIVE, acting_user=operator, reason="公示")


def test_expiry_hooks_see_the_expired_ids_in_the_same_transaction(record_ending):
    from registry import hooks

    seen = []

    def hook(call):
        seen.append((sorted(call.record_ids), call.on, call.acting_user.username, connection.in_atomic_block))

    ended = record_ending(-1)
    with hooks.register_temporarily(hooks.RecordEvent.WITHDRAWN, hook):
        expiry.expire_records()
    assert seen[0] == ([ended.pk], local_today(), settings.SYSTEM_USERNAME, True)


def test_the_task_runs_eagerly_without_redis(record_ending):
    """The `make demo` shape: no REDIS_URL, so tasks run in the caller's process."""
    from creditportal.celery import app
    from registry.tasks import expire_records

    record_ending(-1)
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True  # what settings choose when REDIS_URL is unset
    try:
        outcome = expire_records.delay().get(timeout=10)
    finally:
        app.conf.task_always_eager = saved
    assert outcome == {"today": local_today().isoformat(), "expired": 1, "chunks": 1}


def test_a_broker_outage_does_not_break_the_request(
    client, users, record_ending, caplog, django_capture_on_commit_callbacks
):
    """The request that enqueues expiry succeeds; the failure is logged; the
    next scheduled run (state-based) does the work."""
    from creditportal.celery import app

    ended = record_ending(-1)
    saved = {k: app.conf.get(k) for k in ("broker_url", "task_always_eager")}

    def drop_connections():
        app._pool = None
        if app.__dict__.get("amqp") is not None:
            app.amqp._producer_pool = None

    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)  # nothing listens there
    drop_connections()
    try:
        client.force_login(users["operator"])
        with (
            caplog.at_level(logging.ERROR, logger="creditportal.tasking"),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            started = time.monotonic()
            response = client.post(
                "/admin/registry/creditrecord/",
                {"action": "expire_now", "_selected_action": [ended.pk], "reason": "夜间任务未运行"},
                follow=True,
            )
            elapsed = time.monotonic() - started
    finally:
        app.conf.update(saved)
        drop_connections()
    assert response.status_code == 200 and len(callbacks) == 1
    assert elapsed < 3  # fails fast: no retrying against a broker that is down
    assert "could not enqueue registry.tasks.expire_records" in caplog.text
    assert CreditRecord.objects.get(pk=ended.pk).status == RecordStatus.ACTIVE  # not yet...
    expiry.expire_records()  # ...the next scheduled run catches up
    assert CreditRecord.objects.get(pk=ended.pk).status == RecordStatus.EXPIRED


# --- PostgreSQL: concurrency and a killed process -------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_share_the_work_without_duplicates(record_ending):
    records = [record_ending(-1) for _ in range(40)]
    results, errors = [], []

    def run():
        try:
            results.append(expiry.expire_records(chunk_size=3).expired)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results) == 40
    history = CreditRecord.history.model.objects.filter(status=RecordStatus.EXPIRED)
    assert history.count() == 40
    assert sorted(history.values_list("id", flat=True)) == sorted(r.pk for r in records)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_record_revoked_while_the_expiry_runs_is_left_revoked(record_ending, operator):
    """The caseworker's transaction holds the row; the expiry waits for it and
    then re-checks the row as committed: no longer due, so not expired."""
    contested, other = record_ending(-1), record_ending(-1)
    holding, release, outcome = threading.Event(), threading.Event(), {}

    def caseworker():
        try:
            with transaction.atomic():
                services.change_record_status(
                    contested, status=RecordStatus.REVOKED, acting_user=operator, reason="异议成立，撤销"
                )
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def run_expiry():
        try:
            outcome["expired"] = expiry.expire_records().expired
        finally:
            connection.close()

    first = threading.Thread(target=caseworker)
    first.start()
    try:
        assert holding.wait(timeout=30)
        second = threading.Thread(target=run_expiry)
        second.start()
        second.join(timeout=1)
        assert second.is_alive(), "the expiry should wait for the caseworker's uncommitted change"
    finally:
        release.set()  # a failed assertion must not leave the caseworker holding the row
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcome == {"expired": 1}
    assert CreditRecord.objects.get(pk=contested.pk).status == RecordStatus.REVOKED
    assert CreditRecord.objects.get(pk=other.pk).status == RecordStatus.EXPIRED
    assert not contested.history.filter(status=RecordStatus.EXPIRED).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_run_is_finished_by_the_next_without_duplicate_history(record_ending):
    from tests.integration.workers import database_url

    records = [record_ending(-1) for _ in range(30)]
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "expire_records", "--chunk-size", "5", "--pause", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while CreditRecord.objects.filter(status=RecordStatus.EXPIRED).count() == 0:
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run never committed a chunk"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    done = CreditRecord.objects.filter(status=RecordStatus.EXPIRED).count()
    assert 0 < done < 30  # killed half-way: whole chunks done, the rest still due
    assert CreditRecord.history.model.objects.filter(status=RecordStatus.EXPIRED).count() == done

    assert expiry.expire_records().expired == 30 - done
    history = CreditRecord.history.model.objects.filter(status=RecordStatus.EXPIRED)
    assert sorted(history.values_list("id", flat=True)) == sorted(r.pk for r in records)

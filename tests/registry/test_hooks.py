"""registry.hooks: every writer announces what happens to records, in its own
transaction, set-based; a handler that raises rolls the whole write back."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection

from registry import expiry, hooks, services
from registry.choices import RecordStatus
from registry.importing import import_records
from registry.models import CreditRecord, local_today

from .importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = pytest.mark.django_db(transaction=False)


class Boom(Exception):
    pass


@pytest.fixture
def calls():
    """Every call of every event, with whether it ran inside a transaction."""
    seen = []

    def handler(call):
        seen.append((call.event, set(call.record_ids), call.source, connection.in_atomic_block))

    with (
        hooks.register_temporarily(hooks.RecordEvent.WITHDRAWN, handler),
        hooks.register_temporarily(hooks.RecordEvent.CHANGED, handler),
        hooks.register_temporarily(hooks.RecordEvent.RESTORED, handler),
    ):
        yield seen


def _raise(call):
    raise Boom(call.event)


def test_register_get_and_temporary_registration():
    def handler(call):
        pass

    assert handler not in hooks.get_hooks(hooks.RecordEvent.CHANGED)
    with hooks.register_temporarily(hooks.RecordEvent.CHANGED, handler):
        hooks.register(hooks.RecordEvent.CHANGED, handler)  # twice: once
        assert hooks.get_hooks(hooks.RecordEvent.CHANGED).count(handler) == 1
    assert handler not in hooks.get_hooks(hooks.RecordEvent.CHANGED)


def test_fire_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError):
        hooks.fire(hooks.RecordEvent.CHANGED, [1], acting_user=None, reason="x")


@pytest.fixture
def active_record(tree, users, make_person, make_record, operator):
    person = make_person(tree["A"])
    record = make_record(person, tree["A"])
    services.change_record_status(record, status=RecordStatus.ACTIVE, acting_user=operator, reason="公示")
    return record


def test_services_announce_a_withdrawal(active_record, operator, calls):
    services.change_record_status(active_record, status=RecordStatus.REVOKED, acting_user=operator, reason="撤销")
    assert calls == [(hooks.RecordEvent.WITHDRAWN, {active_record.pk}, "services", True)]


def test_services_announce_a_change_in_substance(tree, make_person, make_record, operator, calls):
    record = make_record(make_person(tree["A"]), tree["A"])
    record.summary = "更正后的事实摘要"
    services.save_credit_record(record, acting_user=operator, reason="更正")
    assert calls == [(hooks.RecordEvent.CHANGED, {record.pk}, "services", True)]
    calls.clear()
    services.save_credit_record(record, acting_user=operator, reason="再次保存")  # nothing changed
    assert calls == []


def test_a_failing_handler_undoes_the_service_write(active_record, operator):
    with hooks.register_temporarily(hooks.RecordEvent.WITHDRAWN, _raise), pytest.raises(Boom):
        services.change_record_status(active_record, status=RecordStatus.REVOKED, acting_user=operator, reason="撤销")
    assert CreditRecord.objects.get(pk=active_record.pk).status == RecordStatus.ACTIVE
    assert not CreditRecord.history.filter(id=active_record.pk, status=RecordStatus.REVOKED).exists()


def _ending_yesterday(record, operator):
    CreditRecord.objects.filter(pk=record.pk).update(
        decision_date=local_today() - datetime.timedelta(days=200),
        display_from=local_today() - datetime.timedelta(days=200),
        display_until=local_today() - datetime.timedelta(days=1),
    )


def test_expiry_announces_its_chunk(active_record, operator, calls):
    _ending_yesterday(active_record, operator)
    expiry.expire_records()
    assert calls == [(hooks.RecordEvent.WITHDRAWN, {active_record.pk}, "expiry", True)]


def test_a_failing_handler_undoes_the_expiry_chunk(active_record, operator):
    _ending_yesterday(active_record, operator)
    with hooks.register_temporarily(hooks.RecordEvent.WITHDRAWN, _raise), pytest.raises(Boom):
        expiry.expire_records()
    assert CreditRecord.objects.get(pk=active_record.pk).status == RecordStatus.ACTIVE
    assert not CreditRecord.history.filter(id=active_record.pk, status=RecordStatus.EXPIRED).exists()


def _import(users, tree, rows):
    return import_records(
        io.BytesIO(csv_bytes(CHINESE_HEADER, rows)),
        file_name="hooks.csv",
        department=tree["A"],
        acting_user=users["caseworker_a"],
    )


def test_the_import_announces_the_records_it_changed_in_one_call(tree, users, catalog_item, calls):
    """Set-based: one call with every updated record (both stages: the memory
    stage on SQLite, the PostgreSQL stage in the PostgreSQL pass)."""
    rows = rows_for(3, start=700)
    assert _import(users, tree, rows).ok
    assert calls == []  # new drafts: nothing derived from them yet
    rows[0][6] += "（更正）"
    rows[2][6] += "（更正）"
    assert _import(users, tree, rows).ok
    changed = set(CreditRecord.objects.filter(decision_no__in=[rows[0][3], rows[2][3]]).values_list("pk", flat=True))
    assert calls == [(hooks.RecordEvent.CHANGED, changed, "import", True)]


def test_a_failing_handler_undoes_the_import(tree, users, catalog_item):
    rows = rows_for(2, start=720)
    assert _import(users, tree, rows).ok
    rows[1][6] = "新的事实摘要"
    with hooks.register_temporarily(hooks.RecordEvent.CHANGED, _raise), pytest.raises(Boom):
        _import(users, tree, rows)
    assert CreditRecord.objects.get(decision_no=rows[1][3]).summary != "新的事实摘要"

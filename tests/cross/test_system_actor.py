"""The system user acts under an explicit policy in creditportal.access: it
reads every department (VIEW), holds no caseworker action, and does exactly its
duties."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from creditportal import access
from creditportal.access import Action, SystemDuty
from creditportal.audit import get_system_user
from registry import services
from registry.choices import RecordStatus
from registry.models import CreditRecord, Department, local_today

pytestmark = pytest.mark.django_db


def test_the_system_reads_everywhere_and_holds_no_caseworker_action(tree, make_person, make_record):
    system = get_system_user()
    make_record(make_person(tree["C"]), tree["C"])
    assert access.restrict(CreditRecord.objects.all(), system, Action.VIEW).count() == 1
    assert access.permitted_departments(system, Action.VIEW).count() == Department.objects.count()
    for action in (Action.CHANGE, Action.PUBLISH, Action.DECIDE, Action.REVEAL):
        assert access.restrict(CreditRecord.objects.all(), system, action).count() == 0
        assert not access.can_in_department(system, action, tree["C"])
    assert {duty for duty in SystemDuty if access.system_may(system, duty)} == set(access.SYSTEM_DUTIES)


def test_a_staff_user_is_not_the_system(users):
    assert not any(access.system_may(users["administrator"], duty) for duty in SystemDuty)
    assert not any(access.system_may(users["operator"], duty) for duty in SystemDuty)


def test_the_system_expires_but_does_not_decide(tree, make_person, make_record, operator):
    system = get_system_user()
    record = make_record(make_person(tree["A"]), tree["A"])
    services.publish_records([record], acting_user=operator, reason="公示")
    with pytest.raises(PermissionDenied):
        services.change_record_status(record, status=RecordStatus.REVOKED, acting_user=system, reason="撤销")
    CreditRecord.objects.filter(pk=record.pk).update(
        decision_date=local_today() - datetime.timedelta(days=400),
        display_from=local_today() - datetime.timedelta(days=400),
        display_until=local_today() - datetime.timedelta(days=1),
    )
    services.change_record_status(record, status=RecordStatus.EXPIRED, acting_user=system, reason="公示期满")
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.EXPIRED


def test_without_the_duty_the_system_may_not_expire(tree, make_person, make_record, operator, monkeypatch):
    system = get_system_user()
    record = make_record(make_person(tree["A"]), tree["A"])
    services.publish_records([record], acting_user=operator, reason="公示")
    CreditRecord.objects.filter(pk=record.pk).update(
        decision_date=local_today() - datetime.timedelta(days=400),
        display_from=local_today() - datetime.timedelta(days=400),
        display_until=local_today() - datetime.timedelta(days=1),
    )
    monkeypatch.setattr(access, "SYSTEM_DUTIES", frozenset(set(SystemDuty) - {SystemDuty.EXPIRE_RECORDS}))
    with pytest.raises(PermissionDenied):
        services.change_record_status(record, status=RecordStatus.EXPIRED, acting_user=system, reason="公示期满")


def test_the_expiry_task_acts_under_the_policy(tree, make_person, make_record, operator, users, monkeypatch):
    """The daily task (bulk, not the one-record service) is allowed exactly what
    the policy says: without the duty it expires nothing, nor does a caseworker."""
    from registry import expiry, tasks

    record = make_record(make_person(tree["A"]), tree["A"])
    services.publish_records([record], acting_user=operator, reason="公示")
    CreditRecord.objects.filter(pk=record.pk).update(
        decision_date=local_today() - datetime.timedelta(days=400),
        display_from=local_today() - datetime.timedelta(days=400),
        display_until=local_today() - datetime.timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        expiry.expire_records(acting_user=users["caseworker_a"])
    with monkeypatch.context() as patch:
        patch.setattr(access, "SYSTEM_DUTIES", frozenset(set(SystemDuty) - {SystemDuty.EXPIRE_RECORDS}))
        with pytest.raises(PermissionDenied):
            tasks.expire_records()
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.ACTIVE
    assert tasks.expire_records()["expired"] == 1
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.EXPIRED


def test_an_active_account_bearing_the_systems_name_is_an_ordinary_user(tree, make_person, make_record):
    """The system account is inactive (nobody logs in as it): an active one with its
    name, made by hand, gets none of its policy."""
    system = get_system_user()
    make_record(make_person(tree["C"]), tree["C"])
    system.is_active = True
    assert not access.is_system_user(system)
    assert access.restrict(CreditRecord.objects.all(), system, Action.VIEW).count() == 0
    assert not access.system_may(system, SystemDuty.EXPIRE_RECORDS)

"""``manage.py load_demo``: the demo tree, data in every status, users, idempotency."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from guardian.models import GroupObjectPermission, UserObjectPermission

from creditportal import access
from creditportal.access import Action
from registry.choices import DISPLAYABLE_STATUSES, RecordStatus
from registry.demo import data, loader
from registry.identifiers import region_valid_in, validate_resident_id
from registry.models import CatalogItem, CreditRecord, Department, Person, RecordCorrection, local_today

PERSONS, RECORDS = 20, 40


def _history_counts() -> dict[str, int]:
    models = (Department, CatalogItem, Person, CreditRecord, RecordCorrection)
    return {model.__name__: model.history.count() for model in models}


def _state() -> dict:
    User = get_user_model()
    return {
        **_history_counts(),
        "users": User.objects.count(),
        "passwords": tuple(User.objects.order_by("pk").values_list("password", flat=True)),
        "records_updated": tuple(CreditRecord.objects.order_by("pk").values_list("updated_at", flat=True)),
        "user_perms": UserObjectPermission.objects.count(),
        "group_perms": GroupObjectPermission.objects.count(),
        "memberships": User.groups.through.objects.count(),
    }


def _load() -> str:
    out = StringIO()
    call_command("load_demo", persons=PERSONS, records=RECORDS, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_twice(client, settings):
    """One load (twice) checked from every side: loading is the slow part."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    first_output = _load()
    first = _state()
    second_output = _load()
    second = _state()

    # Idempotent: nothing added, no history rows, the summary says so.
    assert second == first
    assert "records      0 created, 40 already present" in second_output
    assert "persons      0 created, 20 already present" in second_output

    check_department_tree()
    check_catalogue()
    check_records()
    check_persons()
    check_users_log_in(client, first_output)
    check_department_isolation()
    check_pending_correction()


def check_department_tree():
    province = Department.objects.get(code="YN")
    assert province.name == "云南省" and province.level == "province" and province.parent is None
    kunming = Department.objects.get(name="昆明市")
    assert kunming.parent == province and kunming.level == "prefecture"
    assert Department.objects.get(name="昆明市市场监督管理局").parent == kunming
    assert Department.objects.get(code="YN-QJ-SWJ").path == "YN/YN-QJ/YN-QJ-SWJ/"
    assert Department.objects.get(name="云南省发展和改革委员会").code == "YN-FGW"
    assert Department.objects.filter(parent=province, level="prefecture").count() == 16
    for name in ("迪庆藏族自治州", "中国人民银行昆明中心支行", "云南省高级人民法院", "云南省公安厅"):
        assert Department.objects.filter(name=name, parent=province).exists(), name
    assert Department.objects.filter(parent=province, level="department").count() == len(data.PROVINCIAL_DEPARTMENTS)


def check_catalogue():
    items = CatalogItem.objects.all()
    assert items.count() == len(data.CATALOGUE)
    for item in items:
        item.full_clean()
    assert CatalogItem.objects.get(code="AQ-XZCF-001").general_min_days == 365
    assert CatalogItem.objects.filter(polarity="positive").exists()


def check_records():
    assert CreditRecord.objects.count() == RECORDS
    # Every status, and records under objection (an open hold on a published record).
    assert set(CreditRecord.objects.values_list("status", flat=True)) == set(RecordStatus.values) - {
        RecordStatus.UNDER_OBJECTION
    }
    assert CreditRecord.objects.held().filter(status=RecordStatus.ACTIVE).exists()
    today = local_today()
    for record in CreditRecord.objects.select_related("catalog_item"):
        record.full_clean()
        assert record.decision_date <= today
        if record.status == RecordStatus.EXPIRED:
            assert record.display_until < today
        if record.status in DISPLAYABLE_STATUSES or record.status == RecordStatus.DRAFT:
            assert record.display_until >= today
    # Drafts and the displayable ones: the public list shows only the latter.
    assert CreditRecord.objects.displayable().filter(status__in=DISPLAYABLE_STATUSES).exists()


def check_persons():
    persons = list(Person.objects.all())
    assert len(persons) == PERSONS
    for person in persons:
        resident = validate_resident_id(person.id_number)
        assert resident.region_code.startswith("53")
        assert region_valid_in(resident.region_code, resident.birth_date.year)
        assert 1950 <= resident.birth_date.year <= 2004
        assert person.phone.startswith("1") and len(person.phone) == 11


def check_users_log_in(client, output):
    for spec in [data.OPERATOR, *data.DEMO_USERS]:
        assert client.login(username=spec.username, password=spec.password), spec.username
        client.logout()
    assert "demo-caseworker-2026" in output  # the table of users and passwords


def check_pending_correction():
    """A reviewer finds one correction waiting, proposed by the caseworker; the record is not changed yet."""
    from registry.demo.corrections import ADDED

    correction = RecordCorrection.objects.get()
    assert correction.state == RecordCorrection.State.PENDING
    assert correction.proposed_by.username == "caseworker"
    assert correction.record.department.code == "YN-KM-SCJ" and correction.record.status == RecordStatus.ACTIVE
    assert correction.proposed["summary"].endswith(ADDED) and ADDED not in correction.record.summary


def check_department_isolation():
    User = get_user_model()
    caseworker = User.objects.get(username="caseworker")
    own = Department.objects.get(code="YN-KM-SCJ")
    visible = access.restrict(CreditRecord.objects.all(), caseworker, Action.VIEW)
    assert visible.exists()
    assert set(visible.values_list("department_id", flat=True)) == {own.pk}
    assert visible.count() == CreditRecord.objects.filter(department=own).count()
    other = User.objects.get(username="caseworker_b")
    assert not access.restrict(CreditRecord.objects.filter(department=own), other, Action.VIEW).exists()
    supervisor = User.objects.get(username="supervisor")
    seen = set(
        access.restrict(CreditRecord.objects.all(), supervisor, Action.VIEW).values_list("department__path", flat=True)
    )
    assert seen and all(path.startswith("YN/YN-KM/") for path in seen)


@pytest.mark.django_db
def test_rerun_later_does_not_duplicate(monkeypatch, settings):
    """Decision numbers carry the year of the decision date, which follows
    the day of loading: a rerun a year later still finds the records."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", persons=3, records=8, stdout=StringIO(), stderr=StringIO())
    before = _state()
    later = local_today() + datetime.timedelta(days=400)
    monkeypatch.setattr(loader, "local_today", lambda: later)
    call_command("load_demo", persons=3, records=8, stdout=StringIO(), stderr=StringIO())
    assert _state() == before


@pytest.mark.django_db
def test_refuses_a_non_superuser_operator():
    get_user_model().objects.create_user("operator", "operator@example.cn", "not-a-superuser-1")
    with pytest.raises(CommandError, match="not an active superuser"):
        call_command("load_demo", persons=1, records=1, stdout=StringIO(), stderr=StringIO())
    assert not Department.objects.exists()

"""Shared fixtures: a small department tree, a catalogue item, one user per role,
and factories that go through the service functions (as the product does)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from stdnum.cn import ric

from registry import services
from registry.models import CatalogItem, CreditRecord, Department
from registry.roles import Role

PASSWORD = "correct-horse-battery-staple"
_serial = itertools.count(1)


def make_id_number(region: str = "530102", birth: str = "19900101", seq: int | None = None) -> str:
    """A valid synthetic resident ID number (correct check character)."""
    seq = next(_serial) % 1000 if seq is None else seq
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "operator@example.cn", PASSWORD)


@pytest.fixture
def tree(operator):
    """YN (province) -> KM (prefecture) -> A, B (departments); YN -> QJ -> C."""
    with transaction.atomic():
        yn = services.save_department(
            Department(code="YN", name="云南省", level="province"), acting_user=operator, reason="test"
        )
        km = services.save_department(
            Department(code="YN-KM", name="昆明市", level="prefecture", parent=yn), acting_user=operator, reason="test"
        )
        qj = services.save_department(
            Department(code="YN-QJ", name="曲靖市", level="prefecture", parent=yn), acting_user=operator, reason="test"
        )
        a = services.save_department(
            Department(code="YN-KM-SCJ", name="昆明市市场监督管理局", level="department", parent=km),
            acting_user=operator,
            reason="test",
        )
        b = services.save_department(
            Department(code="YN-KM-JTJ", name="昆明市交通运输局", level="department", parent=km),
            acting_user=operator,
            reason="test",
        )
        c = services.save_department(
            Department(code="YN-QJ-SWJ", name="曲靖市税务局", level="department", parent=qj),
            acting_user=operator,
            reason="test",
        )
    return {"YN": yn, "KM": km, "QJ": qj, "A": a, "B": b, "C": c}


@pytest.fixture
def catalog_item(operator):
    with transaction.atomic():
        return services.save_catalog_item(
            CatalogItem(
                code="XZCF-001",
                name="行政处罚信息",
                category="penalty",
                legal_basis="《中华人民共和国行政处罚法》",
                sharing_level="public",
            ),
            acting_user=operator,
            reason="test",
        )


def make_user(username: str, role: Role | None, department: Department | None, operator):
    user = get_user_model().objects.create_user(username, f"{username}@example.cn", PASSWORD)
    if role is not None:
        services.grant_role(user, role=role, department=department, acting_user=operator)
    return user


@pytest.fixture
def users(tree, operator):
    """caseworker_a / caseworker_b (departments A and B), reviewer_a,
    publisher_a, supervisor (Kunming subtree: A and B, not C), administrator
    (the province), norole (staff without grants), operator (superuser)."""
    return {
        "caseworker_a": make_user("caseworker_a", Role.CASEWORKER, tree["A"], operator),
        "caseworker_b": make_user("caseworker_b", Role.CASEWORKER, tree["B"], operator),
        "reviewer_a": make_user("reviewer_a", Role.REVIEWER, tree["A"], operator),
        "publisher_a": make_user("publisher_a", Role.PUBLISHER, tree["A"], operator),
        "supervisor": make_user("supervisor", Role.SUPERVISOR, tree["KM"], operator),
        "administrator": make_user("administrator", Role.ADMINISTRATOR, tree["YN"], operator),
        "operator": operator,
    }


@pytest.fixture
def make_person(operator):
    def _make(department, name="李四", id_number=None, user=None):
        with transaction.atomic():
            return services.register_person(
                name=name,
                id_number=id_number or make_id_number(),
                registered_by=department,
                acting_user=user or operator,
                reason="test",
            )

    return _make


@pytest.fixture
def make_record(operator, catalog_item):
    def _make(person, department, decision_no=None, user=None, **fields):
        values = {
            "severity": "general",
            "decision_date": datetime.date(2026, 3, 2),
            "summary": "未按规定履行义务",
            **fields,
        }
        with transaction.atomic():
            return services.save_credit_record(
                CreditRecord(
                    person=person,
                    department=department,
                    catalog_item=fields.pop("catalog_item", catalog_item),
                    decision_no=decision_no or f"{department.code}-{next(_serial)}",
                    **{k: v for k, v in values.items() if k != "catalog_item"},
                ),
                acting_user=user or operator,
                reason="test",
            )

    return _make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database gets the cache table too (rate limits use the database
    cache without REDIS_URL, as `make demo` does)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_holiday_schedule_cache():
    """registry.workdays caches the holiday table per process; each test's
    database starts afresh, so must the cache."""
    from registry import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users log in with real passwords; hash them cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _database_vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else engine.rsplit(".", 1)[-1]


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` (or ``redis``, which runs in the PostgreSQL
    pass) are deselected on another database, and said so at the end: they
    are not skipped silently, `make test` runs them in its PostgreSQL pass.
    The permission matrix's ``test_observe`` (a printout of today's answers,
    tests/matrix.py) is collected only with MATRIX_OBSERVE=1."""
    import os

    if not os.environ.get("MATRIX_OBSERVE"):
        observers = [item for item in items if item.name == "test_observe"]
        if observers:
            config.hook.pytest_deselected(items=observers)
            items[:] = [item for item in items if item.name != "test_observe"]
    if _database_vendor() == "postgresql":
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") or item.get_closest_marker("redis") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        config._creditportal_not_run = len(dropped)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    dropped = getattr(config, "_creditportal_not_run", 0)
    if dropped:
        terminalreporter.write_line(
            f"{dropped} PostgreSQL/Redis tests not run in this pass: the database is {_database_vendor()} "
            "(make test runs them against PostgreSQL)."
        )

"""A test that tests the tests: every domain model has history, an admin page
and permission-matrix coverage. Adding a model without them fails here."""

import pytest
from django.apps import apps
from django.contrib import admin

from tests.matrix import matrix_classes, missing_rows

DOMAIN_APPS = ["registry", "repair", "disclosure", "education"]
# Models that deliberately have no history, and why.
NO_HISTORY = {
    "registry.AccessLog": "append-only audit log: it never changes, and is itself the audit trail",
}


def domain_models():
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if (
                getattr(model, "_meta", None)
                and model.__name__.startswith("Historical")
                and hasattr(model, "instance_type")
            ):
                continue  # django-simple-history's shadow tables
            yield model


def label(model):
    return f"{model._meta.app_label}.{model.__name__}"


def test_every_domain_model_has_history():
    from simple_history.models import registered_models

    missing = [label(m) for m in domain_models() if m not in registered_models.values() and label(m) not in NO_HISTORY]
    assert missing == []


def test_history_rows_take_the_change_reason_as_text():
    # Reasons are not cut at 100 characters (simple-history's default column).
    for model in domain_models():
        if hasattr(model, "history"):
            field = model.history.model._meta.get_field("history_change_reason")
            assert field.get_internal_type() == "TextField", label(model)


def test_history_keeps_its_users_and_is_built_for_bulk_writes():
    """Every history uses creditportal.audit.AuditHistory: the user who made a
    change cannot be deleted, and history_date has a BRIN index, not a B-tree."""
    from django.db.models import PROTECT

    from creditportal.audit import TimeOrderIndex

    for model in domain_models():
        if hasattr(model, "history"):
            historical = model.history.model
            user = historical._meta.get_field("history_user")
            assert user.remote_field.on_delete is PROTECT, label(model)
            assert not historical._meta.get_field("history_date").db_index, label(model)
            assert any(
                isinstance(index, TimeOrderIndex) and index.fields == ["history_date"]
                for index in historical._meta.indexes
            ), label(model)


def test_every_domain_model_has_an_admin_page():
    missing = [label(m) for m in domain_models() if m not in admin.site._registry]
    assert missing == []


def covered_models() -> set:
    """The models whose every admin route and action has rows in some matrix test class
    (tests/<app>/test_matrix.py): found from the classes that exist, as NetBox's
    test_model_test_coverage.py finds view tests, not from a list one could just extend."""
    return {cls.model for cls in matrix_classes() if cls.model is not None and not missing_rows(cls)}


def test_every_domain_model_is_in_the_permission_matrix():
    covered = covered_models()
    missing = [label(m) for m in domain_models() if m not in covered]
    assert missing == [], "no AdminMatrix class (or not every route has rows) for: " + ", ".join(missing)


def test_a_model_without_matrix_rows_is_not_covered():
    """The check above fails for a model whose class lacks rows, or that has no class."""
    from tests.registry.test_matrix import ImportJobMatrix

    table = ImportJobMatrix.table
    try:
        ImportJobMatrix.table = "\n".join(line for line in table.splitlines() if " errors " not in line)
        assert ImportJobMatrix.model not in covered_models()
    finally:
        ImportJobMatrix.table = table
    assert ImportJobMatrix.model in covered_models()


def test_every_department_owned_model_says_how_it_is_scoped():
    from creditportal.access import _scope_q
    from registry.models import CalendarDay, CatalogItem, Department

    # Province-wide reference data, gated by model permissions.
    unscoped_by_design = {CatalogItem, CalendarDay}
    for model in domain_models():
        if model in unscoped_by_design:
            continue
        _scope_q(model, Department.objects.none())  # raises TypeError when a model is not scoped


@pytest.mark.postgres
@pytest.mark.django_db
def test_history_dates_are_brin_indexed_on_postgresql():
    from django.db import connection

    # Every history table, the staff accounts' included (registered on Django's User).
    tables = sorted(
        {
            model.history.model._meta.db_table
            for model in apps.get_models()
            if hasattr(getattr(model, "history", None), "model") and not model.__name__.startswith("Historical")
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%%USING brin (history_date)%%' ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == tables

"""One permission check for an import (``registry.importing.permissions``).

The operator action (``manage.py import_records`` without ``--user``: the system
user on the operator's authority) is trusted only there, and only on the
command's path: the same claim from the web or a worker is refused.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.management import call_command

from creditportal.audit import get_system_user
from registry.importing import import_records, jobs, permissions
from registry.models import CreditRecord, ImportJob
from tests.registry.importing_helpers import CHINESE_HEADER, csv_bytes, rows_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def upload(user, department, *, operator_action=False) -> ImportJob:
    data = ContentFile(csv_bytes(CHINESE_HEADER, rows_for(2)), name="records.csv")
    return jobs.create_job(data, department=department, acting_user=user, operator_action=operator_action)


def test_an_operator_claim_outside_the_command_is_refused(tree, users, catalog_item):
    system = get_system_user()
    # The check itself: refused for the system user, for a caseworker, for a superuser.
    for user in (system, users["caseworker_a"], users["supervisor"]):
        with pytest.raises(PermissionDenied, match="import_records command"):
            permissions.check_import_allowed(user, tree["A"], operator_action=True)
    # The web's and the worker's ways in: the job service and the engine.
    with pytest.raises(PermissionDenied):
        upload(system, tree["A"], operator_action=True)
    with pytest.raises(PermissionDenied):
        import_records(io.BytesIO(csv_bytes(CHINESE_HEADER, rows_for(2))), file_name="r.csv", department=tree["A"],
                       acting_user=system, operator_action=True)  # fmt: skip
    assert not ImportJob.objects.exists() and not CreditRecord.objects.exists()


def test_inside_the_command_only_the_system_user_acts_as_operator(tree, users, catalog_item):
    with permissions.operator_shell():
        permissions.check_import_allowed(get_system_user(), tree["A"], operator_action=True)
        with pytest.raises(PermissionDenied, match="system user"):
            permissions.check_import_allowed(users["caseworker_a"], tree["A"], operator_action=True)
    # Without the claim the system user has no grant to import (its policy allows it to view only).
    with pytest.raises(PermissionDenied):
        permissions.check_import_allowed(get_system_user(), tree["A"])


def test_a_worker_running_an_operator_job_is_refused(tree, catalog_item, django_capture_on_commit_callbacks):
    """The job the command stored keeps its flag; a worker that picks it up is not the operator."""
    with permissions.operator_shell():
        job = upload(get_system_user(), tree["A"], operator_action=True)
    assert job.operator_action
    finished = jobs.run_job(job.pk, mode=jobs.IMPORT)  # as the Celery task runs it (no user: the job's creator)
    assert finished.state == ImportJob.State.FAILED
    assert "import_records command" in finished.message
    assert not CreditRecord.objects.exists()


def test_the_command_imports_as_the_operator(tree, catalog_item, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "records.csv"
    path.write_bytes(csv_bytes(CHINESE_HEADER, rows_for(2)))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_records", str(path), "--department", "YN-KM-SCJ", "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE and job.operator_action
    assert job.created_by.username == django_settings.SYSTEM_USERNAME
    assert CreditRecord.objects.count() == 2


def test_a_caseworker_imports_on_their_own_grant_only(tree, users, catalog_item):
    caseworker = users["caseworker_a"]
    assert permissions.may_import(caseworker, tree["A"]) and not permissions.may_import(caseworker, tree["B"])
    assert list(permissions.import_departments(caseworker)) == [tree["A"]]
    permissions.check_import_allowed(caseworker, tree["A"])
    with pytest.raises(PermissionDenied, match="may not import"):
        permissions.check_import_allowed(caseworker, tree["B"])


def _reads_of_operator_action(path: Path) -> list[int]:
    """Lines where ``operator_action`` decides something (a condition, a boolean
    expression, a comparison) rather than being passed on or stored."""
    lines = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    deciding = (ast.If, ast.IfExp, ast.While, ast.BoolOp, ast.UnaryOp, ast.Compare, ast.Assert)
    for node in ast.walk(tree):
        if not isinstance(node, deciding):
            continue
        parts = [node.test] if isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert)) else [node]
        for part in parts:
            for inner in ast.walk(part):
                name = getattr(inner, "id", None) or getattr(inner, "attr", None)
                if name == "operator_action":
                    lines.append(node.lineno)
    return lines


def test_only_the_permission_check_reads_operator_action():
    root = Path(django_settings.BASE_DIR)
    found = {}
    for path in sorted((root / "registry").rglob("*.py")):
        if "migrations" in path.parts or path == root / "registry" / "importing" / "permissions.py":
            continue
        lines = _reads_of_operator_action(path)
        if lines:
            found[str(path.relative_to(root))] = lines
    assert found == {}, f"operator_action decides something outside registry/importing/permissions.py: {found}"
    assert _reads_of_operator_action(root / "registry" / "importing" / "permissions.py")  # the scan finds reads

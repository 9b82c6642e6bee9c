"""Permissions are data: each app's enum names them, roles are built from every
app's share once all permissions exist, and no "app.codename" literal or model
name of the registry hides in creditportal.access."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured

from creditportal import permissions
from creditportal.permissions import PermissionEnum
from registry import services
from registry.permissions import AccountPermission, RegistryPermission
from registry.roles import ROLE_MODEL_PERMISSIONS, Role

ROOT = Path(__file__).resolve().parents[2]
APPS = ["creditportal", "registry", "repair", "disclosure", "education"]
LITERAL = re.compile(r"""["'](?:registry|repair|disclosure|education|auth|admin)\.(?:view|add|change|delete)_\w+["']""")


def enum_files():
    return {path for path in ROOT.glob("*/permissions.py")}


def test_no_permission_literals_outside_the_enums():
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path in enum_files():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if LITERAL.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_chokepoint_names_no_app_model():
    source = (ROOT / "creditportal" / "access.py").read_text(encoding="utf-8")
    assert "get_model(" not in source and '"registry' not in source and "'registry" not in source


@pytest.mark.django_db
def test_every_declared_permission_exists():
    from repair.permissions import RepairPermission

    declared = [*RegistryPermission, *AccountPermission, *RepairPermission]
    existing = set(
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    )
    assert [perm.value for perm in declared if perm.value not in existing] == []


@pytest.mark.django_db
def test_role_groups_are_built_even_when_an_apps_permissions_do_not_exist_yet():
    """migrate creates permissions app by app: a role naming a later app's
    permission must not crash it. The groups are built after all exist."""
    Permission.objects.filter(content_type__app_label="registry").delete()
    groups = services.ensure_role_groups()
    from creditportal.permissions import role_permissions

    for role, wanted in ROLE_MODEL_PERMISSIONS.items():
        held = {f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()}
        assert {perm.value for perm in wanted} <= held  # the registry's share, beside other apps'
        assert held == {perm.value for perm in role_permissions(role)}
    assert Group.objects.get(name="caseworker").permissions.filter(codename="add_creditrecord").exists()


@pytest.mark.django_db
def test_an_app_contributes_its_share_and_a_missing_permission_is_named():
    class Fake(PermissionEnum):
        NOPE = "registry.fly_creditrecord"

    try:
        permissions.contribute("fakeapp", {"reviewer": [RegistryPermission.VIEW_ACCESSLOG]})
        groups = services.ensure_role_groups()
        assert groups[Role.REVIEWER].permissions.filter(codename="view_accesslog").exists()
        permissions.contribute("fakeapp", {"reviewer": [Fake.NOPE]})
        with pytest.raises(ImproperlyConfigured, match="registry.fly_creditrecord"):
            services.ensure_role_groups()
    finally:
        permissions._contributions.pop("fakeapp", None)
    services.ensure_role_groups()

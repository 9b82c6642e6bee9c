"""Every registry admin page, for every role: who gets 200, 403, 404 or the login page.

Departments: YN (province) -> KM (prefecture) -> A, B; YN -> QJ -> C. Roles
(tests/conftest.py): caseworker_a/reviewer_a/publisher_a on A, caseworker_b
on B, supervisor on KM (A and B), administrator on YN (all), operator
(superuser), norole (staff without grants), anonymous.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.choices import AccessAction
from registry.models import (
    AccessLog,
    CalendarDay,
    CatalogItem,
    CreditRecord,
    Department,
    DisplayHold,
    ImportJob,
    Person,
    RoleGrant,
)
from registry.roles import ROLE_MODEL_PERMISSIONS, Role
from registry.services import grant_role, log_access, open_hold
from tests.conftest import PASSWORD

ROLE_USERS = [
    "anonymous",
    "norole",
    "caseworker_a",
    "caseworker_b",
    "reviewer_a",
    "publisher_a",
    "supervisor",
    "administrator",
    "operator",
]
ROLE_OF = {
    "caseworker_a": Role.CASEWORKER,
    "caseworker_b": Role.CASEWORKER,
    "reviewer_a": Role.REVIEWER,
    "publisher_a": Role.PUBLISHER,
    "supervisor": Role.SUPERVISOR,
    "administrator": Role.ADMINISTRATOR,
}
# Which departments (by fixture key) each user reaches.
REACH = {
    "anonymous": set(),
    "norole": set(),
    "caseworker_a": {"A"},
    "caseworker_b": {"B"},
    "reviewer_a": {"A"},
    "publisher_a": {"A"},
    "supervisor": {"KM", "A", "B"},
    "administrator": {"YN", "KM", "QJ", "A", "B", "C"},
    "operator": {"YN", "KM", "QJ", "A", "B", "C"},
}
# Models covered by this matrix (the meta-test checks every registry model is here).
MATRIX_MODELS = {
    Department,
    Person,
    CatalogItem,
    CalendarDay,
    CreditRecord,
    AccessLog,
    RoleGrant,
    ImportJob,
    DisplayHold,
}
SCOPED_MODELS = {Department, Person, CreditRecord, AccessLog, RoleGrant, ImportJob, DisplayHold}
SCOPED_NAMES = ["department", "person", "creditrecord", "accesslog", "rolegrant", "importjob", "displayhold"]
# Import jobs are about credit records: their pages follow the credit-record
# model permissions (registry/importing/admin.py); nobody adds or changes one by hand.
PERM_MODEL = {"importjob": "creditrecord"}
READ_ONLY_NAMES = {"accesslog", "importjob"}
# Province-wide reference data: model permissions only, no department scope.
UNSCOPED_NAMES = ["catalogitem", "calendarday"]
ALL_NAMES = SCOPED_NAMES + UNSCOPED_NAMES


def has_model_perm(username: str, perm: str) -> bool:
    verb, model_name = perm.split("_", 1)
    perm = f"{verb}_{PERM_MODEL.get(model_name, model_name)}"
    if username == "operator":
        return True
    role = ROLE_OF.get(username)
    return role is not None and f"registry.{perm}" in ROLE_MODEL_PERMISSIONS[role]


@pytest.fixture
def world(users, tree, make_person, make_record, settings, catalog_item):
    from django.core.files.base import ContentFile

    from registry.importing.jobs import create_job

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    users = dict(users)
    users["norole"] = get_user_model().objects.create_user("norole", password=PASSWORD, is_staff=True)
    objects = {}
    for key in ("A", "B", "C"):
        person = make_person(tree[key], name=f"当事人{key}")
        record = make_record(person, tree[key], decision_no=f"NO-{key}")
        log = log_access(user=users["operator"], action=AccessAction.VIEW, record=record, purpose="test")
        clerk = get_user_model().objects.create_user(f"clerk_{key}", password=PASSWORD)
        grant = grant_role(clerk, role=Role.CASEWORKER, department=tree[key], acting_user=users["operator"])
        job = create_job(ContentFile(b"name\n", name=f"{key}.csv"), department=tree[key], acting_user=users["operator"])
        hold = open_hold(record, source="court_order", reference=f"HOLD-{key}", acting_user=users["operator"],
                         reason="test")  # fmt: skip
        objects[key] = {
            "department": tree[key],
            "person": person,
            "creditrecord": record,
            "accesslog": log,
            "rolegrant": grant,
            "importjob": job,
            "displayhold": hold,
        }
    return users, objects


def login(client, users, username):
    if username != "anonymous":
        client.force_login(users[username])
    return client


def expected_object_status(username, model_name, dept_key, page):
    if username == "anonymous":
        return 302
    model = {
        "department": Department,
        "person": Person,
        "creditrecord": CreditRecord,
        "accesslog": AccessLog,
        "rolegrant": RoleGrant,
        "importjob": ImportJob,
        "displayhold": DisplayHold,
    }[model_name]
    in_scope = dept_key in REACH[username]
    if model in SCOPED_MODELS and not in_scope:
        return 404
    if not has_model_perm(username, f"view_{model_name}") and not has_model_perm(username, f"change_{model_name}"):
        return 403
    return 200


@pytest.mark.parametrize("username", ROLE_USERS)
@pytest.mark.parametrize("model_name", SCOPED_NAMES)
def test_object_pages(client, world, username, model_name):
    """Change and history pages of objects in A, B and C."""
    users, objects = world
    login(client, users, username)
    wrong = []
    for dept_key in ("A", "B", "C"):
        obj = objects[dept_key][model_name]
        for page in ("change", "history"):
            url = reverse(f"admin:registry_{model_name}_{page}", args=[obj.pk])
            response = client.get(url)
            expected = expected_object_status(username, model_name, dept_key, page)
            if response.status_code != expected:
                wrong.append((dept_key, page, response.status_code, expected))
            if response.status_code == 404 and model_name in ("person", "creditrecord"):
                # The 404 does not leak the object.
                secret = obj.name if model_name == "person" else obj.decision_no
                assert secret not in response.content.decode()
    assert wrong == []


@pytest.mark.parametrize("username", ROLE_USERS)
@pytest.mark.parametrize("model_name", ALL_NAMES)
def test_changelists_show_only_reachable_rows(client, world, username, model_name):
    users, objects = world
    url = reverse(f"admin:registry_{model_name}_changelist")
    response = login(client, users, username).get(url)
    if username == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    if not has_model_perm(username, f"view_{model_name}"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    if model_name in UNSCOPED_NAMES:
        return
    shown = {obj.pk for obj in response.context["cl"].result_list}
    for key in ("A", "B", "C"):
        pk = objects[key][model_name].pk
        assert (pk in shown) == (key in REACH[username]), (key, shown)


@pytest.mark.parametrize("username", ROLE_USERS)
@pytest.mark.parametrize("model_name", ALL_NAMES)
def test_add_pages(client, world, username, model_name):
    users, _objects = world
    response = login(client, users, username).get(reverse(f"admin:registry_{model_name}_add"))
    if username == "anonymous":
        assert response.status_code == 302
    elif model_name in READ_ONLY_NAMES:
        assert response.status_code == 403
    elif has_model_perm(username, f"add_{model_name}") and (REACH[username] or model_name in UNSCOPED_NAMES):
        assert response.status_code == 200
        if model_name in ("creditrecord", "person", "rolegrant"):
            field = "registered_by" if model_name == "person" else "department"
            choices = {d.pk for d in response.context["adminform"].form.fields[field].queryset}
            assert choices == {Department.objects.get(code=world_code).pk for world_code in _codes(username)}
    else:
        assert response.status_code == 403


def _codes(username):
    codes = {"YN": "YN", "KM": "YN-KM", "QJ": "YN-QJ", "A": "YN-KM-SCJ", "B": "YN-KM-JTJ", "C": "YN-QJ-SWJ"}
    return {codes[key] for key in REACH[username]}


@pytest.mark.parametrize("username", ROLE_USERS)
def test_nobody_deletes_through_the_admin(client, world, username):
    users, objects = world
    response = login(client, users, username).post(
        reverse("admin:registry_creditrecord_delete", args=[objects["A"]["creditrecord"].pk]), {"post": "yes"}
    )
    assert response.status_code in (302, 403, 404)
    assert CreditRecord.objects.filter(pk=objects["A"]["creditrecord"].pk).exists()


def test_global_model_permissions_do_not_widen_the_scope(client, world):
    """A user holding every registry model permission but no department grant sees nothing."""
    from django.contrib.auth.models import Permission

    users, objects = world
    user = users["norole"]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry"))
    client.force_login(user)
    response = client.get(reverse("admin:registry_creditrecord_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    for key in ("A", "B", "C"):
        url = reverse("admin:registry_creditrecord_change", args=[objects[key]["creditrecord"].pk])
        assert client.get(url).status_code == 404
    # Nor can they add: they hold no department to add into.
    assert client.get(reverse("admin:registry_creditrecord_add")).status_code == 403

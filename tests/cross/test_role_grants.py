"""Role grants: audited, and the permissions follow them at once."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from creditportal import access
from creditportal.access import Action
from registry import services
from registry.models import CreditRecord, RoleGrant
from registry.roles import Role, group_name
from tests.conftest import PASSWORD


def test_administrator_grants_a_role_in_the_admin_and_revokes_it(client, users, tree, make_person, make_record):
    record = make_record(make_person(tree["B"]), tree["B"])
    newcomer = get_user_model().objects.create_user("newcomer", password=PASSWORD)
    client.force_login(users["administrator"])
    response = client.post(
        reverse("admin:registry_rolegrant_add"),
        {
            "user": newcomer.pk,
            "department": tree["B"].pk,
            "role": Role.CASEWORKER,
            "is_active": "on",
            "change_reason": "新入职经办人",
        },
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=newcomer)
    assert grant.history.get().history_change_reason == "新入职经办人"
    assert grant.granted_by == users["administrator"]
    newcomer.refresh_from_db()
    assert newcomer.is_staff and newcomer.groups.filter(name=group_name(Role.CASEWORKER)).exists()
    fresh = get_user_model().objects.get(pk=newcomer.pk)
    assert list(access.restrict(CreditRecord.objects.all(), fresh, Action.VIEW)) == [record]

    response = client.post(
        reverse("admin:registry_rolegrant_change", args=[grant.pk]),
        {"change_reason": "调离"},  # is_active unchecked
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert not grant.is_active
    assert grant.history.first().history_change_reason == "调离"
    fresh = get_user_model().objects.get(pk=newcomer.pk)
    assert not access.restrict(CreditRecord.objects.all(), fresh, Action.VIEW).exists()
    assert not fresh.groups.filter(name=group_name(Role.CASEWORKER)).exists()


def test_revoking_one_role_keeps_what_another_grant_gives(users, tree):
    user = users["caseworker_a"]
    operator = users["operator"]
    with transaction.atomic():
        services.grant_role(user, role=Role.PUBLISHER, department=tree["A"], acting_user=operator)
    caseworker_grant = RoleGrant.objects.get(user=user, role=Role.CASEWORKER)
    with transaction.atomic():
        services.revoke_role(caseworker_grant, acting_user=operator, reason="改任公示发布人")
    fresh = get_user_model().objects.get(pk=user.pk)
    assert access.can_in_department(fresh, Action.VIEW, tree["A"])  # the publisher grant gives VIEW
    assert access.can_in_department(fresh, Action.PUBLISH, tree["A"])
    assert not access.can_in_department(fresh, Action.CHANGE, tree["A"])


def test_only_role_managers_grant(users, tree):
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied), transaction.atomic():
        services.grant_role(
            users["caseworker_b"], role=Role.SUPERVISOR, department=tree["YN"], acting_user=users["supervisor"]
        )
    assert not RoleGrant.objects.filter(user=users["caseworker_b"], role=Role.SUPERVISOR).exists()


def test_the_grant_forms_user_picker_names_staff_by_full_name(client, users):
    """Staff appear by full name with the username in role grants, the picker included."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="caseworker_b").update(first_name="文", last_name="李")
    client.force_login(users["administrator"])
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "registry", "model_name": "rolegrant", "field_name": "user", "term": "caseworker_b"},
    )
    assert response.status_code == 200
    texts = [result["text"] for result in response.json()["results"]]
    assert any("caseworker_b" in text and "李" in text for text in texts), texts

"""Administrators manage staff accounts in the admin, with a reason and history;
superuser status, groups and permissions stay with operators, audited too."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from registry import accounts, services
from registry.roles import Role, group_name
from tests.conftest import PASSWORD

User = get_user_model()
ADD = reverse("admin:auth_user_add")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def change_data(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "change_reason": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None and not (k == "is_active" and v == "")}


def test_an_administrator_adds_a_staff_account_with_a_reason(client, users):
    client.force_login(users["administrator"])
    data = {
        "username": "liwei",
        "first_name": "伟",
        "last_name": "李",
        "email": "liwei@example.cn",
        "usable_password": "true",
        "password1": "Kunming-2026-secure",
        "password2": "Kunming-2026-secure",
    }
    response = client.post(ADD, data, **EN)
    assert response.status_code == 200 and "change_reason" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="liwei").exists()

    response = client.post(ADD, {**data, "change_reason": "新入职经办人（人事处函〔2026〕3号）"})
    assert response.status_code == 302
    account = User.objects.get(username="liwei")
    assert account.is_staff and not account.is_superuser and account.check_password("Kunming-2026-secure")
    row = account.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        users["administrator"],
        "新入职经办人（人事处函〔2026〕3号）",
    )
    assert not hasattr(row, "password")  # the hash is never copied into history


def test_an_administrator_changes_and_deactivates_an_account_with_history(client, users):
    target = users["caseworker_b"]
    client.force_login(users["administrator"])
    response = client.post(change_url(target), change_data(target, email="new@example.cn"), **EN)
    assert response.status_code == 200  # no reason
    target.refresh_from_db()
    assert target.email != "new@example.cn"

    response = client.post(change_url(target), change_data(target, email="new@example.cn", change_reason="邮箱变更"))
    assert response.status_code == 302
    target.refresh_from_db()
    response = client.post(change_url(target), change_data(target, is_active="", change_reason="调离本单位"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.email == "new@example.cn" and not target.is_active
    latest, before = list(target.history.all()[:2])
    assert (latest.is_active, latest.history_change_reason, latest.history_user) == (
        False,
        "调离本单位",
        users["administrator"],
    )
    assert (before.email, before.history_change_reason) == ("new@example.cn", "邮箱变更")
    history = client.get(reverse("admin:auth_user_history", args=[target.pk]))
    assert "调离本单位" in history.content.decode()


def test_an_administrator_cannot_make_a_superuser_or_change_groups(client, users):
    target = users["caseworker_b"]
    other = Group.objects.create(name="报表")
    perm = Permission.objects.get(codename="change_department")
    client.force_login(users["administrator"])
    form = client.get(change_url(target)).context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    response = client.post(
        change_url(target),
        change_data(
            target,
            is_superuser="on",
            groups=[other.pk],
            user_permissions=[perm.pk],
            change_reason="试图提升权限",
        ),
    )
    assert response.status_code == 302  # saved what may be changed; the rest is not in the form
    target.refresh_from_db()
    assert not target.is_superuser
    assert not target.groups.filter(pk=other.pk).exists()
    assert not target.user_permissions.exists()
    # The service refuses it too, whatever the caller.
    target.is_superuser = True
    with pytest.raises(PermissionDenied), transaction.atomic():
        accounts.update_staff_user(target, acting_user=users["administrator"], reason="x")
    target.is_superuser = False
    with pytest.raises(PermissionDenied), transaction.atomic():
        accounts.update_staff_user(target, acting_user=users["administrator"], reason="x", groups=[other])


def test_an_administrator_cannot_change_an_operators_account_or_deactivate_themselves(client, users):
    admin_user = users["administrator"]
    client.force_login(admin_user)
    response = client.post(
        change_url(users["operator"]), change_data(users["operator"], is_active="", change_reason="x")
    )
    assert response.status_code == 403
    users["operator"].refresh_from_db()
    assert users["operator"].is_active
    response = client.post(change_url(admin_user), change_data(admin_user, is_active="", change_reason="离职"), **EN)
    assert response.status_code == 200
    assert "own account" in str(response.context["adminform"].form.errors["is_active"])
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_an_administrator_changes_a_password_with_a_reason(client, users):
    target = users["caseworker_b"]
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    client.force_login(users["administrator"])
    data = {"password1": "Brand-new-2026-pass", "password2": "Brand-new-2026-pass", "usable_password": "true"}
    response = client.post(url, data)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    response = client.post(url, {**data, "change_reason": "本人遗忘密码，电话核实后重置"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Brand-new-2026-pass")
    assert target.history.first().history_change_reason == "本人遗忘密码，电话核实后重置"


def test_operator_changes_to_superuser_groups_and_permissions_are_in_history(client, users):
    target = users["caseworker_b"]
    other = Group.objects.create(name="报表")
    perm = Permission.objects.get(codename="change_department")
    client.force_login(users["operator"])
    response = client.post(
        change_url(target),
        change_data(
            target,
            is_staff="on",
            is_superuser="on",
            groups=[other.pk],
            user_permissions=[perm.pk],
            change_reason="临时授予运维权限（工单 88）",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.is_superuser and target.groups.filter(pk=other.pk).exists()
    assert target.groups.filter(name=group_name(Role.CASEWORKER)).exists()  # the role stays
    row = target.history.first()
    assert (row.is_superuser, row.history_user, row.history_change_reason) == (
        True,
        users["operator"],
        "临时授予运维权限（工单 88）",
    )
    assert other.pk in {g.group_id for g in row.groups.all()}
    assert perm.pk in {p.permission_id for p in row.user_permissions.all()}
    previous = row.prev_record
    assert previous is not None and not previous.is_superuser
    # Role groups are not offered: roles come only from role grants.
    form = client.get(change_url(target)).context["adminform"].form
    role_group_ids = set(accounts.role_groups().values_list("pk", flat=True))
    assert role_group_ids and not role_group_ids & {g.pk for g in form.fields["groups"].queryset}


def test_role_grants_and_logins_leave_the_expected_account_history(client, users, tree):
    account = users["caseworker_b"]
    before = account.history.count()
    with transaction.atomic():
        services.grant_role(
            account, role=Role.REVIEWER, department=tree["B"], acting_user=users["operator"], reason="兼任审核"
        )
    rows = list(account.history.all()[: account.history.count() - before])
    assert [row.history_change_reason for row in rows] == ["兼任审核"]
    client.post(reverse("admin:login"), {"username": account.username, "password": PASSWORD})
    account.refresh_from_db()
    assert account.last_login is not None
    assert account.history.count() == before + 1  # logging in writes no history row


def test_caseworkers_cannot_manage_accounts(client, users):
    client.force_login(users["caseworker_a"])
    assert client.get(ADD).status_code == 403
    assert client.get(change_url(users["caseworker_b"])).status_code == 403

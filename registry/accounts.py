"""Service functions for staff accounts (Django's ``auth.User``).

Administrators create accounts, change names, e-mail and passwords, and
deactivate accounts; operators (superusers) may also change superuser status,
staff status, groups and model permissions. Every change runs in one
transaction with a reason and writes one row in the account's history
(``registry.models.StaffAccountHistory``: groups and permissions included, the
password hash never). Roles come only from role grants (``services.grant_role``):
the role groups cannot be given or taken here. Accounts are never deleted.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from creditportal import access
from creditportal.access import Action
from creditportal.audit import require_reason, save_with_history

from .models import RoleGrant
from .permissions import AccountPermission
from .roles import Role, group_name

#: What an administrator may change on an account; operators may change these and OPERATOR_ONLY.
ADMINISTRATOR_FIELDS = ("username", "first_name", "last_name", "email", "is_active")
OPERATOR_ONLY = ("is_staff", "is_superuser")


def _is_operator(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def role_groups():
    return Group.objects.filter(name__in=[group_name(role) for role in Role])


def may_manage(acting_user, account) -> bool:
    """Whether ``acting_user`` may change ``account``: operators any; an
    administrator (``auth.change_user``) an account that is not an operator's
    and whose roles all lie in the departments the administrator holds."""
    if _is_operator(acting_user):
        return True
    if not acting_user.has_perm(AccountPermission.CHANGE_USER) or account.is_superuser:
        return False
    if account.pk is None:
        return True
    reach = access.permitted_departments(acting_user, Action.CHANGE)
    return not RoleGrant.objects.filter(user=account, is_active=True).exclude(department__in=reach).exists()


@transaction.atomic
def create_staff_user(account, *, acting_user, reason: str, password: str | None = None):
    """Create the staff account ``account`` (an unsaved user with username, names,
    e-mail). ``password`` None: no usable password yet (set one later)."""
    require_reason(reason)
    if not (_is_operator(acting_user) or acting_user.has_perm(AccountPermission.ADD_USER)):
        raise PermissionDenied(_("You may not create staff accounts."))
    if account.pk is not None:
        raise ValueError("create_staff_user creates; use update_staff_user to change")
    if not _is_operator(acting_user) and account.is_superuser:
        raise PermissionDenied(_("Only an operator can make an account a superuser."))
    account.is_staff = True  # a staff account: what it may see comes from its role grants
    if password:
        validate_password(password, account)
        account.set_password(password)
    else:
        account.set_unusable_password()
    account.full_clean(exclude=["password"])
    return save_with_history(account, acting_user=acting_user, reason=reason)


@transaction.atomic
def update_staff_user(account, *, acting_user, reason: str, groups=None, user_permissions=None):
    """Save the changes made to ``account``'s fields (and, for operators, its
    groups and model permissions: iterables, None to leave them) in one history row.

    What changed is found by comparing with the stored account, so no field can
    slip past the check: administrators may change names, e-mail, the username
    and whether the account is active; operators also staff and superuser
    status, groups and permissions. Nobody deactivates their own account."""
    require_reason(reason)
    User = get_user_model()
    stored = User.objects.select_for_update().get(pk=account.pk)
    if not may_manage(acting_user, stored):
        raise PermissionDenied(_("You may not change this account."))
    changed = {
        field.attname
        for field in User._meta.concrete_fields
        if field.attname not in ("password", "last_login")
        and getattr(stored, field.attname) != getattr(account, field.attname)
    }
    allowed = set(ADMINISTRATOR_FIELDS) | (set(OPERATOR_ONLY) if _is_operator(acting_user) else set())
    refused = changed - allowed
    if refused:
        raise PermissionDenied(
            _("Only an operator can change these on an account: %(fields)s.")
            % {"fields": ", ".join(str(User._meta.get_field(name).verbose_name) for name in sorted(refused))}
        )
    if "is_active" in changed and not account.is_active and account.pk == acting_user.pk:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    if (groups is not None or user_permissions is not None) and not _is_operator(acting_user):
        raise PermissionDenied(_("Only an operator can change an account's groups and permissions."))
    account.full_clean(exclude=["password"])
    links_before = (
        set(account.groups.values_list("pk", flat=True)),
        set(account.user_permissions.values_list("pk", flat=True)),
    )
    account.skip_history_when_saving = True  # the m2m changes go into the one row below
    try:
        if groups is not None:
            wanted = {group.pk for group in groups}
            roles = set(role_groups().values_list("pk", flat=True))
            held_roles = set(account.groups.filter(pk__in=roles).values_list("pk", flat=True))
            if (wanted & roles) - held_roles:
                raise ValidationError(
                    {"groups": _("Roles come from role grants (Credit registry → Role grants), not from groups.")}
                )
            account.groups.set((wanted - roles) | held_roles)
        if user_permissions is not None:
            account.user_permissions.set(list(user_permissions))
    finally:
        del account.skip_history_when_saving
    links_after = (
        set(account.groups.values_list("pk", flat=True)),
        set(account.user_permissions.values_list("pk", flat=True)),
    )
    save_with_history(account, acting_user=acting_user, reason=reason, force_history=links_after != links_before)
    access.clear_cache(account)
    return account


@transaction.atomic
def set_staff_password(account, *, password: str | None, acting_user, reason: str):
    """Set a new password (checked by the password validators), or none (``None``:
    the account cannot log in with a password), with a reason in history."""
    require_reason(reason)
    if not may_manage(acting_user, account):
        raise PermissionDenied(_("You may not change this account."))
    if password:
        validate_password(password, account)
        account.set_password(password)
    else:
        account.set_unusable_password()
    # The hash is not in history, so the row is forced: it says who reset the password, when and why.
    return save_with_history(
        account, acting_user=acting_user, reason=reason, update_fields=["password"], force_history=True
    )


def deactivate_staff_user(account, *, acting_user, reason: str):
    """End an account (it is never deleted: history must keep saying who did what)."""
    account.is_active = False
    return update_staff_user(account, acting_user=acting_user, reason=reason)

"""Staff accounts in the admin (*Authentication → Users*).

Administrators add accounts, change names, e-mail and passwords, and deactivate
accounts (untick *active*), each with a reason kept in the account's history;
operators (superusers) may also change superuser and staff status, groups and
model permissions, likewise with a reason and history. Roles come only from
role grants. Every save goes through ``registry.accounts``.
"""

from __future__ import annotations

import contextvars

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from creditportal.admin_scoping import REASON_FIELD, ReasonForm
from creditportal.history_display import ReadableHistoryMixin

from .. import accounts

User = get_user_model()
_acting_user: contextvars.ContextVar = contextvars.ContextVar("staff_admin_acting_user")

reason_field = ReasonForm.base_fields[REASON_FIELD]


class StaffCreationForm(AdminUserCreationForm):
    change_reason = reason_field

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class StaffChangeForm(UserChangeForm):
    change_reason = reason_field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = self.fields.get("groups")
        if groups is not None:  # roles come from role grants, not from groups
            groups.queryset = groups.queryset.exclude(pk__in=accounts.role_groups())
            groups.help_text = _("Other groups than the roles: roles are given under Credit registry → Role grants.")

    def clean_is_active(self):
        active = self.cleaned_data.get("is_active")
        current = getattr(self, "current_user", None)
        if not active and current is not None and self.instance.pk == current.pk:
            raise forms.ValidationError(_("You cannot deactivate your own account."))
        return active


class StaffPasswordForm(AdminPasswordChangeForm):
    change_reason = reason_field

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        return accounts.set_staff_password(
            self.user, password=password, acting_user=_acting_user.get(), reason=self.cleaned_data[REASON_FIELD]
        )


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(ReadableHistoryMixin, SimpleHistoryAdmin, UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    change_password_form = StaffPasswordForm
    list_display = ["username", "full_name", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    history_list_display = ["history_change_reason"]
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        (_("Password"), {"fields": ("usable_password", "password1", "password2")}),
        (_("Reason"), {"fields": (REASON_FIELD,)}),
    )

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [
            (None, {"fields": ["username", "password"]}),
            (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
            (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
        ]
        if request.user.is_superuser:
            fieldsets.append(
                (_("Operator only"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]})
            )
        else:
            fieldsets.append((_("Operator only"), {"fields": ["is_superuser"]}))
        if self.has_change_permission(request, obj):
            fieldsets.append((_("Reason"), {"fields": [REASON_FIELD]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = ["last_login", "date_joined"]
        if obj is not None and not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or accounts.may_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: history must keep saying who did what

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data[REASON_FIELD]
        if not change:
            password = form.cleaned_data.get("password1") if form.cleaned_data.get("set_usable_password") else None
            accounts.create_staff_user(obj, acting_user=request.user, reason=reason, password=password)
            return
        operator = request.user.is_superuser
        accounts.update_staff_user(
            obj,
            acting_user=request.user,
            reason=reason,
            groups=form.cleaned_data.get("groups") if operator and "groups" in form.cleaned_data else None,
            user_permissions=(
                form.cleaned_data.get("user_permissions")
                if operator and "user_permissions" in form.cleaned_data
                else None
            ),
        )

    def save_related(self, request, form, formsets, change):
        # Not form.save_m2m(): the service has set groups and permissions, with history.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request, id, form_url=""):
        token = _acting_user.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _acting_user.reset(token)


admin.site.unregister(Group)


@admin.register(Group)
class StaffGroupAdmin(GroupAdmin):
    """Groups (the role groups every grant rests on, and the operator's own) are
    never deleted in the admin."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

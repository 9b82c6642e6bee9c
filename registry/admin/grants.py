"""Registry admin: grants."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from creditportal.admin_scoping import ReasonForm, ScopedAdmin
from creditportal.audit import staff_name

from .. import services
from ..models import RoleGrant

# --- Staff by full name in pickers ---------------------------------------------------------------


class StaffAutocompleteJsonView(AutocompleteJsonView):
    """The admin's type-to-search pickers name staff as every page does:
    full name with the username (the role grant's user field, for one)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = staff_name(obj)
        return result


def _autocomplete_view(request):
    return StaffAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = _autocomplete_view

# --- Role grants --------------------------------------------------------------------------------


class RoleGrantForm(ReasonForm):
    class Meta:
        model = RoleGrant
        fields = ["user", "department", "role", "is_active"]


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    """Who holds which role where. Granting and revoking go through the
    services, which keep django-guardian's object permissions in step."""

    form = RoleGrantForm
    list_display = ["user_name", "role", "department", "is_active", "granted_by_name", "updated_at"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "department", "granted_by"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name", "department__code"]
    autocomplete_fields = ["user"]

    def get_fields(self, request, obj=None):
        return ["user", "department", "role", "is_active"] if obj is None else ["is_active"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets.insert(0, (None, {"fields": ["user_name", "department", "role", "granted_by_name"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["user_name", "department", "role", "granted_by_name"] if obj is not None else []

    @admin.display(description=_("user"), ordering="user__username")
    def user_name(self, obj):
        return staff_name(obj.user)

    @admin.display(description=_("granted by"), ordering="granted_by__username")
    def granted_by_name(self, obj):
        return staff_name(obj.granted_by)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = self.scoped_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        reason = self.change_reason(form)
        if change and not obj.is_active:
            services.revoke_role(obj, acting_user=request.user, reason=reason)
            return
        grant = services.grant_role(
            obj.user, role=obj.role, department=obj.department, acting_user=request.user, reason=reason
        )
        obj.pk, obj._state.adding, obj._state.db = grant.pk, False, grant._state.db

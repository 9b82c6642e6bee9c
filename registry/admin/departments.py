"""Registry admin: departments."""

from __future__ import annotations

from django.contrib import admin

from creditportal.admin_scoping import ScopedAdmin
from creditportal.importexport import ServiceImportExportMixin

from .. import services
from ..models import Department
from ..resources import DepartmentResource

# --- Departments ----------------------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(ServiceImportExportMixin, ScopedAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    fields = ["code", "name", "level", "parent", "is_active"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = self.scoped_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_department(obj, acting_user=request.user, reason=self.change_reason(form))

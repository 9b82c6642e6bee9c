"""Spreadsheet import and export of the registry's reference data (admin).

Natural keys, never database ids: departments by code (the parent by its
code), catalogue items by code (the recording departments as a list of
codes), holiday-schedule dates by date. Every save goes through the service
function of the model (``creditportal.importexport.ServiceResource``).
"""

from __future__ import annotations

from import_export import fields

from creditportal.importexport import CodesWidget, CodeWidget, ServiceResource

from . import services
from .models import CalendarDay, CatalogItem, Department


class DepartmentResource(ServiceResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=CodeWidget(Department, field="code"))

    class Meta(ServiceResource.Meta):
        model = Department
        import_id_fields = ["code"]
        fields = ["code", "name", "level", "parent", "is_active"]
        export_order = fields

    def save_through_service(self, instance, *, acting_user, reason):
        services.save_department(instance, acting_user=acting_user, reason=reason)


class CatalogItemResource(ServiceResource):
    recording_departments = fields.Field(
        attribute="recording_departments",
        column_name="recording_departments",
        widget=CodesWidget(Department, field="code"),
    )

    class Meta(ServiceResource.Meta):
        model = CatalogItem
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "category",
            "sector",
            "legal_basis",
            "is_provincial",
            "is_active",
            "sharing_level",
            "polarity",
            "default_severity",
            "publish_minor",
            "minor_min_days",
            "minor_max_days",
            "general_min_days",
            "general_max_days",
            "serious_min_days",
            "serious_max_days",
            "recording_departments",
        ]
        export_order = fields

    def save_through_service(self, instance, *, acting_user, reason, recording_departments=None):
        services.save_catalog_item(
            instance, acting_user=acting_user, reason=reason, recording_departments=recording_departments
        )


class CalendarDayResource(ServiceResource):
    class Meta(ServiceResource.Meta):
        model = CalendarDay
        import_id_fields = ["date"]
        fields = ["date", "kind", "name", "notice"]
        export_order = fields

    def save_through_service(self, instance, *, acting_user, reason):
        services.save_calendar_day(instance, acting_user=acting_user, reason=reason)

"""Registry admin: the holiday schedule (holidays and make-up working days)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from creditportal.admin_scoping import ReasonForm
from creditportal.history_display import ReadableHistoryMixin
from creditportal.importexport import ServiceImportExportMixin

from .. import services
from ..models import CalendarDay
from ..resources import CalendarDayResource


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")}, reverse=True)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(ServiceImportExportMixin, ReadableHistoryMixin, SimpleHistoryAdmin):
    """Province-wide reference data, like the catalogue: every staff role reads it,
    administrators enter each year's schedule (model permission), nobody deletes."""

    form = ReasonForm
    resource_classes = [CalendarDayResource]
    list_display = ["date", "weekday", "kind", "name", "notice"]
    list_filter = [YearFilter, "kind"]
    search_fields = ["name", "notice"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "notice"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        from django.utils.dateformat import format as date_format

        return date_format(obj.date, "l")

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if editable and "change_reason" not in fields:
            fields.append("change_reason")
        elif not editable and "change_reason" in fields:
            fields.remove("change_reason")
        return fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_calendar_day(obj, acting_user=request.user, reason=form.cleaned_data["change_reason"])

"""Registry admin: catalogue."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from creditportal.admin_scoping import ReasonForm
from creditportal.history_display import ReadableHistoryMixin
from creditportal.importexport import ServiceImportExportMixin

from .. import services
from ..models import CatalogItem
from ..resources import CatalogItemResource

# --- Catalogue ------------------------------------------------------------------------


@admin.register(CatalogItem)
class CatalogItemAdmin(ServiceImportExportMixin, ReadableHistoryMixin, SimpleHistoryAdmin):
    """The catalogue is province-wide reference data: every staff role reads it,
    administrators change it (model permission), nobody deletes it."""

    form = ReasonForm
    resource_classes = [CatalogItemResource]
    list_display = ["code", "name", "category", "sector", "sharing_level", "polarity", "default_severity", "is_active"]
    list_filter = ["category", "sharing_level", "polarity", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["recording_departments"]
    fieldsets = [
        (None, {"fields": ["code", "name", "category", "sector", "legal_basis", "is_provincial", "is_active"]}),
        (_("Use"), {"fields": ["sharing_level", "polarity", "default_severity", "recording_departments"]}),
        (
            _("Display periods (days from the decision date)"),
            {
                "fields": [
                    ("minor_min_days", "minor_max_days"),
                    ("general_min_days", "general_max_days"),
                    ("serious_min_days", "serious_max_days"),
                ]
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if editable:
            fieldsets.append((_("Reason"), {"fields": ["change_reason"]}))
        return fieldsets

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_catalog_item(
            obj,
            acting_user=request.user,
            reason=form.cleaned_data["change_reason"],
            recording_departments=form.cleaned_data.get("recording_departments"),
        )

    def save_related(self, request, form, formsets, change):
        # Not form.save_m2m(): the service has set the recording departments, with history.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

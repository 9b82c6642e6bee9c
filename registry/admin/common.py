"""What the registry's admin pages share: site titles, the ID-number guard
for search boxes, the department filter."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action

from ..identifiers import contains_id_number, validate_resident_id

admin.site.site_header = _("Provincial public credit portal")
admin.site.site_title = _("Public credit portal")
admin.site.index_title = _("Caseworker desk")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def refuse_id_in_query(request, search_term: str) -> bool:
    """ID numbers never travel in URLs (they end up in access logs and browser
    history): a search box term that holds one, however written, is refused, and
    the user is sent to the POST-only lookup. The first line of defence is in the
    browser (static/creditportal/id-guard.js), the second the middleware
    (registry.middleware), which redirects before a list is built; this is the
    last, for a search that reaches a list another way."""
    if contains_id_number(search_term):
        messages.warning(
            request,
            gettext(
                "ID numbers are not searched through the address bar. Use “Find by ID number” on the persons page."
            ),
        )
        return True
    return False


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes its value back into the page (an ID number
    typed into it is not in the answer, also when it was not found or mistyped)."""

    def format_value(self, value):
        return None


class FindByIdForm(forms.Form):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=40,
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "size": 24}),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)

    def clean_id_number(self):
        return validate_resident_id(self.cleaned_data.get("id_number")).number


class OwnDepartmentFilter(admin.SimpleListFilter):
    """The user's own departments: each department they hold a role in (with
    everything below it) and the departments directly below those, so that a
    supervisor or administrator picks "昆明市" or one of its bureaus instead of
    scrolling through the province. Choosing one shows its whole subtree."""

    title = _("my departments")
    parameter_name = "department"

    def _roots(self, request):
        from ..models import Department

        if request.user.is_superuser:
            return list(Department.objects.filter(parent__isnull=True).order_by("path"))
        paths = access.granted_department_paths(request.user, Action.VIEW)
        return list(Department.objects.filter(path__in=paths).order_by("path"))

    def lookups(self, request, model_admin):
        from ..models import Department

        roots = self._roots(request)
        if not roots:
            return []
        children = {}
        for child in Department.objects.filter(parent__in=roots).order_by("path"):
            children.setdefault(child.parent_id, []).append(child)
        choices = []
        for root in roots:
            below = children.get(root.pk, [])
            if below:
                choices.append((str(root.pk), gettext("%(department)s (all)") % {"department": root.name}))
                choices.extend((str(child.pk), f"\u2003{child.name}") for child in below)
            else:
                choices.append((str(root.pk), root.name))
        chosen = self.value()
        if chosen and chosen not in {value for value, _label in choices}:
            department = access.permitted_departments(request.user, Action.VIEW).filter(pk=chosen).first()
            if department is not None:  # reached by a link from elsewhere: keep it shown
                choices.append((str(department.pk), department.name))
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        department = (
            access.permitted_departments(request.user, Action.VIEW).filter(pk=self.value()).first()
            if str(self.value()).isdigit()
            else None
        )
        if department is None:
            return queryset.none()
        return queryset.filter(department__path__startswith=department.path)


class ScopedDepartmentFilter(admin.SimpleListFilter):
    """A department filter that lists only the user's departments."""

    title = _("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        departments = access.permitted_departments(request.user, Action.VIEW).order_by("path")
        return [(str(d.pk), d.name) for d in departments[:500]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(department_id=self.value())
        return queryset

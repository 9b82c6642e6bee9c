"""Registry admin: persons."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal import access
from creditportal.access import Action
from creditportal.admin_scoping import ReasonForm, ScopedAdmin

from .. import services
from ..choices import REVEAL_DETAIL_MIN_CHARS, AccessAction, RevealPurpose
from ..contacts import CONTACT_MASKS
from ..identifiers import validate_resident_id
from ..models import CreditRecord, Person
from ..permissions import RegistryPermission
from .common import FindByIdForm, client_ip, refuse_id_in_query
from .lookups import remember_lookup

# --- Persons --------------------------------------------------------------------------


class PersonForm(ReasonForm):
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 24}),
        help_text=_("18 characters; a final x is read as X. Leave empty to keep the registered number."),
    )

    class Meta:
        model = Person
        fields = ["name", "registered_by", "phone", "email", "address"]

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        if not value:
            if self.instance.pk is None:
                raise ValidationError(_("Enter the person's resident ID number."), code="required")
            return ""
        number = validate_resident_id(value).number
        clash = Person.objects.filter(id_number_index=Person.index_for(number))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        existing = clash.first()
        if existing is not None:
            # The refusal confirms that the number is registered: logged as the import logs it.
            services.log_already_registered(
                existing,
                acting_user=getattr(self, "current_user", None),
                purpose=gettext("Adding a person in the admin")
                if self.instance.pk is None
                else gettext("Changing a person's ID number in the admin"),
            )
            raise ValidationError(_("A person with this ID number is already registered."), code="duplicate")
        return number


class ContactsPersonForm(PersonForm):
    """For a department that sees the person through its records: the contact
    details are shown masked and may be replaced; an empty box keeps the stored one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, mask in CONTACT_MASKS.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            current = mask(getattr(self.instance, name, ""))
            self.initial[name] = ""
            field.required = False
            field.help_text = (
                gettext("Now %(masked)s. Enter a new one to replace it; leave empty to keep it.") % {"masked": current}
                if current
                else gettext("None recorded. Enter one to record it.")
            )


class PersonRecordInline(admin.TabularInline):
    """The person's records, as far as the user's departments reach."""

    model = CreditRecord
    fk_name = "person"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["decision_no", "department", "catalog_item", "severity", "status", "decision_date", "display_until"]
    readonly_fields = fields
    verbose_name_plural = _("Records (your departments)")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("department", "catalog_item")
        return access.restrict(qs, request.user, Action.VIEW)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=RevealPurpose.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("What exactly"),
        max_length=300,
        widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}),
        help_text=format_lazy(
            _(
                "The case, objection or letter and why it needs the full number, e.g. “identity of the applicant "
                "in objection 2026-013”. At least {} letters, characters or digits; it is logged."
            ),
            REVEAL_DETAIL_MIN_CHARS,
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if "purpose" in cleaned and "detail" in cleaned:
            try:
                cleaned["purpose"], cleaned["detail"] = services.check_reveal_purpose(
                    cleaned["purpose"], cleaned["detail"]
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    form = PersonForm
    list_display = ["name", "id_number_masked", "region_code", "registered_by"]
    list_select_related = ["registered_by"]
    search_fields = ["name"]
    search_help_text = _("Search by name (beginning). To find a person by ID number, use “Find by ID number”.")
    readonly_fields = ["id_number_masked", "region_code", "birth_date", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "id_number_masked", "registered_by"]}),
        (_("Derived from the ID number"), {"fields": ["region_code", "birth_date"]}),
        (_("Contact"), {"fields": ["phone", "email", "address"]}),
        (_("Record keeping"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [PersonRecordInline]
    change_form_template = "admin/registry/person/change_form.html"

    # --- who may see and change what on a person -------------------------------------
    def person_rights(self, request, obj) -> tuple[frozenset[str], bool]:
        """(fields the user may change, whether they see the contacts in full)."""
        if obj is None or obj.pk is None:
            return frozenset(), True
        cache = request.__dict__.setdefault("_person_rights", {})
        if obj.pk not in cache:
            allowed = (
                services.changeable_person_fields(request.user, obj)
                if self.has_change_permission(request, obj)
                else frozenset()
            )
            cache[obj.pk] = (allowed, services.sees_contacts_in_full(request.user, obj))
        return cache[obj.pk]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        allowed, full_contacts = self.person_rights(request, obj)

        def shown(field):
            if field == "id_number":
                return [field] if "id_number" in allowed else []
            if field in CONTACT_MASKS and not full_contacts and field not in allowed:
                return [f"{field}_masked"]
            return [field]

        return [
            (name, {**opts, "fields": [f for field in opts["fields"] for f in shown(field)]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        readonly += [f"{field}_masked" for field in CONTACT_MASKS]
        if obj is not None:
            allowed, _full = self.person_rights(request, obj)
            # Who registered a person never changes by an edit.
            readonly += ["registered_by"] + [f for f in ("name", *CONTACT_MASKS) if f not in allowed]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            _allowed, full_contacts = self.person_rights(request, obj)
            if not full_contacts:
                kwargs["form"] = ContactsPersonForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_historical_record_context_helper(self, request, historical_record):
        """The history's list of changes shows contact details as the person's page
        does: masked for a department that sees the person through its records."""
        helper = super().get_historical_record_context_helper(request, historical_record)
        person = Person(pk=historical_record.id, registered_by_id=historical_record.registered_by_id)
        _allowed, full_contacts = self.person_rights(request, person)
        if not full_contacts:
            prepare = helper.prepare_delta_change_value

            def prepare_masked(change, value):
                if change.field in CONTACT_MASKS:
                    return CONTACT_MASKS[change.field](value)
                return prepare(change, value)

            helper.prepare_delta_change_value = prepare_masked
        return helper

    @admin.display(description=_("mobile phone"))
    def phone_masked(self, obj):
        return CONTACT_MASKS["phone"](obj.phone) or "-"

    @admin.display(description=_("e-mail"))
    def email_masked(self, obj):
        return CONTACT_MASKS["email"](obj.email) or "-"

    @admin.display(description=_("contact address"))
    def address_masked(self, obj):
        return CONTACT_MASKS["address"](obj.address) or "-"

    def get_search_results(self, request, queryset, search_term):
        if refuse_id_in_query(request, search_term):
            return queryset.none(), False
        if search_term:
            return queryset.filter(name__startswith=search_term.strip()), False
        return queryset, False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "registered_by":
            kwargs["queryset"] = self.scoped_departments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def log_read(self, request, obj: Person, purpose: str) -> None:
        services.log_access(
            user=request.user, action=AccessAction.VIEW, person=obj, purpose=purpose, ip_address=client_ip(request)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET":
            self.log_read(request, obj, gettext("Opened in the admin"))
        records = access.restrict(CreditRecord.objects.filter(person_id=obj.pk), request.user, Action.VIEW)
        extra_context = {
            **(extra_context or {}),
            "can_reveal": access.can(request.user, Action.REVEAL, obj),
            "record_count": records.count(),
            "records_url": reverse("admin:registry_creditrecord_changelist") + f"?person__id__exact={obj.pk}",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        reason = self.change_reason(form)
        data = form.cleaned_data
        if change:
            # Only what the form let the user change; the service checks it again.
            changes = {f: data[f] for f in ("name", *CONTACT_MASKS) if f in data}
            if isinstance(form, ContactsPersonForm):
                changes = {f: value for f, value in changes.items() if value}  # an empty box keeps the stored value
            services.update_person(
                obj, acting_user=request.user, reason=reason, id_number=data.get("id_number") or None, **changes
            )
        else:
            services.register_person(
                person=obj,
                name=data["name"],
                id_number=data["id_number"],
                registered_by=data["registered_by"],
                acting_user=request.user,
                reason=reason,
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                address=data.get("address", ""),
            )

    def get_urls(self):
        urls = super().get_urls()
        info = self.opts.app_label, self.opts.model_name
        return [
            path("find/", self.admin_site.admin_view(self.find_view), name="%s_%s_find" % info),
            path("<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view), name="%s_%s_reveal" % info),
        ] + urls

    def find_view(self, request):
        """Find a person registered anywhere in the province by full ID number
        (POST only, through the blind index; the lookup is logged as a search).

        A person of the user's departments opens at once. A person the user's
        departments hold no record of is shown (name, masked number) with the
        offer to record something for the user's own department; the lookup is
        remembered in the session so that the record form accepts that person.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FindByIdForm(request.POST or None)
        not_found = False
        found = None
        if request.method == "POST" and form.is_valid():
            person = services.look_up_person(
                form.cleaned_data["id_number"],
                acting_user=request.user,
                purpose=form.cleaned_data["purpose"],
                ip_address=client_ip(request),
            )
            if person is None:
                not_found = True
            elif self.get_queryset(request).filter(pk=person.pk).exists():
                return HttpResponseRedirect(reverse("admin:registry_person_change", args=[person.pk]))
            else:
                remember_lookup(request, person)
                found = person
                form = FindByIdForm()  # the number is not shown again
        record_url = None
        if found is not None and access.permitted_departments(request.user, Action.CHANGE).exists():
            if request.user.has_perm(RegistryPermission.ADD_CREDITRECORD):
                record_url = reverse("admin:registry_creditrecord_add") + f"?person={found.pk}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Find by ID number"),
            "form": form,
            "not_found": not_found,
            "found": found,
            "record_url": record_url,
        }
        return TemplateResponse(request, "admin/registry/person/find.html", context)

    def reveal_view(self, request, object_id):
        """Show the full ID number after the caseworker states a purpose (POST only)."""
        person = self.get_object(request, object_id)
        if not access.can(request.user, Action.REVEAL, person):
            raise PermissionDenied
        revealed = None
        form = RevealForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                revealed = services.reveal_id_number(
                    person,
                    acting_user=request.user,
                    purpose=form.cleaned_data["purpose"],
                    detail=form.cleaned_data["detail"],
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": person,
            "title": gettext("Reveal ID number"),
            "form": form,
            "revealed": revealed,
            "change_url": reverse("admin:registry_person_change", args=[person.pk]),
        }
        return TemplateResponse(request, "admin/registry/person/reveal.html", context)

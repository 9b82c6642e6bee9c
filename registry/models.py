"""The registry: departments, persons, the catalogue, credit records, access log.

Models hold data, invariants and small derived properties. Writes go through
``registry.services``; reads that must be scoped go through
``creditportal.access.restrict``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditportal.audit import AuditHistory, staff_name

from . import crypto
from .choices import (
    DEFAULT_DISPLAY_PERIOD_DAYS,
    DISPLAYABLE_STATUSES,
    AccessAction,
    CalendarDayKind,
    CatalogCategory,
    DepartmentLevel,
    HoldSource,
    Polarity,
    RecordStatus,
    Severity,
    SharingLevel,
)
from .identifiers import normalise_document_number
from .roles import Role

ID_NUMBER_CONTEXT = "person.id_number"

# Upper limits of the long text fields (model validation, forms and the import
# all refuse longer text with a message; nothing is ever cut off).
SUMMARY_MAX = 2000
LEGAL_BASIS_MAX = 1000


def _at_most(limit: int) -> str:
    return gettext("At most %(max)d characters.") % {"max": limit}


#: The help text that states a text field's limit on the form (in the reader's language).
at_most = lazy(_at_most, str)


def local_today() -> datetime.date:
    """Today in Asia/Shanghai (the office's calendar), whatever the server's zone."""
    return timezone.localdate()


class Department(models.Model):
    """A department (or a province / prefecture) that decides records.

    ``path`` is a materialised path of codes (``YN/YN-KM/YN-KM-SCJ/``) kept by
    the service functions, so a subtree is one indexed ``startswith`` filter.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("department name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("level"), max_length=16, choices=DepartmentLevel.choices)
    path = models.CharField(_("path"), max_length=1000, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = AuditHistory()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        # Object permissions granted per department (and covering its subtree).
        # The names are data in creditportal.access.Action; no literals elsewhere.
        permissions = [
            ("records_view", _("View the department's records and persons")),
            ("records_change", _("Enter and change the department's records")),
            ("records_publish", _("Publish the department's records")),
            ("records_decide", _("Decide objections and repairs on the department's records")),
            ("ids_reveal", _("Reveal full ID numbers in the department's records")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def compute_path(self) -> str:
        return (self.parent.path if self.parent_id else "") + self.code + "/"

    def clean(self):
        if "/" in (self.code or ""):
            raise ValidationError({"code": _("A department code cannot contain '/'.")})
        if self.level == DepartmentLevel.PROVINCE and self.parent_id:
            raise ValidationError({"parent": _("A province is the top of the tree: it has no parent.")})
        if self.level and self.level != DepartmentLevel.PROVINCE and not self.parent_id:
            raise ValidationError({"parent": _("Only a province stands without a parent.")})
        if self.parent_id and self.pk:
            node = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError({"parent": _("A department cannot be placed under itself.")})
                node = node.parent

    def subtree(self):
        return Department.objects.filter(path__startswith=self.path)


class Person(models.Model):
    """A natural person with a resident ID number.

    The number is never stored in clear: ``id_number_encrypted`` holds the
    AES-GCM ciphertext, ``id_number_index`` the keyed HMAC blind index used for
    exact lookup (and uniqueness). Region and birth date are derived.
    """

    name = models.CharField(_("name"), max_length=100)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    # Unique (and indexed) by the Meta constraint: a plain btree, without the
    # varchar_pattern_ops twin that ``unique=True`` adds (a hash is never searched by prefix).
    id_number_index = models.CharField(_("ID number blind index"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    region_code = models.CharField(_("region code"), max_length=6, editable=False)  # indexed in Meta
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("contact address"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        Department,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_persons",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # History is looked up by the person's id (and date); the other
    # indexes simple-history would add only slow every write (bulk imports).
    history = AuditHistory(no_db_index=["registered_by"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["id_number_index"], name="person_unique_id_number_index")]
        indexes = [models.Index(fields=["region_code"], name="person_region_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    @property
    def id_number(self) -> str:
        """The clear number. Only for code that has logged the read (reveal, export)."""
        return crypto.decrypt(self.id_number_encrypted, context=ID_NUMBER_CONTEXT)

    @classmethod
    def index_for(cls, normalised_id: str) -> str:
        return crypto.blind_index(normalised_id, context=ID_NUMBER_CONTEXT)

    @classmethod
    def access_scope(cls, departments) -> Q:
        """Who may see a person: holders of the department that registered them
        or of a department that has a record about them."""
        return Q(registered_by__in=departments) | Q(
            models.Exists(CreditRecord.objects.filter(person=models.OuterRef("pk"), department__in=departments))
        )


def not_competent_message(department) -> str:
    """Why ``department`` may not put a catalogue item to use (admin, services, import)."""
    return _(
        "Department %(department)s may not record this catalogue item: the catalogue names the departments that do."
    ) % {"department": department}


class CatalogItem(models.Model):
    """An item of the public credit information catalogue: only what it names may be recorded."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("item name"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=CatalogCategory.choices)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    legal_basis = models.TextField(
        _("legal basis"),
        max_length=LEGAL_BASIS_MAX,
        validators=[MaxLengthValidator(LEGAL_BASIS_MAX)],
        help_text=at_most(LEGAL_BASIS_MAX),
    )
    sharing_level = models.CharField(_("sharing level"), max_length=16, choices=SharingLevel.choices)
    polarity = models.CharField(_("polarity"), max_length=16, choices=Polarity.choices, default=Polarity.NEGATIVE)
    default_severity = models.CharField(
        _("default severity"), max_length=16, choices=Severity.choices, default=Severity.GENERAL
    )
    minor_min_days = models.PositiveIntegerField(_("minor: minimum display days"), default=0)
    minor_max_days = models.PositiveIntegerField(_("minor: maximum display days"), default=90)
    general_min_days = models.PositiveIntegerField(_("general: minimum display days"), default=90)
    general_max_days = models.PositiveIntegerField(_("general: maximum display days"), default=365)
    serious_min_days = models.PositiveIntegerField(_("serious: minimum display days"), default=365)
    serious_max_days = models.PositiveIntegerField(_("serious: maximum display days"), default=1095)
    publish_minor = models.BooleanField(
        _("publish minor records"),
        default=False,
        help_text=_(
            "Minor information is in principle not published (State Council credit repair plan, 2025): tick only "
            "where a rule requires this item's minor records to be public."
        ),
    )
    is_provincial = models.BooleanField(_("provincial addition"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    recording_departments = models.ManyToManyField(
        Department,
        verbose_name=_("recording departments"),
        blank=True,
        related_name="recordable_catalog_items",
        help_text=_(
            "Only these departments and the departments below them may record this item (the competent "
            "authorities). Empty: any department."
        ),
    )

    # The recording departments are part of each history row (changed through
    # services.save_catalog_item, which writes one row for the whole change).
    history = AuditHistory(m2m_fields=["recording_departments"])

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def display_bounds(self, severity: str) -> tuple[int, int]:
        return getattr(self, f"{severity}_min_days"), getattr(self, f"{severity}_max_days")

    def may_be_recorded_by(self, department: Department) -> bool:
        """Whether ``department`` is competent for this item: named among the
        recording departments, or below one of them; any department if none are named."""
        if self.pk is None:
            return True
        allowed = [d.path for d in self.recording_departments.all()]  # prefetched by bulk readers
        return not allowed or any(department.path.startswith(path) for path in allowed)

    def clean(self):
        errors = {}
        for severity in Severity.values:
            low, high = self.display_bounds(severity)
            floor, ceiling = DEFAULT_DISPLAY_PERIOD_DAYS[Severity(severity)]
            if low is None or high is None:
                continue
            if low > high:
                errors[f"{severity}_max_days"] = _("The maximum cannot be shorter than the minimum.")
            elif high > ceiling:
                errors[f"{severity}_max_days"] = _(
                    "At most %(days)d days for this severity (State Council credit repair rules)."
                ) % {"days": ceiling}
            elif low < floor:
                errors[f"{severity}_min_days"] = _(
                    "At least %(days)d days for this severity (State Council credit repair rules)."
                ) % {"days": floor}
        if errors:
            raise ValidationError(errors)


class CreditRecordQuerySet(models.QuerySet):
    def displayable(self, on: datetime.date | None = None):
        """Records whose status and period let them be shown and shared on
        ``on`` (default today), not counting holds (see :meth:`public`).

        Filters on the dates themselves, so a record past its period is never
        shown even if the expiry task has not run yet.
        """
        day = on or local_today()
        return self.filter(status__in=DISPLAYABLE_STATUSES, display_from__lte=day, display_until__gte=day)

    def held(self):
        """Records with an open display hold (an objection, a court order, ...)."""
        return self.filter(models.Exists(DisplayHold.objects.open().filter(record=models.OuterRef("pk"))))

    def not_held(self):
        return self.exclude(models.Exists(DisplayHold.objects.open().filter(record=models.OuterRef("pk"))))

    def public(self, on: datetime.date | None = None):
        """What anyone may see on ``on``: displayable, no open hold, a catalogue
        item whose sharing level is public, and minor records only where their
        item says its minor records are published. Public pages and open data
        use this and nothing else (with :data:`registry.projection.PUBLIC_RECORD`)."""
        return (
            self.displayable(on)
            .not_held()
            .filter(catalog_item__sharing_level=SharingLevel.PUBLIC)
            .exclude(severity=Severity.MINOR, catalog_item__publish_minor=False)
        )

    def shareable(self, on: datetime.date | None = None):
        """What authorised systems (the check-before-approval API) may receive on
        ``on``: displayable, no open hold, items shared publicly or on conditions
        (minor records included: the publication rule does not limit sharing
        between authorities)."""
        return (
            self.displayable(on)
            .not_held()
            .filter(catalog_item__sharing_level__in=[SharingLevel.PUBLIC, SharingLevel.CONDITIONAL])
        )


class CreditRecord(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="records")
    # No index of its own: the unique (department, decision_no) and
    # record_dept_status indexes both start with department_id.
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="records", db_index=False
    )
    catalog_item = models.ForeignKey(
        CatalogItem, verbose_name=_("catalogue item"), on_delete=models.PROTECT, related_name="records"
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    decision_no = models.CharField(_("decision document number"), max_length=100)
    decision_date = models.DateField(_("decision date"))
    summary = models.TextField(
        _("summary of facts"),
        max_length=SUMMARY_MAX,
        validators=[MaxLengthValidator(SUMMARY_MAX)],
        help_text=at_most(SUMMARY_MAX),
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        max_length=LEGAL_BASIS_MAX,
        validators=[MaxLengthValidator(LEGAL_BASIS_MAX)],
        help_text=at_most(LEGAL_BASIS_MAX),
    )
    display_from = models.DateField(_("display from"), blank=True)
    display_until = models.DateField(
        _("display until"),
        blank=True,
        help_text=_("Last day of display (inclusive). Computed from the catalogue if left empty."),
    )
    status = models.CharField(_("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # History is looked up by the record's id (and date): no indexes on its foreign keys.
    history = AuditHistory(no_db_index=["person", "department", "catalog_item"])
    objects = CreditRecordQuerySet.as_manager()

    access_department_path = "department"

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "decision_no"], name="record_unique_decision_per_department"),
            models.CheckConstraint(
                condition=Q(display_until__gte=models.F("display_from")), name="record_display_period_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="record_dept_status"),
            # The expiry finds due rows from this index alone (id included: no heap visits).
            models.Index(fields=["status", "display_until"], include=["id"], name="record_status_until"),
            models.Index(fields=["-decision_date", "-id"], name="record_default_order"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_no} ({self.get_severity_display()})"

    @property
    def is_displayed(self) -> bool:
        """Shown on the public pages today (the rules of ``public()``, for one record)."""
        return CreditRecord.objects.public().filter(pk=self.pk).exists()

    @property
    def is_held(self) -> bool:
        return self.pk is not None and DisplayHold.objects.open().filter(record_id=self.pk).exists()

    @property
    def is_under_objection(self) -> bool:
        """An objection's hold is open: the record changes only through the objection's decision."""
        return (
            self.pk is not None
            and DisplayHold.objects.open().filter(record_id=self.pk, source=HoldSource.OBJECTION).exists()
        )

    @property
    def status_label(self) -> str:
        """The status as pages say it: "under objection" while an objection's hold is open."""
        if self.is_under_objection:
            return str(RecordStatus.UNDER_OBJECTION.label)
        return str(self.get_status_display())

    @property
    def is_edited_directly(self) -> bool:
        """A draft is edited directly; once published, a change is a correction
        (:class:`RecordCorrection`) that a reviewer or publisher approves."""
        return self.status == RecordStatus.DRAFT

    def fill_display_period(self) -> None:
        """Default display start to the decision date and end to the catalogue's maximum."""
        if self.decision_date and not self.display_from:
            self.display_from = self.decision_date
        if self.decision_date and not self.display_until and self.catalog_item_id and self.severity:
            _low, high = self.catalog_item.display_bounds(self.severity)
            self.display_until = self.decision_date + datetime.timedelta(days=high)

    def _puts_item_to_new_use(self) -> bool:
        """A new record, or one moved to another item or department. A record that
        keeps both keeps its item even if the item has since been deactivated or
        given to other departments: its department can still correct it."""
        if self.pk is None:
            return True
        kept = CreditRecord.objects.filter(pk=self.pk).values_list("catalog_item_id", "department_id").first()
        return kept != (self.catalog_item_id, self.department_id)

    def clean(self):
        if self.decision_no:
            self.decision_no = normalise_document_number(self.decision_no)
        self.fill_display_period()
        errors = {}
        today = local_today()
        if self.decision_date and self.decision_date > today:
            errors["decision_date"] = _("The decision date cannot be in the future.")
        if self.catalog_item_id:
            item = self.catalog_item
            inactive = not item.is_active
            not_competent = self.department_id and not item.may_be_recorded_by(self.department)
            if (inactive or not_competent) and self._puts_item_to_new_use():
                if inactive:
                    errors["catalog_item"] = _("This catalogue item is no longer active.")
                else:
                    errors["catalog_item"] = not_competent_message(self.department)
        if self.decision_date and self.display_from and self.display_from < self.decision_date:
            errors["display_from"] = _("Display cannot start before the decision date.")
        if self.display_from and self.display_until and self.display_until < self.display_from:
            errors["display_until"] = _("Display cannot end before it starts.")
        elif self.decision_date and self.display_until and self.catalog_item_id and self.severity:
            low, high = self.catalog_item.display_bounds(self.severity)
            days = (self.display_until - self.decision_date).days
            if not low <= days <= high:
                first = self.decision_date + datetime.timedelta(days=low)
                last = self.decision_date + datetime.timedelta(days=high)
                errors["display_until"] = _(
                    "The display period is %(days)d days; for a %(severity)s record of this catalogue item "
                    "it must be between %(low)d and %(high)d days from the decision date, so display must end "
                    "between %(first)s and %(last)s. Leave “%(field)s” empty to take the default, %(last)s."
                ) % {
                    "days": days,
                    "severity": self.get_severity_display(),
                    "low": low,
                    "high": high,
                    "first": first.isoformat(),
                    "last": last.isoformat(),
                    "field": self._meta.get_field("display_until").verbose_name,
                }
        if errors:
            raise ValidationError(errors)


class DisplayHoldQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class DisplayHold(models.Model):
    """What shields a record from display and sharing while it is open: an
    objection today, a court order or a repair under review later.

    The record's status is not touched: closing the last open hold lets the
    record be displayed again as it was. Opened and closed by
    ``registry.services.open_hold`` / ``close_hold`` (history and reason).
    """

    record = models.ForeignKey("CreditRecord", verbose_name=_("record"), on_delete=models.PROTECT, related_name="holds")
    source = models.CharField(_("source"), max_length=16, choices=HoldSource.choices)
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("The case that holds the record, e.g. an objection's number.")
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    open_reason = models.CharField(_("reason for opening"), max_length=500)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)

    history = AuditHistory()
    objects = DisplayHoldQuerySet.as_manager()

    access_department_path = "record__department"

    class Meta:
        verbose_name = _("display hold")
        verbose_name_plural = _("display holds")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "source", "reference"],
                condition=Q(closed_at__isnull=True),
                name="hold_one_open_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# What a record says: a change to any of these on a published record is a correction.
CORRECTABLE_FIELDS = (
    "person",
    "catalog_item",
    "severity",
    "decision_no",
    "decision_date",
    "summary",
    "legal_basis",
    "display_from",
    "display_until",
)
_DATE_FIELDS = {"decision_date", "display_from", "display_until"}
_FOREIGN_KEYS = {"person", "catalog_item"}


def record_values(record: CreditRecord) -> dict:
    """The correctable fields of ``record`` as JSON values (dates ISO, relations by id)."""
    values = {}
    for name in CORRECTABLE_FIELDS:
        if name in _FOREIGN_KEYS:
            values[name] = getattr(record, f"{name}_id")
        else:
            value = getattr(record, name)
            values[name] = value.isoformat() if name in _DATE_FIELDS and value else value
    return values


def apply_record_values(record: CreditRecord, values: dict) -> CreditRecord:
    """Set ``values`` (as :func:`record_values` writes them) on ``record``, unsaved."""
    for name, value in values.items():
        if name not in CORRECTABLE_FIELDS:
            raise ValueError(f"{name} is not a correctable field")
        if name in _FOREIGN_KEYS:
            setattr(record, f"{name}_id", value)
            # Drop a cached related object that no longer matches.
            record._state.fields_cache.pop(name, None)
        elif name in _DATE_FIELDS:
            setattr(record, name, datetime.date.fromisoformat(value) if value else None)
        else:
            setattr(record, name, value)
    return record


class RecordCorrection(models.Model):
    """A proposed change to what a published record says.

    The record itself is untouched (the public keeps seeing the version that
    was decided) until a reviewer or publisher of its department, never the
    proposer, approves it: then ``registry.services.approve_correction``
    writes ``proposed`` onto the record. ``original`` keeps the values the
    proposal was made against, so both versions stay side by side here as well
    as in the record's history.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    record = models.ForeignKey(
        CreditRecord, verbose_name=_("credit record"), on_delete=models.PROTECT, related_name="corrections"
    )
    # Only the fields that change, as record_values() writes them.
    proposed = models.JSONField(_("proposed values"))
    original = models.JSONField(_("values when proposed"))
    reason = models.TextField(_("reason for the correction"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    history = AuditHistory(no_db_index=["record"])

    access_department_path = "record__department"

    class Meta:
        verbose_name = _("record correction")
        verbose_name_plural = _("record corrections")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(state="pending"), name="correction_one_pending_per_record"
            )
        ]

    def __str__(self) -> str:
        return _("Correction %(id)s of %(record)s") % {"id": self.pk or "", "record": self.record.decision_no}

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    def proposed_record(self) -> CreditRecord:
        """The record as it would read once approved (unsaved)."""
        record = CreditRecord.objects.get(pk=self.record_id)
        return apply_record_values(record, self.proposed)


class RoleGrant(models.Model):
    """A user's role for a department (and its subtree): the audited source of
    the django-guardian object permissions that ``registry.services.grant_role``
    and ``revoke_role`` keep in step with it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="role_grants"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = AuditHistory()

    access_department_path = "department"

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["department__path", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="rolegrant_unique_per_department")
        ]

    def __str__(self) -> str:
        return f"{staff_name(self.user)} · {self.get_role_display()} · {self.department.name}"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """Append-only log of every read of a person's non-public data.

    No change or delete in the admin or the ORM; on PostgreSQL a trigger
    refuses UPDATE and DELETE (migration 0002). It has no history of its own:
    it is itself the audit trail and never changes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey(
        CreditRecord, verbose_name=_("record"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    @classmethod
    def access_scope(cls, departments) -> Q:
        """Supervisors see reads of data that their departments hold, and every
        read (exports, checks) made while its reader held a role in their
        departments, also after the role is revoked: someone leaving is when
        their reads are audited. Whether a grant was held at the time of the
        read comes from the grant's history (a grant revoked and granted again
        is one row with several periods)."""
        history = RoleGrant.history.model
        active_then = (
            history.objects.filter(id=models.OuterRef("pk"), history_date__lte=models.OuterRef(models.OuterRef("at")))
            .order_by("-history_date", "-history_id")
            .values("is_active")[:1]
        )
        held_then = (
            RoleGrant.objects.filter(user=models.OuterRef("user"), department__in=departments)
            .annotate(active_then=models.Subquery(active_then))
            .filter(active_then=True)
        )
        return (
            Q(record__department__in=departments)
            | Q(person__in=Person.objects.filter(Person.access_scope(departments)).values("pk"))
            | Q(models.Exists(held_then))
        )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="accesslog_person_at")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {staff_name(self.user)} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class ImportJob(models.Model):
    """One bulk import of a CSV/XLSX file into a department's credit records.

    The file is kept in Django's default storage (not a local temp folder), so
    the preview, the confirmation and a background worker may run in different
    processes or machines. The engine is ``registry.importing``; the state
    changes go through ``registry.importing.jobs``. Every history row an import
    writes carries the reason ``import <file name> (job <id>)``
    (:attr:`history_reason`), which links it to the job.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Validating")
        INVALID = "invalid", _("Failed validation")
        VALIDATED = "validated", _("Validated, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Encoding(models.TextChoices):
        AUTO = "auto", _("Detect automatically")
        UTF8 = "utf-8", _("UTF-8")
        GB18030 = "gb18030", _("GB18030 / GBK")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    operator_action = models.BooleanField(
        _("operator action"),
        default=False,
        help_text=_("Started by an operator on the command line as the system user (no department grant needed)."),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    # Empty once the file is deleted (imported, or kept past IMPORT_FILE_RETENTION_DAYS):
    # the name, size and SHA-256 stay.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("file size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encoding = models.CharField(_("encoding"), max_length=16, choices=Encoding.choices, default=Encoding.AUTO)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.UPLOADED, db_index=True)
    background = models.BooleanField(_("in the background"), default=False)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    updated_count = models.PositiveIntegerField(_("records updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("records unchanged"), default=0)
    persons_created = models.PositiveIntegerField(_("persons created"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error report"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    validation_seconds = models.FloatField(_("validation time (s)"), null=True, blank=True)
    import_seconds = models.FloatField(_("import time (s)"), null=True, blank=True)

    history = AuditHistory(excluded_fields=["errors"])

    access_department_path = "department"

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def history_reason(self) -> str:
        """The change reason of every history row this job writes."""
        return f"import {self.file_name} (job {self.pk})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.VALIDATING, self.State.IMPORTING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state in (self.State.DONE, self.State.VALIDATED) else 0
        return min(100, int(100 * self.rows_done / self.rows_total))

    @property
    def rows_per_second(self) -> float | None:
        if not self.started_at or not self.rows_done:
            return None
        end = self.finished_at if not self.is_running and self.finished_at else timezone.now()
        seconds = (end - self.started_at).total_seconds()
        return self.rows_done / seconds if seconds > 0 else None


class CalendarDay(models.Model):
    """One date of the statutory holiday schedule, as the office entered it.

    Takes precedence over the ``chinesecalendar`` package
    (``registry.workdays``): the State Council General Office announces each
    year's holidays and make-up working days (usually in November), and the
    office enters them here. A year with at least one row counts as entered.
    Province-wide reference data: administrators change it (model permission).
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("holiday"), max_length=100, help_text=_("e.g. 春节, 国庆节"))
    notice = models.CharField(
        _("State Council notice"),
        max_length=200,
        help_text=_("The notice the date comes from, e.g. 国办发明电〔2026〕7号."),
    )

    history = AuditHistory()

    class Meta:
        verbose_name = _("holiday schedule date")
        verbose_name_plural = _("holiday schedule")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} ({self.name})"

    def clean(self):
        super().clean()
        if self.date and self.kind == CalendarDayKind.WORKING_DAY and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": _("A make-up working day falls on a Saturday or Sunday; this date is a weekday already.")}
            )


from .notifications.models import Notification  # noqa: E402,F401  (the outbox: registry.notifications)

# --- Staff accounts ----------------------------------------------------------------------


class StaffAccountHistory(AuditHistory):
    """History of staff accounts (Django's ``auth.User``), written by the account
    services with the acting user and reason. A login (which only sets
    ``last_login``) writes no row; the password hash is never copied."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields is not None and set(update_fields) <= {"last_login"}:
            return
        super().post_save(instance, created, using=using, **kwargs)


def _register_staff_history() -> None:
    import simple_history
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if not hasattr(user_model, "history"):
        simple_history.register(
            user_model,
            app="registry",
            records_class=StaffAccountHistory,
            excluded_fields=["password", "last_login"],
            m2m_fields=["groups", "user_permissions"],
        )


_register_staff_history()

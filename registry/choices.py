"""Choices and domain rules kept as data (labels translated, Chinese first)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture / city")
    DEPARTMENT = "department", _("Department")


class SharingLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    CONDITIONAL = "conditional", _("Shared on conditions")
    NOT_SHARED = "not_shared", _("Not shared")


class Polarity(models.TextChoices):
    NEGATIVE = "negative", _("Negative (untrustworthy)")
    POSITIVE = "positive", _("Positive (trustworthy)")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class CatalogCategory(models.TextChoices):
    """Categories of the national basic catalogue of public credit information.

    Kept as data: the office checks this list against each new edition of the
    catalogue and adds provincial categories here.
    """

    REGISTRATION = "registration", _("Registration and basic information")
    JUDICIAL = "judicial", _("Judicial judgments and enforcement")
    ADMINISTRATIVE_LICENSING = "licensing", _("Administrative licensing")
    ADMINISTRATIVE_PENALTY = "penalty", _("Administrative penalties")
    ADMINISTRATIVE_ENFORCEMENT = "enforcement", _("Administrative enforcement")
    QUALIFICATIONS = "qualifications", _("Titles and professional qualifications")
    ABNORMAL_OPERATION = "abnormal", _("Lists of abnormal operation")
    SERIOUS_UNTRUSTWORTHY = "serious_list", _("Lists of seriously untrustworthy parties")
    CONTRACT_PERFORMANCE = "contract", _("Contract performance")
    CREDIT_COMMITMENT = "commitment", _("Credit commitments and their performance")
    CREDIT_EVALUATION = "evaluation", _("Credit evaluation results")
    LAW_COMPLIANCE = "compliance", _("Compliance with laws: taxes, social insurance, fees")
    HONOURS = "honours", _("Honours for integrity and trustworthiness")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    # No record has this status any more: an objection opens a display hold
    # (registry.models.DisplayHold) and the status stays what it was. The value
    # remains for history rows written before holds, and as the label pages show
    # for a record with an open objection hold.
    UNDER_OBJECTION = "under_objection", _("Under objection")
    CORRECTED = "corrected", _("Corrected")
    REPAIRED = "repaired", _("Repaired")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


# Statuses whose records may be displayed and shared (inside their period).
DISPLAYABLE_STATUSES = (RecordStatus.ACTIVE, RecordStatus.CORRECTED)


class HoldSource(models.TextChoices):
    """What shields a record from display and sharing while it is open."""

    OBJECTION = "objection", _("Objection")
    COURT_ORDER = "court_order", _("Court order")
    REPAIR_REVIEW = "repair_review", _("Repair under review")
    OTHER = "other", _("Other decision")


class AccessAction(models.TextChoices):
    VIEW = "view", _("View")
    SEARCH = "search", _("Search by ID number")
    REVEAL = "reveal", _("Reveal full ID number")
    EXPORT = "export", _("Export")
    CHECK = "check", _("Check before approval")


class RevealPurpose(models.TextChoices):
    """Why a caseworker needs a full ID number (PIPL: processing only for a
    stated purpose). A reveal names one of these and describes it in words."""

    CASE = "case", _("Handling a case about this person")
    OBJECTION = "objection", _("Reviewing an objection")
    REPAIR = "repair", _("Reviewing a credit repair application")
    AUTHORITY = "authority", _("Answering a court, procuratorate or other authority")
    IDENTITY = "identity", _("Confirming the person's identity at their own request")


# The written detail of a reveal must say something: at least this many letters,
# characters or digits (punctuation, symbols and spaces do not count), and not
# one character repeated. "核对身份" (verify identity) is the shortest that passes.
REVEAL_DETAIL_MIN_CHARS = 4


# Display (publicity) periods in days, counted from the decision date
# (State Council credit repair plan, 2025): minor - not published or at most
# 3 months; general - 3 months to 1 year; serious - 1 to 3 years. Sectors may
# set longer minimums on their catalogue items.
DEFAULT_DISPLAY_PERIOD_DAYS = {
    Severity.MINOR: (0, 90),
    Severity.GENERAL: (90, 365),
    Severity.SERIOUS: (365, 1095),
}


class CalendarDayKind(models.TextChoices):
    """What the State Council's holiday schedule makes of a date."""

    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKING_DAY = "working_day", _("Make-up working day")

"""What may leave the building: the declared fields of a record that public
pages, open data and the check-before-approval API may show.

Two things decide what leaves: *which records* (``CreditRecord.objects.public()``
for anyone, ``.shareable()`` for authorised systems) and *which fields* (a
:class:`Projection` below). Nothing outside the registry reads a record's
model fields for the public: it asks for ``project(queryset, PUBLIC_RECORD)``
and gets plain dicts with exactly the declared keys. The ID number leaves only
masked (``530102********1234``); contact details, the encrypted number, the
record's internal status and its notes never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import Severity
from .models import CreditRecord


@dataclass(frozen=True)
class ProjectedField:
    name: str  # the key in the projected dict (and the open-data column)
    source: str  # the ORM path it is read from
    label: object  # translatable label for pages and the open-data schema


@dataclass(frozen=True)
class Projection:
    name: str
    fields: tuple[ProjectedField, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


_COMMON = (
    ProjectedField("person_name", "person__name", _("name")),
    ProjectedField("id_number_masked", "person__id_number_masked", _("ID number")),
    ProjectedField("department_code", "department__code", _("department code")),
    ProjectedField("department_name", "department__name", _("department")),
    ProjectedField("catalog_code", "catalog_item__code", _("catalogue item code")),
    ProjectedField("catalog_name", "catalog_item__name", _("catalogue item")),
    ProjectedField("severity", "severity", _("severity")),
    ProjectedField("decision_no", "decision_no", _("decision document number")),
    ProjectedField("decision_date", "decision_date", _("decision date")),
    ProjectedField("display_from", "display_from", _("display from")),
    ProjectedField("display_until", "display_until", _("display until")),
)

# The public pages and open data: the facts are public because the item's
# sharing level is public (public() only yields such records).
PUBLIC_RECORD = Projection(
    "public_record",
    (
        ProjectedField("record_id", "pk", _("record number")),
        *_COMMON,
        ProjectedField("summary", "summary", _("summary of facts")),
        ProjectedField("legal_basis", "legal_basis", _("legal basis")),
    ),
)

# Authorised systems (the check API): no facts text for items shared only on
# conditions; the approval officer gets the department and decision to ask for.
SHARED_RECORD = Projection(
    "shared_record",
    (
        ProjectedField("record_id", "pk", _("record number")),
        *_COMMON,
        ProjectedField("sharing_level", "catalog_item__sharing_level", _("sharing level")),
    ),
)


def project(queryset: QuerySet, projection: Projection) -> Iterator[dict]:
    """The rows of ``queryset`` (records from ``public()`` or ``shareable()``)
    as dicts holding exactly ``projection``'s fields."""
    if queryset.model is not CreditRecord:
        raise TypeError("project() takes a queryset of credit records")
    expressions = {field.name: F(field.source) for field in projection.fields if field.source != field.name}
    plain = [field.name for field in projection.fields if field.source == field.name]
    for row in queryset.values(*plain, **expressions):
        yield {name: row[name] for name in projection.names}


def severity_label(value: str) -> str:
    return str(Severity(value).label)


def public_records(on=None, *, queryset: Iterable | None = None) -> Iterator[dict]:
    """Shortcut: every public record on ``on`` in the public projection."""
    qs = queryset if queryset is not None else CreditRecord.objects.public(on)
    return project(qs, PUBLIC_RECORD)

"""The public projection: which records leave the building, on which day, and
with which fields."""

from __future__ import annotations

import datetime

import pytest

from registry import projection, services
from registry.choices import HoldSource, RecordStatus, SharingLevel
from registry.models import CatalogItem, CreditRecord, local_today

pytestmark = pytest.mark.django_db

TODAY = local_today()


@pytest.fixture
def publish(tree, make_person, make_record, operator):
    def _publish(*, item=None, severity="general", days_ago=30, period=120, department=None):
        department = department or tree["A"]
        fields = {"severity": severity, "decision_date": TODAY - datetime.timedelta(days=days_ago)}
        fields["display_until"] = fields["decision_date"] + datetime.timedelta(days=period)
        if item is not None:
            fields["catalog_item"] = item
        record = make_record(make_person(department), department, **fields)
        services.publish_records([record], acting_user=operator, reason="公示")
        record.refresh_from_db()
        return record

    return _publish


def item(operator, code, sharing, publish_minor=False):
    return services.save_catalog_item(
        CatalogItem(code=code, name=f"信息项{code}", category="penalty", legal_basis="依据", sharing_level=sharing,
                    publish_minor=publish_minor),
        acting_user=operator, reason="test",
    )  # fmt: skip


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_the_last_day_of_a_period_is_public_and_the_day_after_is_not(publish):
    record = publish()
    last = record.display_until
    assert ids(CreditRecord.objects.public(last)) == {record.pk}
    assert ids(CreditRecord.objects.shareable(last)) == {record.pk}
    assert ids(CreditRecord.objects.public(last + datetime.timedelta(days=1))) == set()
    assert ids(CreditRecord.objects.shareable(last + datetime.timedelta(days=1))) == set()
    assert ids(CreditRecord.objects.public(record.display_from - datetime.timedelta(days=1))) == set()
    assert ids(CreditRecord.objects.public(record.display_from)) == {record.pk}


def test_only_published_records(publish, tree, make_person, make_record, operator):
    draft = make_record(make_person(tree["A"]), tree["A"])
    repaired = publish()
    services.change_record_status(repaired, status=RecordStatus.REPAIRED, acting_user=operator, reason="修复")
    shown = publish()
    assert ids(CreditRecord.objects.public()) == {shown.pk}
    assert draft.pk not in ids(CreditRecord.objects.shareable())


def test_an_open_hold_withdraws_from_both(publish, users):
    record = publish()
    services.open_hold(record, source=HoldSource.COURT_ORDER, reference="法院", acting_user=users["reviewer_a"],
                       reason="裁定")  # fmt: skip
    assert ids(CreditRecord.objects.public()) == set() == ids(CreditRecord.objects.shareable())


def test_sharing_levels(publish, operator):
    public = publish(item=item(operator, "P-1", SharingLevel.PUBLIC))
    conditional = publish(item=item(operator, "C-1", SharingLevel.CONDITIONAL))
    hidden = publish(item=item(operator, "N-1", SharingLevel.NOT_SHARED))
    assert ids(CreditRecord.objects.public()) == {public.pk}
    assert ids(CreditRecord.objects.shareable()) == {public.pk, conditional.pk}
    assert hidden.pk not in ids(CreditRecord.objects.shareable())


def test_minor_records_are_published_only_where_the_item_says_so(publish, operator):
    quiet = item(operator, "M-1", SharingLevel.PUBLIC)
    loud = item(operator, "M-2", SharingLevel.PUBLIC, publish_minor=True)
    unpublished = publish(item=quiet, severity="minor", period=60)
    published = publish(item=loud, severity="minor", period=60)
    assert ids(CreditRecord.objects.public()) == {published.pk}
    assert ids(CreditRecord.objects.shareable()) == {published.pk, unpublished.pk}


def test_the_projection_holds_exactly_the_declared_fields_and_a_masked_id(publish):
    record = publish()
    rows = list(projection.public_records())
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == set(projection.PUBLIC_RECORD.names)
    assert row["id_number_masked"] == record.person.id_number_masked and "*" in row["id_number_masked"]
    assert record.person.id_number not in str(row)
    assert row["decision_no"] == record.decision_no and row["department_code"] == "YN-KM-SCJ"
    shared = list(projection.project(CreditRecord.objects.shareable(), projection.SHARED_RECORD))
    assert set(shared[0]) == set(projection.SHARED_RECORD.names) and "summary" not in shared[0]

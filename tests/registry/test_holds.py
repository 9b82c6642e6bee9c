"""Display holds: what shields a record from display and sharing is a hold
with its source, opened and closed by services; the status is not touched."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from creditportal.audit import get_system_user
from registry import hooks, services
from registry.choices import HoldSource, RecordStatus
from registry.models import CreditRecord, DisplayHold

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown(tree, make_person, make_record, operator):
    record = make_record(make_person(tree["A"]), tree["A"])
    services.publish_records([record], acting_user=operator, reason="公示")
    record.refresh_from_db()
    assert record.is_displayed
    return record


def test_a_hold_shields_the_record_and_closing_it_restores_display_without_touching_the_status(shown, users):
    reviewer = users["reviewer_a"]
    events = []
    with (
        hooks.register_temporarily(hooks.RecordEvent.WITHDRAWN, lambda call: events.append(call.event)),
        hooks.register_temporarily(hooks.RecordEvent.RESTORED, lambda call: events.append(call.event)),
    ):
        hold = services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-2026-1", acting_user=reviewer,
                                  reason="当事人对记录内容提出异议")  # fmt: skip
        shown.refresh_from_db()
        assert shown.status == RecordStatus.ACTIVE
        assert not shown.is_displayed and shown.is_under_objection
        assert not CreditRecord.objects.public().filter(pk=shown.pk).exists()
        assert not CreditRecord.objects.shareable().filter(pk=shown.pk).exists()
        with translation.override("zh-hans"):
            assert str(shown.status_label) == "异议处理中"
        services.close_hold(hold, acting_user=reviewer, reason="异议不成立")
    shown.refresh_from_db()
    assert shown.status == RecordStatus.ACTIVE and shown.is_displayed and not shown.is_under_objection
    assert events == [hooks.RecordEvent.WITHDRAWN, hooks.RecordEvent.RESTORED]
    reasons = list(hold.history.order_by("history_date").values_list("history_change_reason", "history_user"))
    assert reasons == [("当事人对记录内容提出异议", reviewer.pk), ("异议不成立", reviewer.pk)]


def test_two_holds_the_record_stays_shielded_until_the_last_closes(shown, users):
    reviewer = users["reviewer_a"]
    objection = services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-1", acting_user=reviewer,
                                   reason="异议")  # fmt: skip
    court = services.open_hold(shown, source=HoldSource.COURT_ORDER, reference="（2026）云01执1号",
                               acting_user=reviewer, reason="法院裁定")  # fmt: skip
    services.close_hold(objection, acting_user=reviewer, reason="异议处理完毕")
    assert not shown.is_displayed
    services.close_hold(court, acting_user=reviewer, reason="裁定解除")
    assert shown.is_displayed


def test_who_may_open_a_hold(shown, users):
    with pytest.raises(PermissionDenied):  # a caseworker enters records; a reviewer decides
        services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-3", acting_user=users["caseworker_a"],
                           reason="异议")  # fmt: skip
    with pytest.raises(PermissionDenied):  # another department's reviewer... there is none: B's caseworker
        services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-3", acting_user=users["caseworker_b"],
                           reason="异议")  # fmt: skip
    # The system opens the hold of an objection its subject files on the public site.
    hold = services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-3", acting_user=get_system_user(),
                              reason="当事人在线提出异议")  # fmt: skip
    assert hold.is_open and not shown.is_displayed
    assert DisplayHold.objects.open().count() == 1


def test_a_held_record_is_not_edited_by_the_import_or_by_hand(shown, users):
    """The import's refusal is covered in test_import_shapes; the record's own
    flag is what the admin and the services ask."""
    services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-4", acting_user=users["reviewer_a"],
                       reason="异议")  # fmt: skip
    assert CreditRecord.objects.get(pk=shown.pk).is_under_objection


def test_records_under_the_old_status_become_held_with_their_status_before(shown, operator):
    """Migration 0014: the old "under objection" status becomes an open hold,
    and the status goes back to what the history says it was."""
    migration = importlib.import_module("registry.migrations.0014_objections_become_holds")
    CreditRecord.objects.filter(pk=shown.pk).update(status=RecordStatus.UNDER_OBJECTION)
    CreditRecord.history.create(
        **{f.attname: getattr(CreditRecord.objects.get(pk=shown.pk), f.attname)
           for f in CreditRecord._meta.concrete_fields},
        history_date=shown.updated_at, history_type="~", history_change_reason="异议", history_user=operator,
    )  # fmt: skip
    migration.objections_to_holds(apps, None)
    shown.refresh_from_db()
    assert shown.status == RecordStatus.ACTIVE
    hold = DisplayHold.objects.get(record=shown)
    assert hold.is_open and hold.source == HoldSource.OBJECTION
    assert shown.history.first().status == RecordStatus.ACTIVE


def test_the_hold_form_picks_its_record_by_search_not_from_a_list_of_every_record(client, shown, users, tree,
                                                                                  make_person, make_record):  # fmt: skip
    """A department holds many thousands of records: the form searches them by
    decision number instead of writing each into the page; it accepts only the
    records the user may decide on."""
    other = make_record(make_person(tree["B"]), tree["B"], decision_no="昆交罚〔2026〕9号")
    client.force_login(users["reviewer_a"])
    response = client.get(reverse("admin:registry_displayhold_add"))
    body = response.content.decode()
    assert response.status_code == 200 and "admin-autocomplete" in body
    assert shown.decision_no not in body
    offered = response.context["adminform"].form.fields["record"].queryset
    assert set(offered.values_list("pk", flat=True)) == {shown.pk}
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": shown.decision_no[:4], "app_label": "registry", "model_name": "displayhold", "field_name": "record"},
    )
    assert {int(item["id"]) for item in response.json()["results"]} == {shown.pk}
    assert other.pk not in {int(item["id"]) for item in response.json()["results"]}


def test_the_records_list_says_under_objection_and_filters_on_the_hold(client, shown, users, tree, make_person,
                                                                        make_record, operator):  # fmt: skip
    """The status column and the status filter take "under objection" from the open hold."""
    other = make_record(make_person(tree["A"]), tree["A"])
    services.publish_records([other], acting_user=operator, reason="公示")
    services.open_hold(shown, source=HoldSource.OBJECTION, reference="YY-9", acting_user=users["reviewer_a"],
                       reason="异议")  # fmt: skip
    client.force_login(users["caseworker_a"])
    with translation.override("zh-hans"):
        response = client.get(
            "/admin/registry/creditrecord/", {"status": "under_objection"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 200
    assert [record.pk for record in response.context["cl"].result_list] == [shown.pk]
    assert "异议处理中" in response.content.decode()
    response = client.get("/admin/registry/creditrecord/", {"status": "active"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert {record.pk for record in response.context["cl"].result_list} == {shown.pk, other.pk}

"""A published record changes only under review (issue 9).

A draft is edited directly. Once published, a change to what the record says
is a correction: proposed with a reason by a caseworker, approved or rejected
by a reviewer or publisher of the department who is not the proposer; until
then the record (and so the public) keeps the version that was decided. A
record under objection changes only through the objection's decision.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from registry import services
from registry.choices import RecordStatus
from registry.models import AccessLog, CreditRecord, RecordCorrection
from tests.cross.test_admin_writes import record_form

OLD = "未按规定履行义务"
NEW = "未按规定履行义务（更正：处罚金额笔误）"


@pytest.fixture
def published(users, tree, make_person, make_record):
    record = make_record(make_person(tree["A"], name="陈七"), tree["A"], summary=OLD)
    with transaction.atomic():
        services.publish_records([record], acting_user=users["publisher_a"], reason="审核通过，予以公示")
    return CreditRecord.objects.get(pk=record.pk)


@pytest.fixture(autouse=True)
def english(client):
    """Messages are checked in English (the site's default is Chinese)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def propose(record, user, reason="处罚决定书笔误，依更正决定", **changes):
    with transaction.atomic():
        return services.propose_correction(record, acting_user=user, reason=reason, **(changes or {"summary": NEW}))


def public_summaries():
    """What the public pages and open data show (the public projection)."""
    from registry.projection import public_records

    return [row["summary"] for row in public_records()]


# --- services --------------------------------------------------------------------------------


def test_a_published_record_is_not_edited_directly(users, published):
    published.summary = NEW
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        services.save_credit_record(published, acting_user=users["caseworker_a"], reason="改一下")
    assert "correction" in " ".join(refused.value.messages)
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD


def test_a_draft_is_still_edited_directly(users, tree, make_person, make_record):
    draft = make_record(make_person(tree["A"]), tree["A"], summary=OLD)
    draft.summary = NEW
    with transaction.atomic():
        services.save_credit_record(draft, acting_user=users["caseworker_a"], reason="补充")
    assert CreditRecord.objects.get(pk=draft.pk).summary == NEW


def test_a_correction_needs_a_reason_and_a_real_change(users, published):
    with pytest.raises(ValidationError), transaction.atomic():
        propose(published, users["caseworker_a"], reason="  ")
    with pytest.raises(ValidationError) as nothing, transaction.atomic():
        propose(published, users["caseworker_a"], summary=OLD)
    assert nothing.value.code == "no_change"
    assert RecordCorrection.objects.count() == 0


def test_a_correction_follows_the_records_own_rules(users, published):
    # The display period of a general record must stay within the catalogue's bounds.
    too_short = published.decision_date + datetime.timedelta(days=10)
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        propose(published, users["caseworker_a"], display_until=too_short)
    assert "display_until" in refused.value.message_dict
    with pytest.raises(ValidationError), transaction.atomic():
        propose(published, users["caseworker_a"], decision_date=datetime.date.today() + datetime.timedelta(days=3))
    assert RecordCorrection.objects.count() == 0


def test_proposing_needs_change_in_the_department(users, published):
    for outsider in (users["caseworker_b"], users["publisher_a"]):
        with pytest.raises(PermissionDenied), transaction.atomic():
            propose(published, outsider)
    assert RecordCorrection.objects.count() == 0


def test_the_public_keeps_the_old_version_until_approval_and_history_keeps_both(users, published):
    correction = propose(published, users["caseworker_a"])
    assert correction.state == RecordCorrection.State.PENDING
    assert correction.proposed == {"summary": NEW} and correction.original == {"summary": OLD}
    # Until approval the record, and so every public and sharing query, says what was decided.
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    assert public_summaries() == [OLD]

    with transaction.atomic():
        services.approve_correction(correction, acting_user=users["reviewer_a"], reason="核对原件，同意更正")
    record = CreditRecord.objects.get(pk=published.pk)
    assert record.summary == NEW and record.status == RecordStatus.ACTIVE
    assert public_summaries() == [NEW]
    # History keeps both versions; the new one names the approver (its user), the proposer and both reasons.
    versions = list(record.history.order_by("-history_date", "-history_id"))
    assert [v.summary for v in versions[:2]] == [NEW, OLD]
    assert versions[0].history_user == users["reviewer_a"]
    for part in ("caseworker_a", "reviewer_a", "处罚决定书笔误", "核对原件，同意更正"):
        assert part in versions[0].history_change_reason
    correction.refresh_from_db()
    assert (correction.state, correction.decided_by, correction.decision_reason) == (
        RecordCorrection.State.APPROVED,
        users["reviewer_a"],
        "核对原件，同意更正",
    )
    assert [h.state for h in correction.history.order_by("history_date", "history_id")] == ["pending", "approved"]


def test_two_people_the_proposer_never_approves(users, published):
    # A supervisor may both propose and approve, but never the same correction.
    supervisor = users["supervisor"]
    correction = propose(published, supervisor)
    for decide in (services.approve_correction, services.reject_correction):
        with pytest.raises(PermissionDenied) as refused, transaction.atomic():
            decide(correction, acting_user=supervisor, reason="自己批准")
        assert "proposed" in str(refused.value)
    # Nor does a caseworker (no review role), nor a reviewer of another department.
    for user in (users["caseworker_a"], users["caseworker_b"]):
        with pytest.raises(PermissionDenied), transaction.atomic():
            services.approve_correction(correction, acting_user=user, reason="同意")
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    # A publisher of the department decides it.
    with transaction.atomic():
        services.approve_correction(correction, acting_user=users["publisher_a"], reason="同意")
    assert CreditRecord.objects.get(pk=published.pk).summary == NEW


def test_a_rejected_correction_leaves_the_record_as_decided(users, published):
    correction = propose(published, users["caseworker_a"])
    with pytest.raises(ValidationError), transaction.atomic():
        services.reject_correction(correction, acting_user=users["reviewer_a"], reason="")
    with transaction.atomic():
        services.reject_correction(correction, acting_user=users["reviewer_a"], reason="原件无误")
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    correction.refresh_from_db()
    assert correction.state == RecordCorrection.State.REJECTED and correction.decision_reason == "原件无误"
    # A decided correction is not decided again.
    with pytest.raises(ValidationError), transaction.atomic():
        services.approve_correction(correction, acting_user=users["publisher_a"], reason="同意")
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD


def test_one_pending_correction_per_record(users, published):
    first = propose(published, users["caseworker_a"])
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        propose(published, users["supervisor"], legal_basis="《行政处罚法》第二十八条")
    assert refused.value.code == "pending"
    # The database says so too.
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordCorrection.objects.create(
            record=published, proposed={"legal_basis": "x"}, original={"legal_basis": ""}, reason="x",
            proposed_by=users["supervisor"],
        )  # fmt: skip
    with transaction.atomic():
        services.withdraw_correction(first, acting_user=users["caseworker_a"], reason="改为提交完整更正")
    second = propose(published, users["caseworker_a"], summary=NEW, legal_basis="《行政处罚法》第二十八条")
    assert second.state == RecordCorrection.State.PENDING


def test_a_record_under_objection_changes_only_through_the_objections_decision(users, published):
    pending = propose(published, users["caseworker_a"])
    with transaction.atomic():
        services.open_hold(
            published,
            source="objection",
            reference="YY-2026-1",
            acting_user=users["reviewer_a"],
            reason="当事人提出异议",
        )
    record = CreditRecord.objects.get(pk=published.pk)
    record.summary = NEW
    with pytest.raises(ValidationError) as edit, transaction.atomic():
        services.save_credit_record(record, acting_user=users["supervisor"], reason="改")
    assert edit.value.code == "under_objection"
    with pytest.raises(ValidationError) as approve, transaction.atomic():
        services.approve_correction(pending, acting_user=users["reviewer_a"], reason="同意")
    assert approve.value.code == "under_objection"
    with transaction.atomic():
        services.withdraw_correction(pending, acting_user=users["caseworker_a"], reason="等待异议处理")
    with pytest.raises(ValidationError) as another, transaction.atomic():
        propose(record, users["caseworker_a"])
    assert another.value.code == "under_objection"
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD


def test_each_correctable_field_goes_through_review(users, tree, published, make_person, catalog_item):
    other_person = make_person(tree["A"], name="王五")
    changes = {
        "person": other_person,
        "severity": "serious",
        "decision_no": "昆市监罚〔2026〕9号",
        "decision_date": published.decision_date - datetime.timedelta(days=1),
        "display_until": published.decision_date + datetime.timedelta(days=400),
        "legal_basis": "《行政处罚法》第二十八条",
        "summary": NEW,
    }
    for name, value in changes.items():
        record = CreditRecord.objects.get(pk=published.pk)
        setattr(record, name, value)
        with pytest.raises(ValidationError), transaction.atomic():
            services.save_credit_record(record, acting_user=users["caseworker_a"], reason="直接改")
    correction = propose(published, users["caseworker_a"], **changes)
    with transaction.atomic():
        services.approve_correction(correction, acting_user=users["reviewer_a"], reason="同意")
    record = CreditRecord.objects.get(pk=published.pk)
    assert (record.person, record.severity, record.decision_no, record.summary) == (
        other_person,
        "serious",
        "昆市监罚〔2026〕9号",
        NEW,
    )


# --- admin -----------------------------------------------------------------------------------


def test_the_admin_form_of_a_published_record_proposes_a_correction(client, users, published):
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_creditrecord_change", args=[published.pk])
    page = client.get(url)
    assert "proposes a correction" in page.content.decode()
    response = client.post(url, record_form(published, summary=NEW, change_reason="处罚决定书笔误"), follow=True)
    assert response.status_code == 200
    assert "waiting for review" in response.content.decode()
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    correction = RecordCorrection.objects.get(record=published)
    assert correction.proposed == {"summary": NEW} and correction.proposed_by == users["caseworker_a"]
    # The record's page shows the pending correction, before and after.
    page = client.get(url).content.decode()
    assert "pending-correction" in page and NEW in page
    # A second proposal is refused on the form.
    again = client.post(url, record_form(published, legal_basis="新依据", change_reason="再改"))
    assert again.status_code == 200 and "still waiting for review" in again.content.decode()


def test_a_reviewer_approves_in_the_admin_and_the_proposer_cannot(client, users, published):
    correction = propose(published, users["caseworker_a"])
    # The reviewer finds records with a pending correction through the list filter.
    client.force_login(users["reviewer_a"])
    listed = client.get(reverse("admin:registry_creditrecord_changelist"), {"correction": "pending"})
    assert [r.pk for r in listed.context["cl"].result_list] == [published.pk]
    url = reverse("admin:registry_recordcorrection_changelist")
    page = client.get(url)
    assert "approve_selected" in page.content.decode()
    client.get(reverse("admin:registry_recordcorrection_change", args=[correction.pk]))
    assert AccessLog.objects.filter(user=users["reviewer_a"], record=published).exists()
    # Without a reason nothing happens.
    client.post(url, {"action": "approve_selected", "_selected_action": [correction.pk], "reason": ""})
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    # A caseworker is not offered the decision.
    client.force_login(users["caseworker_a"])
    assert "approve_selected" not in client.get(url).content.decode()
    client.force_login(users["reviewer_a"])
    client.post(url, {"action": "approve_selected", "_selected_action": [correction.pk], "reason": "核对原件"})
    assert CreditRecord.objects.get(pk=published.pk).summary == NEW


def test_the_admin_refuses_the_proposers_own_approval(client, users, published):
    correction = propose(published, users["supervisor"])
    client.force_login(users["supervisor"])
    url = reverse("admin:registry_recordcorrection_changelist")
    response = client.post(
        url, {"action": "approve_selected", "_selected_action": [correction.pk], "reason": "同意"}, follow=True
    )
    assert "another reviewer or publisher" in response.content.decode()
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    assert RecordCorrection.objects.get(pk=correction.pk).state == RecordCorrection.State.PENDING


def test_the_admin_page_of_a_record_under_objection_is_read_only(client, users, published):
    with transaction.atomic():
        services.open_hold(
            published,
            source="objection",
            reference="YY-2026-1",
            acting_user=users["reviewer_a"],
            reason="当事人提出异议",
        )
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_creditrecord_change", args=[published.pk])
    page = client.get(url)
    assert "under objection" in page.content.decode()
    assert not page.context["has_change_permission"]
    response = client.post(url, record_form(published, summary=NEW, change_reason="改"))
    assert response.status_code == 403
    assert CreditRecord.objects.get(pk=published.pk).summary == OLD
    assert not RecordCorrection.objects.exists()


def test_other_apps_hear_of_the_change_on_approval_not_on_proposal(users, published):
    from registry import hooks

    heard = []
    with hooks.register_temporarily(hooks.RecordEvent.CHANGED, heard.append):
        correction = propose(published, users["caseworker_a"])
        assert heard == []
        with transaction.atomic():
            services.approve_correction(correction, acting_user=users["reviewer_a"], reason="同意")
    assert [set(call.record_ids) for call in heard] == [{published.pk}]

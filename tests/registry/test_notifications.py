"""The notification outbox: written with the step, sent after the commit, retried
with backoff, in the recipient's language, never with a full ID number."""

from __future__ import annotations

import datetime
import smtplib
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from registry import services
from registry.choices import RecordStatus
from registry.identifiers import mask_id
from registry.models import AccessLog, CreditRecord, Notification
from registry.notifications import services as notifications
from registry.notifications.models import Channel, NotificationState
from registry.notifications.sms import LocmemSmsBackend
from registry.notifications.tasks import send_due_notifications
from tests.conftest import make_id_number

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "notifications"
TEMPLATES = sorted(p.name for p in TEMPLATE_DIR.iterdir() if p.is_dir())
REAL_ID = make_id_number(region="530102", birth="19850615", seq=123)


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("relay down")


@pytest.fixture
def person(tree, make_person, operator):
    person = make_person(tree["A"], name="王五", id_number=REAL_ID)
    with transaction.atomic():
        return services.update_person(
            person, acting_user=operator, reason="联系方式", email="wangwu@example.cn", phone="13800000000"
        )


@pytest.fixture
def record(person, tree, make_record):
    return make_record(person, tree["A"], decision_no="昆市监罚〔2026〕7号")


def context_for(person, **extra):
    return {
        "recipient_name": person.name,
        "case_label": "信用修复申请 2026-013",
        "department_name": "昆明市市场监督管理局",
        "id_number": REAL_ID,
        "deadline": datetime.date(2026, 3, 4),
        "decided_on": datetime.date(2026, 2, 24),
        "outcome": "准予修复",
        "reasons": "已履行行政处罚决定",
        "url": "https://credit.example.cn/admin/",
        "working_days_left": 2,
        **extra,
    }


def publish_and_notify(record, person, operator, **notify_kwargs):
    """A workflow step (publishing the record) that notifies the person in its transaction."""
    with transaction.atomic():
        services.publish_records(CreditRecord.objects.filter(pk=record.pk), acting_user=operator, reason="发布")
        return notifications.notify(
            recipient=person,
            template="decision_made",
            department=record.department,
            case=record,
            context=context_for(person),
            acting_user=operator,
            **notify_kwargs,
        )


# --- no full ID number, ever ------------------------------------------------------------------


def test_there_are_templates():
    assert {"application_received", "decision_made", "case_assigned", "deadline_approaching"} <= set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_template_renders_without_a_full_id_number(template, channel, language):
    # A real ID number in every value of the context, the way a careless caller might pass it.
    context = {
        key: (value if isinstance(value, datetime.date | int) else f"{value} {REAL_ID}")
        for key, value in context_for(type("P", (), {"name": "王五"})()).items()
    }
    context["id_number"] = REAL_ID
    rendered = notifications.render(template, channel=channel, language=language, context=context)
    for text in rendered.values():
        assert text.strip()
        assert REAL_ID not in text
        assert REAL_ID[6:14] not in text  # not even the birth date part
        assert "{{" not in text and "{%" not in text
    if template != "verification_code":  # its texts carry the one-time code alone, no case details
        assert any("********" in text for text in rendered.values())  # it was there, masked


@pytest.mark.django_db
def test_the_stored_context_and_the_sent_message_are_masked(
    person, record, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = publish_and_notify(record, person, operator)
    notification.refresh_from_db()
    assert REAL_ID not in str(notification.context) and notification.context["id_number"] == mask_id(REAL_ID)
    for historical in notification.history.all():
        assert REAL_ID not in str(historical.context)
    [message] = mail.outbox
    assert REAL_ID not in message.subject + message.body
    assert mask_id(REAL_ID) in message.body


# --- written with the step, sent after the commit ----------------------------------------------


@pytest.mark.django_db
def test_sent_after_the_commit_in_the_recipients_language(
    person, record, operator, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "registry.notifications.sms.LocmemSmsBackend"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = publish_and_notify(record, person, operator)
        assert mail.outbox == []  # nothing leaves before the step commits
    for callback in callbacks:
        callback()
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.case == record and notification.department == record.department
    [message] = mail.outbox
    assert message.to == ["wangwu@example.cn"]
    assert "信用修复申请 2026-013" in message.subject and "决定" in message.subject  # Simplified Chinese by default
    assert "2026年2月24日" in message.body
    assert [h.history_change_reason for h in notification.history.order_by("history_id")] == [
        notifications.REASON_QUEUED,
        notifications.REASON_SENT,
    ]

    # The same step for an English-speaking recipient, by text message.
    LocmemSmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notifications.notify(
                recipient=person,
                template="application_received",
                department=record.department,
                case=record,
                context=context_for(person),
                channel=Channel.SMS,
                language="en",
                acting_user=operator,
            )
    [(phone, text)] = LocmemSmsBackend.outbox
    assert phone == "13800000000"
    assert "has received your" in text and "March 4, 2026" in text
    assert REAL_ID not in text


@pytest.mark.django_db
def test_a_step_that_rolls_back_sends_nothing(person, record, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            publish_and_notify(record, person, operator)
            raise RuntimeError("the step failed after notifying")
    assert not Notification.objects.exists()
    assert mail.outbox == []
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT


# --- a failed send never undoes the step ---------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_backend_leaves_the_step_done_and_the_notification_retried(
    person, record, operator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification = publish_and_notify(record, person, operator)
    record.refresh_from_db()
    assert record.status == RecordStatus.ACTIVE  # the step is done
    notification.refresh_from_db()
    assert notification.state == NotificationState.PENDING
    assert notification.attempts == 1
    assert "relay down" in notification.last_error
    first_wait = notification.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < first_wait <= datetime.timedelta(seconds=60)

    # Backoff doubles: 60 s, 120 s, 240 s ...
    later = notification.next_attempt_at
    assert notifications.deliver(notification.pk, now=later - datetime.timedelta(seconds=1)) == ""  # not due yet
    assert notifications.deliver(notification.pk, now=later) == NotificationState.PENDING
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.next_attempt_at == later + datetime.timedelta(seconds=120)

    # The relay is back: the beat's sweep sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert notification.state == NotificationState.SENT and notification.attempts == 3
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_notification_has_failed(person, record, operator, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notification = publish_and_notify(record, person, operator)
    now = timezone.now()
    for _attempt in range(3):
        now += datetime.timedelta(hours=7)
        notifications.deliver(notification.pk, now=now)
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED and notification.attempts == 3
    assert notifications.deliver(notification.pk, now=now + datetime.timedelta(days=1)) == ""  # no 4th attempt


@pytest.mark.django_db
def test_no_address_fails_at_once_with_a_reason(tree, make_person, record, operator):
    person = make_person(tree["A"], name="赵六")  # no e-mail, no phone
    with transaction.atomic():
        notification = notifications.notify(
            recipient=person, template="decision_made", department=tree["A"], context={}, acting_user=operator
        )
    assert notifications.deliver(notification.pk) == NotificationState.FAILED
    notification.refresh_from_db()
    assert "e-mail" in notification.last_error or "邮" in notification.last_error


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused(person, record, operator):
    with pytest.raises(RuntimeError):
        notifications.notify(
            recipient=person, template="decision_made", department=record.department, context={}, acting_user=operator
        )


# --- the admin: staff see the notifications of their departments' cases -----------------------


@pytest.fixture
def notes(users, tree, make_person, operator):
    result = {}
    for key in ("A", "C"):
        person = make_person(tree[key], name=f"收件人{key}")
        with transaction.atomic():
            result[key] = notifications.notify(
                recipient=person,
                template="application_received",
                department=tree[key],
                context={"case_label": f"异议 {key}"},
                acting_user=operator,
            )
    return result


@pytest.mark.django_db
def test_staff_see_notifications_of_their_departments_only(client, users, notes):
    client.force_login(users["caseworker_a"])
    response = client.get(reverse("admin:registry_notification_changelist"))
    assert {n.pk for n in response.context["cl"].result_list} == {notes["A"].pk}
    assert client.get(reverse("admin:registry_notification_change", args=[notes["C"].pk])).status_code == 404
    before = AccessLog.objects.count()
    assert client.get(reverse("admin:registry_notification_change", args=[notes["A"].pk])).status_code == 200
    # The page names a person: the read is logged.
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.latest("id").person == notes["A"].recipient_person


@pytest.mark.django_db
def test_a_failed_notification_can_be_sent_again_with_a_reason(
    client, users, notes, django_capture_on_commit_callbacks
):
    note = notes["A"]
    assert notifications.deliver(note.pk) == NotificationState.FAILED  # no e-mail registered
    client.force_login(users["caseworker_a"])
    url = reverse("admin:registry_notification_changelist")
    data = {"action": "send_again", "_selected_action": [note.pk, notes["C"].pk], "reason": ""}
    client.post(url, data)
    note.refresh_from_db()
    assert note.state == NotificationState.FAILED  # no reason, nothing done
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "reason": "当事人已补充邮箱"})
    note.refresh_from_db()
    assert note.attempts == 1  # tried again after the reset (and failed again: still no address)
    assert note.history.filter(history_change_reason="当事人已补充邮箱", history_user=users["caseworker_a"]).exists()
    notes["C"].refresh_from_db()
    assert notes["C"].history.count() == 1  # out of scope: untouched


def test_the_log_sms_backend_masks_the_phone_number(caplog):
    """The demo's SMS backend writes messages to the log: the number is masked there."""
    import logging

    from registry.notifications.sms import LogSmsBackend

    with caplog.at_level(logging.INFO, logger="registry.sms"):
        LogSmsBackend().send("13812345678", "您的验证码是 123456")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text

"""Notifications through the real seam: a step commits, the send goes through Redis
to a worker process, which sends the e-mail and marks the notification sent.

Runs in the PostgreSQL pass of ``make test`` (with Redis), like test_celery_worker.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import transaction

from registry import services
from registry.notifications.models import NotificationState
from registry.notifications.services import notify
from tests.conftest import make_id_number
from tests.integration.workers import running_worker, tail

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_notification_after_the_commit(users, tree, make_person, tmp_path):
    operator = users["operator"]
    number = make_id_number()
    person = make_person(tree["A"], name="孙八", id_number=number)
    with transaction.atomic():
        services.update_person(person, acting_user=operator, reason="联系方式", email="sunba@example.cn")

    # The console backend: the worker prints the e-mail into its log.
    extra_env = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    with running_worker(tmp_path, extra_env=extra_env) as (_queue, _url, log_path, worker):
        with transaction.atomic():  # the step; the send is enqueued when it commits
            note = notify(
                recipient=person,
                template="application_received",
                department=tree["A"],
                context={"recipient_name": person.name, "case_label": "异议 2026-021", "id_number": number},
                acting_user=operator,
            )
        deadline = time.monotonic() + 60
        while True:
            note.refresh_from_db()
            if note.state != NotificationState.PENDING:
                break
            if worker.poll() is not None:
                pytest.fail(f"the worker exited with {worker.returncode}:\n{tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"not sent within 60 s; worker log:\n{tail(log_path)}")
            time.sleep(0.3)
        time.sleep(0.5)  # the rest of the log

    assert note.state == NotificationState.SENT, note.last_error
    assert note.attempts == 1 and note.sent_at is not None
    assert note.history.first().history_user.username == settings.SYSTEM_USERNAME
    log = log_path.read_text(errors="replace")
    assert "sunba@example.cn" in log  # the e-mail went out through the worker's backend
    assert number not in log
    assert f"{number[:6]}********{number[-4:]}" in log

"""Verify identity on the public site: name and ID number (POST) -> a one-time code to the
contact registered for the person; the same answer whether or not the pair matches;
codes hashed, expiring, single-use; rate limits per person and per address; a short
verified session bound to the person; no ID number in any address, page or log line."""

from __future__ import annotations

import datetime
import logging
import re
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from registry import services as registry_services
from registry.models import AccessLog, Person
from registry.notifications.sms import LocmemSmsBackend
from repair import services
from repair.citizen import PENDING_KEY, SESSION_KEY
from repair.models import VerificationCode
from tests.conftest import make_id_number

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">')


@pytest.fixture(autouse=True)
def _quick_and_clean(settings, db):
    settings.VERIFICATION_MIN_RESPONSE_SECONDS = 0
    settings.SMS_BACKEND = "registry.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(tree, operator):
    with transaction.atomic():
        return registry_services.register_person(
            name="王小明",
            id_number=make_id_number(seq=321),
            registered_by=tree["A"],
            acting_user=operator,
            reason="test",
            email="xiaoming@example.cn",
        )


def ask(client, name, id_number, *, capture, address="10.0.0.1", **extra):
    with capture(execute=True):
        return client.post("/verify/", {"name": name, "id_number": id_number, **extra}, REMOTE_ADDR=address, **ZH)


def code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def verify(client, code, address="10.0.0.1"):
    return client.post("/verify/code/", {"code": code}, REMOTE_ADDR=address, **ZH)


def test_code_goes_to_the_registered_contact_only_and_is_stored_hashed(
    client, person, django_capture_on_commit_callbacks
):
    response = ask(
        client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks, email="attacker@example.com"
    )
    assert response.status_code == 302 and response["Location"] == "/verify/code/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["xiaoming@example.cn"]  # never an address typed into the form
    code = code_from(message)
    assert person.id_number not in message.body and person.id_number not in message.subject
    stored = VerificationCode.objects.get(person=person)
    assert code not in (stored.code_hash, stored.salt) and len(stored.code_hash) == 64
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=10)
    # the history has the hash too, never the code
    assert all(code not in (row.code_hash, row.salt) for row in stored.history.all())


def _page(response):
    return CSRF.sub("", response.content.decode())


def test_same_answer_whether_or_not_the_pair_matches(person, tree, operator, django_capture_on_commit_callbacks):
    with transaction.atomic():
        no_contact = registry_services.register_person(
            name="赵无联", id_number=make_id_number(seq=654), registered_by=tree["A"], acting_user=operator,
            reason="test",
        )  # fmt: skip
    answers = []
    for name, id_number in [
        ("王小明", person.id_number),  # matches, contact on file
        ("王大明", person.id_number),  # right number, wrong name
        ("王小明", make_id_number(seq=987)),  # nobody
        ("赵无联", no_contact.id_number),  # matches, no contact on file
    ]:
        client = Client()
        first = ask(client, name, id_number, capture=django_capture_on_commit_callbacks)
        answers.append((first.status_code, first["Location"], _page(client.get("/verify/code/", **ZH))))
    assert len(mail.outbox) == 1  # only the match with a contact
    assert answers[0] == answers[1] == answers[2] == answers[3]
    page = answers[0][2]
    assert "如果您填写的信息与我们的记录相符" in page  # "if these details match our records..."
    assert "服务窗口" in page  # nothing received: a service window, said to everyone alike


def test_answers_take_the_same_time(person, settings, django_capture_on_commit_callbacks):
    settings.VERIFICATION_MIN_RESPONSE_SECONDS = 0.4
    timings = []
    for id_number in (person.id_number, make_id_number(seq=988)):
        started = time.monotonic()
        ask(Client(), "王小明", id_number, capture=django_capture_on_commit_callbacks)
        timings.append(time.monotonic() - started)
    assert min(timings) >= 0.4
    assert abs(timings[0] - timings[1]) < 0.2


def test_the_right_code_verifies_once_and_binds_the_session_to_the_person(
    client, person, django_capture_on_commit_callbacks
):
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[0])
    key_before = client.session.session_key
    response = verify(client, code)
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.session.session_key != key_before  # a new session id on verification
    assert set(client.session[SESSION_KEY]) == {"person", "until"}  # only the person's key and the expiry
    assert client.session[SESSION_KEY]["person"] == person.pk
    page = client.get("/me/", **ZH).content.decode()
    assert "王小明" in page and person.id_number_masked in page and person.id_number not in page
    assert VerificationCode.objects.get().used_at is not None
    # single use: the same code does not verify again
    other = Client()
    ask(other, "王小明", person.id_number, capture=django_capture_on_commit_callbacks, address="10.0.0.2")
    assert verify(other, code, address="10.0.0.2").status_code == 400
    assert other.get("/me/").status_code == 302
    # another browser is not verified by this one's session
    assert Client().get("/me/")["Location"] == "/verify/"


def test_wrong_and_expired_codes_are_refused_beside_the_field(client, person, settings,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[0])
    wrong = "000000" if code != "000000" else "111111"
    response = verify(client, wrong)
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'<span class="error" id="id_code-error">[^<]*验证码不正确', page)
    assert 'aria-invalid="true"' in page
    # after the last allowed wrong attempt the code is dead, even the right one
    for _ in range(settings.VERIFICATION_MAX_ATTEMPTS - 1):
        verify(client, wrong)
    assert verify(client, code).status_code == 400
    # a new code that has expired is refused too
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[-1])
    VerificationCode.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert verify(client, code).status_code == 400
    assert client.get("/me/").status_code == 302


def test_a_new_code_replaces_the_earlier_one(client, person, django_capture_on_commit_callbacks):
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    first = code_from(mail.outbox[0])
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    second = code_from(mail.outbox[1])
    if first != second:
        assert verify(client, first).status_code == 400
    assert verify(client, second).status_code == 302


def test_requests_are_limited_per_person_and_per_address(person, settings, django_capture_on_commit_callbacks):
    settings.VERIFICATION_REQUESTS_PER_PERSON = 2
    settings.VERIFICATION_REQUESTS_PER_ADDRESS = 3
    # per person: from different addresses, a known and an unknown number alike
    unknown = make_id_number(seq=989)
    for id_number in (person.id_number, unknown):
        statuses = [
            ask(
                Client(), "王小明", id_number, capture=django_capture_on_commit_callbacks, address=f"10.1.0.{i}"
            ).status_code
            for i in range(3)
        ]
        assert statuses == [302, 302, 429], id_number
    assert len(mail.outbox) == 2
    # per address: different numbers from one address
    statuses = [
        ask(Client(), "某人", make_id_number(seq=900 + i), capture=django_capture_on_commit_callbacks,
            address="10.2.0.1").status_code
        for i in range(4)
    ]  # fmt: skip
    assert statuses == [302, 302, 302, 429]
    response = ask(Client(), "某人", make_id_number(seq=950), capture=django_capture_on_commit_callbacks,
                   address="10.2.0.1")  # fmt: skip
    assert "尝试次数过多" in response.content.decode()


def test_attempts_are_limited_per_person_and_per_address(person, settings, django_capture_on_commit_callbacks):
    settings.VERIFICATION_ATTEMPTS_PER_PERSON = 3
    settings.VERIFICATION_ATTEMPTS_PER_ADDRESS = 4
    settings.VERIFICATION_MAX_ATTEMPTS = 100
    client = Client()
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[0])
    wrong = "000000" if code != "000000" else "111111"
    statuses = [verify(client, wrong, address=f"10.3.0.{i}").status_code for i in range(3)]
    assert statuses == [400, 400, 400]
    assert verify(client, code, address="10.3.0.9").status_code == 429  # this person: no more tries for now
    # per address: one address guessing for several pending requests
    settings.VERIFICATION_ATTEMPTS_PER_PERSON = 100
    cache.clear()
    statuses = []
    for i in range(5):
        other = Client()
        ask(other, "某人", make_id_number(seq=800 + i), capture=django_capture_on_commit_callbacks, address="10.4.0.1")
        statuses.append(verify(other, "123456", address="10.4.0.1").status_code)
    assert statuses == [400, 400, 400, 400, 429]


def test_sign_out_and_expiry_end_the_verified_session(client, person, settings, django_capture_on_commit_callbacks):
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    verify(client, code_from(mail.outbox[0]))
    assert client.get("/me/").status_code == 200
    assert client.get("/sign-out/").status_code == 405  # sign-out is a POST
    response = client.post("/sign-out/", **ZH)
    assert response.status_code == 302 and response["Location"] == "/"
    assert SESSION_KEY not in client.session
    assert client.get("/me/")["Location"] == "/verify/"
    # the session is short: past its end it is over
    ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)
    verify(client, code_from(mail.outbox[-1]))
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "until": time.time() - 1}
    session.save()
    assert client.get("/me/")["Location"] == "/verify/"


def test_invalid_number_is_refused_beside_its_field_and_never_echoed(client, person):
    typed = person.id_number[:-1] + ("0" if person.id_number[-1] != "0" else "1")
    response = client.post("/verify/", {"name": "王小明", "id_number": typed}, **ZH)
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'<span class="error" id="id_id_number-error">', page)
    assert typed not in page
    assert 'value="王小明"' in page  # the name stays, the number does not
    # a number in the address is never used
    response = client.get(f"/verify/?name=王小明&id_number={person.id_number}")
    assert response.status_code == 200 and PENDING_KEY not in client.session and not mail.outbox


def test_no_id_number_in_any_address_page_or_log_line(client, person, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    responses = [ask(client, "王小明", person.id_number, capture=django_capture_on_commit_callbacks)]
    code = code_from(mail.outbox[0])
    responses += [client.get("/verify/code/"), verify(client, code), client.get("/me/"), client.post("/sign-out/")]
    for response in responses:
        assert person.id_number not in response.get("Location", "")
        assert person.id_number not in response.content.decode()
    assert person.id_number not in caplog.text
    assert person.id_number[6:14] not in caplog.text  # not even the birth date part


def test_a_text_message_when_only_a_mobile_number_is_held(tree, operator, django_capture_on_commit_callbacks):
    with transaction.atomic():
        phone_only = registry_services.register_person(
            name="钱手机", id_number=make_id_number(seq=777), registered_by=tree["A"], acting_user=operator,
            reason="test", phone="13800000000",
        )  # fmt: skip
    client = Client()
    ask(client, "钱手机", phone_only.id_number, capture=django_capture_on_commit_callbacks)
    assert not mail.outbox
    [(phone, text)] = LocmemSmsBackend.outbox
    assert phone == "13800000000"
    code = re.search(r"\d{6}", text).group(0)
    assert verify(client, code).status_code == 302


def test_service_window_records_the_contact_with_history_and_access_log(
    tree, users, operator, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        walk_in = registry_services.register_person(
            name="孙到场", id_number=make_id_number(seq=778), registered_by=tree["A"], acting_user=operator,
            reason="test",
        )  # fmt: skip
    client = Client()
    ask(client, "孙到场", walk_in.id_number, capture=django_capture_on_commit_callbacks)
    assert not mail.outbox and not VerificationCode.objects.exists()
    caseworker = users["caseworker_a"]
    services.record_contact_at_window(walk_in, acting_user=caseworker, email="sun@example.cn")
    walk_in = Person.objects.get(pk=walk_in.pk)
    assert walk_in.email == "sun@example.cn"
    last = walk_in.history.first()
    assert last.history_user == caseworker
    assert last.history_change_reason == services.REASON_CONTACT_AT_WINDOW
    assert AccessLog.objects.filter(user=caseworker, person=walk_in, purpose=services.REASON_CONTACT_AT_WINDOW).exists()
    cache.clear()
    ask(client, "孙到场", walk_in.id_number, capture=django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["sun@example.cn"]


def test_demo_persons_have_contacts_for_the_walkthrough():
    """The README's walkthrough names the first demo person; every third has an e-mail."""
    from pathlib import Path

    from registry.demo import plan

    persons = plan.plan_persons(30)
    first = persons[0]
    assert first.email and all(p.phone for p in persons)
    assert sum(1 for p in persons if p.email) == 10
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"**{first.name}**, ID number **{first.id_number}**" in readme

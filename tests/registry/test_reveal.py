"""Revealing a full ID number needs a purpose from the list and a written detail
of real length, enforced by the service (whoever calls it) and shown by the form."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from registry import services
from registry.choices import AccessAction, RevealPurpose
from registry.models import AccessLog

NOT_A_DETAIL = ["", "   ", "a", "。", "……", "？？？？", "- - -", "aaaa", "好好好好好", "ab", "核对"]
DETAILS = ["核对身份", "核实异议申请人身份（2026-013号）", "letter 2026-17", "法院协查函"]


@pytest.fixture
def person(tree, make_person, make_record):
    person = make_person(tree["A"], name="周八")
    make_record(person, tree["A"])
    return person


def reveals():
    return AccessLog.objects.filter(action=AccessAction.REVEAL)


@pytest.mark.parametrize("detail", NOT_A_DETAIL)
def test_a_detail_without_real_length_is_refused(users, person, detail):
    with pytest.raises(ValidationError) as info:
        services.reveal_id_number(person, acting_user=users["caseworker_a"], purpose=RevealPurpose.CASE, detail=detail)
    assert set(info.value.error_dict) == {"detail"}
    assert not reveals().exists()


@pytest.mark.parametrize("purpose", ["", None, "核对身份", "curiosity", "other"])
def test_a_purpose_outside_the_list_is_refused(users, person, purpose):
    with pytest.raises(ValidationError) as info:
        services.reveal_id_number(person, acting_user=users["caseworker_a"], purpose=purpose, detail="核对异议申请人")
    assert set(info.value.error_dict) == {"purpose"}
    assert not reveals().exists()


@pytest.mark.parametrize("detail", DETAILS)
@pytest.mark.parametrize("purpose", list(RevealPurpose))
def test_a_listed_purpose_with_a_real_detail_reveals_and_is_logged(users, person, purpose, detail):
    number = services.reveal_id_number(
        person, acting_user=users["caseworker_a"], purpose=purpose.value, detail=f"  {detail} ", ip_address="10.0.0.7"
    )
    assert number == person.id_number
    log = reveals().get()
    assert (log.user, log.person, log.detail, log.ip_address) == (users["caseworker_a"], person, detail, "10.0.0.7")
    # The purpose in the site's language, the same words whoever revealed.
    from django.utils import translation

    with translation.override("zh-hans"):
        assert log.purpose == str(purpose.label)


def test_the_service_checks_permission_before_anything(users, person):
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(person, acting_user=users["publisher_a"], purpose="case", detail="核对身份")
    assert not reveals().exists()


def test_the_reveal_page_offers_the_list_and_refuses_a_token_detail(client, users, person):
    url = reverse("admin:registry_person_reveal", args=[person.pk])
    client.force_login(users["caseworker_a"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for purpose in RevealPurpose:
        assert f'value="{purpose.value}"' in page
    assert "复核异议" in page and "答复法院、检察院或其他机关" in page
    refusals = [
        ({"purpose": "objection", "detail": "。"}, "标点和空格不计"),
        ({"purpose": "objection", "detail": "a"}, "标点和空格不计"),
        ({"purpose": "curiosity", "detail": "核对身份"}, "curiosity"),
        ({"detail": "核对身份"}, "errorlist"),
    ]
    for data, message in refusals:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 200 and person.id_number not in html
        assert "errorlist" in html and message in html, data
    assert not reveals().exists()
    response = client.post(url, {"purpose": "objection", "detail": "核实异议申请人身份"})
    assert person.id_number in response.content.decode()
    assert reveals().get().detail == "核实异议申请人身份"

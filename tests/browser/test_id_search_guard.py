"""An ID number typed into an admin search box never becomes part of an address:
the browser sends it by POST to "Find by ID number" and empties the box
(static/creditportal/id-guard.js), recognising the same written forms as the
server (tests/id_shapes.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from registry.choices import AccessAction
from registry.models import AccessLog
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CASES = json.loads((Path(__file__).resolve().parents[1] / "id_shapes.json").read_text(encoding="utf-8"))["cases"]
NUMBER = "360426199101010071"  # valid, registered by nobody in these tests
TYPED = "3604 2619 9101 0100 71"
FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(FULL_WIDTH))


def test_the_browser_recognises_what_the_server_recognises(live_server, page, admin_login, users):
    admin_login(page, "caseworker_a", PASSWORD)
    page.goto(f"{live_server.url}/admin/registry/creditrecord/")
    page.wait_for_function("window.creditportalIdGuard !== undefined")
    answers = page.evaluate(
        "texts => texts.map(text => window.creditportalIdGuard.containsIdNumber(text))", [c["text"] for c in CASES]
    )
    assert {c["name"]: a for c, a in zip(CASES, answers, strict=True)} == {c["name"]: c["contains_id"] for c in CASES}


def test_an_id_number_typed_into_the_records_search_goes_to_the_lookup_by_post(live_server, page, admin_login, users):
    admin_login(page, "caseworker_a", PASSWORD)
    addresses = []
    page.on("request", lambda request: addresses.append(request.url))
    page.on("framenavigated", lambda frame: addresses.append(frame.url))
    page.goto(f"{live_server.url}/admin/registry/creditrecord/")

    page.fill("#searchbar", TYPED)
    with page.expect_navigation():
        page.press("#searchbar", "Enter")

    # On the lookup, which received the number in the body of a POST and logged it.
    assert page.url == f"{live_server.url}/admin/registry/person/find/"
    search = AccessLog.objects.get(user=users["caseworker_a"], action=AccessAction.SEARCH)
    assert search.detail.startswith("360426") and "19910101" not in search.detail
    # No address the browser visited or requested ever held the number.
    assert addresses and not any(NUMBER[6:14] in digits(address) for address in addresses), addresses
    assert not any("q=" in address for address in addresses)

    # Back on the records list the box is empty: the page keeps no trace of it.
    page.go_back()
    assert page.url == f"{live_server.url}/admin/registry/creditrecord/"
    assert page.input_value("#searchbar") == ""
    assert NUMBER[6:14] not in digits(page.content())


def test_other_terms_search_as_before(live_server, page, admin_login, users):
    admin_login(page, "caseworker_a", PASSWORD)
    page.goto(f"{live_server.url}/admin/registry/creditrecord/")
    page.fill("#searchbar", "昆市监罚")
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    assert "/admin/registry/creditrecord/?q=" in page.url

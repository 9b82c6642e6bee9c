"""A caseworker's day in the admin, in a real browser (Chromium via Playwright).

Department scoping, ID masking, the 404 for another department's record, the
Chinese interface and the logged reveal of a full ID number, seen the way a
caseworker sees them: through the login form, links and buttons.
"""

from __future__ import annotations

import re

import pytest

from registry.choices import AccessAction
from registry.identifiers import mask_id
from registry.models import AccessLog
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

MASKED = re.compile(r"\b\d{6}\*{8}\d{3}[\dX]\b")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_caseworker_sees_only_her_department_masked_and_in_chinese(
    live_server, page, admin_login, artifacts_dir, users, tree, make_person, make_record
):
    person_a = make_person(tree["A"], name="张三")
    person_b = make_person(tree["B"], name="王五")
    record_a = make_record(person_a, tree["A"])
    record_b = make_record(person_b, tree["B"])
    full_a, full_b = person_a.id_number, person_b.id_number

    admin_login(page, "caseworker_a", PASSWORD)

    # From the caseworker desk to the credit records, by the link.
    with page.expect_navigation():
        page.click('#content-main a[href="/admin/registry/creditrecord/"]')
    assert page.url.endswith("/admin/registry/creditrecord/")
    html = page.content()

    # Chinese, as Django itself translates it (not our unfinished catalogue).
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".breadcrumbs a").first.inner_text().strip() == "首页"
    assert "注销" in html

    # A's record, with the ID number masked; the full number nowhere in the HTML.
    assert page.locator("#result_list").get_by_text(record_a.decision_no, exact=True).count() == 1
    assert mask_id(full_a) in html
    assert MASKED.search(page.locator("#result_list").inner_text())
    assert full_a not in html

    # Nothing of department B's.
    assert record_b.decision_no not in html
    assert mask_id(full_b) not in html
    assert full_b not in html

    screenshot = artifacts_dir / "admin-creditrecord-changelist.png"
    screenshot.unlink(missing_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 1000
    assert screenshot.read_bytes()[:8] == PNG_SIGNATURE

    # B's record by its URL: a plain 404, which leaks nothing.
    response = page.goto(f"{live_server.url}/admin/registry/creditrecord/{record_b.pk}/change/")
    assert response is not None and response.status == 404
    html = page.content()
    assert record_b.decision_no not in html
    assert full_b not in html and mask_id(full_b) not in html


def test_caseworker_reveals_an_id_number_with_a_logged_purpose(
    live_server, page, admin_login, users, tree, make_person, make_record
):
    person = make_person(tree["A"], name="赵六")
    make_record(person, tree["A"])
    full = person.id_number
    caseworker = users["caseworker_a"]
    purpose = "核实异议申请人身份（2026-013号）"

    admin_login(page, "caseworker_a", PASSWORD)
    page.goto(f"{live_server.url}/admin/registry/person/{person.pk}/change/")
    assert full not in page.content()
    assert mask_id(full) in page.content()
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL, person=person).exists()

    with page.expect_navigation():
        page.click("a.reveal-link")
    assert page.url.endswith(f"/admin/registry/person/{person.pk}/reveal/")
    assert full not in page.content()  # not before a purpose is given

    page.check("input[name=purpose][value=objection]")
    page.fill("#id_detail", purpose)
    with page.expect_navigation():
        page.click("#content-main form [type=submit]")

    assert page.locator(".revealed-id").inner_text().strip() == full
    log = AccessLog.objects.get(action=AccessAction.REVEAL, person=person)
    assert log.user_id == caseworker.pk
    assert (log.purpose, log.detail) == ("复核异议", purpose)
    # The number travelled in the response only, never in a URL.
    assert full not in page.url

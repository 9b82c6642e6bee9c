"""The public layout in Chromium: a 360-pixel phone and a 1366-pixel desktop, the
keyboard alone, and the language switch."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1366])
def test_home_fits_the_screen(browser, live_server, artifacts_dir, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        for path, name in (("/", "home"), ("/privacy/", "privacy")):
            page.goto(live_server.url + path)
            # nothing wider than the screen: no sideways scrolling on a phone
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.locator("link[rel=stylesheet]").get_attribute("href") == "/static/site/site.css"
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(245, 247, 250)"
            page.screenshot(path=str(artifacts_dir / f"public-{name}-{width}.png"), full_page=True)
        assert page.locator("footer").get_by_text("0871-12345678").is_visible()
    finally:
        context.close()


def test_keyboard_skip_link_and_language_switch(page, live_server, artifacts_dir):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    # the skip link is visible once focused, and its focus is drawn
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.screenshot(path=str(artifacts_dir / "public-skip-link-360.png"))
    # Tab on to the English button and press it with the keyboard alone
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('value')") == "en":
            break
    else:
        pytest.fail("the language switch cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Public credit services for citizens").is_visible()
    with page.expect_navigation():
        page.locator("button[name=language][value=zh-hans]").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def _tab_to(page, predicate_js: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    pytest.fail(f"nothing matching {predicate_js} can be reached with Tab")


@pytest.mark.parametrize("width", [360, 1366])
def test_verify_identity_with_the_keyboard_alone(
    browser, live_server, artifacts_dir, settings, tree, operator, make_record, width
):
    import re

    from django.core import mail
    from django.core.cache import cache
    from django.db import transaction

    from registry import services
    from tests.conftest import make_id_number

    settings.VERIFICATION_MIN_RESPONSE_SECONDS = 0
    cache.clear()
    id_number = make_id_number(seq=444)
    with transaction.atomic():
        person = services.register_person(
            name="王小明", id_number=id_number, registered_by=tree["A"], acting_user=operator, reason="test",
            email="xiaoming@example.cn",
        )  # fmt: skip
    make_record(person, tree["A"], decision_no="昆市监处罚〔2026〕1234567号", summary="未按规定履行义务。" * 20)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    addresses = []
    try:
        page = context.new_page()
        page.on("request", lambda request: addresses.append(request.url))
        page.goto(live_server.url + "/")
        _tab_to(page, "el.getAttribute('href') === '/verify/'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        # a mistyped number: the error beside its field, the number not written back
        _tab_to(page, "el.id === 'id_name'")
        page.keyboard.type("王小明")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "id_id_number"
        page.keyboard.type(id_number[:-2])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        error = page.locator("#id_id_number-error")
        assert error.is_visible()
        assert page.locator("#id_id_number").input_value() == ""
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts_dir / f"public-verify-error-{width}.png"), full_page=True)
        # the right details, submitted from the button with the keyboard
        page.locator("#id_id_number").focus()
        page.keyboard.type(id_number)
        _tab_to(page, "el.type === 'submit' && el.classList.contains('button')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/verify/code/")
        assert page.get_by_text("如果您填写的信息与我们的记录相符").is_visible()
        page.screenshot(path=str(artifacts_dir / f"public-verify-code-{width}.png"), full_page=True)
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        assert mail.outbox[-1].to == ["xiaoming@example.cn"]
        _tab_to(page, "el.id === 'id_code'")
        page.keyboard.type(code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/me/")
        assert page.get_by_text(person.id_number_masked).is_visible()
        assert page.get_by_text("昆市监处罚〔2026〕1234567号").is_visible()  # own records, fitting the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts_dir / f"public-verified-{width}.png"), full_page=True)
        _tab_to(page, "el.type === 'submit' && el.textContent.includes('退出')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_text("您已退出").is_visible()
        page.goto(live_server.url + "/me/")
        assert page.url.endswith("/verify/")
        assert page.content().count(id_number) == 0
    finally:
        context.close()
    assert addresses and not [url for url in addresses if id_number in url or id_number[:-2] in url]

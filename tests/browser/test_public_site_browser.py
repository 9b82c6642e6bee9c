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

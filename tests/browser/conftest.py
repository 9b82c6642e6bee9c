"""Browser tests: Playwright for Python driving Debian's Chromium (never a
downloaded browser) against pytest-django's ``live_server``.

``make test`` selects these (marker ``browser``) in the SQLite pass only when
/usr/bin/chromium exists; run alone they are skipped without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Debian's Chromium; CHROMIUM may name another system build (scripts/run_tests.sh
# checks the same variable to decide whether the browser tests can run).
CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def browser():
    """Chromium for the browser tests of this package, and only for them.

    Playwright's sync API keeps an asyncio event loop running in the test's
    thread, and Django refuses ORM calls from a thread with a running loop
    unless DJANGO_ALLOW_ASYNC_UNSAFE is set (safe here: the loop only talks to
    the browser). The variable is set while Playwright runs and removed when
    it stops, so it does not leak into other tests or the subprocesses they
    start (``manage.py check --deploy`` rightly refuses it, async.E001).
    """
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=60_000
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) whose user reads Chinese, like the
    province's caseworkers: Accept-Language zh-CN."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def admin_login(live_server):
    """Log in through the real admin login form."""

    def _login(page, username: str, password: str):
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("#login-form [type=submit]")
        assert "/admin/login/" not in page.url, f"login failed for {username}: still on {page.url}"
        return page

    return _login

"""The public layout: the home page at /, every page on the site's own stylesheet and
nothing from elsewhere, Chinese first with English one click away, a footer with
the office's contact and the privacy notice."""

from __future__ import annotations

import re

import pytest
from django.test import Client

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PUBLIC_PAGES = ["/", "/privacy/"]


@pytest.mark.django_db
def test_home_page_is_public_and_links_staff_discreetly(client):
    response = client.get("/")
    assert response.status_code == 200  # no longer a redirect to the staff login
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page  # Chinese without any preference
    assert "公共信用" in page
    assert 'href="/admin/"' in page
    assert 'class="staff-link"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES + ["/no-such-page/"])
def test_every_public_page_uses_the_layout_and_nothing_external(client, url):
    page = client.get(url, **ZH).content.decode()
    assert 'href="/static/site/site.css"' in page
    assert 'class="skip-link" href="#content"' in page and 'id="content"' in page
    assert re.search(r"<title>[^<]+</title>", page)
    # no external fonts, scripts or stylesheets (no CDN: the machines are offline)
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=\"(https?:)?//|@import|fonts\.googleapis", page)
    # footer: the office's contact and the privacy notice
    assert "0871-12345678" in page and "credit@example.gov.cn" in page
    assert 'href="/privacy/"' in page
    # the language switch: a POST form to Django's set_language offering English
    assert re.search(r'<form class="language-switch" action="/i18n/setlang/" method="post">', page)
    assert 'name="language" value="en"' in page


@pytest.mark.django_db
def test_privacy_notice_says_what_why_how_long_and_how_to_object(client):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for heading in ("What we collect", "Why", "For how long", "How to object"):
        assert f"<h2>{heading}</h2>" in page
    assert "10 minutes" in page  # the code's lifetime comes from the settings


@pytest.mark.django_db
def test_english_is_one_click_away_and_stays():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, **ZH)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/", **ZH).content.decode()
    assert '<html lang="en">' in page
    assert "Public credit services for citizens" in page
    assert 'name="language" value="zh-hans"' in page  # and back to Chinese


def test_stylesheet_has_visible_focus_and_sufficient_contrast():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "site" / "site.css").read_text()
    assert ":focus-visible" in css and "outline: 3px" in css

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a, b):
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))
    for text, ground in [
        ("ink", "paper"),
        ("ink", "ground"),
        ("muted", "ground"),
        ("muted", "paper"),
        ("brand", "paper"),
        ("brand", "ground"),
        ("error", "paper"),
    ]:
        assert contrast(colours[text], colours[ground]) >= 4.5, (text, ground)
    assert contrast("#ffffff", colours["brand"]) >= 4.5  # the header's white text

"""403, 404 and 500 pages in the site's own layout and the reader's language."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client, override_settings
from django.utils import translation

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.django_db
def test_404_is_the_sites_own_page_in_chinese(client):
    response = client.get("/no-such-page/", **ZH)
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "省公共信用信息管理平台" in page  # the site's header, not Django's bare "Not Found"
    assert "页面不存在" in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_404_in_english_when_asked(client):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in page


def test_404_for_staff_inside_the_admin_keeps_the_admin(client, users):
    client.force_login(users["caseworker_a"])
    response = client.get("/admin/registry/creditrecord/999999/change/", **ZH)
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page
    assert 'id="user-tools"' in page  # the admin's header with the user's links
    assert "caseworker_a" in page


def test_403_in_the_admin_layout_and_language(client, users):
    client.force_login(users["caseworker_a"])  # no business with staff accounts
    response = client.get("/admin/auth/user/", **ZH)
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page
    assert 'id="user-tools"' in page
    assert "403 Forbidden" not in page


@pytest.mark.django_db
def test_403_outside_the_admin_uses_the_site_layout(rf):
    from django.core.exceptions import PermissionDenied

    from creditportal.errors import permission_denied

    request = rf.get("/some/page/")
    with translation.override("zh-hans"):
        response = permission_denied(request, PermissionDenied())
    page = response.content.decode()
    assert response.status_code == 403
    assert "省公共信用信息管理平台" in page and "无权访问" in page


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.pages.urls_boom")
def test_500_page_in_the_site_layout():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", **ZH)
    assert response.status_code == 500
    page = response.content.decode()
    assert "省公共信用信息管理平台" in page
    assert "服务器出错" in page
    assert "the database went away" not in page


def test_500_renders_without_request_or_database(django_db_blocker):
    """Whatever broke may be the database: the page needs neither it nor a request."""
    with django_db_blocker.block(), translation.override("zh-hans"):
        page = loader.get_template("500.html").render()
    assert "服务器出错" in page
    # the site's own stylesheet (served by WhiteNoise, no database needed), no external assets
    assert 'href="/static/site/site.css"' in page and "http://" not in page and "https://" not in page

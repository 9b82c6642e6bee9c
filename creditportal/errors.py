"""The 403, 404 and 500 pages: in the site's own layout and the reader's language.

Staff under ``/admin/`` get them inside the admin (its header, their user
links); everyone else gets the small site layout (``templates/site/base.html``)
that the public pages share. The 500 page is rendered without a request
context or a database: whatever broke may be the database.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.template import loader
from django.views import defaults


def _in_admin(request) -> bool:
    if not request.path.startswith("/admin/"):
        return False
    try:
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.is_staff)
    except Exception:  # no session, a broken database: the plain site page will do
        return False


def _render(request, template_name: str, admin_template_name: str, status_class, context: dict):
    if _in_admin(request):
        context = {**admin.site.each_context(request), **context}
        template_name = admin_template_name
    body = loader.render_to_string(template_name, context, request)
    return status_class(body)


def page_not_found(request, exception):
    return _render(request, "404.html", "admin/404.html", HttpResponseNotFound, {"request_path": request.path})


def permission_denied(request, exception):
    return _render(request, "403.html", "admin/403.html", HttpResponseForbidden, {})


def server_error(request):
    return defaults.server_error(request, template_name="500.html")

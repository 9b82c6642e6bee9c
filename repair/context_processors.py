"""Template context for the public pages: the office whose contact the footer shows."""

from __future__ import annotations

from django.conf import settings


def public_site(request):
    return {"public_office": settings.PUBLIC_OFFICE}

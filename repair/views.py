"""Public pages. Views read and render; every write goes through repair.services."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def home(request):
    return render(request, "repair/home.html")


def privacy(request):
    return render(
        request,
        "repair/privacy.html",
        {"code_minutes": settings.VERIFICATION_CODE_MINUTES, "session_minutes": settings.VERIFIED_SESSION_MINUTES},
    )

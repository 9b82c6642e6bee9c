"""Public pages. Views read and render; every write goes through repair.services."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    return render(request, "repair/home.html")


@require_safe
def privacy(request):
    return render(
        request,
        "repair/privacy.html",
        {"code_minutes": settings.VERIFICATION_CODE_MINUTES, "session_minutes": settings.VERIFIED_SESSION_MINUTES},
    )

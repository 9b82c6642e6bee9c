"""Public pages. Views read and render; every write goes through repair.services.

ID numbers reach the server only in POST bodies and never come back in a page:
the verification form is re-shown without the number typed.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from registry.contacts import CONTACT_MASKS
from registry.models import local_today

from . import citizen, services
from .forms import CodeForm, VerifyForm


@require_safe
def home(request):
    return render(request, "repair/home.html", {"citizen": citizen.verified_person(request)})


@require_safe
def privacy(request):
    return render(
        request,
        "repair/privacy.html",
        {"code_minutes": settings.VERIFICATION_CODE_MINUTES, "session_minutes": settings.VERIFIED_SESSION_MINUTES},
    )


def _too_many():
    return _("Too many tries. Please wait an hour and try again, or visit a service window with your identity card.")


@never_cache
def verify(request):
    """Name and ID number -> a code to the contact we hold (if any: the answer never says)."""
    form = VerifyForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        try:
            id_index = services.request_code(
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                address=citizen.client_address(request),
                language=get_language(),
            )
        except services.RateLimited:
            form.add_error(None, _too_many())
            status = 429
        else:
            citizen.set_pending(request, id_index)
        # Matched or not, sent or not: the answer takes the same time.
        time.sleep(max(0.0, settings.VERIFICATION_MIN_RESPONSE_SECONDS - (time.monotonic() - started)))
        if status == 200:
            return redirect("repair:verify_code")
    elif request.method == "POST":
        status = 400
    return render(request, "repair/verify.html", {"form": form}, status=status)


@never_cache
def verify_code(request):
    id_index = citizen.pending_index(request)
    if id_index is None:
        return redirect("repair:verify")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            person = services.check_code(
                id_index=id_index, code=form.cleaned_data["code"], address=citizen.client_address(request)
            )
        except services.RateLimited:
            form.add_error(None, _too_many())
            status = 429
        else:
            if person is not None:
                citizen.sign_in(request, person)
                return redirect("repair:me")
            form.add_error("code", _("This code is wrong or no longer valid. Check it, or ask for a new one."))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "repair/verify_code.html",
        {"form": form, "code_minutes": settings.VERIFICATION_CODE_MINUTES},
        status=status,
    )


@never_cache
def me(request):
    person = citizen.verified_person(request)
    if person is None:
        return redirect("repair:verify")
    records = services.own_records(person, address=citizen.client_address(request))
    contacts = [
        (label, CONTACT_MASKS[field](getattr(person, field)))
        for field, label in (("phone", _("Mobile phone")), ("email", _("E-mail")), ("address", _("Contact address")))
        if getattr(person, field)
    ]
    return render(
        request,
        "repair/me.html",
        {
            "person": person,
            "until": citizen.verified_until(request),
            "records": records,
            "contacts": contacts,
            "today": local_today(),
        },
    )


@require_POST
def sign_out(request):
    citizen.sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("repair:home")

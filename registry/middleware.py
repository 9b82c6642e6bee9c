"""Middleware of the registry: ID numbers never travel in an admin address."""

from __future__ import annotations

from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext

from .identifiers import contains_id_number

# A change page reached from a filtered list carries the list's query string,
# once more encoded, in this parameter.
NESTED_QUERY = "_changelist_filters"


def _carries_id(key: str, value: str) -> bool:
    return contains_id_number(value) or (key == NESTED_QUERY and contains_id_number(unquote_plus(value)))


class IdNumbersOutOfAdminAddressesMiddleware:
    """An admin address whose query string holds an ID number, however written
    (a search typed where JavaScript is off, a pasted link), is not served: the
    user is sent to the same page without the parameters that hold it (other
    filters kept), with a message that points to the POST-only "Find by ID
    number". The page they land on therefore shows an empty search box and no
    trace of the number. With JavaScript, static/creditportal/id-guard.js does
    this before the address is formed."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = getattr(settings, "ADMIN_URL_PREFIX", "/admin/")

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.GET and request.path.startswith(self.prefix):
            kept = request.GET.copy()
            refused = [key for key in kept if any(_carries_id(key, value) for value in kept.getlist(key))]
            if refused and request.path == reverse("admin:autocomplete"):
                # A person picker (select2) asking as the user types: no page to
                # send anyone to, so no match (and the number goes no further).
                return JsonResponse({"results": [], "pagination": {"more": False}})
            if refused:
                for key in refused:
                    del kept[key]
                messages.warning(
                    request,
                    gettext(
                        "ID numbers are not searched through the address bar. Use “Find by ID number” on the persons page."
                    ),
                )
                query = kept.urlencode()
                return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return self.get_response(request)

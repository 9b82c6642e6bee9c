"""Cross-cutting middleware."""

from django.conf import settings


class NoStoreForStaffPagesMiddleware:
    """Staff pages carry personal data: browsers and proxies must not keep them.

    Every response under the admin gets ``Cache-Control: no-store`` so that a
    shared office computer's cache or a proxy never holds a person's record.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = getattr(settings, "ADMIN_URL_PREFIX", "/admin/")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response

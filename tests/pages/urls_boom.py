"""A URLconf for the 500 test: the project's handlers, one view that fails."""

from creditportal.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("the database went away")


from django.urls import path  # noqa: E402

urlpatterns = [*urlpatterns, path("boom/", boom)]

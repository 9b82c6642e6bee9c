from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("repair.urls")),
]

handler403 = "creditportal.errors.permission_denied"
handler404 = "creditportal.errors.page_not_found"
handler500 = "creditportal.errors.server_error"

"""The public site's addresses (included at the root by creditportal/urls.py)."""

from django.urls import path

from . import views

app_name = "repair"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
]

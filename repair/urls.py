"""The public site's addresses (included at the root by creditportal/urls.py)."""

from django.urls import path

from . import views

app_name = "repair"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("verify/", views.verify, name="verify"),
    path("verify/code/", views.verify_code, name="verify_code"),
    path("me/", views.me, name="me"),
    path("sign-out/", views.sign_out, name="sign_out"),
]

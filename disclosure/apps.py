"""Blacklists, redlists, public search, open data and the check-before-approval API (issue to come)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Disclosure")

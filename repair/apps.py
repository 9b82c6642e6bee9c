"""Objection, RepairApplication: public forms, caseworker workflow and deadlines; the public
site's identity verification."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "repair"
    verbose_name = _("Objections and credit repair")

    def ready(self):
        from creditportal import permissions
        from creditportal.system_text import register_sentences

        from . import services
        from .permissions import ROLE_MODEL_PERMISSIONS

        permissions.contribute(self.label, ROLE_MODEL_PERMISSIONS)
        register_sentences(
            services.REASON_CODE_SENT,
            services.REASON_CODE_USED,
            services.REASON_CODE_WRONG,
            services.REASON_CONTACT_AT_WINDOW,
        )

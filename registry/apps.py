from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_groups(sender, **kwargs):
    """Keep the role groups' model permissions in step with registry.roles after every migrate."""
    from .services import ensure_role_groups

    ensure_role_groups()


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Credit registry")

    def ready(self):
        from . import system_text

        system_text.register()
        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="registry.ensure_role_groups")

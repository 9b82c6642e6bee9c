from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_groups(sender, **kwargs):
    """Keep the role groups' model permissions in step with every app's share
    after every migrate (all apps' permissions are created first)."""
    from .services import ensure_role_groups

    ensure_role_groups()


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Credit registry")

    def ready(self):
        from . import system_text

        system_text.register()

        from creditportal import access, permissions

        from .models import Department
        from .roles import ROLE_MODEL_PERMISSIONS

        # Departments are what creditportal.access scopes by (it names no model itself).
        access.configure(department_model=Department)
        permissions.contribute(self.label, ROLE_MODEL_PERMISSIONS)
        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="registry.ensure_role_groups")

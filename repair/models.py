"""Models of the repair app: the public site's identity verification (more to come:
objections and repair applications)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditportal.audit import AuditHistory
from registry.notifications.models import Channel


class VerificationCode(models.Model):
    """A one-time code sent to the contact registered for a person.

    Only a keyed hash of the code is stored (``code_hash``: HMAC-SHA256 with the
    secret key and a per-code salt); the code itself exists only in the message
    sent to the person. A code is valid until ``expires_at``, for one use, and
    for a limited number of attempts.
    """

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="verification_codes"
    )
    salt = models.CharField(_("salt"), max_length=32, editable=False)
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    channel = models.CharField(_("sent by"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("wrong attempts"), default=0)

    history = AuditHistory(no_db_index=["person"])

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()

    @classmethod
    def access_scope(cls, departments) -> Q:
        """Staff see the codes of the persons they see (``Person.access_scope``)."""
        from registry.models import Person

        return Q(person__in=Person.objects.filter(Person.access_scope(departments)).values("pk"))

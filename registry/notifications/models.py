"""The notification outbox (see ``registry.notifications``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creditportal.audit import AuditHistory


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one recipient: a staff user (their account's e-mail) or a
    person (the e-mail or mobile phone they registered), about one case."""

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    recipient_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # The department whose case it is: who on the staff may see the notification.
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    # The case (an objection, a repair application, a record...): cases live in later apps.
    case_type = models.ForeignKey(
        ContentType, verbose_name=_("case type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_id = models.CharField(_("case id"), max_length=40, blank=True)
    case = GenericForeignKey("case_type", "case_id")
    context = models.JSONField(_("context"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    history = AuditHistory(no_db_index=["recipient_user", "recipient_person", "department", "case_type"])

    access_department_path = "department"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_user__isnull=False, recipient_person__isnull=True)
                | Q(recipient_user__isnull=True, recipient_person__isnull=False),
                name="notification_one_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["case_type", "case_id"], name="notification_case"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient_label}"

    @property
    def recipient(self):
        return self.recipient_user or self.recipient_person

    @property
    def recipient_label(self) -> str:
        if self.recipient_user_id:
            user = self.recipient_user
            return user.get_full_name() or user.get_username()
        return self.recipient_person.name if self.recipient_person_id else ""

    def clean(self):
        super().clean()
        if bool(self.recipient_user_id) == bool(self.recipient_person_id):
            raise ValidationError(_("A notification goes to exactly one staff user or one person."))

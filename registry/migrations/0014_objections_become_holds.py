"""Records in the old status "under objection" get an open objection hold
instead, and their status goes back to what it was before the objection (from
their history; "active" when the history does not say). Each change has a
history row by the system user.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone

UNDER_OBJECTION = "under_objection"
REASON = "objection status became a display hold (the status before the objection is restored)"
REFERENCE = "before display holds"


def _system(apps):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    system, _created = User.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_active": False, "is_staff": False, "first_name": "system", "password": make_password(None)},
    )
    return system


def _history_row(Historical, instance, tracked, now, user, history_type="~"):
    return Historical.objects.create(
        **{name: getattr(instance, name) for name in tracked},
        history_date=now,
        history_type=history_type,
        history_change_reason=REASON,
        history_user_id=user.pk,
    )


def _tracked(Historical, Model):
    return {f.attname for f in Historical._meta.concrete_fields} & {f.attname for f in Model._meta.concrete_fields}


def objections_to_holds(apps, schema_editor):
    CreditRecord = apps.get_model("registry", "CreditRecord")
    HistoricalRecord = apps.get_model("registry", "HistoricalCreditRecord")
    DisplayHold = apps.get_model("registry", "DisplayHold")
    HistoricalHold = apps.get_model("registry", "HistoricalDisplayHold")
    pending = list(CreditRecord.objects.filter(status=UNDER_OBJECTION).order_by("pk").values_list("pk", flat=True))
    if not pending:
        return
    system = _system(apps)
    now = timezone.now()
    record_fields = _tracked(HistoricalRecord, CreditRecord)
    hold_fields = _tracked(HistoricalHold, DisplayHold)
    for pk in pending:
        before = (
            HistoricalRecord.objects.filter(id=pk)
            .exclude(status=UNDER_OBJECTION)
            .order_by("-history_date", "-history_id")
            .values_list("status", flat=True)
            .first()
        )
        previous = before if before in ("active", "corrected") else "active"
        CreditRecord.objects.filter(pk=pk).update(status=previous, updated_at=now)
        record = CreditRecord.objects.get(pk=pk)
        _history_row(HistoricalRecord, record, record_fields, now, system)
        hold = DisplayHold.objects.create(
            record_id=pk,
            source="objection",
            reference=REFERENCE,
            opened_at=now,
            opened_by_id=system.pk,
            open_reason=REASON,
        )
        _history_row(HistoricalHold, hold, hold_fields, now, system, history_type="+")


def holds_to_objections(apps, schema_editor):
    CreditRecord = apps.get_model("registry", "CreditRecord")
    DisplayHold = apps.get_model("registry", "DisplayHold")
    held = DisplayHold.objects.filter(closed_at__isnull=True, source="objection")
    CreditRecord.objects.filter(pk__in=held.values("record_id")).update(status=UNDER_OBJECTION)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0013_display_holds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(objections_to_holds, holds_to_objections)]

"""Decision numbers stored before records were normalised on save (full-width
digits, surrounding spaces) are normalised now, so that the same decision in a
department's spreadsheet (which the import normalises) matches its record
instead of creating a second one. Each changed record gets a history row by the
system user. A number whose normalised form is already taken in its department
(a duplicate made earlier) is left as it is, for a person to merge.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.db.models import Q
from django.utils import timezone

# Frozen copies of registry.identifiers.normalise_document_number's rules.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
STRIP_CHARS = " \t\r\n\u3000\u00a0\ufeff\u200b"
REASON = "decision number normalised (full-width digits, surrounding spaces)"


def normalise(value: str) -> str:
    return value.translate(FULL_WIDTH_DIGITS).strip(STRIP_CHARS)


def normalise_decision_numbers(apps, schema_editor):
    CreditRecord = apps.get_model("registry", "CreditRecord")
    Historical = apps.get_model("registry", "HistoricalCreditRecord")
    candidates = Q(decision_no__regex="[０-９]")
    for char in STRIP_CHARS:
        candidates |= Q(decision_no__startswith=char) | Q(decision_no__endswith=char)
    pending = list(CreditRecord.objects.filter(candidates).order_by("pk").values_list("pk", flat=True))
    if not pending:
        return
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    system, _created = User.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_active": False, "is_staff": False, "first_name": "system", "password": make_password(None)},
    )
    tracked = {field.attname for field in Historical._meta.concrete_fields} & {
        field.attname for field in CreditRecord._meta.concrete_fields
    }
    now = timezone.now()
    for pk in pending:
        record = CreditRecord.objects.get(pk=pk)
        number = normalise(record.decision_no)
        if number == record.decision_no:
            continue
        taken = CreditRecord.objects.filter(department_id=record.department_id, decision_no=number).exists()
        if taken:
            continue
        CreditRecord.objects.filter(pk=pk).update(decision_no=number, updated_at=now)
        record.refresh_from_db()
        Historical.objects.create(
            **{name: getattr(record, name) for name in tracked},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user_id=system.pk,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_catalog_recording_departments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(normalise_decision_numbers, migrations.RunPython.noop)]

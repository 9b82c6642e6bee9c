"""Re-encrypt every stored ID number under the first key of FIELD_ENCRYPTION_KEYS.

Rotation, step by step (README, "Rotating the encryption key"):
1. put the new key first in FIELD_ENCRYPTION_KEYS, keep the old ones after it;
2. restart the processes, then run ``manage.py rotate_keys``;
3. when it reports 0 left, remove the old key from the environment.
"""

from django.core.management.base import BaseCommand

from registry import crypto
from registry.models import Person
from registry.services import rotate_encryption_keys


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers (current and history rows) under the first configured key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        primary = crypto.primary_key_id()
        self.stdout.write(f"Primary key id: {primary}")
        changed = rotate_encryption_keys(batch_size=batch_size)
        prefix = f"{crypto.VERSION}.{primary}."
        left = sum(
            model.objects.exclude(id_number_encrypted__startswith=prefix).count()
            for model in (Person, Person.history.model)
        )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {changed} values; {left} left under other keys."))
        if left:
            raise SystemExit(1)

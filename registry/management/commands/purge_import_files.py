"""Delete uploaded import files idle past IMPORT_FILE_RETENTION_DAYS (what the beat runs daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from registry.importing.jobs import purge_files


class Command(BaseCommand):
    help = (
        "Delete the stored files of import jobs idle for IMPORT_FILE_RETENTION_DAYS (they hold ID numbers in "
        "clear); the jobs keep their name, SHA-256, counts and error report. Safe to rerun."
    )

    def handle(self, *args, **options):
        purged = purge_files()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted the files of {purged} import jobs idle for more than "
                f"{settings.IMPORT_FILE_RETENTION_DAYS} days."
            )
        )

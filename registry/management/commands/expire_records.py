"""End the display of records whose display period has ended (what the beat runs daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from registry import expiry


class Command(BaseCommand):
    help = (
        "Move every record whose display period has ended to 'expired', with one history row each "
        "(system user, reason 'display period ended'). Idempotent: safe to rerun or run concurrently."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Treat this date (YYYY-MM-DD, Asia/Shanghai) as today.")
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing.")
        parser.add_argument("--chunk-size", type=int, default=expiry.DEFAULT_CHUNK_SIZE)
        parser.add_argument("--pause", type=float, default=0.0, help="Seconds to sleep between chunks.")

    def handle(self, *args, today, dry_run, chunk_size, pause, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        result = expiry.expire_records(today=day, dry_run=dry_run, chunk_size=chunk_size, pause=pause)
        if dry_run:
            self.stdout.write(
                f"{result.expired} records are past their display period as of {result.today} (dry run: nothing changed)."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Expired {result.expired} records as of {result.today} in {result.chunks} chunks ({result.seconds:.1f}s)."
                )
            )

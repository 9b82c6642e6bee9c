"""``manage.py load_demo``: demo departments, catalogue, persons, records and users.

Idempotent: a second run finds everything in place and writes nothing (no
history rows). All writes go through ``registry.services`` as the ``operator``
superuser (created if missing) with the reason "demo data". The data is the
same on every run (fixed seed; dates relative to today in Asia/Shanghai).
"""

from django.core.management.base import BaseCommand, CommandError

from registry.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Load the demo data: the Yunnan department tree from the 2017 implementation plan, a catalogue, "
        "synthetic persons and credit records in every status, and one demo user per role. Safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=300, help="number of synthetic persons (default 300)")
        parser.add_argument("--records", type=int, default=600, help="number of credit records (default 600)")

    def handle(self, *args, persons, records, verbosity, **options):
        if persons < 0 or records < 0:
            raise CommandError("--persons and --records cannot be negative.")
        if records and not persons:
            raise CommandError("Records need persons: give --persons 1 or more.")
        DemoLoader(persons=persons, records=records, stdout=self.stdout, style=self.style, verbosity=verbosity).run()

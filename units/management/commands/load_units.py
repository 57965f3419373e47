from pathlib import Path

from django.core.management.base import BaseCommand

from units.models import Unit
from units.services import HA_NAM_2022_FIXTURE, units_load_fixture


class Command(BaseCommand):
    help = "Load the units of Hà Nam 2022 (or another fixture file) idempotently."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=HA_NAM_2022_FIXTURE, help="fixture file (JSON)")

    def handle(self, *args, **options):
        result = units_load_fixture(path=options["file"])
        self.stdout.write(f"Units: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.")
        if not result.changed_anything:
            self.stdout.write("Nothing to do: the database already matches the fixture.")
        counts = {kind: Unit.objects.filter(kind=kind).count() for kind in Unit.Kind.values}
        self.stdout.write("In the database: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))

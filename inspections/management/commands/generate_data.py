from django.core.management.base import BaseCommand, CommandError

from inspections import datagen


class Command(BaseCommand):
    help = (
        "Generate a deterministic data set for load tests: the Hà Nam 2022 registry (ha-nam) or every "
        "district and commune of Vietnam (national), with plans, visits, reports, findings, conclusions "
        "and remediation. Refuses a database holding data it did not make, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=datagen.SCALES, required=True)
        parser.add_argument("--seed", type=int, default=2022, help="same seed, same data (default 2022)")
        parser.add_argument("--years", type=int, nargs="+", default=[2022, 2023], help="one plan per year")
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though the database holds other data; plans of the same years are deleted first",
        )
        parser.add_argument(
            "--visits-per-year",
            type=int,
            help=f"units inspected directly each year (default {datagen.VISIT_SHARE:.1%} of departments and "
            f"districts, at least {datagen.MIN_VISITS})",
        )
        parser.add_argument(
            "--files", action="store_true", help="one small PDF per stored file instead of one shared placeholder"
        )
        parser.add_argument("--digest", action="store_true", help="print a digest of the data (slow at scale)")

    def handle(self, *args, **options):
        for year in options["years"]:
            if not 2000 <= year <= 2100:
                raise CommandError(f"Year {year} is out of range (2000-2100).")
        if options["visits_per_year"] is not None and options["visits_per_year"] < 1:
            raise CommandError("--visits-per-year must be at least 1.")
        settings = datagen.Options(
            scale=options["scale"],
            seed=options["seed"],
            years=tuple(options["years"]),
            visits_per_year=options["visits_per_year"],
            files=options["files"],
            force=options["force"],
        )
        try:
            result = datagen.generate(settings, log=self.stdout.write)
        except datagen.Refused as refusal:
            raise CommandError(str(refusal)) from refusal
        if result.status == "unchanged":
            self.stdout.write(f"Nothing to do: the database already holds this data ({settings.signature}).")
        else:
            self.stdout.write(f"Generated {settings.signature} in {result.seconds:.1f} s.")
        self.stdout.write("Rows in the database:")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<28} {count:>9}")
        self.stdout.write(
            f"Accounts (password for all: {datagen.PASSWORD}): gen-coordinator, gen-leader, gen-lead (team lead), "
            "gen-inspector-NN, gen-unit-<unit code>."
        )
        if options["digest"]:
            self.stdout.write(f"Digest: {datagen.dataset_digest()}")

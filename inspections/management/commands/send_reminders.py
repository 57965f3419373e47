import datetime

from django.core.management.base import BaseCommand

from inspections.services import reminders_send


class Command(BaseCommand):
    help = (
        "Email reminders for reports due (run daily from cron). Each reminder kind goes at most once "
        "per unit and deadline, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--days-before", type=int, help="first reminder N days before (setting by default)")

    def handle(self, *args, **options):
        sent = reminders_send(today=options["today"], days_before=options["days_before"])
        self.stdout.write(f"Reminders sent: {sent}.")

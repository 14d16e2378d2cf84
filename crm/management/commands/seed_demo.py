from django.core.management.base import BaseCommand, CommandError

from crm.demo import demo_seed
from events.demo import demo_events_seed
from privacy.demo import demo_registers


class Command(BaseCommand):
    help = "Fill the register with realistic Finnish demo data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--contacts", type=int, default=200, help="How many demo people the register holds."
        )

    def handle(self, *args, contacts, **options):
        if contacts < 0:
            raise CommandError("--contacts must be zero or more.")
        result = demo_seed(contacts=contacts)
        events = demo_events_seed()
        registers = demo_registers()
        self.stdout.write(
            f"Demo data: {result.contacts} contacts, {result.organisations} organisations, "
            f"{result.memberships} memberships, {events} events and {registers} register "
            "descriptions created."
        )

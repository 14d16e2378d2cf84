from django.core.management.base import BaseCommand, CommandError

from privacy.models import Register
from privacy.registers import as_yaml


class Command(BaseCommand):
    help = "Write a register description as YAML (docs/register-schema.md) to standard output."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The register's name (register_report --list).")

    def handle(self, *args, name, **options):
        register = Register.objects.filter(name=name).prefetch_related("texts").first()
        if register is None:
            raise CommandError(f'No register "{name}". register_report --list names them.')
        self.stdout.write(as_yaml(register), ending="")

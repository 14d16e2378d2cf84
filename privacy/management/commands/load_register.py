from django.core.management.base import BaseCommand, CommandError

from privacy.registers import RegisterInvalid, load_document
from privacy.services import register_load


class Command(BaseCommand):
    help = (
        "Create or update (by name) a register description from a YAML file. Every problem is "
        "reported with its path and nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The YAML file (docs/register-schema.md); - reads stdin.")

    def handle(self, *args, file, **options):
        import sys
        from pathlib import Path

        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from None
        try:
            register = register_load(document=load_document(text))
        except RegisterInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{file}: {len(invalid.problems)} problem(s); nothing was changed."
            ) from None
        self.stdout.write(f"Register description “{register.name}” loaded.")

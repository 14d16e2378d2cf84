from django.core.management.base import BaseCommand, CommandError

from privacy import reports
from privacy.models import Register
from privacy.registers import TEXT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Print a register description (tietosuojaseloste) as PDF; --list names the registers; "
        "--record prints the record of processing activities (GDPR Art. 30(1)) of all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The register's name.")
        parser.add_argument("--lang", choices=TEXT_LANGUAGES, default="fi")
        parser.add_argument("--output", help="The PDF file to write.")
        parser.add_argument("--list", action="store_true", help="Print the registers' names.")
        parser.add_argument(
            "--record", action="store_true", help="The Art. 30 record of all registers."
        )

    def handle(self, *args, name, lang, output, list, record, **options):
        if list:
            for register_name in Register.objects.order_by("name").values_list("name", flat=True):
                self.stdout.write(register_name)
            return
        if not output:
            raise CommandError("--output FILE is needed (the PDF is not written to a terminal).")
        if record:
            pdf = reports.record_of_processing(lang)
        else:
            if not name:
                raise CommandError("Name a register (register_report --list names them).")
            register = Register.objects.filter(name=name).first()
            if register is None:
                raise CommandError(f'No register "{name}". register_report --list names them.')
            pdf = reports.register_pdf(register, lang)
        with open(output, "wb") as f:
            f.write(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes.")

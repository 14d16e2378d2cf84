from django.core.management.base import BaseCommand

from privacy import reports
from privacy.registers import TEXT_LANGUAGES


class Command(BaseCommand):
    help = "Print one of the DPO's reports as PDF: record (Art. 30), consents, breaches."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["record", "consents", "breaches"])
        parser.add_argument("--lang", choices=TEXT_LANGUAGES, default="fi")
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, report, lang, output, **options):
        make = {
            "record": reports.record_of_processing,
            "consents": reports.consent_pdf,
            "breaches": reports.breach_pdf,
        }[report]
        pdf = make(lang)
        with open(output, "wb") as f:
            f.write(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes.")

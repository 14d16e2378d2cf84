import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy import reports
from privacy.registers import TEXT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Print one of the DPO's reports as PDF: record (Art. 30), consents, breaches, requests "
        "(the rights-request log of --from to --to, ISO dates; the last year by default)."
    )

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["record", "consents", "breaches", "requests"])
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat)
        parser.add_argument("--lang", choices=TEXT_LANGUAGES, default="fi")
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, report, lang, output, start, end, **options):
        end = end or timezone.localdate()
        start = start or end - datetime.timedelta(days=365)
        if start > end:
            raise CommandError("--from is after --to.")
        make = {
            "requests": lambda lang: reports.request_log_pdf(lang, start=start, end=end),
            "record": reports.record_of_processing,
            "consents": reports.consent_pdf,
            "breaches": reports.breach_pdf,
        }[report]
        pdf = make(lang)
        with open(output, "wb") as f:
            f.write(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes.")

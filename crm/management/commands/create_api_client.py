from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.models import ApiClient
from crm.services import api_client_create


class Command(BaseCommand):
    help = "Create an API client for an integration and print its token (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The integration's name, e.g. 'Webropol' or 'www form'.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            required=True,
            choices=ApiClient.Scope.values,
            help="Repeat for each scope the integration needs.",
        )
        parser.add_argument(
            "--expires-in-days",
            type=int,
            dest="expires_in_days",
            help="The token stops working after this many days (default: when revoked).",
        )

    def handle(self, *args, name, scopes, expires_in_days=None, **options):
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client called {name!r} exists already.")
        expires_at = None
        if expires_in_days is not None:
            if not 1 <= expires_in_days <= 3650:
                raise CommandError("--expires-in-days must be from 1 to 3650.")
            expires_at = timezone.now() + timedelta(days=expires_in_days)
        try:
            created, token = api_client_create(name=name, scopes=scopes, expires_at=expires_at)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        client = created.instance
        self.stdout.write(f"API client {client.name!r} with scopes {', '.join(client.scopes)}.")
        if client.expires_at:
            self.stdout.write(f"The token expires at {client.expires_at.isoformat()}.")
        self.stdout.write("Its token, shown only now (keep it in the integration's secret store):")
        self.stdout.write(token)

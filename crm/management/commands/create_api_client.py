from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

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

    def handle(self, *args, name, scopes, **options):
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client called {name!r} exists already.")
        try:
            created, token = api_client_create(name=name, scopes=scopes)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        client = created.instance
        self.stdout.write(f"API client {client.name!r} with scopes {', '.join(client.scopes)}.")
        self.stdout.write("Its token, shown only now (keep it in the integration's secret store):")
        self.stdout.write(token)

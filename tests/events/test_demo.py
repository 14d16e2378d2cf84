"""The demo events `make run` shows."""

import pytest
from django.core import mail
from django.core.management import call_command

from events.models import Answer, BillingDetails, Event, Recipient, Registration

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_three_realistic_events_once():
    call_command("seed_demo", contacts=60, verbosity=0)
    assert set(Event.objects.values_list("slug", flat=True)) == {
        "vuosiseminaari",
        "koulutuspaiva",
        "asiakasilta",
    }
    seminar = Event.objects.get(slug="vuosiseminaari")
    assert seminar.is_paid
    assert BillingDetails.objects.filter(registration__event=seminar).count() == 12
    for billing in BillingDetails.objects.all():
        billing.full_clean()  # valid business IDs, OVT matching them, references
    training = Event.objects.get(slug="koulutuspaiva")
    assert Recipient.objects.get(event=training).kind == Recipient.Kind.CATERER
    assert Answer.objects.filter(question__sensitive=True, sensitive_consent_at__isnull=False)
    evening = Event.objects.get(slug="asiakasilta")
    statuses = list(evening.registrations.values_list("status", flat=True))
    assert statuses.count("confirmed") == 10 and statuses.count("waiting") == 3
    assert mail.outbox == []
    count = Registration.objects.count()
    call_command("seed_demo", contacts=60, verbosity=0)
    assert Registration.objects.count() == count


def test_seed_demo_without_people_makes_empty_events():
    call_command("seed_demo", contacts=0, verbosity=0)
    assert Event.objects.count() == 3 and not Registration.objects.exists()

"""A person with rows in every app (for the export and erasure job tests): roles, an
interaction, a consent with its ledger, an event registration with answers and billing details,
and a disclosure of their registration to a caterer."""

import datetime
from decimal import Decimal

from django.utils import timezone

from consent import services as consent_services
from consent.models import Purpose
from crm.models import Interaction
from events.models import (
    Answer,
    BillingDetails,
    Choice,
    DisclosedPerson,
    Disclosure,
    Event,
    Question,
    Recipient,
    Registration,
)
from tests.factories import ContactFactory, MembershipFactory

STAFF = consent_services.Evidence(source="staff", detail="Maija", note="Paperilomake")


def event_with_recipient(slug="kevatseminaari"):
    now = timezone.now()
    event = Event.objects.create(
        slug=slug,
        title_fi="Kevätseminaari",
        title_sv="Vårseminarium",
        title_en="Spring seminar",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=6),
        price=Decimal("120.00"),
        capacity=100,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=20),
        organiser_unit="Koulutus",
    )
    question = Question.objects.create(event=event, kind="choices", text_fi="Ruokavalio")
    choice = Choice.objects.create(question=question, label_fi="Gluteeniton")
    recipient = Recipient.objects.create(
        event=event, name="Pitopalvelu Hämäläinen Oy", kind="caterer", fields=["first_name"]
    )
    return event, question, choice, recipient


def person_everywhere(*, first_name="Åsa", last_name="Öberg", email="asa.oberg@example.com"):
    person = ContactFactory(
        first_name=first_name, last_name=last_name, email=email, preferred_language="sv"
    )
    MembershipFactory(contact=person, job_title="Rektor")
    Interaction.objects.create(contact=person, kind="call", summary="Ringde om kursen")
    purpose, _created = Purpose.objects.get_or_create(
        code="uutiskirje", defaults={"name_fi": "Uutiskirje", "validity_days": 730}
    )
    consent_services.consent_text_publish(purpose=purpose, text_fi="Haluan uutiskirjeen.")
    consent_services.consent_give(contact=person, purpose=purpose, evidence=STAFF)
    event, question, choice, recipient = event_with_recipient(f"seminaari-{person.pk}")
    registration = Registration.objects.create(
        event=event, contact=person, language="sv", registered_at=timezone.now()
    )
    answer = Answer.objects.create(registration=registration, question=question)
    answer.choices.add(choice)
    BillingDetails.objects.create(
        registration=registration,
        contact=person,
        payer_kind="person",
        payer_name=f"{first_name} {last_name}",
        street_address="Storgatan 1",
        postal_code="65100",
        city="Vasa",
        amount=Decimal("120.00"),
        vat_rate=Decimal("25.5"),
    )
    disclosure = Disclosure.objects.create(
        event=event,
        recipient=recipient,
        recipient_name=recipient.name,
        fields=["first_name"],
        people_count=1,
    )
    DisclosedPerson.objects.create(disclosure=disclosure, contact=person, registration=registration)
    return person

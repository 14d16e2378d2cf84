"""Events, registrations and answers for the staff-side tests (written directly: the staff
tests are about what staff do with registrations, not about registering)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from crm.models import Municipality
from events.models import (
    Answer,
    BillingDetails,
    Choice,
    Event,
    Question,
    Recipient,
    Registration,
)
from tests.factories import ContactFactory


def make_event(*, ended_days_ago: int = 40, retention_days: int = 30, price="0", **extra) -> Event:
    ends = timezone.now() - datetime.timedelta(days=ended_days_ago)
    values = {
        "slug": f"seminaari-{Event.objects.count() + 1}",
        "title_fi": "Kevätseminaari",
        "organiser_unit": "Viestintä",
        "contact_name": "Outi Järjestäjä",
        "contact_email": "outi@example.com",
        "starts_at": ends - datetime.timedelta(hours=6),
        "ends_at": ends,
        "capacity": 100,
        "registration_opens_at": ends - datetime.timedelta(days=60),
        "registration_closes_at": ends - datetime.timedelta(days=1),
        "is_published": True,
        "retention_days": retention_days,
        "price": Decimal(price),
        **extra,
    }
    return Event.objects.create(**values)


def diet_question(event: Event) -> Question:
    return Question.objects.create(
        event=event,
        kind=Question.Kind.TEXT,
        text_fi="Erityisruokavalio",
        sensitive=True,
        consent_text_fi="Suostun ruokavaliotietoni käsittelyyn.",
        order=1,
    )


def shirt_question(event: Event) -> tuple[Question, list[Choice]]:
    question = Question.objects.create(
        event=event, kind=Question.Kind.SINGLE_CHOICE, text_fi="Paidan koko", order=2
    )
    choices = [Choice.objects.create(question=question, label_fi=s) for s in ("S", "M", "L")]
    return question, choices


def register(
    event: Event,
    *,
    status=Registration.Status.CONFIRMED,
    municipality: Municipality | None = None,
    diet: str | None = None,
    diet_consent: bool = True,
    note: str = "",
    **contact,
) -> Registration:
    person = ContactFactory(**contact)
    registration = Registration.objects.create(
        event=event,
        contact=person,
        status=status,
        source=Registration.Source.PUBLIC_FORM,
        networking=True,
        share_email=True,
        check_in_note=note,
        stat_municipality=municipality,
        stat_relationship=Registration.Relationship.CUSTOMER,
        stat_registered_on=timezone.localdate() - datetime.timedelta(days=50),
    )
    if diet is not None:
        question = event.questions.get(sensitive=True)
        Answer.objects.create(
            registration=registration,
            question=question,
            text=diet,
            sensitive_consent_at=timezone.now() if diet_consent else None,
        )
    return registration


def bill(registration: Registration) -> BillingDetails:
    return BillingDetails.objects.create(
        registration=registration,
        contact=registration.contact,
        payer_kind=BillingDetails.PayerKind.PERSON,
        payer_name=str(registration.contact),
        street_address="Katu 1",
        postal_code="00100",
        city="Helsinki",
        amount=Decimal("100.00"),
        vat_rate=Decimal("25.50"),
    )


def caterer(event: Event, *questions: Question) -> Recipient:
    recipient = Recipient.objects.create(
        event=event,
        name="Pitopalvelu Herkku Oy",
        kind=Recipient.Kind.CATERER,
        email="tilaukset@herkku.example.com",
        fields=["first_name", "last_name"],
    )
    recipient.questions.set(questions)
    return recipient

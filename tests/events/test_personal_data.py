"""Events' rows in the person's access answer and in erasure, as the declarations say."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from events import services
from events.models import Answer, BillingDetails, DisclosedPerson, Disclosure, Registration
from privacy.declarations import Erasure
from privacy.erasure import contact_erase, erasure_plan
from privacy.selectors import personal_data_for_contact

from .conftest import add_question, make_event, person

pytestmark = pytest.mark.django_db


def test_a_hold_from_the_end_of_the_year():
    rule = Erasure.keep(law="x", period_years=6, from_end_of_year=True, counted_from="created_at")
    assert rule.until(datetime.date(2026, 3, 5)) == datetime.date(2032, 12, 31)
    assert rule.until(datetime.date(2026, 12, 31)) == datetime.date(2032, 12, 31)
    days = Erasure.keep(law="x", period_days=10)
    assert days.until(datetime.date(2026, 12, 25)) == datetime.date(2027, 1, 4)
    with pytest.raises(ValueError):
        Erasure.keep(law="x")


def _registered_person():
    from decimal import Decimal

    event = make_event(slug="maksu", price=Decimal("90.00"), networking_offered=True)
    question = add_question(event, text_fi="Toiveet")
    registration = services.registration_create(
        event=event,
        data=person(
            answers={question.pk: "Ikkunapaikka"},
            networking=True,
            share_email=True,
            organisation_name="Oma Oy",
            billing={
                "payer_kind": "person",
                "payer_name": "Etu1 Suku1",
                "street_address": "Katu 1",
                "postal_code": "00100",
                "city": "Helsinki",
            },
        ),
        source="public_form",
        language="sv",
    ).registration
    disclosure = Disclosure.objects.create(
        event=event, recipient_name="Pitopalvelu", fields=["first_name"], people_count=1
    )
    DisclosedPerson.objects.create(
        disclosure=disclosure, contact=registration.contact, registration=registration
    )
    return registration


def test_the_access_answer_holds_the_registration_answers_billing_and_disclosures():
    registration = _registered_person()
    labels = {r.model_label for r in personal_data_for_contact(registration.contact)}
    assert {
        "events.Registration",
        "events.Answer",
        "events.BillingDetails",
        "events.DisclosedPerson",
    } <= labels


def test_erasure_keeps_billing_under_the_accounting_act_and_anonymises_the_rest():
    registration = _registered_person()
    contact = registration.contact
    plan = erasure_plan(contact=contact)
    billing_plan = next(m for m in plan.models if m.model_label == "events.BillingDetails")
    year = BillingDetails.objects.get().created_at.year
    assert {k.until for k in billing_plan.kept} == {datetime.date(year + 6, 12, 31)}
    assert "Kirjanpitolaki" in billing_plan.kept[0].law

    staff = get_user_model().objects.create_user("dpo", password="x" * 20)
    contact_erase(contact=contact, actor=staff)

    assert not Answer.objects.exists() and not DisclosedPerson.objects.exists()
    registration = Registration.objects.get()
    assert (registration.networking, registration.share_email, registration.organisation_name) == (
        False,
        False,
        "",
    )
    assert registration.language == "fi" and registration.registered_at is None
    # The statistics and the voucher stay.
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.stat_registered_on is not None
    assert BillingDetails.objects.get().payer_name == "Etu1 Suku1"

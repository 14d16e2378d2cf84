"""Registering through the service: places, the waiting list, promotion, and bad input that
changes nothing."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from consent.models import ConsentEvent, ConsentState
from crm.models import Contact
from events import services
from events.models import Answer, BillingDetails, Question, Registration
from tests.factories import ContactFactory

from .conftest import add_question, make_event, person

pytestmark = pytest.mark.django_db

Status = Registration.Status


def register(event, data, **kw):
    kw.setdefault("source", Registration.Source.PUBLIC_FORM)
    kw.setdefault("language", "fi")
    return services.registration_create(event=event, data=data, **kw)


def counts():
    return (
        Registration.objects.count(),
        Answer.objects.count(),
        BillingDetails.objects.count(),
        Contact.objects.count(),
        ConsentEvent.objects.count(),
    )


def refused(event, data, field, **kw):
    before = counts()
    with pytest.raises(ValidationError) as error, translation.override("fi"):
        register(event, data, **kw)
    assert counts() == before
    return error.value.message_dict[field]


def test_places_then_the_waiting_list_with_mails(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        results = [register(event, person(n)) for n in range(1, 5)]
    assert [r.registration.status for r in results] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITING,
        Status.WAITING,
    ]
    assert [m.to for m in mail.outbox] == [[f"osallistuja{n}@example.com"] for n in range(1, 5)]
    assert "Ilmoittautuminen vahvistettu" in mail.outbox[0].subject
    assert "jonossa" in mail.outbox[2].subject or "varasijalla" in mail.outbox[2].subject
    new = Contact.objects.get(email="osallistuja1@example.com")
    assert new.source == Contact.Source.EVENT_REGISTRATION
    assert new.subject_category == Contact.SubjectCategory.EVENT_PARTICIPANT


def test_a_cancellation_promotes_the_first_waiting_and_mails_them(
    event, django_capture_on_commit_callbacks
):
    first, _second, third, _fourth = (register(event, person(n)).registration for n in range(1, 5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(registration=first)
    assert [r.pk for r in promoted] == [third.pk]
    statuses = dict(Registration.objects.values_list("contact__email", "status"))
    assert statuses == {
        "osallistuja1@example.com": Status.CANCELLED,
        "osallistuja2@example.com": Status.CONFIRMED,
        "osallistuja3@example.com": Status.CONFIRMED,
        "osallistuja4@example.com": Status.WAITING,
    }
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["osallistuja1@example.com", "osallistuja3@example.com"]
    promoted_mail = next(m for m in mail.outbox if m.to == ["osallistuja3@example.com"])
    assert "/events/registration/" in promoted_mail.body
    # Cancelling again changes nothing and promotes no one.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registration_cancel(registration=first) == []
    assert mail.outbox == []


def test_a_new_registration_does_not_jump_the_queue(event):
    first = register(event, person(1)).registration
    register(event, person(2))
    register(event, person(3))
    event.capacity = 3
    event.save()
    # A place is free, but someone is waiting: the new person queues behind them.
    assert register(event, person(4)).registration.status == Status.WAITING
    services.waiting_list_promote(event=event)
    assert Registration.objects.get(contact__email="osallistuja3@example.com").status == (
        Status.CONFIRMED
    )
    assert first.status == Status.CONFIRMED


def test_closed_not_open_and_unpublished_events_refuse(db):
    now = timezone.now()
    closed = make_event(
        slug="suljettu",
        registration_opens_at=now - datetime.timedelta(days=5),
        registration_closes_at=now - datetime.timedelta(days=1),
    )
    assert refused(closed, person(), "event") == [
        "Ilmoittautuminen tähän tapahtumaan on päättynyt."
    ]
    later = make_event(
        slug="myohemmin",
        registration_opens_at=now + datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=5),
    )
    assert refused(later, person(), "event") == [
        "Ilmoittautuminen tähän tapahtumaan ei ole vielä alkanut."
    ]
    hidden = make_event(slug="piilossa", is_published=False)
    assert refused(hidden, person(), "event") == ["Ilmoittautuminen tähän tapahtumaan ei ole auki."]


def test_one_registration_per_email_per_event(event):
    register(event, person(1))
    assert refused(event, person(1, first_name="Toinen"), "email") == [
        "Tällä sähköpostiosoitteella on jo ilmoittauduttu tähän tapahtumaan."
    ]
    # Also in another case of the address.
    refused(event, person(1, email="OSALLISTUJA1@example.COM"), "email")
    # After cancelling, the person may register again.
    services.registration_cancel(registration=Registration.objects.get())
    assert register(event, person(1)).registration.status == Status.CONFIRMED


def test_an_existing_person_is_matched_and_not_overwritten(event):
    known = ContactFactory(email="tuttu@example.com", first_name="Aino", last_name="Tuttu")
    result = register(event, person(9, email="tuttu@example.com", first_name="Huijari"))
    assert result.registration.contact == known
    known.refresh_from_db()
    assert known.first_name == "Aino"
    assert Contact.objects.count() == 1


def test_missing_required_answers_and_bad_choices(event):
    required = add_question(event, text_fi="Mistä kuulit?", required=True)
    choice = add_question(
        event, kind=Question.Kind.SINGLE_CHOICE, text_fi="Päivä", choices=["Ti", "Ke"]
    )
    date = add_question(event, kind=Question.Kind.DATE, text_fi="Saapumispäivä")
    assert refused(event, person(), f"question_{required.pk}") == [
        "Tähän kysymykseen on vastattava."
    ]
    other_question_choice = add_question(
        event, kind=Question.Kind.SINGLE_CHOICE, text_fi="Muu", choices=["X"]
    ).choices.get()
    data = person(answers={required.pk: "Lehdestä", choice.pk: other_question_choice.pk})
    assert refused(event, data, f"question_{choice.pk}") == ["Valitse jokin vaihtoehdoista."]
    data = person(answers={required.pk: "Lehdestä", date.pk: "2026-13-45"})
    assert refused(event, data, f"question_{date.pk}") == ["Anna kelvollinen päivämäärä."]
    data = person(answers={required.pk: "Lehdestä", 999999: "x"})
    refused(event, data, "answers")


def test_a_sensitive_answer_needs_its_consent(event):
    diet = add_question(
        event,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text_fi="Erityisruokavalio",
        choices=["Gluteeniton", "Vegaani"],
        sensitive=True,
        consent_text_fi="Suostun, että ruokavaliotietoni käsitellään tarjoilua varten.",
    )
    gluten = diet.choices.get(label_fi="Gluteeniton")
    message = refused(event, person(answers={diet.pk: [gluten.pk]}), f"question_{diet.pk}")
    assert "rastita" in message[0]
    result = register(event, person(answers={diet.pk: [gluten.pk]}, sensitive_consents=[diet.pk]))
    answer = Answer.objects.get(registration=result.registration)
    assert list(answer.choices.all()) == [gluten]
    assert answer.sensitive_consent_at is not None
    # Unanswered, no consent needed.
    register(event, person(2))


def test_a_sensitive_question_cannot_be_required(event):
    with pytest.raises(ValidationError):
        add_question(event, text_fi="Allergiat", sensitive=True, required=True, consent_text_fi="x")


GOOD_BILLING = {
    "payer_kind": "organisation",
    "payer_name": "Maija Maksaja",
    "organisation_name": "Esimerkki Oy",
    "business_id": "2617416-4",
    "einvoice_address": "003726174164",
    "einvoice_operator": "003721291126",
}


def test_a_paid_event_keeps_valid_billing_details(paid_event):
    result = register(paid_event, person(billing={**GOOD_BILLING, "reference": "1232"}))
    billing = BillingDetails.objects.get(registration=result.registration)
    assert billing.amount == paid_event.price and billing.contact == result.registration.contact
    assert billing.reference == "1232"
    # The reference is made when the payer gives none, with a valid check digit.
    second = register(paid_event, person(2, billing=GOOD_BILLING))
    from events.validators import is_finnish_reference

    assert is_finnish_reference(second.registration.billing.reference)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"business_id": "2617416-5"}, "billing_business_id", "Anna kelvollinen Y-tunnus"),
        ({"vat_number": "FI12345678"}, "billing_vat_number", "ALV-numero"),
        ({"einvoice_address": "0037261741"}, "billing_einvoice_address", "OVT"),
        ({"einvoice_address": "003712345671"}, "billing_einvoice_address", "Y-tunnus"),
        ({"reference": "1234"}, "billing_reference", "viitenumero"),
        ({"payer_name": ""}, "billing_payer_name", ""),
    ],
)
def test_invalid_billing_identifiers_are_refused(paid_event, change, field, message):
    messages = refused(paid_event, person(billing={**GOOD_BILLING, **change}), field)
    assert message in " ".join(messages)


def test_a_paid_event_needs_billing_details(paid_event):
    refused(paid_event, person(), "billing_payer_name")


def test_networking_and_partner_consents_go_to_the_ledger(db):
    event = make_event(slug="verkosto", networking_offered=True)
    result = register(event, person(networking=True, share_email=True, partner_consent=True))
    contact = result.registration.contact
    codes = set(
        ConsentState.objects.filter(contact=contact, status="valid").values_list(
            "purpose__code", flat=True
        )
    )
    assert codes == {"event-networking", "event-partners"}
    state = ConsentState.objects.get(contact=contact, purpose__code="event-networking")
    assert [t.code for t in state.topics.all()] == [f"event-{event.pk}"]
    row = ConsentEvent.objects.filter(contact_id=contact.pk).first()
    assert "verkosto" in row.note


def test_a_staff_cancellation_names_the_staff_member_in_the_audit_trail(event):
    from auditlog.models import LogEntry
    from django.contrib.auth import get_user_model

    registration = register(event, person(1)).registration
    staff = get_user_model().objects.create_user("outi", password="x" * 20)
    services.registration_cancel(registration=registration, actor=staff)
    entry = LogEntry.objects.filter(
        object_pk=str(registration.pk), action=LogEntry.Action.UPDATE
    ).latest("timestamp")
    assert entry.actor == staff and "status" in entry.changes_dict


def test_a_past_event_cannot_be_cancelled(event):
    registration = register(event, person(1)).registration
    later = event.ends_at + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError):
        services.registration_cancel(registration=registration, now=later)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_raising_the_capacity_in_the_admin_confirms_the_first_people_waiting(
    event, event_organiser, django_capture_on_commit_callbacks
):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from events.models import Event

    register(event, person(1))
    register(event, person(2))
    register(event, person(3))
    register(event, person(4))
    register(event, person(5))
    assert _statuses() == {Status.CONFIRMED: 2, Status.WAITING: 3}
    mail.outbox.clear()

    request = RequestFactory().post("/admin/events/event/")
    request.user = event_organiser.user
    request.session = {}
    request._messages = FallbackStorage(request)
    event.capacity = 4
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Event].save_model(request, event, form=None, change=True)

    waiting = Registration.objects.filter(status=Status.WAITING)
    assert [r.contact.email for r in waiting] == ["osallistuja5@example.com"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "osallistuja3@example.com",
        "osallistuja4@example.com",
    ]
    [told] = list(request._messages)
    assert "2 jonossa ollutta siirtyi vapaille paikoille" in str(told)
    # Lowering it again demotes nobody: a confirmed place stays confirmed.
    event.capacity = 1
    services.event_save(event=event)
    assert _statuses() == {Status.CONFIRMED: 4, Status.WAITING: 1}


def _statuses():
    from collections import Counter

    return dict(Counter(Registration.objects.values_list("status", flat=True)))

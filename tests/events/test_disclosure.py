"""Sending a list to a recipient: exactly the recipient's fields and questions, sensitive answers
only with their explicit consent, and a disclosure log entry with a row per person included,
which the person's access answer lists."""

import csv
import io

import pytest
from django.urls import reverse

from events.models import DisclosedPerson, Disclosure, Registration
from privacy.selectors import personal_data_for_contact

from .staff_fixtures import caterer, diet_question, make_event, register, shirt_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = make_event(ended_days_ago=-10)  # in ten days
    diet = diet_question(event)
    shirt_question(event)
    register(event, first_name="Äijä", last_name="Öljynen", diet="gluteeniton", note="VIP")
    register(
        event, first_name="Matti", last_name="Meikäläinen", diet="laktoositon", diet_consent=False
    )
    register(event, first_name='=HYPERLINK("http://x")', last_name="Hyökkääjä")
    register(event, first_name="Odottava", last_name="Jonossa", status=Registration.Status.WAITING)
    caterer(event, diet)
    return event


def _send(client, event, **data):
    recipient = event.recipients.get()
    values = {"recipient": recipient.pk, "statuses": ["confirmed", "attended"], "format": "csv"}
    return client.post(
        reverse("admin:events_event_send", args=[event.pk]), {**values, **data, "send": "1"}
    )


def _rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_caterer_gets_names_and_consented_dietary_answers_only(event, event_organiser):
    response = _send(event_organiser.client, event)

    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0] == ["etunimi", "sukunimi", "Erityisruokavalio"]
    assert sorted(rows[1:]) == sorted(
        [
            ["Äijä", "Öljynen", "gluteeniton"],
            # No explicit consent: the answer does not go.
            ["Matti", "Meikäläinen", ""],
            # A name that a spreadsheet would run as a formula is text.
            ['\'=HYPERLINK("http://x")', "Hyökkääjä", ""],
        ]
    )
    body = "\n".join(";".join(r) for r in rows)
    for never in ("@", "VIP", "Jonossa", "Paidan koko", "+358"):
        assert never not in body


def test_the_disclosure_is_logged_with_who_what_and_whom(event, event_organiser):
    _send(event_organiser.client, event)

    disclosure = Disclosure.objects.get()
    assert disclosure.sent_by == event_organiser.user
    assert disclosure.recipient_name == "Pitopalvelu Herkku Oy"
    assert disclosure.fields == ["first_name", "last_name"]
    assert [q["text"] for q in disclosure.questions] == ["Erityisruokavalio"]
    assert disclosure.people_count == 3
    included = set(
        DisclosedPerson.objects.values_list("registration__contact__last_name", flat=True)
    )
    assert included == {"Öljynen", "Meikäläinen", "Hyökkääjä"}


def test_a_persons_access_answer_lists_the_disclosures_that_included_them(event, event_organiser):
    _send(event_organiser.client, event)
    included = Registration.objects.get(event=event, contact__last_name="Öljynen").contact
    waiting = Registration.objects.get(event=event, contact__last_name="Jonossa").contact

    def disclosures(person):
        return [
            r
            for r in personal_data_for_contact(person)
            if r.model_label == "events.DisclosedPerson"
        ]

    [record] = disclosures(included)
    assert "Pitopalvelu Herkku Oy" in str({v.field: v.value for v in record.values})
    assert disclosures(waiting) == []


def test_the_preview_shows_the_columns_and_count_and_sends_nothing(event, event_organiser):
    recipient = event.recipients.get()
    page = event_organiser.client.post(
        reverse("admin:events_event_send", args=[event.pk]),
        {"recipient": recipient.pk, "statuses": ["confirmed"], "format": "csv", "preview": "1"},
    )

    html = page.content.decode()
    assert "Erityisruokavalio" in html and "3" in html
    assert "gluteeniton" not in html
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("staff_member", ["sales", "marketing", "support", "dpo"], indirect=True)
def test_roles_without_the_permission_cannot_send(event, staff_member):
    response = _send(staff_member.client, event)

    assert response.status_code == 403
    assert not Disclosure.objects.exists()


def test_an_anonymous_visitor_gets_the_sign_in_page(event, client):
    response = _send(client, event)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "/admin/login" in response["Location"]
    assert not Disclosure.objects.exists()


def test_a_recipient_of_another_event_is_refused(event, event_organiser):
    other = make_event(ended_days_ago=-20)
    foreign = caterer(other)

    response = _send(event_organiser.client, event, recipient=foreign.pk)

    assert response.status_code == 200  # the form again, with its error
    assert "recipient" in response.context["form"].errors
    assert not Disclosure.objects.exists()


def test_the_pdf_goes_too_and_is_logged(event, event_organiser):
    from pypdf import PdfReader

    response = _send(event_organiser.client, event, format="pdf")

    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Öljynen" in text and "gluteeniton" in text
    assert Disclosure.objects.get().format == "pdf"


def test_the_dpo_reads_the_log_across_events_with_the_people_in_each(event, event_organiser, dpo):
    _send(event_organiser.client, event)
    other = make_event(ended_days_ago=-30)
    register(other, first_name="Toinen", last_name="Muualla")
    other_caterer = caterer(other)
    _send(event_organiser.client, other, recipient=other_caterer.pk)

    listing = dpo.client.get(reverse("admin:events_disclosure_changelist")).content.decode()
    disclosure = Disclosure.objects.get(event=event)
    page = dpo.client.get(reverse("admin:events_disclosure_change", args=[disclosure.pk]))

    assert listing.count("Pitopalvelu Herkku Oy") == 2
    html = page.content.decode()
    assert "Öljynen" in html and "Muualla" not in html
    assert "gluteeniton" not in html  # the log says what kind of data went, not the data

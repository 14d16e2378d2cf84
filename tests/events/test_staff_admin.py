"""The organiser's pages: the participant list (filters, search, check-in, notes), its CSV and
PDF exports (formula-safe, filtered by status, access-logged), statistics without names, the
shredder's preview and hand run; and who may open which."""

import csv
import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from events.models import Registration, ShredRun
from privacy.models import AccessedPerson

from .staff_fixtures import diet_question, make_event, register

pytestmark = pytest.mark.django_db

LIST = reverse("admin:events_registration_changelist")


@pytest.fixture
def event():
    event = make_event(ended_days_ago=-3)
    diet_question(event)
    register(event, first_name="Åsa", last_name="Öhman", diet="vegaani")
    register(event, first_name="=cmd|' /C calc'!A0", last_name="Laskin")
    register(event, first_name="Ville", last_name="Varalla", status=Registration.Status.WAITING)
    return event


def test_the_participant_list_filters_by_status_searches_and_logs_who_was_seen(
    event, event_organiser
):
    page = event_organiser.client.get(LIST, {"event": event.pk, "status__exact": "waiting"})

    html = page.content.decode()
    assert "Varalla" in html and "Öhman" not in html
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.actor == event_organiser.user
    assert list(
        AccessedPerson.objects.filter(entry=entry).values_list("contact__last_name", flat=True)
    ) == ["Varalla"]

    found = event_organiser.client.get(LIST, {"event": event.pk, "q": "öhman"}).content.decode()
    assert "Öhman" in found and "Laskin" not in found


def test_check_in_from_the_list_marks_attended_and_refuses_the_waiting(event, event_organiser):
    ids = list(Registration.objects.filter(event=event).values_list("pk", flat=True))

    event_organiser.client.post(
        LIST + f"?event={event.pk}",
        {"action": "check_in", "_selected_action": ids},
    )

    statuses = dict(Registration.objects.values_list("contact__last_name", "status"))
    assert statuses == {"Öhman": "attended", "Laskin": "attended", "Varalla": "waiting"}
    assert Registration.objects.filter(status="attended", checked_in_at__isnull=False).count() == 2


def test_a_note_is_written_on_the_participants_page(event, event_organiser):
    registration = Registration.objects.get(contact__last_name="Öhman")

    event_organiser.client.post(
        reverse("admin:events_registration_change", args=[registration.pk]),
        {"check_in_note": "  Pyörätuoli  "},
    )

    registration.refresh_from_db()
    assert registration.check_in_note == "Pyörätuoli"
    assert registration.status == "confirmed"


def test_the_csv_export_is_formula_safe_filtered_and_logged(event, event_organiser):
    url = reverse("admin:events_event_participants_csv", args=[event.pk])

    response = event_organiser.client.get(url, {"status": "confirmed"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    names = [r[0] for r in rows[1:]]
    assert sorted(names) == ["'=cmd|' /C calc'!A0", "Åsa"]
    assert "Erityisruokavalio" in rows[0]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["export"] == "participants.csv"
    assert AccessedPerson.objects.filter(entry=entry).count() == 2


def test_the_pdf_export_is_a_readable_table_with_finnish_letters(event, event_organiser):
    from pypdf import PdfReader

    url = reverse("admin:events_event_participants_pdf", args=[event.pk])

    response = event_organiser.client.get(url)

    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Åsa" in text and "Öhman" in text and "vegaani" in text
    assert LogEntry.objects.filter(additional_data__export="participants.pdf").exists()


@pytest.mark.parametrize("staff_member", ["sales", "marketing", "support", "dpo"], indirect=True)
def test_roles_that_do_not_run_events_see_no_participants(event, staff_member):
    client = staff_member.client
    for url in (
        LIST + f"?event={event.pk}",
        reverse("admin:events_event_participants_csv", args=[event.pk]),
        reverse("admin:events_event_participants_pdf", args=[event.pk]),
        reverse("admin:events_event_shred", args=[event.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Öhman" not in response.content.decode()


def test_sales_sees_the_events_statistics_without_names(event, sales):
    response = sales.client.get(reverse("admin:events_event_statistics", args=[event.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Öhman" not in html and "vegaani" not in html


def test_anonymous_visitors_are_sent_to_sign_in(event, client):
    for url in (
        LIST,
        reverse("admin:events_event_participants_csv", args=[event.pk]),
        reverse("admin:events_event_shred", args=[event.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_organiser_previews_and_runs_the_shredder_by_hand(event_organiser):
    event = make_event(ended_days_ago=2, retention_days=180)
    diet_question(event)
    register(event, diet="vegaani", last_name="Poistettava")
    url = reverse("admin:events_event_shred", args=[event.pk])

    preview = event_organiser.client.get(url).content.decode()
    assert "Poistettava" not in preview
    assert not ShredRun.objects.exists()

    event_organiser.client.post(url)

    run = ShredRun.objects.get()
    assert run.triggered_by == event_organiser.user
    assert run.removed["events.Answer"]["rows"] == 1
    assert Registration.objects.get(event=event).contact is None


def test_an_event_still_to_come_cannot_be_shredded_by_hand(event, event_organiser):
    url = reverse("admin:events_event_shred", args=[event.pk])

    event_organiser.client.post(url)

    assert not ShredRun.objects.exists()
    assert Registration.objects.filter(event=event, contact__isnull=False).count() == 3


def test_the_organiser_registers_someone_through_the_same_rules(event_organiser):
    event = make_event(
        ended_days_ago=-10,
        registration_closes_at=timezone.now() + datetime.timedelta(days=5),
    )
    diet = diet_question(event)
    url = reverse("admin:events_event_register", args=[event.pk])
    data = {
        "first_name": "Pirkko",
        "last_name": "Puhelin",
        "email": "pirkko@example.com",
        f"question_{diet.pk}": "kasvis",
    }

    refused = event_organiser.client.post(url, data)  # an answer without its explicit consent
    assert refused.status_code == 200
    assert not Registration.objects.filter(event=event).exists()

    form = refused.context["form"]
    consent = next(n for n in form.fields if n.startswith("consent_"))
    event_organiser.client.post(url, {**data, consent: "on"})

    registration = Registration.objects.get(event=event)
    assert registration.source == Registration.Source.STAFF
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.answers.get().text == "kasvis"


def test_sales_cannot_register_people(event, sales):
    response = sales.client.post(
        reverse("admin:events_event_register", args=[event.pk]),
        {"first_name": "A", "last_name": "B", "email": "a@example.com"},
    )

    assert response.status_code == 403

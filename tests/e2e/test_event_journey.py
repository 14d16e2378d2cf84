"""An event in Chromium at 1366 px: a person registers in Finnish with a dietary answer and its
explicit consent and gets the confirmation mail; a second person goes on the waiting list; the
first cancels through the link in the mail, and the second is promoted and mailed; then the
organiser sends the caterer's list and sees the disclosure in the log."""

import datetime
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone

from crm import roles
from events.models import DisclosedPerson, Disclosure, Event, Question, Recipient, Registration

from .conftest import page_fits, sign_in


def _path(url: str) -> str:
    return urlsplit(url).path


def _link(message, marker):
    return next(u for u in re.findall(r"https?://\S+", message.body) if marker in u)


def _event() -> tuple[Event, Question]:
    now = timezone.now()
    event = Event.objects.create(
        slug="kevatseminaari",
        title_fi="Kevätseminaari",
        organiser_unit="Viestintäyksikkö",
        contact_name="Outi Järjestäjä",
        contact_email="outi@example.com",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=6),
        capacity=1,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        is_published=True,
    )
    diet = Question.objects.create(
        event=event,
        kind=Question.Kind.TEXT,
        text_fi="Erityisruokavalio",
        sensitive=True,
        consent_text_fi="Suostun ruokavaliotietoni käsittelyyn ja antamiseen pitopalvelulle.",
    )
    caterer = Recipient.objects.create(
        event=event,
        name="Pitopalvelu Herkku Oy",
        kind=Recipient.Kind.CATERER,
        fields=["first_name", "last_name"],
    )
    caterer.questions.set([diet])
    return event, diet


def _register(page, diet, first, last, email, answer):
    page.goto("/events/kevatseminaari/")
    page_fits(page)
    page.fill("input[name=first_name]", first)
    page.fill("input[name=last_name]", last)
    page.fill("input[name=email]", email)
    page.fill(f"[name=question_{diet.pk}]", answer)
    page.check(f"input[name=consent_{diet.pk}]")
    page.get_by_role("button", name="Ilmoittaudu").click()
    page.wait_for_load_state()
    page_fits(page)


def test_register_cancel_promote_and_send_the_caterers_list(
    page, staff_member, live_server, settings
):
    settings.SITE_URL = live_server.url
    event, diet = _event()

    # The first person registers in Finnish, with a dietary answer and its explicit consent.
    _register(page, diet, "Aino", "Kivelä", "aino@example.com", "gluteeniton")
    aino = Registration.objects.get(contact__email="aino@example.com")
    assert aino.status == Registration.Status.CONFIRMED
    assert aino.answers.get().sensitive_consent_at is not None
    (confirmation,) = mail.outbox
    assert confirmation.to == ["aino@example.com"]
    assert "Kevätseminaari" in confirmation.subject

    # The event is full: the second person goes on the waiting list.
    _register(page, diet, "Ville", "Väänänen", "ville@example.com", "laktoositon")
    ville = Registration.objects.get(contact__email="ville@example.com")
    assert ville.status == Registration.Status.WAITING
    sent_before = len(mail.outbox)

    # Aino cancels through the link in her mail; Ville gets the place and a mail saying so.
    page.goto(_path(_link(confirmation, "/events/registration/")))
    page_fits(page)
    page.get_by_role("button", name="Peru ilmoittautumiseni").click()
    page.get_by_text("Ilmoittautumisesi on peruttu.").wait_for()
    page_fits(page)
    aino.refresh_from_db()
    ville.refresh_from_db()
    assert aino.status == Registration.Status.CANCELLED
    assert ville.status == Registration.Status.CONFIRMED
    promoted = [m for m in mail.outbox[sent_before:] if m.to == ["ville@example.com"]]
    assert len(promoted) == 1

    # The organiser sends the caterer's list: names and consented dietary answers.
    user, secret = staff_member(roles.EVENT_ORGANISER, username="outi.jarjestaja")
    sign_in(page, user, secret)
    page.goto(f"/admin/events/event/{event.pk}/change/")
    page_fits(page)
    page.get_by_role("link", name="Lähetä vastaanottajalle").click()
    page_fits(page)
    page.select_option("select[name=recipient]", label="Pitopalvelu Herkku Oy")
    page.get_by_role("button", name="Esikatsele").click()
    page.locator("#disclosure-preview").wait_for()
    page_fits(page)
    assert "Erityisruokavalio" in page.locator("#disclosure-preview").text_content()
    with page.expect_download() as download:
        page.get_by_role("button", name="Lähetä ja lataa").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines() == [
        "etunimi;sukunimi;Erityisruokavalio",
        "Ville;Väänänen;laktoositon",
    ]

    disclosure = Disclosure.objects.get()
    assert disclosure.sent_by == user and disclosure.people_count == 1
    assert list(DisclosedPerson.objects.values_list("contact__email", flat=True)) == [
        "ville@example.com"
    ]

    # And sees it in the event's disclosure log.
    page.goto(f"/admin/events/event/{event.pk}/change/")
    page.get_by_role("link", name="Luovutusloki").click()
    page_fits(page)
    assert "Pitopalvelu Herkku Oy" in page.locator("#result_list").inner_text()

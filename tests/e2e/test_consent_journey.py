"""A person's consent journey in Chromium at 1366 px: sign up in Finnish, open the confirmation
link from the mail, receive a newsletter, unsubscribe with one click (the RFC 8058 POST a mail
program sends), change topics on the preference page; then Marketing staff see every step in
the person's ledger."""

import re
from urllib.parse import urlsplit

from django.core import mail

from consent import services
from consent.models import ConsentEvent, ConsentState, Mailing, Purpose, Topic
from crm import roles
from crm.models import Contact

from .conftest import page_fits, sign_in


def _purpose(code, name, topics):
    purpose = Purpose.objects.create(code=code, name_fi=name, name_en=name)
    for topic_code, topic_name in topics:
        Topic.objects.create(purpose=purpose, code=topic_code, name_fi=topic_name)
    services.consent_text_publish(purpose=purpose, text_fi=f"Haluan saada: {name}.")
    return purpose


def _path(url: str) -> str:
    return urlsplit(url).path


def _link(message, marker):
    return next(u for u in re.findall(r"https?://\S+", message.body) if marker in u)


def test_sign_up_confirm_receive_unsubscribe_and_choose_topics(
    page, staff_member, live_server, settings
):
    settings.SITE_URL = live_server.url
    newsletter = _purpose("koulutuskirje", "Koulutuskirje", [("kurssit", "Kurssit")])
    invitations = _purpose(
        "tapahtumakutsut",
        "Tapahtumakutsut",
        [("seminaarit", "Seminaarit"), ("webinaarit", "Webinaarit")],
    )

    # Sign up in Finnish.
    page.goto("/consent/signup/koulutuskirje/")
    page_fits(page)
    page.fill("input[name=first_name]", "Aino")
    page.fill("input[name=last_name]", "Kivelä")
    page.fill("input[name=email]", "aino.kivela@example.com")
    page.get_by_role("button", name="Tilaa").click()
    page.get_by_text("Tarkista sähköpostisi").wait_for()
    page_fits(page)
    assert not ConsentEvent.objects.exists()

    # Open the confirmation link from the mail and confirm.
    (confirmation,) = mail.outbox
    page.goto(_path(_link(confirmation, "/consent/confirm/")))
    page_fits(page)
    page.get_by_role("button", name="Vahvista").click()
    page.get_by_text("on vahvistettu").wait_for()
    person = Contact.objects.get(email="aino.kivela@example.com")
    # Event invitations were agreed by phone: staff recorded it.
    services.consent_give(
        contact=person,
        purpose=invitations,
        evidence=services.Evidence(source="staff", detail="Maija", note="Puhelimessa"),
    )

    # A newsletter arrives.
    mailing = Mailing.objects.create(
        purpose=newsletter, subject_fi="Syksyn kurssit", body_fi="Hei!\n\nTässä syksyn kurssit."
    )
    services.mailing_send(mailing=mailing, actor=None)
    newsletter_mail = mail.outbox[-1]
    assert newsletter_mail.subject == "Syksyn kurssit"
    assert newsletter_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail program's one-click unsubscribe: a POST to the List-Unsubscribe address.
    unsubscribe = newsletter_mail.extra_headers["List-Unsubscribe"].strip("<>")
    answer = page.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200
    assert ConsentState.objects.get(contact=person, purpose=newsletter).status == "withdrawn"

    # The preference page from the mail: choose the topics of the invitations.
    page.goto(_path(_link(newsletter_mail, "/consent/preferences/")))
    page_fits(page)
    page.get_by_label("Seminaarit").uncheck()
    page.get_by_role("button", name="Tallenna valintani").click()
    page.get_by_text("Valintasi tallennettiin").wait_for()
    page_fits(page)
    state = ConsentState.objects.get(contact=person, purpose=invitations)
    assert [t.code for t in state.topics.all()] == ["webinaarit"]
    page.get_by_role("link", name="Tietosuoja ja tietosi").first.click()
    page.wait_for_url("**/privacy/")

    # Marketing staff see every step in the person's ledger.
    user, secret = staff_member(roles.MARKETING, username="maija.markkinointi")
    sign_in(page, user, secret)
    page.goto(f"/admin/crm/contact/{person.pk}/change/")
    page_fits(page)
    ledger = page.locator("#consent-ledger table.ledger").inner_text()
    for step in ("Annettu", "Vahvistettu", "Peruttu", "Aiheita muutettu"):
        assert step in ledger, step
    assert "Tilauksen peruutuslinkki" in ledger and "Tilausasetukset-sivu" in ledger


def test_the_swedish_sign_up_page_fits_a_phone(page, transactional_db, live_server):
    """A long Swedish compound (Utbildningsnyhetsbrev) in the heading must wrap, not widen
    the page past a 375 px phone screen."""
    purpose = Purpose.objects.create(
        code="nyhetsbrev", name_fi="Koulutusuutiskirje", name_sv="Utbildningsnyhetsbrev"
    )
    services.consent_text_publish(
        purpose=purpose, text_fi="Haluan uutiskirjeen.", text_sv="Jag vill ha nyhetsbrevet."
    )
    page.set_viewport_size({"width": 375, "height": 700})

    page.goto(f"{live_server.url}/sv/consent/signup/nyhetsbrev/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375

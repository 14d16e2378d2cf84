"""The public sign-up with double opt-in, as a person (and an attacker) uses it."""

import datetime

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from consent import links, services
from consent.models import ConsentEvent, ConsentState, PendingSignUp
from crm.models import Contact
from tests.factories import ContactFactory

from .conftest import link_in

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Aino",
    "last_name": "Kivelä",
    "email": "Aino.Kivela@example.com",
    "topics": ["kurssit"],
}


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Each request commits as it would outside a test: the mail queued on commit goes."""
    global _committed
    _committed = django_capture_on_commit_callbacks


_committed = None


def _sign_up(client, purpose, language_prefix="", **changes):
    with _committed(execute=True):
        return client.post(
            f"{language_prefix}/consent/signup/{purpose.code}/",
            {**FORM, **changes},
            REMOTE_ADDR="198.51.100.7",
            HTTP_USER_AGENT="Firefox/140",
        )


def test_a_sign_up_is_no_consent_until_the_link_in_the_mail_is_opened(purpose):
    client = Client()
    response = _sign_up(client, purpose)

    assert response.status_code == 200
    assert "Tarkista sähköpostisi" in response.content.decode()
    assert not ConsentEvent.objects.exists() and not Contact.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aino.kivela@example.com"]
    confirm = link_in(mail.outbox[0], "/consent/confirm/")

    page = client.get(confirm)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and not ConsentEvent.objects.exists()
    done = client.post(confirm, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Safari/18")

    assert done.status_code == 200
    person = Contact.objects.get(email="aino.kivela@example.com")
    assert person.source == "web_form" and person.preferred_language == "fi"
    given, confirmed = ConsentEvent.objects.filter(contact_id=person.pk).order_by("pk")
    assert (given.kind, given.ip_address, given.user_agent) == (
        "given",
        "198.51.100.7",
        "Firefox/140",
    )
    assert (confirmed.kind, confirmed.ip_address) == ("confirmed", "203.0.113.9")
    assert given.topics == ["kurssit"] and given.text.version == 1
    state = ConsentState.objects.get(contact=person)
    assert state.is_valid() and [t.code for t in state.topics.all()] == ["kurssit"]
    assert not PendingSignUp.objects.exists()


def test_the_confirmation_link_works_once(purpose):
    client = Client()
    _sign_up(client, purpose)
    confirm = link_in(mail.outbox[0], "/consent/confirm/")
    client.post(confirm)

    again = client.post(confirm)

    assert again.status_code == 400
    assert ConsentEvent.objects.count() == 2


def test_signing_up_twice_makes_one_consent_and_one_mail_an_hour(purpose):
    client = Client()
    _sign_up(client, purpose)
    _sign_up(client, purpose, topics=["kurssit", "webinaarit"])

    assert len(mail.outbox) == 1
    client.post(link_in(mail.outbox[0], "/consent/confirm/"))
    assert ConsentState.objects.count() == 1


def test_a_stranger_cannot_rewrite_a_pending_sign_up_without_a_new_mail(purpose):
    maija = Client()
    _sign_up(maija, purpose, first_name="Maija", last_name="Meikäläinen", topics=["kurssit"])
    confirm = link_in(mail.outbox[0], "/consent/confirm/")

    with _committed(execute=True):
        stranger = Client().post(
            f"/sv/consent/signup/{purpose.code}/",
            {**FORM, "first_name": "Vieras", "last_name": "Henkilö", "topics": ["webinaarit"]},
            REMOTE_ADDR="192.0.2.66",
            HTTP_USER_AGENT="Evil/1",
        )
    assert stranger.status_code == 200 and len(mail.outbox) == 1
    maija.post(confirm, REMOTE_ADDR="203.0.113.9")

    person = Contact.objects.get()
    assert (person.first_name, person.last_name) == ("Maija", "Meikäläinen")
    assert person.preferred_language == "fi"
    given = ConsentEvent.objects.get(kind="given")
    assert given.topics == ["kurssit"]
    assert (given.ip_address, given.user_agent) == ("198.51.100.7", "Firefox/140")


def test_a_sign_up_an_hour_later_mails_a_new_link_and_the_old_one_stops(purpose):
    client = Client()
    _sign_up(client, purpose)
    PendingSignUp.objects.update(mailed_at=timezone.now() - datetime.timedelta(hours=2))
    _sign_up(client, purpose, topics=["kurssit", "webinaarit"])

    assert len(mail.outbox) == 2
    assert PendingSignUp.objects.get().topics == ["kurssit", "webinaarit"]
    assert client.post(link_in(mail.outbox[0], "/consent/confirm/")).status_code == 400
    assert client.post(link_in(mail.outbox[1], "/consent/confirm/")).status_code == 200
    assert ConsentEvent.objects.get(kind="given").topics == ["kurssit", "webinaarit"]


def test_a_person_in_the_register_is_found_by_address_not_added_again(purpose):
    known = ContactFactory(email="aino.kivela@example.com", first_name="Aino")
    client = Client()
    _sign_up(client, purpose)
    client.post(link_in(mail.outbox[0], "/consent/confirm/"))

    assert Contact.objects.count() == 1
    assert ConsentState.objects.get().contact == known


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", "Linkki ei toimi"), ("/sv", "Länken fungerar inte"), ("/en", "The link does not work")],
)
def test_an_altered_link_changes_nothing_and_says_so_in_the_persons_language(
    purpose, prefix, words
):
    client = Client()
    _sign_up(client, purpose)
    token = link_in(mail.outbox[0], "/consent/confirm/").rstrip("/").rsplit("/", 1)[1]
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.post(f"{prefix}/consent/confirm/{altered}/")

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_a_forged_link_for_another_sign_up_changes_nothing(purpose):
    _sign_up(Client(), purpose)
    pending = PendingSignUp.objects.get()
    forged = signing.dumps({"s": pending.pk, "n": pending.nonce}, salt="not-our-salt")

    response = Client().post(f"/consent/confirm/{forged}/")

    assert response.status_code == 400 and not ConsentEvent.objects.exists()


def test_an_expired_link_changes_nothing(purpose, monkeypatch):
    client = Client()
    _sign_up(client, purpose)
    confirm = link_in(mail.outbox[0], "/consent/confirm/")
    later = signing.time.time() + 8 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(f"/sv{confirm}")

    assert response.status_code == 400
    assert "har gått ut" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_an_unconfirmed_sign_up_lapses_after_seven_days(purpose):
    _sign_up(Client(), purpose)

    assert services.sign_ups_unconfirmed_purge() == 0
    in_eight_days = timezone.now() + datetime.timedelta(days=8)
    assert services.sign_ups_unconfirmed_purge(now=in_eight_days) == 1
    assert not PendingSignUp.objects.exists()


def test_an_embedded_form_on_another_site_can_post_without_our_csrf_token(purpose):
    outside = Client(enforce_csrf_checks=True)

    with _committed(execute=True):
        response = outside.post(
            f"/consent/signup/{purpose.code}/", FORM, HTTP_ORIGIN="https://example.org"
        )

    assert response.status_code == 200 and len(mail.outbox) == 1


def test_the_confirmation_itself_keeps_csrf_protection(purpose):
    _sign_up(Client(), purpose)
    confirm = link_in(mail.outbox[0], "/consent/confirm/")

    response = Client(enforce_csrf_checks=True).post(confirm)

    assert response.status_code == 403 and not ConsentEvent.objects.exists()


def test_sign_ups_are_rate_limited_per_address(purpose, settings):
    settings.CONSENT_SIGNUPS_PER_EMAIL_HOUR = 2
    client = Client()
    statuses = [_sign_up(client, purpose).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_sign_ups_are_rate_limited_per_client(purpose, settings):
    settings.CONSENT_SIGNUPS_PER_IP_HOUR = 2
    client = Client()
    statuses = [
        _sign_up(client, purpose, email=f"person{i}@example.com").status_code for i in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert PendingSignUp.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "ei-osoite"}, "email"),
        ({"topics": ["tuntematon"]}, "topics"),
        ({"topics": []}, "topics"),
        ({"first_name": "Aino\x00"}, "first_name"),
        ({"last_name": "131052-308T"}, "last_name"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(purpose, changes, field):
    response = _sign_up(Client(), purpose, **changes)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PendingSignUp.objects.exists() and not mail.outbox


def test_an_unknown_or_closed_purpose_has_no_sign_up_page(purpose):
    purpose.active = False
    purpose.save()

    assert Client().get("/consent/signup/koulutuskirje/").status_code == 404
    assert Client().get("/consent/signup/ei-ole/").status_code == 404


def test_the_sign_up_page_is_in_three_languages(purpose):
    assert "Koulutuskirje" in Client().get("/consent/signup/koulutuskirje/").content.decode()
    assert "Utbildningsbrev" in Client().get("/sv/consent/signup/koulutuskirje/").content.decode()
    english = Client().get("/en/consent/signup/koulutuskirje/").content.decode()
    assert "Training newsletter" in english and "I want the training newsletter" in english


def test_a_swedish_sign_up_gets_a_swedish_mail_and_links(purpose):
    _sign_up(Client(), purpose, language_prefix="/sv")

    message = mail.outbox[0]
    assert "/sv/consent/confirm/" in message.body
    assert "Bekräfta" in message.subject
    assert PendingSignUp.objects.get().language == "sv"
    assert links.read(links.CONFIRM, link_in(message, "confirm").rstrip("/").rsplit("/", 1)[1])


def test_the_confirm_page_shows_what_is_being_agreed_to_before_the_button(purpose):
    client = Client()
    _sign_up(client, purpose, topics=["webinaarit"])

    page = client.get(link_in(mail.outbox[0], "/consent/confirm/")).content.decode()

    assert "Koulutuskirje" in page and "aino.kivela@example.com" in page
    assert "Haluan koulutuskirjeen sähköpostiini." in page
    assert "Webinaarit" in page and "Kurssit" not in page
    assert page.index("Haluan koulutuskirjeen") < page.index('name="confirm"')


def test_the_confirm_page_of_a_used_link_offers_no_button(purpose):
    client = Client()
    _sign_up(client, purpose)
    confirm = link_in(mail.outbox[0], "/consent/confirm/")
    client.post(confirm)

    page = client.get(confirm)

    assert page.status_code == 400 and 'name="confirm"' not in page.content.decode()

"""The public pages: the registration form in three languages, the signed links, the
networking list (who sees whom)."""

import pytest
from django.core import mail
from django.core.signing import dumps

from consent.models import ConsentState
from events import links, services
from events.models import Answer, Question, Registration

from .conftest import add_question, link_in, make_event, person

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.EVENTS_REGISTRATIONS_PER_IP_HOUR = 1000


def form_data(n=1, **extra):
    return {**person(n), **extra}


def test_the_event_page_shows_the_organiser_and_places(client, event):
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "Koulutuspalvelut" in page and "Outi Järjestäjä" in page and "outi@example.com" in page
    assert "2 paikkaa jäljellä" in page
    swedish = client.get(f"/sv/events/{event.slug}/").content.decode()
    assert "Vårseminarium" in swedish and "2 platser kvar" in swedish
    english = client.get(f"/en/events/{event.slug}/").content.decode()
    assert "Spring seminar" in english
    assert event.title_fi in client.get("/events/").content.decode()


def test_an_unpublished_event_is_not_found(client):
    hidden = make_event(slug="salainen", is_published=False)
    assert client.get(f"/events/{hidden.slug}/").status_code == 404


def test_register_in_swedish_with_a_dietary_answer_and_its_consent(
    client, event, django_capture_on_commit_callbacks
):
    diet = add_question(
        event,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text_fi="Erityisruokavalio",
        text_sv="Specialkost",
        choices=["Gluteeniton", "Vegaani"],
        sensitive=True,
        consent_text_fi="Suostun ruokavaliotietojen käsittelyyn.",
        consent_text_sv="Jag samtycker till behandling av uppgifter om min kost.",
    )
    vegan = diet.choices.get(label_fi="Vegaani")
    page = client.get(f"/sv/events/{event.slug}/").content.decode()
    assert "Specialkost" in page and "Jag samtycker till behandling" in page
    # Without the consent: refused at the question, nothing stored.
    response = client.post(
        f"/sv/events/{event.slug}/", form_data(**{f"question_{diet.pk}": [vegan.pk]})
    )
    assert response.status_code == 400
    assert "kryssa i samtycket" in response.content.decode()
    assert Registration.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/sv/events/{event.slug}/",
            form_data(**{f"question_{diet.pk}": [vegan.pk], f"consent_{diet.pk}": "on"}),
        )
    assert response.status_code == 302 and response["Location"].startswith("/sv/events/")
    registration = Registration.objects.get()
    assert registration.language == "sv" and registration.status == Status.CONFIRMED
    assert list(Answer.objects.get().choices.all()) == [vegan]
    (message,) = mail.outbox
    assert message.subject == "Anmälan bekräftad: Vårseminarium"
    page = client.get(link_in(message, "/registration/")).content.decode()
    assert "Vegaani" in page or "Vegaani (sv)" in page


def test_the_form_says_when_the_event_is_full_and_queues(client, event):
    for n in (1, 2):
        services.registration_create(
            event=event, data=person(n), source="public_form", language="fi"
        )
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "Tapahtuma on täynnä" in page
    response = client.post(f"/events/{event.slug}/", form_data(3))
    assert response["Location"].endswith("?waiting=1")
    assert "varasijalla" in client.get(response["Location"]).content.decode()


def test_a_duplicate_on_the_form_is_a_message_and_no_change(client, event):
    client.post(f"/events/{event.slug}/", form_data(1))
    response = client.post(f"/events/{event.slug}/", form_data(1))
    assert response.status_code == 400
    assert "on jo ilmoittauduttu" in response.content.decode()
    assert Registration.objects.count() == 1


def test_cancel_through_the_link_promotes_and_mails(
    client, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2, 3):
            client.post(f"/events/{event.slug}/", form_data(n))
    first_mail = mail.outbox[0]
    mail.outbox.clear()
    url = link_in(first_mail, "/registration/")
    assert "Peru ilmoittautumiseni" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"cancel": "1"})
    assert "Ilmoittautumisesi on peruttu." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "osallistuja1@example.com",
        "osallistuja3@example.com",
    ]
    promoted = next(m for m in mail.outbox if m.to == ["osallistuja3@example.com"])
    assert promoted.subject.startswith("Sait paikan")
    assert Registration.objects.get(contact__email="osallistuja3@example.com").status == (
        Status.CONFIRMED
    )


@pytest.mark.parametrize("kind", ["registration", "networking"])
def test_a_tampered_link_changes_nothing(client, event, kind):
    registration = services.registration_create(
        event=event, data=person(1), source="public_form", language="fi"
    ).registration
    token = links.make(getattr(links, kind.upper()), registration)
    other_kind = links.NETWORKING if kind == "registration" else links.REGISTRATION
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        dumps({"r": registration.pk, "k": registration.link_key}, salt="other"),
        # A link of the other kind does not open this page.
        links.make(other_kind, registration),
        "x" * 40,
    ):
        response = client.post(f"/events/{kind}/{bad}/", {"cancel": "1", "leave_networking": "1"})
        assert response.status_code == 400
        assert "Linkki ei kelpaa" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    # A link whose key was replaced (the shredder does) no longer works.
    Registration.objects.filter(pk=registration.pk).update(link_key="vaihdettu")
    assert client.get(f"/events/{kind}/{token}/").status_code == 400


def _join(event, n, networking=True, **extra):
    return services.registration_create(
        event=event,
        data=person(n, networking=networking, **extra),
        source="public_form",
        language="fi",
    ).registration


def test_the_networking_list_shows_only_consenting_participants_and_what_they_share(client):
    event = make_event(slug="verkosto", networking_offered=True, capacity=3)
    other_event = make_event(slug="toinen", networking_offered=True)
    anna = _join(event, 1, share_email=True, organisation_name="Anna Oy", share_organisation=True)
    ben = _join(event, 2, share_phone=False, organisation_name="Salainen Oy")
    _not_on_list = _join(event, 3, networking=False)
    waiting = _join(event, 4)  # on the waiting list: neither sees nor is seen
    elsewhere = _join(other_event, 5)
    url = f"/events/networking/{links.make(links.NETWORKING, anna)}/"
    page = client.get(url).content.decode()
    assert "Etu1 Suku1" in page and "Etu2 Suku2" in page
    assert "osallistuja1@example.com" in page and "Anna Oy" in page
    assert "osallistuja2@example.com" not in page and "Salainen Oy" not in page
    assert "Etu3" not in page and "Etu4" not in page and "Etu5" not in page
    for outsider in (waiting, elsewhere):
        if outsider.event == event:
            response = client.get(f"/events/networking/{links.make(links.NETWORKING, outsider)}/")
            assert response.status_code == 403
            assert "Etu1" not in response.content.decode()
    # Ben leaves the list: gone for Anna at once, and his own link no longer shows it.
    ben_url = f"/events/networking/{links.make(links.NETWORKING, ben)}/"
    client.post(ben_url, {"leave_networking": "1"})
    assert "Etu2" not in client.get(url).content.decode()
    assert client.get(ben_url).status_code == 403
    state = ConsentState.objects.get(contact=ben.contact, purpose__code="event-networking")
    assert state.status == ConsentState.Status.WITHDRAWN


def test_leaving_one_events_list_keeps_the_other(client):
    first = make_event(slug="eka", networking_offered=True)
    second = make_event(slug="toka", networking_offered=True)
    on_first = _join(first, 1)
    on_second = _join(second, 1)
    client.post(
        f"/events/registration/{links.make(links.REGISTRATION, on_first)}/",
        {"leave_networking": "1"},
    )
    from events import selectors

    assert not selectors.on_networking_list(on_first)
    assert selectors.on_networking_list(on_second)


def test_event_consents_are_withdrawn_on_the_preference_page(
    client, django_capture_on_commit_callbacks
):
    first = make_event(slug="eka", networking_offered=True)
    second = make_event(slug="toka", networking_offered=True)
    with django_capture_on_commit_callbacks(execute=True):
        on_first = _join(first, 1)
    on_second = _join(second, 1)
    url = link_in(mail.outbox[0], "/consent/preferences/")
    page = client.get(url).content.decode()
    assert "Tapahtuman verkostoitumislista" in page and "Kevätseminaari" in page
    purpose = ConsentState.objects.get(purpose__code="event-networking").purpose
    # Untick the first event, keep the second.
    client.post(
        url,
        {
            f"event-present-{purpose.pk}": "1",
            f"event-{purpose.pk}": [f"event-{second.pk}"],
            "save": "1",
        },
    )
    from events import selectors

    assert not selectors.on_networking_list(on_first)
    assert selectors.on_networking_list(on_second)
    # Nothing ticked: the consent is withdrawn.
    client.post(url, {f"event-present-{purpose.pk}": "1", "save": "1"})
    assert not selectors.on_networking_list(on_second)
    state = ConsentState.objects.get(purpose=purpose)
    assert state.status == ConsentState.Status.WITHDRAWN

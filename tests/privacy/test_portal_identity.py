"""The portal's identity proof, tried as an attacker would."""

import datetime
import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from crm.factories import ContactFactory
from privacy import requests as rights
from privacy.models import PortalLink, RequestTransition, RightsRequest

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def _file(client, email, right="access", **extra):
    return client.post("/en/privacy/request/", {"right": right, "email": email, **extra})


def _link(message) -> str:
    return re.search(r"https?://\S+/privacy/verify/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_a_mail(
    django_capture_on_commit_callbacks,
):
    ContactFactory(email="tiina@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        known = _file(Client(), "tiina@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _file(Client(), "nobody@example.fi")

    assert known.status_code == unknown.status_code == 200
    assert CSRF.sub(b"", known.content) == CSRF.sub(b"", unknown.content)
    assert [m.to for m in mail.outbox] == [["tiina@example.fi"]]
    # Nothing personal in the mail before the link is opened: only the right and the link.
    assert "tiina" not in mail.outbox[0].body.replace("tiina@example.fi", "")
    # Both requests are stored, neither proven.
    assert list(RightsRequest.objects.values_list("state", flat=True)) == ["received"] * 2


def _filed(capture, email="tiina@example.fi", right="access"):
    contact = ContactFactory(email=email)
    mail.outbox.clear()
    with capture(execute=True):
        _file(Client(), email, right)
    request = RightsRequest.objects.order_by("-pk").first()
    return contact, request, _path(_link(mail.outbox[-1]))


def test_the_link_shows_a_confirmation_and_only_the_post_proves_the_address(
    django_capture_on_commit_callbacks,
):
    contact, request, path = _filed(django_capture_on_commit_callbacks)
    client = Client()

    shown = client.get(path)
    assert shown.status_code == 200
    request.refresh_from_db()
    assert request.state == "received"  # a mail scanner's GET changes nothing

    with django_capture_on_commit_callbacks(execute=False):
        done = client.post(path)
    assert done.status_code == 200
    request.refresh_from_db()
    assert request.contact == contact
    assert request.state == "in_progress"
    assert request.job_queued_at is not None
    moves = list(
        RequestTransition.objects.filter(request=request).values_list("to_state", flat=True)
    )
    assert moves == ["received", "identity_verified", "in_progress"]


def test_a_used_link_does_not_work_again(django_capture_on_commit_callbacks):
    _contact, request, path = _filed(django_capture_on_commit_callbacks, right="restriction")
    assert Client().post(path).status_code == 200

    again = Client().post(path)
    assert again.status_code == 400
    assert Client().get(path).status_code == 400
    assert RequestTransition.objects.filter(request=request).count() == 3


def test_a_repeated_request_needs_its_own_link_and_an_old_link_opens_nothing_new(
    django_capture_on_commit_callbacks,
):
    _contact, _first, first_path = _filed(django_capture_on_commit_callbacks)
    assert Client().post(first_path).status_code == 200
    # The same person asks again: a new request, received, not proven by the first proof.
    with django_capture_on_commit_callbacks(execute=True):
        _file(Client(), "tiina@example.fi", "erasure")
    second = RightsRequest.objects.order_by("-pk").first()
    assert second.state == "received" and second.contact is None

    assert Client().post(first_path).status_code == 400
    second.refresh_from_db()
    assert second.state == "received"


def test_a_link_for_one_request_cannot_act_on_another(django_capture_on_commit_callbacks):
    _a, _request_a, path_a = _filed(django_capture_on_commit_callbacks)
    _b, request_b, _path_b = _filed(
        django_capture_on_commit_callbacks, email="other@example.fi", right="objection"
    )
    token_a = path_a.rstrip("/").rsplit("/", 1)[1]
    payload = signing.loads(token_a, salt=rights.LINK_SALT)
    # Point A's token at B: the signature breaks; re-signing needs the secret key.
    forged = signing.dumps({**payload, "r": request_b.pk}, salt="not-the-salt")
    assert Client().post(f"/en/privacy/verify/{forged}/").status_code == 400
    altered = token_a[:-3] + ("AAA" if token_a[-3:] != "AAA" else "BBB")
    assert Client().post(f"/en/privacy/verify/{altered}/").status_code == 400
    # Even a correctly signed payload naming B with A's token finds no link.
    crossed = signing.dumps({**payload, "r": request_b.pk}, salt=rights.LINK_SALT)
    assert Client().post(f"/en/privacy/verify/{crossed}/").status_code == 400
    request_b.refresh_from_db()
    assert request_b.state == "received"


def test_an_expired_link_changes_nothing(django_capture_on_commit_callbacks):
    _contact, request, path = _filed(django_capture_on_commit_callbacks, right="objection")
    PortalLink.objects.filter(request=request).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = Client().post(path)

    assert response.status_code == 400
    assert b"expired" in response.content
    request.refresh_from_db()
    assert request.state == "received"


def test_only_a_hash_of_the_token_is_stored(django_capture_on_commit_callbacks):
    _contact, request, path = _filed(django_capture_on_commit_callbacks)
    token = signing.loads(path.rstrip("/").rsplit("/", 1)[1], salt=rights.LINK_SALT)["t"]
    link = PortalLink.objects.get(request=request)
    assert token not in link.token_hash
    assert link.expires_at - link.created_at == datetime.timedelta(minutes=30)


def test_rate_limits_per_address_and_per_client(settings):
    settings.PRIVACY_REQUESTS_PER_EMAIL_HOUR = 2
    settings.PRIVACY_REQUESTS_PER_IP_HOUR = 4
    client = Client()
    assert [_file(client, "a@example.fi").status_code for _ in range(3)] == [200, 200, 429]
    assert _file(client, "b@example.fi").status_code == 200
    assert _file(client, "c@example.fi").status_code == 429  # fifth from this client
    assert RightsRequest.objects.count() == 3


def test_the_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/privacy/request/", {"right": "access", "email": "a@example.fi"})
    assert response.status_code == 403
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"right": "access", "email": "x" * 300 + "@example.fi"},
        {"right": "access", "email": "not an address"},
        {"right": "delete-everything", "email": "a@example.fi"},
        {"right": "access", "email": "a\x00@example.fi"},
        {},
    ],
)
def test_malformed_input_gets_a_message_and_stores_nothing(data):
    response = Client().post("/en/privacy/request/", data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize("token", ["x", "a" * 2000, "%00", "..", "eyJ0IjoxfQ:1:2"])
def test_garbage_links_are_refused_without_error(token):
    assert Client().get(f"/en/privacy/verify/{token}/").status_code in (400, 404)


@pytest.mark.parametrize(
    ("path", "heading", "right"),
    [
        ("/privacy/", "Käytä oikeuksiasi", "Vastusta suoramarkkinointia"),
        ("/sv/privacy/", "Använd dina rättigheter", "Invänd mot direktmarknadsföring"),
        ("/en/privacy/", "Use your rights", "Object to direct marketing"),
    ],
)
def test_the_portal_offers_the_rights_in_finnish_swedish_and_english(path, heading, right):
    html = Client().get(path).content.decode()
    assert heading in html and right in html


def test_the_link_mail_is_in_the_language_of_the_page(django_capture_on_commit_callbacks):
    ContactFactory(email="sven@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/sv/privacy/request/", {"right": "access", "email": "sven@example.fi"})
    assert mail.outbox[0].subject == "Bekräfta din dataskyddsbegäran"
    assert "/sv/privacy/verify/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("/sv", "Din begäran är bekräftad"),
        ("/en", "Your request is confirmed"),
        ("", "Pyyntösi on vahvistettu"),  # Finnish, the default, has no prefix
    ],
)
def test_the_confirmation_page_speaks_the_language_the_request_was_made_in(
    django_capture_on_commit_callbacks, prefix, expected
):
    ContactFactory(email="asa@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"{prefix}/privacy/request/", {"right": "access", "email": "asa@example.fi"})
    path = _path(_link(mail.outbox[-1]))
    assert path.startswith(f"{prefix}/privacy/")
    with django_capture_on_commit_callbacks(execute=False):
        page = Client().post(path)
    assert page.status_code == 200
    assert expected in page.content.decode()

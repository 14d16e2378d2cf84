"""The consents API: consents:write records sign-ups (double opt-in by default) and consents;
unknown purposes or topics are a 400 naming the field."""

import pytest
from django.core import mail
from django.test import Client

from consent.forms import SignUpForm
from consent.models import ConsentEvent, ConsentState, PendingSignUp
from crm import services as crm_services
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _client(*scopes):
    _change, token = crm_services.api_client_create(name="Webropol", scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


BODY = {
    "purpose": "koulutuskirje",
    "email": "outi@example.com",
    "first_name": "Outi",
    "last_name": "Rantanen",
    "topics": ["kurssit"],
}


def test_a_sign_up_through_the_api_is_a_double_opt_in(purpose, django_capture_on_commit_callbacks):
    api = _client("consents:write")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/consents/", BODY, content_type="application/json")

    assert response.status_code == 202 and response.json() == {"status": "received"}
    assert PendingSignUp.objects.get().source_detail == "Webropol"
    assert len(mail.outbox) == 1 and not ConsentEvent.objects.exists()


def test_a_client_with_its_own_proof_records_the_consent_at_once(purpose):
    api = _client("consents:write")
    response = api.post(
        "/api/v1/consents/", {**BODY, "double_opt_in": False}, content_type="application/json"
    )

    assert response.status_code == 202
    event = ConsentEvent.objects.get()
    assert (event.kind, event.source, event.source_detail) == ("given", "api", "Webropol")
    assert ConsentState.objects.get().is_valid()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": "ei-ole"}, "purpose"),
        ({"topics": ["ei-ole"]}, "topics"),
        ({"email": "ei-osoite"}, "email"),
        ({"last_name": "131052-308T"}, "last_name"),
    ],
)
def test_bad_input_is_a_400_with_the_field(purpose, changes, field):
    api = _client("consents:write")
    response = api.post("/api/v1/consents/", {**BODY, **changes}, content_type="application/json")

    assert response.status_code == 400 and field in response.json()["errors"]
    assert not PendingSignUp.objects.exists() and not ConsentEvent.objects.exists()


def test_writing_needs_the_write_scope(purpose):
    response = _client("consents:read").post(
        "/api/v1/consents/", BODY, content_type="application/json"
    )

    assert response.status_code == 403


def test_reading_lists_a_persons_consents_with_the_read_scope(purpose):
    person = ContactFactory(email="outi@example.com")
    api = _client("consents:write")
    api.post("/api/v1/consents/", {**BODY, "double_opt_in": False}, content_type="application/json")

    reader = Client(HTTP_AUTHORIZATION=_token_header("consents:read"))
    rows = reader.get("/api/v1/consents/?email=outi@example.com").json()

    assert rows[0]["purpose"] == "koulutuskirje" and rows[0]["status"] == "valid"
    assert rows[0]["topics"] == ["kurssit"] and person.consents.count() == 1


def _token_header(*scopes):
    _change, token = crm_services.api_client_create(name="Lukija", scopes=list(scopes))
    return f"Bearer {token}"


def test_a_purpose_code_with_a_nul_byte_is_a_400_not_a_server_error(purpose):
    response = _client("consents:write").post(
        "/api/v1/consents/",
        {**BODY, "purpose": "koulutus\x00kirje"},
        content_type="application/json",
    )

    assert response.status_code == 400 and "purpose" in response.json()["errors"]


def test_an_undeclared_method_on_the_list_is_a_405():
    response = _client("consents:write").put("/api/v1/consents/")

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("language", "message"),
    [("fi", "Arvo ei ole kelvollinen merkkijono."), ("sv", "Inte en giltig sträng.")],
)
def test_a_field_of_the_wrong_type_is_answered_in_the_clients_language(purpose, language, message):
    response = _client("consents:write").post(
        "/api/v1/consents/",
        {**BODY, "first_name": ["Outi"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert response.json()["errors"]["first_name"] == [message]
    assert not PendingSignUp.objects.exists()


def test_a_nul_character_in_a_name_is_one_error_not_two(purpose):
    form = SignUpForm(
        {
            "first_name": "Ou\x00ti",
            "last_name": "R",
            "email": "o@example.com",
            "topics": ["kurssit"],
        },
        purpose=purpose,
    )

    assert not form.is_valid() and len(form.errors["first_name"]) == 1

"""Registration through the API: the same rules as the form, the one error shape, and a
write-only client that learns nothing about who registered."""

import pytest
from django.core import mail
from django.test import Client

from crm import services as crm_services
from events.models import Answer, BillingDetails, Question, Registration

from .conftest import add_question, make_event

pytestmark = pytest.mark.django_db


def _client(*scopes, name="Kyselytyökalu"):
    _change, token = crm_services.api_client_create(name=name, scopes=list(scopes))
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="fi")


def _body(event, n=1, **extra):
    return {
        "event": event.slug,
        "email": f"api{n}@example.com",
        "first_name": "Api",
        "last_name": f"Henkilö{n}",
        **extra,
    }


def post(api, body):
    return api.post("/api/v1/event-registrations/", body, content_type="application/json")


def test_a_reading_client_gets_the_outcome_and_the_waiting_list(
    event, django_capture_on_commit_callbacks
):
    api = _client("events:read", "events:write")
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [post(api, _body(event, n)) for n in (1, 2, 3)]
    assert [r.status_code for r in outcomes] == [201, 201, 201]
    assert [r.json()["status"] for r in outcomes] == ["confirmed", "confirmed", "waiting"]
    registration = Registration.objects.get(pk=outcomes[0].json()["id"])
    assert registration.source == Registration.Source.API
    assert registration.api_client.name == "Kyselytyökalu"
    assert len(mail.outbox) == 3
    # The same person again: a 409 in the one error shape, nothing changed.
    again = post(api, _body(event, 1))
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "conflict" and body["status"] == 409
    assert body["errors"]["email"] == [
        "Tällä sähköpostiosoitteella on jo ilmoittauduttu tähän tapahtumaan."
    ]
    assert Registration.objects.count() == 3


def test_a_write_only_client_gets_202_without_an_id_also_for_a_duplicate(event):
    api = _client("events:write")
    first = post(api, _body(event))
    again = post(api, _body(event))
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json() == {"status": "received"}
    assert Registration.objects.count() == 1


def test_answers_and_their_rules(event):
    api = _client("events:read", "events:write")
    diet = add_question(
        event,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text_fi="Ruokavalio",
        choices=["Gluteeniton", "Vegaani"],
        sensitive=True,
        consent_text_fi="Suostun.",
    )
    required = add_question(event, kind=Question.Kind.YES_NO, text_fi="Tuletko?", required=True)
    gluten = diet.choices.get(label_fi="Gluteeniton")
    missing = post(api, _body(event))
    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        f"answers.{required.pk}": ["Tähän kysymykseen on vastattava."]
    }
    no_consent = post(
        api,
        _body(
            event,
            answers=[
                {"question": required.pk, "yes_no": False},
                {"question": diet.pk, "choices": [gluten.pk]},
            ],
        ),
    )
    assert no_consent.status_code == 400 and f"answers.{diet.pk}" in no_consent.json()["errors"]
    assert not Registration.objects.exists()
    ok = post(
        api,
        _body(
            event,
            answers=[
                {"question": required.pk, "yes_no": False},
                {"question": diet.pk, "choices": [gluten.pk], "sensitive_consent": True},
            ],
        ),
    )
    assert ok.status_code == 201
    assert Answer.objects.get(question=required).yes_no is False
    assert list(Answer.objects.get(question=diet).choices.all()) == [gluten]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"event": "ei-ole"}, "event"),
        ({"email": "ei-osoite"}, "email"),
        ({"first_name": 123}, "first_name"),
        ({"networking": "true"}, "networking"),
        ({"answers": [{"question": "1"}]}, "answers.0.question"),
        ({"last_name": "131052-308T"}, "last_name"),
    ],
)
def test_bad_input_is_a_400_with_the_field(event, changes, field):
    response = post(_client("events:write"), {**_body(event), **changes})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Registration.objects.exists()


def test_billing_errors_name_the_billing_field(db):
    from decimal import Decimal

    paid = make_event(slug="maksu", price=Decimal("50.00"))
    api = _client("events:read", "events:write")
    response = post(
        api,
        _body(
            paid,
            billing={
                "payer_kind": "organisation",
                "payer_name": "Maija",
                "organisation_name": "Oy",
                "business_id": "2617416-5",
                "street_address": "Katu 1",
                "postal_code": "00100",
                "city": "Helsinki",
            },
        ),
    )
    assert response.status_code == 400
    assert "billing.business_id" in response.json()["errors"]
    assert not BillingDetails.objects.exists()


def test_scopes(event):
    assert (
        _client("contacts:write")
        .post("/api/v1/event-registrations/", _body(event), content_type="application/json")
        .status_code
        == 403
    )
    listed = _client("events:read", name="Lukija").get("/api/v1/events/")
    assert listed.status_code == 200
    assert [e["slug"] for e in listed.json()] == [event.slug]
    assert _client("events:write", name="Kirjoittaja").get("/api/v1/events/").status_code == 403

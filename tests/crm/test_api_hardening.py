"""The API probed as an attacker would (issue 8): bad input is a 4xx in one JSON shape, in the
client's language; a write-only token learns nothing about what the register holds; tokens die
with their client, their service user or their expiry date."""

import base64
import io
import json
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crm import selectors, services
from crm.models import ApiClient, Contact, Interaction, Membership, Organisation
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
ALL_SCOPES = ApiClient.Scope.values
ERROR_KEYS = {"status", "code", "detail", "errors"}
# RFC 3339: an offset is Z or ±hh:mm, never seconds.
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _client(scopes=ALL_SCOPES, name="Webropol"):
    created, token = services.api_client_create(name=name, scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api, created.instance, token


def _person(**extra):
    return {"first_name": "Aino", "last_name": "Aalto", "email": "aino@example.com", **extra}


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


def _is_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status"] == status and body["detail"] and isinstance(body["errors"], dict)
    return body


# --- Bad input is a 400 that names the parameter or field, never a 500 -------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"email": "aino\x00@example.com"}, "email"),
        ({"updated_since": "2026-01-01T00:00:00\x00"}, "updated_since"),
        ({"updated_since": "2026-02-30T00:00:00Z"}, "updated_since"),  # no such day
        ({"updated_since": "2026-01-01T00:00:00+25:00"}, "updated_since"),  # no such offset
        ({"updated_since": "2026-13-01T00:00:00Z"}, "updated_since"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),  # base64 of "not a cursor"
        ({"cursor": "%%%"}, "cursor"),
        ({"cursor": _cursor("p=abc")}, "cursor"),  # compared with ids
        ({"cursor": _cursor("p=1\x00")}, "cursor"),
        ({"cursor": _cursor("p=99999999999999999999999")}, "cursor"),
        ({"page_size": "true"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
    ],
)
def test_a_bad_query_parameter_is_a_400_that_names_it(query, parameter):
    api, _, _ = _client()
    ContactFactory.create_batch(3)

    response = api.get("/api/v1/contacts/", query)

    assert _is_error(response, 400)["errors"].keys() == {parameter}


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1850-06-01T12:00:00"],
)
def test_any_real_moment_filters_without_failing(moment):
    api, _, _ = _client()
    ContactFactory()

    response = api.get("/api/v1/contacts/", {"updated_since": moment})

    assert response.status_code == 200
    assert len(response.json()["results"]) == (0 if moment.startswith("9999") else 1)


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("contacts", _person(municipality="09\x001"), "municipality"),
        ("contacts", _person(municipality=91), "municipality"),
        ("contacts", _person(first_name=123), "first_name"),
        ("contacts", _person(first_name=["Aino"]), "first_name"),
        ("contacts", _person(preferred_language=1), "preferred_language"),
        ("organisations", {"name": "Oy", "industry": "6\x002"}, "industry"),
        ("organisations", {"name": "Oy", "is_owner": "true"}, "is_owner"),
        ("organisations", {"name": "Oy", "is_owner": 1}, "is_owner"),
        (
            "interactions",
            {"contact": "{pk}", "kind": "note", "occurred_at": "0001-01-01T00:00:00Z"},
            "occurred_at",
        ),
        (
            "interactions",
            {"contact": "{pk}", "kind": "note", "occurred_at": "2026-02-30T10:00:00Z"},
            "occurred_at",
        ),
        (
            "interactions",
            {"contact": "{pk}", "kind": "note", "occurred_at": "3000-01-01T00:00:00Z"},
            "occurred_at",
        ),
        (
            "memberships",
            {"contact": "{pk}", "organisation": "{org}", "start_date": "1066-10-14"},
            "start_date",
        ),
        (
            "memberships",
            {"contact": "{pk}", "organisation": "{org}", "start_date": 20260101},
            "start_date",
        ),
    ],
)
def test_a_bad_value_is_a_400_that_names_the_field_and_changes_nothing(endpoint, body, field):
    api, _, _ = _client()
    person, org = ContactFactory(), OrganisationFactory()
    body = {
        k: {"{pk}": person.pk, "{org}": org.pk}.get(v, v) if isinstance(v, str) else v
        for k, v in body.items()
    }
    before = (Contact.objects.count(), Organisation.objects.count(), Interaction.objects.count())

    response = api.post(f"/api/v1/{endpoint}/", body, format="json")

    assert field in _is_error(response, 400)["errors"]
    after = (Contact.objects.count(), Organisation.objects.count(), Interaction.objects.count())
    assert after == before and not Membership.objects.exists()


@pytest.mark.parametrize("reference", ["{pk}.9", "True", "'{pk}'", "2**70", "-1"])
def test_an_id_that_is_not_a_whole_number_is_refused_not_truncated(reference):
    api, _, _ = _client()
    person = Contact.objects.filter(pk=1).first() or ContactFactory(pk=1)
    given = {"{pk}.9": person.pk + 0.9, "True": True, "'{pk}'": str(person.pk)}
    value = given[reference] if reference in given else eval(reference)  # noqa: S307

    response = api.post(
        "/api/v1/interactions/",
        {"contact": value, "kind": "note", "summary": "Katkaistu?"},
        format="json",
    )

    assert "contact" in _is_error(response, 400)["errors"]
    assert not Interaction.objects.exists()


def test_an_id_in_the_address_must_be_a_whole_number():
    api, _, _ = _client()
    person = ContactFactory()

    assert api.get(f"/api/v1/contacts/{person.pk}/").status_code == 200
    for address in (f"{person.pk}.0", f"{person.pk}x", "1e0", "%C2%84"):
        _is_error(api.get(f"/api/v1/contacts/{address}/"), 404)


def test_a_deeply_nested_body_is_a_400():
    api, _, _ = _client()
    nested = "[" * 100_000 + "]" * 100_000

    response = api.post(
        "/api/v1/contacts/",
        f'{{"first_name": {nested}, "last_name": "Aalto"}}',
        content_type="application/json",
    )

    _is_error(response, 400)
    assert not Contact.objects.exists()


def test_an_empty_body_is_not_an_empty_change():
    api, _, _ = _client()
    person = ContactFactory()

    _is_error(
        api.patch(f"/api/v1/contacts/{person.pk}/", b"", content_type="application/json"), 400
    )
    _is_error(api.post("/api/v1/contacts/", b"", content_type="application/json"), 400)


def test_dates_before_1921_are_valid_rfc_3339():
    """Helsinki's offset before 1921 was its local mean time, +01:39:49: RFC 3339 has no
    seconds in an offset, so every date-time is given in UTC."""
    api, _, _ = _client()
    person = ContactFactory()
    old = timezone.make_aware(timezone.datetime(1900, 1, 1, 12, 0))
    Contact.objects.filter(pk=person.pk).update(collected_at=old)

    shown = api.get(f"/api/v1/contacts/{person.pk}/").json()

    for name in ("collected_at", "created_at", "updated_at"):
        assert RFC_3339.match(shown[name]), (name, shown[name])
    assert shown["collected_at"] == "1900-01-01T10:20:11Z"  # 12:00 at +01:39:49


# --- One error shape, in the client's language, on every status ------------------------------


def test_every_error_has_the_same_json_shape(settings, monkeypatch):
    api, _, token = _client()
    reader, _, _ = _client(scopes=["contacts:read"], name="Lukija")
    person = ContactFactory()

    _is_error(api.post("/api/v1/contacts/", {"first_name": ""}, format="json"), 400)
    _is_error(APIClient().get("/api/v1/contacts/"), 401)
    _is_error(reader.get("/api/v1/organisations/"), 403)
    _is_error(api.get("/api/v1/contacts/999999/"), 404)
    _is_error(api.get("/api/v1/no-such-thing/"), 404)
    _is_error(api.delete(f"/api/v1/contacts/{person.pk}/"), 405)
    _is_error(api.post("/api/v1/contacts/", _person(email=person.email), format="json"), 409)
    _is_error(api.post("/api/v1/contacts/", "<a/>", content_type="application/xml"), 415)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _is_error(api.post("/api/v1/contacts/", _person(last_name="A" * 2000), format="json"), 413)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "1/min"},
    }
    throttled = APIClient()
    throttled.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    throttled.get("/api/v1/contacts/")
    _is_error(throttled.get("/api/v1/contacts/"), 429)


def test_an_unexpected_failure_is_a_500_in_the_same_shape(monkeypatch):
    api, _, _ = _client()
    api.raise_request_exception = False

    def broken(emails):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "contacts_by_email", broken)

    body = _is_error(api.get("/api/v1/contacts/", {"email": "aino@example.com"}), 500)
    assert "database" not in body["detail"]  # nothing of the failure leaks


@pytest.mark.parametrize(
    ("language", "invalid", "not_found"),
    [
        ("fi", "Pyynnössä on virheellisiä arvoja", "Ei löydy."),
        ("sv", "Begäran har ogiltiga värden", "Hittades inte."),
        ("en", "The request has invalid values", "Not found."),
    ],
)
def test_errors_are_in_the_clients_language(language, invalid, not_found):
    api, _, _ = _client()

    bad = api.get("/api/v1/contacts/", {"page_size": "x"}, HTTP_ACCEPT_LANGUAGE=language)
    missing = api.get("/api/v1/contacts/999/", HTTP_ACCEPT_LANGUAGE=language)
    nowhere = api.get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE=language)

    assert _is_error(bad, 400)["detail"].startswith(invalid)
    assert _is_error(missing, 404)["detail"] == not_found
    assert _is_error(nowhere, 404)["detail"] == not_found


def test_a_multipart_upload_is_refused():
    api, _, _ = _client()

    response = api.post(
        "/api/v1/contacts/",
        {"first_name": "Aino", "last_name": "Aalto", "file": io.BytesIO(b"x" * 10_000)},
        format="multipart",
    )

    _is_error(response, 415)
    assert not Contact.objects.exists()


def test_answers_about_people_are_not_cached():
    api, _, _ = _client()
    person = ContactFactory()

    for response in (
        api.get("/api/v1/contacts/"),
        api.get(f"/api/v1/contacts/{person.pk}/"),
        api.post("/api/v1/contacts/", _person(), format="json"),
        api.get("/api/v1/contacts/999999/"),
        APIClient().get("/api/v1/contacts/"),
    ):
        assert response["Cache-Control"] == "no-store", response.status_code


def test_the_schema_documents_the_errors_of_every_operation(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    error = "#/components/schemas/Error"
    assert set(schema["components"]["schemas"]["Error"]["required"]) == ERROR_KEYS

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "401", "403", "429", "500"}
            if "{id}" in path:
                expected.add("404")
            if method in ("post", "put", "patch"):
                expected |= {"409", "413", "415"}
                assert set(operation["requestBody"]["content"]) == {"application/json"}
            if method == "post":
                assert responses["202"]["content"]["application/json"]["schema"]["$ref"]
            for status in expected:
                documented = responses[status]["content"]["application/json"]["schema"]
                assert documented["$ref"] == error, (method, path, status)


# --- A write-only token learns nothing about what is in the register -------------------------


def test_a_write_only_client_gets_the_same_answer_for_a_known_business_id():
    api, _, _ = _client(scopes=["organisations:write"])
    known = OrganisationFactory(business_id="0737546-2", name="Alkuperäinen Oy")

    old = api.post(
        "/api/v1/organisations/", {"name": "Hyökkääjä", "business_id": "0737546-2"}, format="json"
    )
    new = api.post(
        "/api/v1/organisations/", {"name": "Uusi Oy", "business_id": "2331972-7"}, format="json"
    )

    assert (old.status_code, old.json()) == (new.status_code, new.json())
    assert old.status_code == 202 and "id" not in old.json()
    known.refresh_from_db()
    assert known.name == "Alkuperäinen Oy"
    assert Organisation.objects.filter(business_id="2331972-7").exists()


@pytest.mark.parametrize("scopes", [["memberships:write"], ["interactions:write"]])
def test_a_roles_or_interactions_token_cannot_probe_contact_ids(scopes):
    api, _, _ = _client(scopes=[*scopes, "contacts:write", "organisations:write"])
    person, org = ContactFactory(), OrganisationFactory()
    endpoint = "memberships" if "memberships:write" in scopes else "interactions"

    answers = [
        api.post(
            f"/api/v1/{endpoint}/",
            {"contact": pk, "organisation": org.pk, "kind": "note", "summary": "Hei"},
            format="json",
        )
        for pk in (person.pk, person.pk + 1000)
    ]

    assert answers[0].status_code == answers[1].status_code == 403
    assert answers[0].json() == answers[1].json()
    assert not Membership.objects.exists() and not Interaction.objects.exists()


def test_a_write_only_client_never_sees_an_id():
    """Ids are sequential: a new row's id would tell how many rows there are."""
    api, _, _ = _client(scopes=["memberships:write", "contacts:read", "organisations:read"])
    person, org = ContactFactory(), OrganisationFactory()

    response = api.post(
        "/api/v1/memberships/", {"contact": person.pk, "organisation": org.pk}, format="json"
    )

    assert (response.status_code, response.json()) == (202, {"status": "received"})
    assert Membership.objects.filter(contact=person, organisation=org).exists()


def test_a_known_address_costs_the_same_work_as_a_new_one():
    """A write-only client's answer for a known person must not come measurably faster: each
    of the three cases writes one row and one audit entry (the known person's either a note or
    a row that is rolled back)."""
    api, _, _ = _client(scopes=["contacts:write"])
    ContactFactory(email="tunnettu@example.com", first_name="Aino", last_name="Aalto")

    def inserts(body):
        with CaptureQueriesContext(connection) as queries:
            response = api.post("/api/v1/contacts/", body, format="json")
        assert response.status_code == 202
        return [
            q["sql"].split()[2] for q in queries.captured_queries if q["sql"].startswith("INSERT")
        ]

    new = inserts(_person(email="uusi@example.com"))
    same = inserts(_person(email="tunnettu@example.com"))
    different = inserts(_person(email="tunnettu@example.com", last_name="Toinen"))

    assert len(new) == len(same) == len(different) >= 2
    assert Contact.objects.count() == 2  # the rolled-back row left nothing
    assert Interaction.objects.count() == 1  # the differing details, for staff


def test_a_reader_still_learns_about_duplicates():
    api, _, _ = _client(scopes=["contacts:read", "contacts:write"])
    ContactFactory(email="tunnettu@example.com")

    response = api.post("/api/v1/contacts/", _person(email="tunnettu@example.com"), format="json")

    assert "email" in _is_error(response, 409)["errors"]


# --- "Erased" is set by erasure only -----------------------------------------------------------


def test_the_api_cannot_mark_a_person_erased():
    api, _, _ = _client()
    person = ContactFactory(subject_category="customer")

    created = api.post("/api/v1/contacts/", _person(subject_category="erased"), format="json")
    changed = api.patch(
        f"/api/v1/contacts/{person.pk}/", {"subject_category": "erased"}, format="json"
    )

    assert "subject_category" in _is_error(created, 400)["errors"]
    assert "subject_category" in _is_error(changed, 400)["errors"]
    person.refresh_from_db()
    assert person.subject_category == "customer"
    assert not Contact.objects.filter(subject_category="erased").exists()


def test_staff_cannot_pick_erased_in_the_admin(administrator):
    person = ContactFactory(subject_category="customer")

    page = administrator.client.get(f"/admin/crm/contact/{person.pk}/change/")
    add = administrator.client.get("/admin/crm/contact/add/")

    for response in (page, add):
        choices = response.context["adminform"].form.fields["subject_category"].choices
        assert "erased" not in [value for value, _label in choices]
        assert 'value="erased"' not in response.content.decode()


def test_demo_people_are_never_erased_with_names():
    people = ContactFactory.create_batch(120)
    call_command("seed_demo", contacts=60)

    assert not any(p.subject_category == "erased" for p in people)
    assert not Contact.objects.filter(subject_category="erased").exclude(first_name="").exists()


# --- Tokens die with their client, their service user, their date ----------------------------


def test_a_token_stops_working_when_the_service_user_is_deactivated():
    api, client, _ = _client()
    assert api.get("/api/v1/contacts/").status_code == 200

    client.user.is_active = False
    client.user.save()

    _is_error(api.get("/api/v1/contacts/"), 401)


def test_revoking_and_reactivating_does_not_revive_the_old_token():
    api, client, old_token = _client()

    services.api_client_update(api_client=client, is_active=False)
    client.refresh_from_db()
    assert client.token_hash == ""  # nothing left that the old token could match
    with pytest.raises(ValidationError) as refused:
        services.api_client_update(api_client=client, is_active=True)
    assert "is_active" in refused.value.message_dict
    _change, new_token = services.api_client_rotate_token(api_client=client)

    _is_error(api.get("/api/v1/contacts/"), 401)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {new_token}")
    assert fresh.get("/api/v1/contacts/").status_code == 200
    assert new_token != old_token
    rotation = LogEntry.objects.get_for_object(client).filter(action=LogEntry.Action.UPDATE)
    assert any("issued_at" in e.changes_dict for e in rotation)
    assert all(old_token[16:] not in str(e.changes) for e in rotation)


def test_reactivating_in_the_admin_shows_a_new_token_once(administrator):
    api, client, _ = _client()
    form = {"scopes": ALL_SCOPES}
    url = f"/admin/crm/apiclient/{client.pk}/change/"

    administrator.client.post(url, form)  # "active" unticked: revoked
    response = administrator.client.post(url, {**form, "is_active": "on"}, follow=True)

    client.refresh_from_db()
    assert client.is_active
    _is_error(api.get("/api/v1/contacts/"), 401)
    shown = re.search(r"rk_[A-Za-z0-9_-]{40,}", response.content.decode()).group(0)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {shown}")
    assert fresh.get("/api/v1/contacts/").status_code == 200


def test_an_expired_token_is_refused():
    api, client, _ = _client()
    services.api_client_update(api_client=client, expires_at=timezone.now() + timedelta(hours=1))
    assert api.get("/api/v1/contacts/").status_code == 200

    services.api_client_update(api_client=client, expires_at=timezone.now() - timedelta(seconds=1))

    _is_error(api.get("/api/v1/contacts/"), 401)
    change = LogEntry.objects.get_for_object(client).filter(action=LogEntry.Action.UPDATE).last()
    assert "expires_at" in change.changes_dict


def test_create_api_client_can_set_an_expiry():
    out = io.StringIO()
    call_command(
        "create_api_client",
        "Kysely",
        "--scope",
        "contacts:write",
        "--expires-in-days",
        "30",
        stdout=out,
    )

    client = ApiClient.objects.get(name="Kysely")
    assert timedelta(days=29) < client.expires_at - timezone.now() <= timedelta(days=30)
    assert "expires" in out.getvalue()


@pytest.mark.parametrize(
    "header", ["Bearer rk_\x00abcdefghijklmnopqrstuvwxyz", "Bearer rk_" + "a" * 500]
)
def test_an_odd_token_is_a_401(header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)

    _is_error(api.get("/api/v1/contacts/"), 401)


def test_the_schema_lists_the_codes_and_categories_a_client_may_send(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    request, answer = schema["ContactRequest"]["properties"], schema["Contact"]["properties"]

    categories = request["subject_category"]
    assert "erased" not in json.dumps(categories) and "customer" in json.dumps(categories)
    shown = schema[answer["subject_category"]["$ref"].rsplit("/", 1)[1]]
    assert "erased" in shown["enum"]
    codes = [ref["$ref"].rsplit("/", 1)[1] for ref in request["municipality"]["oneOf"]]
    assert "091" in schema[codes[0]]["enum"]


@pytest.mark.parametrize("contact", ["{other}", "©¶_A", -1_000_000_000_000_000, 1.5])
def test_a_change_naming_another_person_is_refused_not_ignored(contact):
    api, _, _ = _client()
    owner, other, org = ContactFactory(), ContactFactory(), OrganisationFactory()
    role = services.membership_create(
        contact=owner, organisation=org, job_title="Opettaja"
    ).instance
    value = other.pk if contact == "{other}" else contact

    moved = api.patch(
        f"/api/v1/memberships/{role.pk}/", {"contact": value, "job_title": "Rehtori"}, format="json"
    )
    same = api.put(
        f"/api/v1/memberships/{role.pk}/",
        {"contact": owner.pk, "organisation": org.pk, "job_title": "Rehtori"},
        format="json",
    )

    assert "contact" in _is_error(moved, 400)["errors"]
    assert same.status_code == 200
    role.refresh_from_db()
    assert (role.contact, role.job_title) == (owner, "Rehtori")

"""The ingestion API, used as an integration would and probed as an attacker would."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from crm.models import ApiClient, Contact, Interaction, Membership, Organisation
from crm.services import api_client_create
from privacy.models import AccessedPerson
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
ALL_SCOPES = ApiClient.Scope.values


def _client(scopes=ALL_SCOPES, name="Webropol"):
    created, token = api_client_create(name=name, scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api, created.instance


def _person(**extra):
    return {"first_name": "Aino", "last_name": "Aalto", "email": "Aino.Aalto@Example.com", **extra}


# --- Authentication and scopes ------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "Bearer rk_wrong", "Bearer", "Token abc", "Bearer a b", "Basic YWRtaW46YWRtaW4="],
)
def test_without_a_valid_token_nothing_is_shown(header):
    ContactFactory()
    api = APIClient()
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)

    response = api.get("/api/v1/contacts/")

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_a_revoked_client_is_refused():
    api, client = _client()
    client.is_active = False
    client.save()

    assert api.get("/api/v1/contacts/").status_code == 401


API_ENDPOINTS = ["contacts", "organisations", "memberships", "interactions"]


def test_no_staff_role_reaches_the_api_with_its_session(staff_member):
    """The API is for integrations' tokens only (the README's roles table): a signed-in staff
    member of any role, second factor and all, can neither read nor write through it."""
    staff = staff_member.client
    assert staff.get("/admin/crm/contact/").status_code == 200  # signed in, with a role
    ContactFactory()

    for endpoint in API_ENDPOINTS:
        assert staff.get(f"/api/v1/{endpoint}/").status_code in (401, 403), endpoint
        assert staff.post(f"/api/v1/{endpoint}/", {}).status_code in (401, 403), endpoint
    assert staff.post("/api/v1/contacts/", _person()).status_code in (401, 403)
    assert Contact.objects.count() == 1


def test_a_client_can_only_do_what_its_scopes_allow():
    api, _ = _client(scopes=["contacts:write"])

    assert api.get("/api/v1/contacts/").status_code == 403
    assert api.post("/api/v1/contacts/", _person(), format="json").status_code == 202
    assert api.get("/api/v1/organisations/").status_code == 403
    assert api.post("/api/v1/organisations/", {"name": "X"}, format="json").status_code == 403


def test_the_token_is_stored_only_as_a_hash_and_printed_once():
    out = io.StringIO()
    call_command("create_api_client", "Lomake", "--scope", "contacts:write", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]

    client = ApiClient.objects.get(name="Lomake")
    assert token.startswith("rk_") and len(token) > 40
    assert token not in (client.token_hash, client.token_prefix)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/contacts/", _person(), format="json").status_code == 202
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_create_api_client_refuses_unknown_scopes():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_api_client", "X", "--scope", "everything")
    assert not ApiClient.objects.exists()


# --- Writing --------------------------------------------------------------------------------


def test_a_pushed_contact_records_its_source_and_the_client_in_the_audit_trail():
    api, client = _client(name="Lyhytkurssijärjestelmä")

    response = api.post(
        "/api/v1/contacts/", _person(phone="040 123 4567", municipality="179"), format="json"
    )

    assert response.status_code == 201, response.json()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.email == "aino.aalto@example.com"
    assert str(contact.phone) == "+358401234567"
    assert contact.municipality.name_fi == "Jyväskylä"
    assert (contact.source, contact.source_detail) == ("api", "Lyhytkurssijärjestelmä")
    entry = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.CREATE)
    assert entry.actor == client.user


def test_provenance_cannot_be_forged():
    api, _ = _client(name="Lomake")

    response = api.post(
        "/api/v1/contacts/", _person(source="staff", source_detail="CEO"), format="json"
    )

    assert response.status_code == 201
    contact = Contact.objects.get()
    assert (contact.source, contact.source_detail) == ("api", "Lomake")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not an email"),
        ("phone", "12"),
        ("first_name", "Aino 131052-308T"),
        ("last_name", "Aalto\x00"),
        ("municipality", "999"),
        ("postal_code", "ABCDE"),
        ("preferred_language", "de"),
        ("nationality", "XX"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_changes_nothing(field, value):
    api, _ = _client()

    response = api.post("/api/v1/contacts/", _person(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Contact.objects.exists()


def test_a_duplicate_email_in_any_case_is_refused():
    api, _ = _client()
    ContactFactory(email="aino.aalto@example.com", first_name="Alkuperäinen")

    response = api.post("/api/v1/contacts/", _person(first_name="Toinen"), format="json")

    assert response.status_code == 409
    assert "email" in response.json()["errors"]
    assert Contact.objects.get().first_name == "Alkuperäinen"


def test_an_update_keeps_provenance_and_is_audited():
    api, client = _client()
    contact = ContactFactory(first_name="Aino", source="staff")

    response = api.patch(f"/api/v1/contacts/{contact.pk}/", {"first_name": "Aina"}, format="json")

    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.first_name, contact.source) == ("Aina", "staff")
    update = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.UPDATE)
    assert update.actor == client.user and update.changes_dict["first_name"] == ["Aino", "Aina"]


def test_organisations_memberships_and_interactions_can_be_pushed():
    api, _ = _client()
    person = ContactFactory()

    org = api.post(
        "/api/v1/organisations/",
        {"name": "Jyväskylän Koulutus Oy", "business_id": "0737546-2", "industry": "85"},
        format="json",
    )
    assert org.status_code == 201, org.json()
    role = api.post(
        "/api/v1/memberships/",
        {"contact": person.pk, "organisation": org.json()["id"], "job_title": "Rehtori"},
        format="json",
    )
    assert role.status_code == 201, role.json()
    chat = api.post(
        "/api/v1/interactions/",
        {"contact": person.pk, "kind": "chat", "summary": "Kysyi kursseista", "browser": "Firefox"},
        format="json",
    )
    assert chat.status_code == 201, chat.json()
    assert Membership.objects.get().job_title == "Rehtori"
    assert Interaction.objects.get().browser == "Firefox"


@pytest.mark.parametrize("business_id", ["0737546-3", "1234567", "abc", "0737546-2\x00"])
def test_an_invalid_business_id_is_refused(business_id):
    api, _ = _client()

    response = api.post(
        "/api/v1/organisations/", {"name": "Oy", "business_id": business_id}, format="json"
    )

    assert response.status_code == 400
    assert "business_id" in response.json()["errors"]
    assert not Organisation.objects.exists()


def test_a_duplicate_business_id_is_refused():
    api, _ = _client()
    OrganisationFactory(business_id="0737546-2")

    response = api.post(
        "/api/v1/organisations/", {"name": "Kopio", "business_id": "0737546-2"}, format="json"
    )

    assert response.status_code == 409
    assert Organisation.objects.count() == 1


# --- Reading ----------------------------------------------------------------------------------


def test_filter_by_email_and_updated_since():
    api, _ = _client()
    ContactFactory(email="eka@example.com")
    ContactFactory(email="toka@example.com")

    by_email = api.get("/api/v1/contacts/", {"email": "EKA@example.com"}).json()["results"]
    assert [c["email"] for c in by_email] == ["eka@example.com"]
    assert (
        api.get("/api/v1/contacts/", {"updated_since": "2099-01-01T00:00:00Z"}).json()["results"]
        == []
    )
    bad = api.get("/api/v1/contacts/", {"updated_since": "yesterday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()["errors"]


def test_pages_follow_each_other_without_gaps_or_repeats():
    api, _ = _client()
    ContactFactory.create_batch(7)

    seen, url = [], "/api/v1/contacts/?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]

    assert sorted(seen) == sorted(Contact.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 7


def test_every_person_an_integration_reads_is_logged():
    api, client = _client()
    people = ContactFactory.create_batch(3)

    api.get("/api/v1/contacts/")
    api.get(f"/api/v1/contacts/{people[0].pk}/")

    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=client.user)
    assert reads.count() == 2  # one per answer, naming every person in it
    assert {e.additional_data["api_client"] for e in reads} == {"Webropol"}
    named = AccessedPerson.objects.filter(entry__in=reads).values_list("entry", "contact_id")
    assert sorted(c for _e, c in named) == sorted([*(p.pk for p in people), people[0].pk])


def test_throttling_answers_429(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "3/min"},
    }
    api, _ = _client()

    statuses = [api.get("/api/v1/contacts/").status_code for _ in range(5)]

    assert statuses[:3] == [200, 200, 200]
    assert statuses[-1] == 429


def test_the_schema_and_its_docs_page_are_served_without_inline_scripts(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200 and b"/api/v1/contacts/" in schema.content
    assert docs.status_code == 200
    assert b"<script>" not in docs.content  # CSP forbids inline scripts: all are files


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.dictionaries(
        st.sampled_from(
            ["first_name", "last_name", "email", "phone", "postal_code", "municipality"]
        ),
        st.one_of(st.text(max_size=30), st.integers(), st.none(), st.booleans()),
    )
)
def test_random_payloads_never_cause_a_server_error(payload):
    api, client = _client(name="fuzz")
    try:
        response = api.post("/api/v1/contacts/", payload, format="json")
        assert response.status_code in (201, 400), response.content
    finally:
        Contact.objects.all().delete()
        LogEntry.objects.all().delete()
        client.delete()
        client.user.delete()


# --- A token must not do more than its scopes say (review findings) ----------------------------


def test_a_write_only_client_learns_nothing_from_the_answer():
    api, _ = _client(scopes=["contacts:write"])
    someone = ContactFactory(first_name="Salainen")

    created = api.post("/api/v1/contacts/", _person(), format="json")
    patched = api.patch(f"/api/v1/contacts/{someone.pk}/", {}, format="json")

    assert created.status_code == 202 and created.json() == {"status": "received"}
    assert Contact.objects.filter(email="aino.aalto@example.com").exists()
    assert patched.status_code == 403
    assert "Salainen" not in patched.content.decode()


def test_an_interaction_cannot_be_moved_to_another_person():
    api, _ = _client()
    owner, other = ContactFactory(), ContactFactory()
    note = Interaction.objects.create(contact=owner, kind="note", summary="Alkuperäinen")

    api.patch(
        f"/api/v1/interactions/{note.pk}/", {"contact": other.pk, "summary": "X"}, format="json"
    )

    note.refresh_from_db()
    assert note.contact == owner


def test_reading_roles_and_interactions_is_logged_for_the_person():
    api, client = _client()
    person = ContactFactory()
    Interaction.objects.create(contact=person, kind="chat", summary="Chat", transcript="Hei!")

    api.get("/api/v1/interactions/")

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=client.user)
    assert entry.object_pk == str(person.pk)


def test_the_audit_address_is_not_taken_from_a_spoofed_header(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    api, client = _client()
    ContactFactory()

    api.get(
        "/api/v1/contacts/",
        HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7",
        REMOTE_ADDR="10.0.0.2",
    )

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=client.user)
    assert entry.remote_addr == "198.51.100.7"  # the proxy's view, not the client's claim


def test_a_write_only_client_cannot_tell_a_known_address_from_a_new_one():
    api, _ = _client(scopes=["contacts:write"])
    known = ContactFactory(email="aino.aalto@example.com", first_name="Aino", phone="")

    new = api.post("/api/v1/contacts/", _person(email="uusi@example.com"), format="json")
    again = api.post("/api/v1/contacts/", _person(phone="040 765 4321"), format="json")

    assert (new.status_code, again.status_code) == (202, 202)
    assert new.json() == again.json() == {"status": "received"}
    assert new.headers.get("Location") == again.headers.get("Location")
    assert Contact.objects.filter(email__in=["uusi@example.com", known.email]).count() == 2


def test_what_a_write_only_client_sends_for_a_known_person_is_kept_but_not_applied():
    api, client = _client(scopes=["contacts:write"])
    known = ContactFactory(email="aino.aalto@example.com", first_name="Aino", last_name="Aalto")
    phone_before = str(known.phone)

    api.post("/api/v1/contacts/", _person(last_name="Hyökkääjä"), format="json")

    known.refresh_from_db()
    assert (known.last_name, str(known.phone)) == ("Aalto", phone_before)  # nothing overwritten
    note = Interaction.objects.get(contact=known)
    assert note.kind == Interaction.Kind.NOTE
    assert "Hyökkääjä" in note.summary and "Webropol" in note.summary
    entry = LogEntry.objects.get_for_object(note).get()
    assert entry.actor == client.user


def test_a_write_only_client_resending_the_same_details_adds_nothing():
    api, _ = _client(scopes=["contacts:write"])
    ContactFactory(email="aino.aalto@example.com", first_name="Aino", last_name="Aalto")

    response = api.post("/api/v1/contacts/", _person(), format="json")

    assert response.status_code == 202
    assert not Interaction.objects.exists()


def test_a_write_only_client_gets_the_same_field_errors_for_a_known_address():
    api, _ = _client(scopes=["contacts:write"])
    ContactFactory(email="aino.aalto@example.com")

    known = api.post("/api/v1/contacts/", _person(phone="12"), format="json")
    new = api.post(
        "/api/v1/contacts/", _person(email="uusi@example.com", phone="12"), format="json"
    )

    assert known.status_code == new.status_code == 400
    assert known.json() == new.json()
    assert not Interaction.objects.exists()


def test_an_address_of_a_merged_duplicate_finds_the_kept_person():
    from crm import services

    api, _ = _client()
    keep = ContactFactory(email="aino@example.com")
    gone = ContactFactory(email="aino.vanha@example.com")
    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    listed = api.get("/api/v1/contacts/", {"email": "AINO.VANHA@example.com"})
    pushed = api.post("/api/v1/contacts/", _person(email="aino.vanha@example.com"), format="json")

    assert [row["id"] for row in listed.json()["results"]] == [keep.pk]
    assert pushed.status_code == 409 and "email" in pushed.json()["errors"]
    assert Contact.objects.count() == 1

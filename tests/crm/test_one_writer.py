"""Services are the only writers: the admin and the API change people, organisations, roles,
interactions and API clients only through crm.services, so a rule a service keeps holds from
every door."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.utils import timezone, translation
from rest_framework.test import APIClient

from crm import api, services
from crm.models import ApiClient, Contact, Interaction, Membership, Organisation
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 5, 4, 3, 2, 1, tzinfo=datetime.UTC)


def _api(scopes=tuple(ApiClient.Scope.values), name="Webropol"):
    _created, token = services.api_client_create(name=name, scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _known_person(**extra) -> Contact:
    return ContactFactory(
        first_name="Liisa",
        last_name="Laine",
        email="liisa@example.com",
        phone="+358401234567",
        subject_category=Contact.SubjectCategory.CUSTOMER,
        preferred_language="fi",
        source=Contact.Source.IMPORT,
        source_detail="jäsenet.csv",
        collected_at=LONG_AGO,
        **extra,
    )


def _contact_form(contact: Contact, **changes) -> dict:
    """The person's page as a browser posts it back, with ``changes`` typed in."""
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": str(contact.phone or ""),
        "street_address": contact.street_address,
        "postal_code": contact.postal_code,
        "post_office": contact.post_office,
        "municipality": contact.municipality_id or "",
        "subject_category": contact.subject_category,
        "preferred_language": contact.preferred_language,
        "nationality": str(contact.nationality or ""),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": "0",
        "memberships-2-INITIAL_FORMS": "0",
        **changes,
    }


def _provenance(contact: Contact) -> tuple:
    contact.refresh_from_db()
    return contact.source, contact.source_detail, contact.collected_at


def _updates(obj) -> int:
    return LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE).count()


# --- Provenance: set by the door a person came in through, changed by none ----------------------


def test_the_admin_form_cannot_change_where_a_persons_data_came_from(sales):
    staff = sales.client
    person = _known_person()

    response = staff.post(
        f"/admin/crm/contact/{person.pk}/change/",
        _contact_form(
            person,
            last_name="Lahtinen",
            source="staff",
            source_detail="Keksitty",
            collected_at_0="2026-01-01",
            collected_at_1="12:00:00",
            collected_at="2026-01-01 12:00:00",
        ),
    )

    assert response.status_code == 302
    assert _provenance(person) == (Contact.Source.IMPORT, "jäsenet.csv", LONG_AGO)
    assert person.last_name == "Lahtinen"  # the rest of the form was saved


def test_the_api_cannot_change_where_a_persons_data_came_from():
    person = _known_person()

    response = _api().patch(
        f"/api/v1/contacts/{person.pk}/",
        {
            "last_name": "Lahtinen",
            "source": "api",
            "source_detail": "Keksitty",
            "collected_at": "2026-01-01T12:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 200
    assert _provenance(person) == (Contact.Source.IMPORT, "jäsenet.csv", LONG_AGO)
    assert person.last_name == "Lahtinen"


@pytest.mark.parametrize(
    ("field", "value"),
    [("source", "staff"), ("source_detail", "Keksitty"), ("collected_at", timezone.now())],
)
def test_the_service_refuses_to_change_provenance_and_changes_nothing(field, value):
    person = _known_person()

    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        services.contact_update(contact=person, last_name="Lahtinen", **{field: value})

    assert refusal.value.message_dict == {
        field: [
            "Where a person's data came from is recorded when they are added and cannot be changed."
        ]
    }
    assert Contact.objects.get(pk=person.pk).last_name == "Laine"
    assert _updates(person) == 0


def test_each_door_records_itself_as_the_source_of_a_new_person(sales):
    staff = sales.client
    new = Contact(first_name="Uusi", last_name="Henkilö", email="uusi@example.com")

    staff.post("/admin/crm/contact/add/", _contact_form(new, source="import"))
    _api(name="Lomake").post(
        "/api/v1/contacts/",
        {"first_name": "Toinen", "last_name": "Henkilö", "source": "staff"},
        format="json",
    )

    by_name = {c.first_name: (c.source, c.source_detail) for c in Contact.objects.all()}
    assert by_name == {"Uusi": ("staff", ""), "Toinen": ("api", "Lomake")}


# --- Both doors go through the services ---------------------------------------------------------


def test_the_admin_gives_the_update_service_only_what_was_changed(sales, monkeypatch):
    staff = sales.client
    person = _known_person()
    calls = []
    real = services.contact_update

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "contact_update", spy)

    staff.post(f"/admin/crm/contact/{person.pk}/change/", _contact_form(person, last_name="Aho"))

    assert [set(call) for call in calls] == [{"contact", "last_name"}]
    assert calls[0]["last_name"] == "Aho"


def test_saving_unchanged_details_writes_nothing_from_either_door(sales):
    """The services write nothing when nothing changes: the "updated" time an integration
    syncs by (``updated_since``) stays, and no audit entry claims a change."""
    staff = sales.client
    person = _known_person()
    updated_at = person.updated_at

    from_admin = staff.post(f"/admin/crm/contact/{person.pk}/change/", _contact_form(person))
    from_api = _api().patch(
        f"/api/v1/contacts/{person.pk}/",
        {"first_name": "Liisa", "email": "LIISA@example.com", "phone": "040 123 4567"},
        format="json",
    )

    assert (from_admin.status_code, from_api.status_code) == (302, 200)
    person.refresh_from_db()
    assert person.updated_at == updated_at
    assert _updates(person) == 0


def test_a_value_the_rules_refuse_gets_the_same_message_from_both_doors(sales):
    staff = sales.client
    person = _known_person()

    admin = staff.post(
        f"/admin/crm/contact/{person.pk}/change/", _contact_form(person, postal_code="ABC")
    )
    from_api = _api().patch(f"/api/v1/contacts/{person.pk}/", {"postal_code": "ABC"}, format="json")

    assert from_api.status_code == 400
    assert (
        admin.context["adminform"].form.errors["postal_code"]
        == from_api.json()["errors"]["postal_code"]
    )
    assert Contact.objects.get(pk=person.pk).postal_code == ""


def test_a_serializer_that_names_no_service_cannot_exist():
    with pytest.raises(TypeError, match="create_service and update_service"):

        class Direct(api.ServiceSerializer):
            class Meta:
                model = Organisation
                fields = ["name"]


def test_a_role_added_on_a_persons_page_goes_through_the_service(sales, monkeypatch):
    staff = sales.client
    person = _known_person()
    employer = OrganisationFactory()
    created = []
    real = services.membership_create
    monkeypatch.setattr(
        services, "membership_create", lambda **kw: created.append(kw) or real(**kw)
    )

    response = staff.post(
        f"/admin/crm/contact/{person.pk}/change/",
        _contact_form(
            person,
            **{
                "memberships-2-TOTAL_FORMS": "1",
                "memberships-2-0-organisation": employer.pk,
                "memberships-2-0-job_title": "Rehtori",
                "memberships-2-0-work_email": "Liisa.Laine@Koulu.fi",
            },
        ),
    )

    assert response.status_code == 302
    role = Membership.objects.get(contact=person)
    assert (role.organisation, role.job_title, role.work_email) == (
        employer,
        "Rehtori",
        "liisa.laine@koulu.fi",
    )
    assert [kw["contact"] for kw in created] == [person]
    entry = LogEntry.objects.get_for_object(role).get(action=LogEntry.Action.CREATE)
    assert entry.actor == response.wsgi_request.user


def test_the_staff_member_who_logs_an_interaction_is_set_by_the_service(support):
    staff = support.client
    person = _known_person()
    other = ContactFactory()

    response = staff.post(
        "/admin/crm/interaction/add/",
        {
            "contact": person.pk,
            "kind": "call",
            "occurred_at_0": "2026-01-02",
            "occurred_at_1": "10:00:00",
            "summary": "Soitti laskusta",
            "staff": other.pk,  # read-only on the page: whatever is posted, it is who logged it
        },
    )

    assert response.status_code == 302
    call = Interaction.objects.get()
    assert call.staff == response.wsgi_request.user
    entry = LogEntry.objects.get_for_object(call).get(action=LogEntry.Action.CREATE)
    assert entry.actor == call.staff


# --- What every service returns and writes ------------------------------------------------------


def _rows():
    person = _known_person()
    organisation = OrganisationFactory(name="Koulu Oy", business_id="0737546-2")
    role = MembershipFactory(contact=person, organisation=organisation, job_title="Opettaja")
    note = Interaction.objects.create(contact=person, kind="note", summary="Muistiinpano")
    created, _token = services.api_client_create(name="Lomake", scopes=["contacts:write"])
    return person, organisation, role, note, created.instance


def _unchanged_updates(person, organisation, role, note, client):
    """Each update service given the values its row already holds, as a door would give them."""
    return [
        lambda: services.contact_update(
            contact=person, email="LIISA@Example.com", phone="040 123 4567", last_name="Laine"
        ),
        lambda: services.organisation_update(
            organisation=organisation, name="Koulu Oy", business_id="0737546-2"
        ),
        lambda: services.membership_update(
            membership=role, job_title="Opettaja", organisation=organisation
        ),
        lambda: services.interaction_update(interaction=note, summary="Muistiinpano"),
        lambda: services.api_client_update(
            api_client=client, scopes=["contacts:write"], is_active=True
        ),
    ]


def test_an_update_that_changes_nothing_writes_nothing():
    rows = _rows()
    before = LogEntry.objects.count()
    stamps = [getattr(type(row).objects.get(pk=row.pk), "updated_at", None) for row in rows]

    results = [update() for update in _unchanged_updates(*rows)]

    assert [result.changes for result in results] == [{}] * 5
    assert LogEntry.objects.count() == before
    assert [getattr(type(r).objects.get(pk=r.pk), "updated_at", None) for r in rows] == stamps


def test_an_update_returns_what_changed_and_saves_only_that():
    person = _known_person()

    result = services.contact_update(contact=person, last_name="Aho", phone="040 123 4567")

    assert result.instance is person and not result.created
    assert result.changes == {"last_name": ("Laine", "Aho")}
    entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict == {"last_name": ["Laine", "Aho"]}
    assert Contact.objects.get(pk=person.pk).last_name == "Aho"


def test_a_create_returns_every_field_it_set():
    result = services.organisation_create(name="Koulu Oy", business_id="0737546-2")

    assert result.created
    assert result.changes["name"] == (None, "Koulu Oy")
    assert result.changes["business_id"] == (None, "0737546-2")
    assert result.changes["notes"] == (None, "")


def test_a_refused_update_leaves_the_callers_object_as_stored():
    person = _known_person()

    with pytest.raises(ValidationError):
        services.contact_update(contact=person, last_name="Aho", postal_code="ABC")

    assert (person.last_name, person.postal_code) == ("Laine", "")


@pytest.mark.parametrize(
    "service",
    [
        services.contact_update,
        services.organisation_update,
        services.membership_update,
        services.interaction_update,
        services.api_client_update,
    ],
)
def test_a_service_refuses_fields_it_may_not_set(service):
    """``created_at`` is the row's own; ``name`` of an API client, ``staff`` of an interaction
    and ``token_hash`` are set once. A door that offered them would be a bug, and says so."""
    person, organisation, role, note, client = _rows()
    row = {
        services.contact_update: {"contact": person},
        services.organisation_update: {"organisation": organisation},
        services.membership_update: {"membership": role},
        services.interaction_update: {"interaction": note, "staff": None},
        services.api_client_update: {"api_client": client, "name": "X", "token_hash": "0"},
    }[service]

    with pytest.raises(TypeError, match="may not set"):
        service(**row, created_at=timezone.now())


# --- Audit entries are written in the service's transaction ------------------------------------


class Failed(Exception):
    pass


@pytest.fixture
def fail_after_saving():
    """Make saving ``model`` fail after the row and its audit entry have been written: a
    ``post_save`` receiver connected after auditlog's (which writes a new row's entry on
    ``post_save``, a change's on ``pre_save``) raises. Records how many audit entries there
    were when it raised, to show the entry had been written."""
    connected = []
    seen = []

    def arm(model):
        def fail(sender, instance, **kwargs):
            seen.append(LogEntry.objects.count())
            raise Failed

        post_save.connect(fail, sender=model, weak=False)
        connected.append((fail, model))
        return seen

    yield arm
    for receiver, model in connected:
        post_save.disconnect(receiver, sender=model)


def _creates(person, organisation, user):
    return {
        Contact: lambda: services.contact_create(
            source=Contact.Source.STAFF, first_name="Uusi", last_name="Henkilö"
        ),
        Organisation: lambda: services.organisation_create(name="Uusi Oy"),
        Membership: lambda: services.membership_create(
            contact=person, organisation=organisation, job_title="Rehtori"
        ),
        Interaction: lambda: services.interaction_create(
            contact=person, kind="call", summary="Soitto", staff=user
        ),
        ApiClient: lambda: services.api_client_create(name="Uusi", scopes=["contacts:read"]),
    }


@pytest.mark.parametrize("model", [Contact, Organisation, Membership, Interaction, ApiClient])
def test_a_create_that_fails_after_its_audit_entry_leaves_neither(model, fail_after_saving):
    person, organisation, _role, _note, client = _rows()
    rows, entries = model.objects.count(), LogEntry.objects.count()
    seen = fail_after_saving(model)

    with pytest.raises(Failed):
        _creates(person, organisation, client.user)[model]()

    assert seen == [entries + 1]  # the row's entry was written before the failure
    assert model.objects.count() == rows
    assert LogEntry.objects.count() == entries


@pytest.mark.parametrize("model", [Contact, Organisation, Membership, Interaction, ApiClient])
def test_an_update_that_fails_after_its_audit_entry_leaves_neither(model, fail_after_saving):
    person, organisation, role, note, client = _rows()
    row, change = {
        Contact: (person, lambda: services.contact_update(contact=person, last_name="Aho")),
        Organisation: (
            organisation,
            lambda: services.organisation_update(organisation=organisation, name="Muu Oy"),
        ),
        Membership: (role, lambda: services.membership_update(membership=role, job_title="X")),
        Interaction: (note, lambda: services.interaction_update(interaction=note, summary="X")),
        ApiClient: (client, lambda: services.api_client_update(api_client=client, is_active=False)),
    }[model]
    fields = [f.attname for f in model._meta.concrete_fields]
    stored = model.objects.values(*fields).get(pk=row.pk)
    entries = LogEntry.objects.count()
    seen = fail_after_saving(model)

    with pytest.raises(Failed):
        change()

    assert seen == [entries + 1]
    assert model.objects.values(*fields).get(pk=row.pk) == stored
    assert LogEntry.objects.count() == entries


def test_an_api_client_change_is_audited_without_its_token():
    created, token = services.api_client_create(name="Lomake", scopes=["contacts:write"])

    services.api_client_update(api_client=created.instance, scopes=["contacts:read"])

    entries = LogEntry.objects.get_for_object(created.instance).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].changes_dict == {"scopes": ['["contacts:write"]', '["contacts:read"]']}
    assert all(
        "token" not in name and created.instance.token_hash not in str(e.changes)
        for e in entries
        for name in e.changes_dict
    )
    assert token[16:] not in "".join(str(e.changes) for e in entries)


# --- Every admin page saves through its services -------------------------------------------------


def test_organisations_are_added_and_changed_in_the_admin_through_the_services(sales):
    staff = sales.client
    form = {
        "name": "Koulu Oy",
        "business_id": "0737546-2",
        "industry": "",
        "relationship": "customer",
        "street_address": "",
        "postal_code": "",
        "post_office": "",
        "municipality": "",
        "notes": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    added = staff.post("/admin/crm/organisation/add/", form)
    school = Organisation.objects.get()
    unchanged = staff.post(f"/admin/crm/organisation/{school.pk}/change/", form)
    changed = staff.post(
        f"/admin/crm/organisation/{school.pk}/change/", {**form, "notes": "Iso asiakas"}
    )

    assert (added.status_code, unchanged.status_code, changed.status_code) == (302, 302, 302)
    entries = LogEntry.objects.get_for_object(school).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].changes_dict == {"notes": ["", "Iso asiakas"]}


def test_a_role_and_an_interaction_are_changed_on_their_pages_through_the_services(sales):
    staff = sales.client
    role = MembershipFactory(job_title="Opettaja", work_email="", work_phone="")
    note = Interaction.objects.create(contact=role.contact, kind="note", summary="Eka")

    staff.post(
        f"/admin/crm/membership/{role.pk}/change/",
        {
            "contact": role.contact_id,
            "organisation": role.organisation_id,
            "job_title": "Rehtori",
            "start_date": "2026-02-01",
            "end_date": "2026-01-01",  # before the start: refused, nothing saved
        },
    )
    staff.post(
        f"/admin/crm/membership/{role.pk}/change/",
        {"contact": role.contact_id, "organisation": role.organisation_id, "job_title": "Rehtori"},
    )
    staff.post(
        f"/admin/crm/interaction/{note.pk}/change/",
        {
            "contact": note.contact_id,
            "kind": "note",
            "occurred_at_0": "2026-01-02",
            "occurred_at_1": "10:00:00",
            "summary": "Toka",
        },
    )

    role.refresh_from_db()
    note.refresh_from_db()
    assert (role.job_title, role.end_date, note.summary) == ("Rehtori", None, "Toka")
    update = LogEntry.objects.get_for_object(role).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict == {"job_title": ["Opettaja", "Rehtori"]}
    assert note.staff is None  # who logged it is not changed by whoever edits it


def test_an_api_client_is_revoked_in_the_admin_through_the_service(administrator):
    staff = administrator.client
    created, token = services.api_client_create(name="Lomake", scopes=["contacts:write"])
    client = created.instance

    response = staff.post(
        f"/admin/crm/apiclient/{client.pk}/change/",
        {"name": "Toinen nimi", "scopes": ["contacts:write"]},  # unticked "active"
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.is_active) == ("Lomake", False)
    update = LogEntry.objects.get_for_object(client).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict == {"is_active": ["True", "False"]}
    assert update.actor == response.wsgi_request.user
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/contacts/", {}, format="json").status_code == 401

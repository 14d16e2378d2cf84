"""A page that shows several people writes ONE access entry naming them, and everything that
asks for "the entries about a person" (the access answer, the DPO's filter, erasure, merge,
retention) still finds it through the rows naming its people."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from rest_framework.test import APIClient

from crm import services
from crm.models import ApiClient, Contact
from crm.services import api_client_create
from privacy.audit import audit_entries_purge
from privacy.declarations import REDACTED
from privacy.erasure import contact_erase, erasure_plan
from privacy.models import AccessedPerson
from privacy.selectors import audit_entries_about, personal_data_for_contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _access_entries(user):
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user)


@pytest.fixture
def listed(sales):
    """Five people, and the contact list a sales person opened, showing all of them."""
    people = ContactFactory.create_batch(5, last_name="Listattu")
    response = sales.client.get("/admin/crm/contact/?q=Listattu", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 5
    return people


def test_a_list_page_writes_one_access_entry_naming_the_people_it_shows(sales, listed):
    entry = _access_entries(sales.user).get()

    named = AccessedPerson.objects.filter(entry=entry).values_list("contact_id", flat=True)
    assert sorted(named) == sorted(p.pk for p in listed)
    assert entry.remote_addr == "192.0.2.7"
    assert entry.additional_data["path"] == "/admin/crm/contact/"
    assert entry.additional_data["people"] == 5
    # A count, not fifty names: the entry itself holds nobody's data.
    assert not any(p.last_name in entry.object_repr for p in listed)
    assert "5" in entry.object_repr and entry.object_id is None


def test_one_person_shown_keeps_the_entry_about_them(sales):
    person = ContactFactory(last_name="Ainoa")

    sales.client.get(f"/admin/crm/contact/{person.pk}/change/")

    entry = _access_entries(sales.user).get()
    assert (entry.object_id, entry.object_pk) == (person.pk, str(person.pk))
    assert "Ainoa" in entry.object_repr
    assert list(entry.people_shown.values_list("contact_id", flat=True)) == [person.pk]


def test_the_persons_access_answer_lists_the_shared_entry(sales, listed):
    entry = _access_entries(sales.user).get()

    for person in (listed[0], listed[4]):
        assert entry in audit_entries_about(person)
        answer = personal_data_for_contact(person)
        assert entry.pk in {r.pk for r in answer if r.model_label == "auditlog.LogEntry"}
    assert entry not in audit_entries_about(ContactFactory())  # someone not shown


def test_the_dpos_person_filter_finds_the_shared_entry(sales, dpo, listed):
    entry = _access_entries(sales.user).get()

    response = dpo.client.get(f"/admin/auditlog/logentry/?person={listed[2].pk}")

    assert response.status_code == 200
    assert entry in response.context["cl"].result_list
    elsewhere = dpo.client.get(f"/admin/auditlog/logentry/?person={ContactFactory().pk}")
    assert entry not in elsewhere.context["cl"].result_list


def test_erasing_one_person_keeps_the_entry_and_the_others_named(sales, listed):
    entry = _access_entries(sales.user).get()
    erased, others = listed[1], [p for p in listed if p != listed[1]]

    plan = erasure_plan(contact=erased)
    assert {m.model_label for m in plan.models} >= {"auditlog.LogEntry", "privacy.AccessedPerson"}
    contact_erase(contact=erased, actor=sales.user)

    entry.refresh_from_db()
    assert entry.additional_data.get("redacted") is True  # the redaction found it
    assert entry.object_repr == REDACTED
    named = set(AccessedPerson.objects.filter(entry=entry).values_list("contact_id", flat=True))
    assert named == {p.pk for p in others}
    for person in others:
        assert entry in audit_entries_about(person)
    # A second erasure finds nothing left to do.
    assert not erasure_plan(contact=Contact._base_manager.get(pk=erased.pk)).changes_anything


def test_a_merged_duplicates_access_history_follows_to_the_kept_person(sales, listed):
    entry = _access_entries(sales.user).get()
    kept, duplicate = ContactFactory(), listed[3]

    services.contact_merge(survivor=kept, duplicate=duplicate, actor=sales.user)

    assert entry in audit_entries_about(kept)
    assert AccessedPerson.objects.filter(entry=entry, contact_id=duplicate.pk).exists()


def test_the_retention_purge_takes_the_named_people_with_the_entry(settings, sales, listed):
    settings.AUDIT_RETENTION_DAYS = 30
    old = _access_entries(sales.user).get()
    sales.client.get("/admin/crm/contact/?q=Listattu")
    recent = _access_entries(sales.user).exclude(pk=old.pk).get()
    LogEntry.objects.filter(pk=old.pk).update(
        timestamp=timezone.now() - datetime.timedelta(days=31)
    )

    assert audit_entries_purge() == 1  # entries, not the rows naming their people

    assert not AccessedPerson.objects.filter(entry_id=old.pk).exists()
    assert AccessedPerson.objects.filter(entry=recent).count() == 5


def test_an_api_page_writes_one_entry_naming_its_people():
    client, token = api_client_create(name="Webropol", scopes=list(ApiClient.Scope.values))
    client = client.instance
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    people = ContactFactory.create_batch(4)

    assert api.get("/api/v1/contacts/").status_code == 200

    entry = _access_entries(client.user).get()
    assert sorted(entry.people_shown.values_list("contact_id", flat=True)) == sorted(
        p.pk for p in people
    )


def test_the_dpo_reads_the_shared_entry_as_a_count_and_its_people(sales, dpo, listed):
    entry = _access_entries(sales.user).get()

    listing = dpo.client.get(
        f"/admin/auditlog/logentry/?person={listed[0].pk}", HTTP_ACCEPT_LANGUAGE="fi"
    ).content.decode()
    page = dpo.client.get(
        f"/admin/auditlog/logentry/{entry.pk}/change/", HTTP_ACCEPT_LANGUAGE="fi"
    ).content.decode()

    assert "5 henkilöä" in listing
    assert "Näytetyt henkilöt: " + ", ".join(f"#{p.pk}" for p in listed) in page

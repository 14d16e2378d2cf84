"""Every change to personal data and every staff view of a person is in the audit trail."""

import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from crm import services
from crm.models import Contact, Interaction
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _posted_back(page, **changes) -> dict:
    """What a browser sends when the form on ``page`` is saved with ``changes``: the page's own
    fields and its inlines' forms, nothing the page does not have."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else str(value)
    unknown = set(changes) - set(data)
    assert not unknown, f"the page has no field {unknown}"
    return {**data, **changes}


def test_a_change_in_the_admin_records_who_what_before_and_after(sales):
    contact = ContactFactory(first_name="Liisa", last_name="Laine", email="liisa@example.com")
    MembershipFactory(contact=contact)  # the page lists it in an inline, posted back unchanged
    page = sales.client.get(f"/admin/crm/contact/{contact.pk}/change/")

    response = sales.client.post(
        f"/admin/crm/contact/{contact.pk}/change/",
        _posted_back(page, last_name="Lahtinen"),
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    entry = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == sales.user
    assert entry.remote_addr == "192.0.2.10"
    assert entry.changes_dict["last_name"] == ["Laine", "Lahtinen"]


def test_opening_a_persons_page_is_recorded(dpo):
    contact = ContactFactory()

    dpo.client.get(f"/admin/crm/contact/{contact.pk}/change/", REMOTE_ADDR="192.0.2.44")

    entry = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == dpo.user
    assert entry.remote_addr == "192.0.2.44"


def test_a_service_change_is_audited_in_the_same_transaction():
    contact = services.contact_create(
        source=Contact.Source.STAFF, first_name="Aku", last_name="Ankka", email="AKU@Example.com"
    ).instance

    assert contact.email == "aku@example.com"
    assert LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.CREATE).exists()

    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, postal_code="ABC")
    assert LogEntry.objects.get_for_object(contact).count() == 1
    assert Contact.objects.get(pk=contact.pk).postal_code == ""


def test_the_dpo_can_read_and_filter_the_audit_trail(dpo):
    ContactFactory()

    response = dpo.client.get("/admin/auditlog/logentry/?action__exact=0")

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def _people_seen_by(user) -> set[int]:
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user)
    return {int(pk) for pk in entries.values_list("object_pk", flat=True)}


def test_a_list_page_logs_each_person_it_shows(sales):
    shown = ContactFactory.create_batch(3)

    sales.client.get("/admin/crm/contact/?q=" + shown[0].email)

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=sales.user)
    assert [e.object_pk for e in entries] == [str(shown[0].pk)]


def test_opening_an_interaction_is_logged_for_its_person(support):
    person = ContactFactory()
    chat = Interaction.objects.create(contact=person, kind="chat", summary="Chat", transcript="Hei")

    support.client.get(f"/admin/crm/interaction/{chat.pk}/change/")

    assert _people_seen_by(support.user) == {person.pk}


def test_the_interaction_list_logs_the_person_of_each_row(support):
    listed = [ContactFactory(), ContactFactory()]
    for person in listed:
        Interaction.objects.create(contact=person, kind="call", summary="Soitto")

    support.client.get("/admin/crm/interaction/")

    assert _people_seen_by(support.user) == {p.pk for p in listed}


def test_an_organisations_page_logs_the_people_it_lists(sales):
    """The page lists its people's work email and phone: each of them was seen."""
    membership = MembershipFactory()
    colleague = MembershipFactory(organisation=membership.organisation)
    MembershipFactory()  # someone elsewhere

    sales.client.get("/admin/crm/organisation/")
    assert _people_seen_by(sales.user) == set()  # the list shows counts, nobody's data

    sales.client.get(f"/admin/crm/organisation/{membership.organisation.pk}/change/")
    assert _people_seen_by(sales.user) == {membership.contact.pk, colleague.contact.pk}


def test_a_roles_page_and_list_log_its_person(sales):
    membership = MembershipFactory()

    sales.client.get(f"/admin/crm/membership/{membership.pk}/change/")
    assert _people_seen_by(sales.user) == {membership.contact.pk}

    other = MembershipFactory()
    sales.client.get("/admin/crm/membership/")
    assert _people_seen_by(sales.user) == {membership.contact.pk, other.contact.pk}


def test_a_new_api_token_never_travels_in_a_cookie(administrator):
    response = administrator.client.post(
        "/admin/crm/apiclient/add/",
        {"name": "Lomake", "scopes": ["contacts:write"], "is_active": "on"},
        follow=True,
    )

    token_message = [str(m) for m in response.context["messages"] if "rk_" in str(m)]
    assert token_message
    # Shown once, set apart to copy (markup, not escaped text).
    assert re.search(r"<code>rk_[\w-]+</code>", response.content.decode())
    # Messages live in the server-side session: no "messages" cookie carries the token.
    assert "messages" not in response.client.cookies

"""Every change to personal data and every staff view of a person is in the audit trail."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from crm import roles, services
from crm.models import Contact
from tests.conftest import make_staff, signed_in_with_second_factor
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_change_in_the_admin_records_who_what_before_and_after(client):
    user = make_staff(roles.SALES)
    signed_in_with_second_factor(client, user)
    contact = ContactFactory(first_name="Liisa", last_name="Laine", email="liisa@example.com")

    response = client.post(
        f"/admin/crm/contact/{contact.pk}/change/",
        {
            "first_name": "Liisa",
            "last_name": "Lahtinen",
            "email": "liisa@example.com",
            "phone": "",
            "street_address": "",
            "postal_code": "",
            "post_office": "",
            "municipality": "",
            "subject_category": "customer",
            "preferred_language": "fi",
            "nationality": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-2-TOTAL_FORMS": "0",
            "memberships-2-INITIAL_FORMS": "0",
            "interactions-TOTAL_FORMS": "0",
            "interactions-INITIAL_FORMS": "0",
        },
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    entry = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == user
    assert entry.remote_addr == "192.0.2.10"
    assert entry.changes_dict["last_name"] == ["Laine", "Lahtinen"]


def test_opening_a_persons_page_is_recorded(client):
    user = make_staff(roles.DPO)
    signed_in_with_second_factor(client, user)
    contact = ContactFactory()

    client.get(f"/admin/crm/contact/{contact.pk}/change/", REMOTE_ADDR="192.0.2.44")

    entry = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == user
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


def test_the_dpo_can_read_and_filter_the_audit_trail(client):
    signed_in_with_second_factor(client, make_staff(roles.DPO))
    ContactFactory()

    response = client.get("/admin/auditlog/logentry/?action__exact=0")

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_a_list_page_logs_each_person_it_shows(client):
    user = make_staff(roles.SALES)
    signed_in_with_second_factor(client, user)
    shown = ContactFactory.create_batch(3)

    client.get("/admin/crm/contact/?q=" + shown[0].email)

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user)
    assert [e.object_pk for e in entries] == [str(shown[0].pk)]


def test_opening_an_interaction_is_logged_for_its_person(client):
    from crm.models import Interaction

    user = make_staff(roles.SUPPORT)
    signed_in_with_second_factor(client, user)
    person = ContactFactory()
    chat = Interaction.objects.create(contact=person, kind="chat", summary="Chat", transcript="Hei")

    client.get(f"/admin/crm/interaction/{chat.pk}/change/")

    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=user, object_pk=str(person.pk)
    ).exists()


def test_a_new_api_token_never_travels_in_a_cookie(client):
    signed_in_with_second_factor(client, make_staff(roles.ADMINISTRATOR))

    response = client.post(
        "/admin/crm/apiclient/add/",
        {"name": "Lomake", "scopes": ["contacts:write"], "is_active": "on"},
        follow=True,
    )

    token_message = [str(m) for m in response.context["messages"] if "rk_" in str(m)]
    assert token_message
    # Messages live in the server-side session: no "messages" cookie carries the token.
    assert "messages" not in response.client.cookies

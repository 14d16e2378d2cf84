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
    contact = services.contact_create(first_name="Aku", last_name="Ankka", email="AKU@Example.com")

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

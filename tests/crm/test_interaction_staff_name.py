"""Who logged an interaction stays known when their staff account is deleted."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from crm import services
from crm.models import Interaction
from privacy.declarations import NotPersonal, registry
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("crm.migrations.0022_interaction_staff_name")


def _leaver():
    return User.objects.create_user(
        username="mmyyja", first_name="Maija", last_name="Myyjä", is_staff=True
    )


def test_the_name_is_kept_when_the_account_is_deleted():
    leaver = _leaver()
    interaction = services.interaction_create(
        staff=leaver, contact=ContactFactory(), kind="call", summary="Soitto"
    ).instance

    leaver.delete()

    interaction.refresh_from_db()
    assert interaction.staff is None
    assert interaction.staff_name == "Maija Myyjä"
    assert interaction.staff_shown == "Maija Myyjä"


def test_logged_in_the_admin_and_shown_there_after_the_account_is_gone(sales, support):
    contact = ContactFactory()
    response = sales.client.post(
        "/admin/crm/interaction/add/",
        {
            "contact": contact.pk,
            "kind": "call",
            "occurred_at_0": "1.3.2025",
            "occurred_at_1": "10:00",
            "summary": "Soitto",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    interaction = Interaction.objects.get()
    assert interaction.staff_name == "sales"  # the fixture's account has no full name

    sales.user.delete()

    change = support.client.get(f"/admin/crm/interaction/{interaction.pk}/change/")
    listing = support.client.get("/admin/crm/interaction/")
    person = support.client.get(f"/admin/crm/contact/{contact.pk}/change/")
    for page in (change, listing, person):
        assert page.status_code == 200
        assert ">sales<" in page.content.decode().replace("\n", "")


def test_an_integrations_interaction_has_no_staff_name():
    interaction = services.interaction_create(
        contact=ContactFactory(), kind="chat", summary="Chat"
    ).instance

    assert interaction.staff_name == "" and interaction.staff_shown == ""


def test_the_name_is_declared_as_not_the_persons_data():
    declared = registry.get(Interaction).fields["staff_name"]

    assert isinstance(declared, NotPersonal)


def test_the_migration_fills_the_names_of_existing_interactions():
    leaver, other = _leaver(), User.objects.create_user(username="ttuki", is_staff=True)
    contact = ContactFactory()
    for staff in (leaver, other, None):
        services.interaction_create(staff=staff, contact=contact, kind="note", summary="x")
    Interaction.objects.update(staff_name="")  # as the rows were before the field existed

    backfill.fill_staff_names(apps, None)

    assert sorted(Interaction.objects.values_list("staff_name", flat=True)) == [
        "",
        "Maija Myyjä",
        "ttuki",
    ]

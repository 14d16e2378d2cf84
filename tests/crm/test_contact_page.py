"""What staff see on a person's page."""

import pytest

from crm import roles
from crm.models import Interaction
from tests.conftest import make_staff, signed_in_with_second_factor
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_page_shows_roles_and_the_latest_interactions_with_a_way_to_all(client):
    user = make_staff(roles.SUPPORT)
    signed_in_with_second_factor(client, user)
    person = ContactFactory()
    MembershipFactory(contact=person, job_title="Talouspäällikkö")
    for i in range(55):
        Interaction.objects.create(
            contact=person, kind="call", summary=f"Puhelu numero {i}", staff=user
        )

    page = client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "Talouspäällikkö" in page
    assert page.count("Puhelu numero") == 50
    assert f"/admin/crm/interaction/?contact={person.pk}" in page
    assert f"/admin/crm/interaction/add/?contact={person.pk}" in page


def test_all_interactions_of_a_person_are_one_click_away(client):
    signed_in_with_second_factor(client, make_staff(roles.SUPPORT))
    person, other = ContactFactory(), ContactFactory()
    Interaction.objects.create(contact=person, kind="meeting", summary="Tapaaminen")
    Interaction.objects.create(contact=other, kind="meeting", summary="Muu tapaaminen")

    listing = client.get(f"/admin/crm/interaction/?contact={person.pk}")

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [person.interactions.get()]


def test_the_admin_speaks_finnish_that_reads_right(client):
    """Django's own Finnish says "Muokkaa yhteystieto"; the verb needs another form of the noun,
    so the titles are worded so that any model's name fits."""
    signed_in_with_second_factor(client, make_staff(roles.SALES))
    person = ContactFactory(first_name="Aino", last_name="Aalto")

    listing = client.get("/admin/crm/contact/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    page = client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "<title>Valitse muokattava henkilö" in listing
    assert "<title>Aino Aalto | Muokkaa: henkilö |" in page

"""What staff see on a person's page and the list of people."""

import re

import pytest

from crm.models import Interaction, Municipality
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_page_shows_roles_and_the_latest_interactions_with_a_way_to_all(support):
    person = ContactFactory()
    MembershipFactory(contact=person, job_title="Talouspäällikkö")
    for i in range(55):
        Interaction.objects.create(
            contact=person, kind="call", summary=f"Puhelu numero {i}", staff=support.user
        )

    page = support.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "Talouspäällikkö" in page
    assert page.count("Puhelu numero") == 50
    assert "Puhelu numero 54" in page and "Puhelu numero 4<" not in page  # the latest ones
    assert "Vain viimeisimmät 50 näytetään." in page
    assert f"/admin/crm/interaction/?contact={person.pk}" in page
    assert f"/admin/crm/interaction/add/?contact={person.pk}" in page


def test_a_person_without_interactions_says_so_and_offers_to_add_one(support):
    person = ContactFactory()

    page = support.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "Ei vielä yhtään." in page
    assert "recent-interactions" not in page
    assert f"/admin/crm/interaction/add/?contact={person.pk}" in page


def test_all_interactions_of_a_person_are_one_click_away(support):
    person, other = ContactFactory(), ContactFactory()
    Interaction.objects.create(contact=person, kind="meeting", summary="Tapaaminen")
    Interaction.objects.create(contact=other, kind="meeting", summary="Muu tapaaminen")

    listing = support.client.get(f"/admin/crm/interaction/?contact={person.pk}")

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [person.interactions.get()]


def test_the_admin_speaks_finnish_that_reads_right(sales):
    """Django's own Finnish says "Muokkaa yhteystieto"; the verb needs another form of the noun,
    so the titles are worded so that any model's name fits."""
    person = ContactFactory(first_name="Aino", last_name="Aalto")

    listing = sales.client.get("/admin/crm/contact/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    page = sales.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "<title>Valitse muokattava henkilö" in listing
    assert "<title>Aino Aalto | Muokkaa: henkilö |" in page


def test_the_municipality_filter_lists_every_municipality_and_filters_by_one(sales):
    helsinki, espoo = Municipality.objects.get(code="091"), Municipality.objects.get(code="049")
    in_helsinki = ContactFactory(municipality=helsinki)
    ContactFactory(municipality=espoo)

    listing = sales.client.get("/admin/crm/contact/", {"municipality": "091", "o": "1"})

    assert list(listing.context["cl"].result_list) == [in_helsinki]
    page = listing.content.decode()
    select = re.search(r'<select name="municipality".*?</select>', page, re.DOTALL).group()
    assert select.count("<option") == 1 + Municipality.objects.filter(active=True).count()
    assert f'<option value="091" selected>{helsinki}</option>' in select
    assert select.count(" selected") == 1
    # The list's other parameters (here its order) stay when the select submits.
    assert '<input type="hidden" name="o" value="1">' in page

"""Staff pages cost a fixed number of queries, whatever a person has or the register holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Interaction
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_busy_persons_page_stays_within_17_queries(sales):
    person = ContactFactory()
    MembershipFactory.create_batch(10, contact=person)
    Interaction.objects.bulk_create(
        Interaction(contact=person, kind="call", summary=f"Soitto {i}", staff=sales.user)
        for i in range(200)
    )
    quiet = ContactFactory()

    busy = _queries(sales.client, f"/admin/crm/contact/{person.pk}/change/")
    empty = _queries(sales.client, f"/admin/crm/contact/{quiet.pk}/change/")

    # 16 to show it (one of them: is processing restricted?), and the access entry and the row
    # naming its person
    assert busy <= 17
    assert busy == empty


@pytest.mark.parametrize(
    "search", ["", "?q=virtanen", "?q=someone%40example.com", "?q=040%20123%204567"]
)
def test_the_contact_list_costs_the_same_at_any_size(sales, search):
    # The person searched for is there at both sizes (an empty result costs less).
    ContactFactory(last_name="Virtanen", email="someone@example.com", phone="+358401234567")
    for _ in range(3):
        MembershipFactory()
    small = _queries(sales.client, f"/admin/crm/contact/{search}")

    for _ in range(60):
        MembershipFactory(contact__last_name="Virtanen")
    large = _queries(sales.client, f"/admin/crm/contact/{search}")

    assert small == large


def test_the_organisation_list_costs_the_same_at_any_size(sales):
    MembershipFactory()
    small = _queries(sales.client, "/admin/crm/organisation/")
    MembershipFactory.create_batch(30)

    assert _queries(sales.client, "/admin/crm/organisation/") == small


def test_an_organisation_page_costs_the_same_with_many_contact_persons(sales):
    small, large = MembershipFactory().organisation, MembershipFactory().organisation
    MembershipFactory.create_batch(20, organisation=large)

    assert _queries(sales.client, f"/admin/crm/organisation/{large.pk}/change/") == _queries(
        sales.client, f"/admin/crm/organisation/{small.pk}/change/"
    )

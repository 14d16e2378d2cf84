import phonenumbers
import pytest
from django.core.management import call_command
from faker.providers.person.fi_FI import Provider as FinnishNames
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fi import ytunnus

from crm.factories import business_id_check_digit, business_id_from_number
from crm.models import Contact, Membership, Municipality, Organisation
from crm.reference import read_municipalities

pytestmark = pytest.mark.django_db


def _counts():
    return Contact.objects.count(), Organisation.objects.count(), Membership.objects.count()


def test_seed_makes_realistic_finnish_data():
    call_command("seed_demo", contacts=120)

    assert Contact.objects.count() == 120
    official = {r["code"] for r in read_municipalities()}
    for organisation in Organisation.objects.all():
        assert ytunnus.is_valid(organisation.business_id), organisation.business_id
    for contact in Contact.objects.select_related("municipality"):
        assert contact.email.split("@")[1] in {"example.com", "example.org", "example.net"}
        assert phonenumbers.is_valid_number(contact.phone)
        assert contact.phone.country_code == 358
        assert contact.municipality.code in official
        assert contact.source == Contact.Source.DEMO
        assert contact.last_name in FinnishNames.last_names
        assert contact.first_name in (
            FinnishNames.first_names_female | FinnishNames.first_names_male
        )
    assert Contact.objects.values("last_name").distinct().count() > 60
    assert Membership.objects.exists()


def test_running_it_twice_does_not_duplicate_anything():
    call_command("seed_demo", contacts=60)
    first = _counts()

    call_command("seed_demo", contacts=60)

    assert _counts() == first


def test_asking_for_more_adds_only_the_difference():
    call_command("seed_demo", contacts=30)
    call_command("seed_demo", contacts=75)

    assert Contact.objects.count() == 75
    emails = list(Contact.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)


def _people():
    return list(
        Contact.objects.order_by("pk").values_list("first_name", "last_name", "email", "phone")
    )


def test_the_register_is_the_same_however_it_grew():
    call_command("seed_demo", contacts=75)
    at_once = _people()
    # The demo events' registrations and billing details protect their people: gone first.
    from events.models import BillingDetails, Registration

    BillingDetails.objects.all().delete()
    Registration.objects.all().delete()
    Contact.objects.filter(source=Contact.Source.DEMO).delete()

    call_command("seed_demo", contacts=30)
    call_command("seed_demo", contacts=75)

    assert _people() == at_once


def test_seed_leaves_real_people_alone():
    real = Contact.objects.create(first_name="Oikea", last_name="Ihminen", email="o@example.fi")

    call_command("seed_demo", contacts=10)
    call_command("seed_demo", contacts=10)

    assert Contact.objects.filter(source=Contact.Source.DEMO).count() == 10
    real.refresh_from_db()
    assert real.first_name == "Oikea"


def test_municipalities_are_the_current_official_list():
    assert Municipality.objects.filter(active=True).count() == 308
    assert Municipality.objects.get(code="091").name_sv == "Helsingfors"
    # Pertunmaa merged into Mäntyharju on 1.1.2025.
    assert not Municipality.objects.filter(code="588", active=True).exists()


@given(st.integers(min_value=0, max_value=9_999_999))
def test_generated_business_ids_are_valid_or_refused(number):
    business_id = business_id_from_number(number)
    if business_id is None:
        assert business_id_check_digit(f"{number:07d}") is None
    else:
        assert ytunnus.is_valid(business_id)
        assert business_id.startswith(f"{number:07d}-")

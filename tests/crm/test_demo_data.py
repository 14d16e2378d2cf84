"""The demo register looks like a Finnish one: organisations named as organisations are, and
nobody "erased" who still has a name."""

import pytest
from django.core.management import call_command

from crm import demo
from crm.factories import ContactFactory
from crm.models import Contact, Organisation
from crm.reference import read_municipalities

pytestmark = pytest.mark.django_db


def test_demo_organisations_are_named_as_finnish_organisations_are():
    call_command("seed_demo", contacts=1000)
    names = list(Organisation.objects.values_list("name", "municipality__code"))

    forms = {"Tmi" if name.startswith("Tmi ") else name.split()[-1] for name, _code in names}
    assert forms <= {"Oy", "Oyj", "Ky", "Tmi", "ry"}
    assert {"Oy", "Ky", "ry"} <= forms
    # Most name a line of business, not only a family ("Kinnunen Ky").
    lines = demo.BUSINESS_LINES + demo.TRADES
    by_line = [name for name, _code in names if any(line in name.split() for line in lines)]
    assert len(by_line) > len(names) / 2
    # A name that says where the organisation is tells the truth.
    places = dict((genitive, code) for code, genitive in demo.PLACES)
    for name, code in names:
        if name.split()[0] in places:
            assert code == places[name.split()[0]], name


def test_demo_places_are_real_municipalities_in_the_genitive():
    official = {r["code"]: r["name_fi"] for r in read_municipalities()}
    for code, genitive in demo.PLACES:
        assert genitive.endswith("n") and genitive[:3] == official[code][:3], (code, genitive)


def test_seeding_erases_nobody():
    call_command("seed_demo", contacts=1000)

    assert not Contact.objects.filter(subject_category=Contact.SubjectCategory.ERASED).exists()


def test_factories_make_no_erased_people_with_names():
    people = ContactFactory.create_batch(60)

    assert Contact.SubjectCategory.ERASED not in {p.subject_category for p in people}

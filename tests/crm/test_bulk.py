"""The set-based writes imports use: what they write is what the model would have saved."""

import pytest
from django.db import DataError, connection, transaction

from crm import bulk
from crm.models import Contact, Membership, Municipality
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_update_writes_each_rows_own_values_including_empty_ones():
    first = ContactFactory(municipality=Municipality.objects.get(code="179"))
    second = ContactFactory()
    first.last_name, first.municipality = "Uusi-Nimi", None
    second.last_name, second.phone = "Toinen", "+358501234567"

    bulk.update(Contact, [first, second], ["last_name", "municipality", "phone"])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_name, first.municipality_id) == ("Uusi-Nimi", None)
    assert (second.last_name, str(second.phone)) == ("Toinen", "+358501234567")


def test_update_leaves_other_rows_and_fields_alone():
    role, other = MembershipFactory(job_title="Myyjä"), MembershipFactory(job_title="Johtaja")
    work_email = role.work_email
    role.job_title = "Myyntipäällikkö"

    bulk.update(Membership, [role], ["job_title"])

    role.refresh_from_db()
    other.refresh_from_db()
    assert (role.job_title, role.work_email) == ("Myyntipäällikkö", work_email)
    assert other.job_title == "Johtaja"


def test_insert_dicts_gives_each_row_its_id_and_the_fields_defaults():
    rows = [
        {"first_name": "Aino", "last_name": "Ahola", "email": "aino@example.com"},
        {"first_name": "Eino", "last_name": "Eskola", "phone": "+358401234567"},
    ]

    bulk.insert_dicts(Contact, rows, ids=True)

    aino, eino = (Contact.objects.get(pk=row["id"]) for row in rows)
    assert (aino.email, aino.preferred_language) == ("aino@example.com", "fi")
    assert (eino.first_name, str(eino.phone), eino.email) == ("Eino", "+358401234567", "")
    assert aino.created_at is not None


def test_update_refuses_the_same_row_twice():
    person = ContactFactory()

    with pytest.raises(ValueError, match="same row twice"):
        bulk.update(Contact, [person, Contact.objects.get(pk=person.pk)], ["last_name"])


def test_update_never_cuts_an_overlong_value():
    """PostgreSQL refuses it, as an INSERT would; SQLite has no lengths and keeps it whole."""
    person = ContactFactory(last_name="Lyhyt")
    person.last_name = "x" * 151

    try:
        with transaction.atomic():
            bulk.update(Contact, [person], ["last_name"])
    except DataError:
        assert connection.vendor == "postgresql"
        person.refresh_from_db()
        assert person.last_name == "Lyhyt"
    else:
        person.refresh_from_db()
        assert person.last_name == "x" * 151

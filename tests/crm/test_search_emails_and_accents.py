"""Staff find people as they type them: by the beginning or the domain of an address, and by
names written with or without the marks of ä, ö and å."""

import importlib

import pytest
from django.db import connection

from crm import selectors
from crm.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("crm.migrations.0020_folded_name_and_email_part_indexes")


PEOPLE = [
    ("Heli", "Aalto", "heli.aalto@example.com"),
    ("Helinä", "Aaltonen", "helina.aaltonen@example.org"),
    ("Åke", "Grönroos", "ake@firma.example.net"),
    ("Mikko", "Gronroos", "mg@example.com"),
    ("Jörö", "Mäki", "jm@example.org"),
]


@pytest.fixture
def register():
    for first, last, email in PEOPLE:
        ContactFactory(first_name=first, last_name=last, email=email)


def _found(term: str) -> set[str]:
    result = selectors.contact_search(Contact.objects.order_by("last_name", "first_name"), term)
    count = result.count()
    people = {f"{c.first_name} {c.last_name}" for c in result}
    assert count == len(people)
    return people


@pytest.mark.parametrize(
    "term,expected",
    [
        ("heli.aalto", {"Heli Aalto"}),
        ("HELI.AALTO@EXA", {"Heli Aalto"}),
        ("heli.aalto@example.com", {"Heli Aalto"}),
        ("ake@", {"Åke Grönroos"}),
        ("@example.com", {"Heli Aalto", "Mikko Gronroos"}),
        ("@Example.org", {"Helinä Aaltonen", "Jörö Mäki"}),
        ("@example", {"Heli Aalto", "Mikko Gronroos", "Helinä Aaltonen", "Jörö Mäki"}),
        ("@firma.example.net", {"Åke Grönroos"}),
        ("@nobody.example", set()),
    ],
)
def test_an_address_is_found_by_its_beginning_or_its_domain(register, term, expected):
    assert _found(term) == expected


@pytest.mark.parametrize(
    "term,expected",
    [
        ("gronroos", {"Åke Grönroos", "Mikko Gronroos"}),
        ("Grönroos", {"Åke Grönroos", "Mikko Gronroos"}),
        ("GRÖN", {"Åke Grönroos", "Mikko Gronroos"}),
        ("ake", {"Åke Grönroos"}),
        ("åke grön", {"Åke Grönroos"}),
        ("maki", {"Jörö Mäki"}),
        ("joro", {"Jörö Mäki"}),
        ("helina", {"Helinä Aaltonen"}),
        ("heli", {"Heli Aalto", "Helinä Aaltonen"}),
    ],
)
def test_names_match_with_or_without_the_marks(register, term, expected):
    assert _found(term) == expected


def test_a_name_prefix_naming_many_surnames_matches_without_the_marks_too(register, monkeypatch):
    monkeypatch.setattr(selectors, "NAME_VALUES_LIMIT", 1)  # "gr" names two: matched as typed

    assert _found("gro") == {"Åke Grönroos", "Mikko Gronroos"}


def test_the_admin_list_finds_an_address_by_its_domain(register, sales):
    response = sales.client.get("/admin/crm/contact/?q=%40example.com")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def test_the_indexes_hold_the_expression_the_search_matches():
    """Migration 0020 writes its letters out; an index of other letters would never be used."""
    assert (migration.FOLD_FROM, migration.FOLD_TO) == (selectors.FOLD_FROM, selectors.FOLD_TO)
    assert len(selectors.FOLD_FROM) == len(selectors.FOLD_TO)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a test table is tiny: ask which index fits
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    return plan


def test_each_search_reads_its_index(register):
    """On PostgreSQL each kind of search is answered by its index (on SQLite the search itself
    is what the other tests check)."""
    last_names = (
        Contact.objects.filter(selectors._name_begins("last_name", "gron"))
        .order_by()
        .values_list("last_name", flat=True)
        .distinct()
    )
    first_names = Contact.objects.filter(selectors._name_begins("first_name", "ake"))
    by_prefix = selectors.contact_search(Contact.objects.order_by(), "heli.aalto")
    by_domain = selectors.contact_search(Contact.objects.order_by(), "@example.com")

    if connection.vendor == "postgresql":
        assert "contact_last_name_folded" in _plan(last_names)
        assert "contact_first_name_folded" in _plan(first_names)
        assert "contact_email_prefix" in _plan(by_prefix)
        assert "contact_email_domain" in _plan(by_domain)
    assert set(last_names) == {"Grönroos", "Gronroos"}

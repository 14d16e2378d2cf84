"""Staff search by name: who is found, and how many the list says there are."""

import pytest

from crm import selectors
from crm.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Johanna", "Virtanen"),
    ("Johannes", "Korhonen"),
    ("Matti", "Johansson"),
    ("Johan", "Johansson"),  # matches "joha" by both names: one person, counted once
    ("Matti", "Virtanen"),
    ("Liisa", "Virta"),
    ("Aino", "Mäkinen"),
    ("Veikko", "Mäki-Kärkkäinen"),
]


@pytest.fixture
def register():
    for first, last in PEOPLE:
        ContactFactory(first_name=first, last_name=last)


def _found(term: str) -> tuple[list[tuple[str, str]], int]:
    result = selectors.contact_search(Contact.objects.order_by("last_name", "first_name"), term)
    count = result.count()  # before the rows, as the admin's paginator asks
    return [(c.first_name, c.last_name) for c in result], count


def _expected(*words: str) -> list[tuple[str, str]]:
    def matches(name: str, word: str) -> bool:
        return name.casefold().startswith(word.casefold())

    return sorted(
        (
            (first, last)
            for first, last in PEOPLE
            if all(matches(first, w) or matches(last, w) for w in words)
        ),
        key=lambda person: (person[1], person[0]),
    )


@pytest.mark.parametrize(
    "term",
    ["joha", "JOHA", "Virt", "virtanen", "matti", "matti virt", "joha johansson", "mäki", "x"],
)
def test_a_name_search_finds_first_or_last_names_beginning_with_each_word(register, term):
    people, count = _found(term)

    assert people == _expected(*term.split())
    assert count == len(people)


def test_someone_both_of_whose_names_match_is_one_result(register):
    people, count = _found("joha")

    assert people.count(("Johan", "Johansson")) == 1
    assert count == 4


def test_a_prefix_naming_many_surnames_is_matched_as_typed(register, monkeypatch):
    # "Virt" names two surnames; with room for one, the search matches the prefix itself.
    monkeypatch.setattr(selectors, "NAME_VALUES_LIMIT", 1)

    people, count = _found("virt")

    assert people == _expected("virt")
    assert count == 3


def test_narrowing_a_name_search_further_counts_the_narrower_result(register):
    result = selectors.contact_search(Contact.objects.all(), "joha")
    matti = result.filter(first_name="Matti")

    assert matti.count() == 1
    assert result.filter(last_name="Virtanen").count() == 1
    assert result[:2].count() == 2


def test_the_admin_list_shows_how_many_a_name_search_found(register, sales):
    client = sales.client

    response = client.get("/admin/crm/contact/?q=joha")

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == 4
    assert {str(c) for c in changelist.result_list} == {
        "Johanna Virtanen",
        "Johannes Korhonen",
        "Matti Johansson",
        "Johan Johansson",
    }

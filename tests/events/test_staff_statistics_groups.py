"""The person-describing statistics never show a group small enough to single someone out."""

from hypothesis import given
from hypothesis import strategies as st

from events.statistics import MIN_GROUP, OTHER, grouped


def test_small_municipalities_are_merged_into_other():
    counts = {"Helsinki": 40, "Espoo": 7, "Kustavi": 1, "Utsjoki": 2, "Salo": 3}

    assert grouped(counts) == {"Helsinki": 40, "Espoo": 7, OTHER: 6}


def test_a_lone_small_other_takes_the_next_smallest_group_with_it():
    # "Other: 1" beside a known total would say exactly who came from Kustavi.
    counts = {"Helsinki": 40, "Espoo": 7, "Kustavi": 1}

    assert grouped(counts) == {"Helsinki": 40, OTHER: 8}


def test_an_event_with_fewer_people_than_the_threshold_shows_no_breakdown():
    assert grouped({"Kustavi": 1, "Salo": 2}) == {OTHER: 0}
    assert grouped({}) == {}


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 30), max_size=12))
def test_no_shown_group_is_small_and_the_total_is_kept_when_shown(counts):
    result = grouped(counts)

    assert all(v >= MIN_GROUP for v in result.values() if v)
    total = sum(counts.values())
    if total >= MIN_GROUP:
        assert sum(result.values()) == total

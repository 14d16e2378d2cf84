"""The import's fast path for Finnish phone numbers gives libphonenumber's answer, every time."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers.phonemetadata import PhoneMetadata

from crm.phones import _TYPES, e164


def libphonenumber(value: str) -> str | None:
    """The slow, authoritative answer: E.164, or None for a number that is not valid."""
    try:
        number = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def fast(value: str) -> str | None:
    try:
        return e164(value)
    except ValidationError:
        return None


@st.composite
def finnish_looking_numbers(draw):
    """The shapes people type: +358 or 0 (or a wrong mix), digits, separators here and there."""
    prefix = draw(st.sampled_from(["+358", "0", "+3580", "00358", "358", "+358 (0)", "", "+46"]))
    digits = draw(st.text(alphabet="0123456789", min_size=1, max_size=15))
    if draw(st.integers(0, 9)) == 0:  # now and then a digit of another script
        digits += draw(st.sampled_from(["\u0663", "\uff10", "\U0001d7ce"]))
    # Weight the leading digits toward real Finnish series (mobile 4x/50, Åland 18, toll 800 …).
    lead = draw(st.sampled_from(["", "4", "40", "45", "50", "18", "9", "2", "800", "600", "7"]))
    body = lead + digits
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    parts, last = [], 0
    for cut in cuts:
        parts.append(body[last:cut])
        last = cut
    parts.append(body[last:])
    separator = draw(st.sampled_from([" ", "-", ".", "/", "", "\t", "\u00a0", "\u2003", "()"]))
    space = draw(st.sampled_from(["", " "]))
    return prefix + space + separator.join(parts)


@settings(max_examples=3_000)
@given(value=finnish_looking_numbers())
@example(value="+358 40 123 4567")
@example(value="040-123 4567")
@example(value="+358 040 123 4567")
@example(value="018 123 45")
@example(value="+358 18 12345")
@example(value="0800 123 456")
@example(value="+358 11 234 5678")
@example(value="040\u0661\u0662\u0663\u0664\u0665\u0666\u0667")  # Arabic-Indic digits
@example(value="04\uff101234567")  # a full-width zero
@example(value="040\t1234567")
@example(value="+\t358401234567")
@example(value="040\u20031234567")
@example(value="040\u00a01234567")
def test_the_fast_path_agrees_with_libphonenumber(value):
    assert fast(value) == libphonenumber(value)


EXAMPLES = [
    (region, kind, desc.example_number)
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[358]
    for kind in _TYPES
    if (desc := getattr(PhoneMetadata.metadata_for_region(region), kind)) and desc.example_number
]


@pytest.mark.parametrize(("region", "kind", "number"), EXAMPLES)
def test_every_example_number_in_the_metadata_is_read_alike(region, kind, number):
    for value in (f"0{number}", f"+358{number}"):
        assert fast(value) == libphonenumber(value) is not None


@given(value=st.text(max_size=30))
def test_any_text_gets_libphonenumbers_answer_or_a_clear_refusal(value):
    assert fast(value) == libphonenumber(value)

"""Validators fed random and hostile input (hypothesis)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fi import hetu, ytunnus

from crm import services
from crm.factories import business_id_from_number
from crm.models import Contact
from crm.validators import (
    find_personal_identity_codes,
    validate_business_id,
    validate_no_personal_identity_code,
)
from tests.strategies import identity_codes

words = st.text(alphabet=st.characters(categories=["L", "Zs", "P"]), max_size=40)


@given(code=identity_codes(), before=words, after=words)
def test_an_identity_code_anywhere_in_text_is_found(code, before, after):
    assert hetu.is_valid(code, allow_temporary=True)

    found = find_personal_identity_codes(f"{before} {code} {after}")

    assert code in found


@given(st.text(max_size=200))
def test_only_valid_identity_codes_are_reported(text):
    for code in find_personal_identity_codes(text):
        assert hetu.is_valid(code, allow_temporary=True)


@pytest.mark.parametrize(
    "text",
    [
        "Tilausnumero 131052-308X",
        "puh. 040-1234567",
        "pvm 31.12.2024",
        "IBAN FI21 1234 5600 0007 85",
    ],
)
def test_look_alikes_are_not_refused(text):
    validate_no_personal_identity_code(text)


def test_the_refusal_is_clear_and_translated():
    with translation.override("fi"), pytest.raises(ValidationError) as error:
        validate_no_personal_identity_code("Asiakkaan hetu on 131052-308T")
    assert error.value.messages[0].startswith("Tämä näyttää suomalaiselta henkilötunnukselta")


@given(st.text(max_size=30))
def test_business_id_validator_agrees_with_the_checksum(text):
    try:
        validate_business_id(text)
    except ValidationError:
        assert not (ytunnus.is_valid(text) and "-" in text)
    else:
        assert ytunnus.is_valid(text)


@given(st.integers(min_value=0, max_value=9_999_999))
def test_every_correctly_built_business_id_is_accepted(number):
    business_id = business_id_from_number(number)
    if business_id:
        validate_business_id(business_id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "Matti\x00"),
        ("last_name", "Virtanen 131052-308T"),
        ("email", "not-an-email"),
        ("email", "a@b\x00.fi"),
        ("phone", "123"),
        ("phone", "+358 40 123 4567 8901 2345"),
        ("postal_code", "0010"),
        ("street_address", "Katu 1\x00"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(field, value):
    data = {"first_name": "Matti", "last_name": "Virtanen", "email": "m@example.com", field: value}

    with pytest.raises(ValidationError) as error:
        services.contact_create(source=Contact.Source.STAFF, **data)

    assert field in error.value.message_dict
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_finnish_phone_number_is_stored_in_international_form():
    contact = services.contact_create(
        source=Contact.Source.STAFF, first_name="A", last_name="B", phone="040 123 4567"
    ).instance

    assert str(Contact.objects.get(pk=contact.pk).phone) == "+358401234567"


@pytest.mark.django_db
@given(st.text(max_size=60))
def test_hostile_names_never_crash_the_database(text):
    try:
        contact = services.contact_create(
            source=Contact.Source.STAFF, first_name=text or "x", last_name="Testi"
        ).instance
    except ValidationError:
        return
    assert Contact.objects.get(pk=contact.pk).first_name == (text or "x")
    contact.delete()

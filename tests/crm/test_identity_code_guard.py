"""The henkilötunnus guard holds against the ways a code is disguised, at every door.

Variants are generated (hypothesis), not listed by hand: another dash or minus, look-alike
letters of other scripts, full-width and other-script digits, spaces and invisible characters
anywhere inside, codes glued to other text or used as an email address.
"""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from hypothesis import given
from hypothesis import strategies as st
from phonenumber_field.modelfields import PhoneNumberField
from stdnum.fi import hetu

from crm.validators import find_personal_identity_codes, validate_no_personal_identity_code
from tests.strategies import identity_codes

# Zero digits of scripts and styles whose 0-9 follow each other in Unicode.
DIGIT_ZEROS = [0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1D7CE, 0x1D7EC, 0x1D7F6]
LOOK_ALIKES = {
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "J": "Ј",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "P": "РΡ",
    "S": "Ѕ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "УΥ",
}
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
PLUSES = "+\uff0b\u2795\ufe62"
# What may stand between two characters of a code: spaces of every kind, line breaks, and
# characters that show nothing at all.
GAPS = ["", " ", "  ", "\u00a0", "\t", "\n", "\u2009", "\u202f", "\u3000"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]


@st.composite
def disguised(draw, code: str) -> str:
    out = []
    for position, char in enumerate(code):
        if char.isdigit():
            zero = draw(st.sampled_from(DIGIT_ZEROS))
            out.append(chr(zero + int(char)))
        elif char == "-":
            out.append(draw(st.sampled_from(DASHES)))
        elif char == "+":
            out.append(draw(st.sampled_from(PLUSES)))
        else:
            forms = [char, char.lower(), chr(0xFF21 + ord(char) - ord("A"))]
            forms += list(LOOK_ALIKES.get(char, ""))
            out.append(draw(st.sampled_from(forms)))
        if position < len(code) - 1:
            out.append(draw(st.sampled_from(GAPS)))
            out.append(draw(st.sampled_from(["", *INVISIBLE])))
    return "".join(out)


letters = st.text(alphabet=st.characters(categories=["L"]), max_size=12)


@given(data=st.data(), code=identity_codes())
def test_a_disguised_code_is_found(data, code):
    text = data.draw(disguised(code))

    assert code in find_personal_identity_codes(text), ascii(text)


@given(data=st.data(), code=identity_codes(), before=letters, after=letters)
def test_a_code_glued_to_other_text_is_found(data, code, before, after):
    text = before + data.draw(disguised(code)) + after

    assert code in find_personal_identity_codes(text), ascii(text)


@given(code=identity_codes(), domain=st.sampled_from(["example.com", "esimerkki.fi"]))
def test_a_code_used_as_an_email_address_is_found(code, domain):
    assert code in find_personal_identity_codes(f"{code.lower()}@{domain}")


@given(code=identity_codes())
def test_a_decoy_just_before_a_code_does_not_hide_it(code):
    decoy = code[:6] + "-00"  # starts a candidate that fails, and overlaps the real one

    assert code in find_personal_identity_codes(f"{decoy} {code}")


@pytest.mark.parametrize(
    "text",
    [
        "Tilausnumero 131052-308X",  # the check character is wrong
        "Laskunumero 2131052-308T4",  # inside a longer run of digits
        "puh. +358 40 123 4567",
        "31.12.2024 klo 12–14",
        "IBAN FI21 1234 5600 0007 85",
        "Jyväskylä 40100, Kauppakatu 1 A 12",
    ],
)
def test_numbers_that_only_look_alike_are_not_refused(text):
    validate_no_personal_identity_code(text)


# Text fields that need no guard, and why.
EXEMPT = {
    "crm.ImportJob.failure": "written by the import job itself",
    "crm.Organisation.business_id": "a Y-tunnus: its own validator allows nothing else",
    "crm.Organisation.postal_code": "five digits only",
    "crm.Contact.postal_code": "five digits only",
}
REFERENCE_DATA = {"crm.Municipality", "crm.Industry"}  # shipped with the code, never typed in


def _text_fields():
    for model in apps.get_app_config("crm").get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField | models.TextField)
                and field.editable
                and not field.choices
                and not isinstance(field, PhoneNumberField)  # a valid number or nothing
                and model._meta.label not in REFERENCE_DATA
                and f"{model._meta.label}.{field.name}" not in EXEMPT
            ):
                yield pytest.param(field, id=f"{model._meta.label}.{field.name}")


@pytest.mark.parametrize("field", list(_text_fields()))
def test_every_text_field_has_the_guard(field):
    """Admin forms, the API and the import all validate with the model's field validators, so a
    field that has the guard has it at every door."""
    assert validate_no_personal_identity_code in field.validators


@pytest.mark.django_db
def test_an_email_made_of_a_code_is_refused_with_a_reason():
    from crm.models import Contact

    contact = Contact(first_name="Aino", last_name="Aalto", email="131052-308t@example.com")

    with pytest.raises(ValidationError) as error:
        contact.full_clean()

    assert error.value.error_dict["email"][0].code == "personal_identity_code"
    assert hetu.is_valid("131052-308T")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["131052-308t@example.com", "hetu131052\u2013308T@example.com", "x@131052-308t.fi"]
)
def test_the_api_refuses_an_email_made_of_a_code(email):
    from rest_framework.test import APIClient

    from crm.models import Contact
    from crm.services import api_client_create

    _client, token = api_client_create(name="Lomake", scopes=["contacts:write", "contacts:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api.post(
        "/api/v1/contacts/",
        {"first_name": "Aino", "last_name": "Aalto", "email": email},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fi",
    )

    assert response.status_code == 400
    assert "henkilötunnu" in str(response.json()["errors"]["email"])
    assert not Contact.objects.exists()

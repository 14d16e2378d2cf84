"""Phone numbers as an import reads them: validated, and stored in E.164.

libphonenumber's parse() and is_valid_number() cost some 60 µs a number in Python, which was
the largest single cost of a 100,000-row import. Almost every number in a Finnish file has one
of two shapes, ``+358 40 123 4567`` or ``040 123 4567``; for those, ``e164()`` finds the national
number itself and checks it against libphonenumber's own metadata for +358 (Finland and Åland),
compiled once, in the order libphonenumber does. Any other shape goes through libphonenumber
in full. tests/crm/test_phones.py holds the fast path to libphonenumber's answers on generated
numbers, so a metadata update that changes a rule is followed, not silently diverged from.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumbers.phonemetadata import PhoneMetadata

# Only ASCII digits and the separators people type between them take the fast path; anything
# else (other scripts' digits, tabs, brackets, letters) is libphonenumber's to decide.
_SEPARATORS = re.compile(r"[ \-./]")
# +358 then a national number not starting with 0 (people write "+358 040…": libphonenumber
# decides that one), or the national prefix 0 then the same.
_INTERNATIONAL = re.compile(r"\+358([1-9][0-9]{3,13})")
_NATIONAL = re.compile(r"0([1-9][0-9]{3,13})")

# The number types is_valid_number() accepts, in the order it tries them.
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


def _desc(desc):
    """(possible lengths, compiled pattern) of a PhoneNumberDesc, or None when it is absent."""
    if desc is None or not desc.national_number_pattern:
        return None
    # The national number is ASCII digits here, so ASCII matching changes nothing but speed.
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern, re.ASCII)


def _matches(national: str, desc) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


@cache
def _regions():
    """For each region sharing +358: (leading digits, general rule, the type rules)."""
    regions = []
    for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[358]:
        metadata = PhoneMetadata.metadata_for_region(code)
        leading = re.compile(metadata.leading_digits, re.ASCII) if metadata.leading_digits else None
        types = [_desc(getattr(metadata, name)) for name in _TYPES]
        regions.append((leading, _desc(metadata.general_desc), [t for t in types if t]))
    return regions


def _valid_finnish(national: str) -> bool:
    """is_valid_number() for +358 ``national``, as libphonenumber decides it."""
    for leading, general, types in _regions():
        # The region is the first whose leading digits match; one without leading digits is
        # chosen when the number is valid there.
        if leading is not None and not leading.match(national):
            continue
        if _matches(national, general) and any(_matches(national, t) for t in types):
            return True
        if leading is not None:
            return False
    return False


def e164(value: str) -> str:
    """``value`` as an E.164 number (Finland the default region); ValidationError if invalid."""
    compact = _SEPARATORS.sub("", value)
    match = _INTERNATIONAL.fullmatch(compact) or _NATIONAL.fullmatch(compact)
    if match is not None:
        national = match.group(1)
        if _valid_finnish(national):
            return "+358" + national
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone_number")
    try:
        number = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone_number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

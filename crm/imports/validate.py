"""Checking each row of a mapped file: clean values, or a reason per field the user can fix.

Nothing here writes; the reference data (municipalities) is read once per file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.fi import ytunnus

from crm import phones
from crm.models import Contact, Membership, Organisation
from crm.selectors import municipalities_by_key, municipality_by_code_or_name
from crm.validators import find_personal_identity_codes

_LANGUAGES = {
    "fi": "fi",
    "suomi": "fi",
    "finnish": "fi",
    "finska": "fi",
    "sv": "sv",
    "ruotsi": "sv",
    "swedish": "sv",
    "svenska": "sv",
    "en": "en",
    "englanti": "en",
    "english": "en",
    "engelska": "en",
}


@dataclass
class RowResult:
    number: int  # the row's line in the file, header = 1
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # The person already in the register the row updates (write.match_people), if any.
    person: Contact | None = None


class Validator:
    """Turns mapped rows into clean values or per-field errors. Keeps reference data in memory,
    so validating 100,000 rows makes two queries."""

    def __init__(self):
        self.municipalities = municipalities_by_key()
        self.seen_emails: dict[str, int] = {}
        self.max_lengths = {f.name: f.max_length for f in Contact._meta.fields if f.max_length}
        self.max_lengths.update(
            {f.name: f.max_length for f in Membership._meta.fields if f.max_length}
        )
        self.max_lengths.update(organisation_name=Organisation._meta.get_field("name").max_length)

    def row(self, number: int, cells: list[str], mapping: dict[str, str]) -> RowResult:
        result = RowResult(number)
        for index, target in mapping.items():
            i = int(index)
            value = cells[i].strip() if i < len(cells) else ""
            if "\x00" in value:
                result.errors[target] = _("Null characters are not allowed.")
                continue
            if find_personal_identity_codes(value):
                result.errors[target] = _(
                    "Contains a Finnish personal identity code (henkilötunnus); this register "
                    "must not hold them."
                )
                continue
            try:
                cleaned = self.clean(target, value)
            except ValidationError as error:
                result.errors[target] = error.messages[0]
                continue
            if cleaned not in ("", None):
                result.values[target] = cleaned
        if not result.errors:
            for required in ("first_name", "last_name"):
                if required not in result.values:
                    result.errors[required] = _("This field is required.")
        email = result.values.get("email")
        if email and not result.errors:
            first = self.seen_emails.setdefault(email, number)
            if first != number:
                result.errors["email"] = _("The same email is on row %(row)d too.") % {"row": first}
        if "organisation_name" not in result.values and "business_id" in result.values:
            result.values.setdefault("organisation_name", "")
        return result

    def clean(self, target: str, value: str):
        if not value:
            return ""
        limit = self.max_lengths.get(target)
        if limit and len(value) > limit:
            raise ValidationError(_("At most %(max)d characters.") % {"max": limit})
        if target in ("email", "work_email"):
            value = value.lower()
            validate_email(value)
            return value
        if target in ("phone", "work_phone"):
            return phones.e164(value)  # as the field stores it, so it is not parsed again
        if target == "postal_code":
            if not re.fullmatch(r"\d{5}", value):
                raise ValidationError(_("Enter a Finnish postal code of five digits."))
            return value
        if target == "municipality":
            municipality = municipality_by_code_or_name(value, among=self.municipalities)
            if municipality is None:
                raise ValidationError(_("Unknown municipality."))
            return municipality
        if target == "preferred_language":
            language = _LANGUAGES.get(value.lower())
            if language is None:
                raise ValidationError(_("Use fi, sv or en."))
            return language
        if target == "business_id":
            if not (ytunnus.is_valid(value) and "-" in value):
                raise ValidationError(
                    _("Enter a valid business ID (Y-tunnus) in the form 1234567-8.")
                )
            return ytunnus.format(value)
        return value

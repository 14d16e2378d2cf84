"""Reading contact files from other systems: encodings, dialects, column mapping, validation.

Finnish offices export CSV from Excel as Windows-1252 with ';' between fields, newer Excel as
UTF-8 with a byte-order mark, survey and enrolment tools as UTF-8 with ','. All three are read.
Nothing here touches the database except to look up reference data; crm.services.import_run
writes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.fi import ytunnus

from . import phones
from .models import Contact, Membership, Municipality, Organisation
from .validators import find_personal_identity_codes

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000

#: Fields a column can be mapped to, with their labels.
TARGETS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "email": gettext_lazy("email"),
    "phone": gettext_lazy("phone"),
    "street_address": gettext_lazy("street address"),
    "postal_code": gettext_lazy("postal code"),
    "post_office": gettext_lazy("post office"),
    "municipality": gettext_lazy("municipality of residence"),
    "preferred_language": gettext_lazy("preferred language"),
    "organisation_name": gettext_lazy("organisation"),
    "business_id": gettext_lazy("business ID (Y-tunnus)"),
    "job_title": gettext_lazy("job title"),
    "work_email": gettext_lazy("work email"),
    "work_phone": gettext_lazy("work phone"),
}
CONTACT_FIELDS = [t for t in TARGETS if t in {f.name for f in Contact._meta.fields}]
MEMBERSHIP_FIELDS = ["job_title", "work_email", "work_phone"]

# Header names as survey tools, enrolment systems and people write them (lower case, no spaces).
_SYNONYMS = {
    "first_name": {"etunimi", "etunimet", "firstname", "givenname", "förnamn", "fornamn"},
    "last_name": {"sukunimi", "lastname", "surname", "familyname", "efternamn"},
    "email": {"sähköposti", "sahkoposti", "email", "e-mail", "e-post", "epost", "sähköpostiosoite"},
    "phone": {"puhelin", "puhelinnumero", "phone", "mobile", "matkapuhelin", "telefon", "gsm"},
    "street_address": {"osoite", "katuosoite", "lähiosoite", "address", "streetaddress", "adress"},
    "postal_code": {"postinumero", "postalcode", "zip", "postnummer"},
    "post_office": {"postitoimipaikka", "postoffice", "city", "kaupunki", "postanstalt", "ort"},
    "municipality": {"kotikunta", "kunta", "municipality", "hemkommun", "kommun"},
    "preferred_language": {"kieli", "asiointikieli", "language", "språk"},
    "organisation_name": {
        "organisaatio",
        "yritys",
        "työnantaja",
        "organisation",
        "organization",
        "company",
        "employer",
        "företag",
    },
    "business_id": {"y-tunnus", "ytunnus", "businessid", "fo-nummer"},
    "job_title": {
        "tehtävänimike",
        "titteli",
        "nimike",
        "toiminimike",
        "jobtitle",
        "title",
        "befattning",
    },
    "work_email": {"työsähköposti", "workemail"},
    "work_phone": {"työpuhelin", "workphone"},
}
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


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class ParsedFile:
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[list[str]]


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8).")
        ) from None


def parse(raw: bytes) -> ParsedFile:
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB. Split it into smaller files."))
    if b"\x00" in raw[:4096]:
        raise ImportFileError(_("This is not a CSV text file. Save the sheet as CSV first."))
    text, encoding = decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0 and "\n" not in text.strip():
        raise ImportFileError(_("The file has no header row with column names."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not valid CSV: %(error)s") % {"error": error}
        ) from None
    rows = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)d rows. Split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
    except csv.Error as error:
        raise ImportFileError(
            _("Row %(row)d is not valid CSV: %(error)s") % {"row": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return ParsedFile(encoding=encoding, delimiter=delimiter, header=header, rows=rows)


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Column index (as str) -> target field, from the column names."""
    mapping, taken = {}, set()
    for index, name in enumerate(header):
        key = re.sub(r"[\s_]", "", name.lower())
        for target, names in _SYNONYMS.items():
            if target not in taken and (key in names or key == target.replace("_", "")):
                mapping[str(index)] = target
                taken.add(target)
                break
    return mapping


@dataclass
class RowResult:
    number: int  # the row's line in the file, header = 1
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


class Validator:
    """Turns mapped rows into clean values or per-field errors. Keeps reference data in memory,
    so validating 100,000 rows makes two queries."""

    def __init__(self):
        self.municipalities = {}
        for m in Municipality.objects.all():
            for key in (m.code, m.name_fi.lower(), m.name_sv.lower()):
                self.municipalities.setdefault(key, m)
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
            municipality = self.municipalities.get(value.lower()) or self.municipalities.get(
                value.zfill(3)
            )
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

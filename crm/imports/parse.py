"""Reading a contact file from another system: its encoding, dialect, header and columns.

Finnish offices export CSV from Excel as Windows-1252 with ';' between fields, newer Excel as
UTF-8 with a byte-order mark, survey and enrolment tools as UTF-8 with ','. All three are read.
Nothing here touches the database: ``validate`` checks the rows, ``write`` writes them and
``services`` is the door to both.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Contact

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
# Far more than any export of people has (the targets are 14); the mapping page shows a choice
# per column, so a sheet of 30,000 columns would cost a minute and gigabytes per view.
MAX_COLUMNS = 200

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


#: The example file's columns: a Finnish name ``guess_mapping`` recognises for every target.
EXAMPLE_HEADER = [
    "Etunimi",
    "Sukunimi",
    "Sähköposti",
    "Puhelin",
    "Katuosoite",
    "Postinumero",
    "Postitoimipaikka",
    "Kotikunta",
    "Kieli",
    "Organisaatio",
    "Y-tunnus",
    "Tehtävänimike",
    "Työsähköposti",
    "Työpuhelin",
]
# Made-up people with example.com addresses.
EXAMPLE_ROWS = [
    [
        "Aino",
        "Esimerkki",
        "aino.esimerkki@example.com",
        "040 123 4567",
        "Esimerkkikatu 1 A 2",
        "40100",
        "Jyväskylä",
        "Jyväskylä",
        "fi",
        "Esimerkki Oy",
        "",
        "Suunnittelija",
        "aino.esimerkki@example.org",
        "",
    ],
    [
        "Erik",
        "Exempel",
        "erik.exempel@example.com",
        "",
        "",
        "",
        "",
        "Helsingfors",
        "sv",
        "",
        "",
        "",
        "",
        "",
    ],
]


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
    """The whole file: its header and its non-empty rows. Refuses what cannot be imported."""
    reader, encoding, delimiter = _open(raw)
    header = _header(reader)
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


def read_header(raw: bytes) -> list[str]:
    """The column names of a file ``parse`` has read before (an uploaded job's)."""
    reader, _encoding, _delimiter = _open(raw)
    return _header(reader)


def _open(raw: bytes):
    """A CSV reader over the decoded file, its encoding and its delimiter."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB. Split it into smaller files."))
    if b"\x00" in raw[:4096]:
        raise ImportFileError(_("This is not a CSV text file. Save the sheet as CSV first."))
    text, encoding = decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0 and "\n" not in text.strip():
        raise ImportFileError(_("The file has no header row with column names."))
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), encoding, delimiter


def _header(reader) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not valid CSV: %(error)s") % {"error": error}
        ) from None
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            _(
                "The file has %(count)d columns; an import takes at most %(max)d. Remove the "
                "columns that are not imported."
            )
            % {"count": len(header), "max": MAX_COLUMNS}
        )
    return [h.strip() for h in header]


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


def require_recognised_columns(mapping: dict[str, str]) -> None:
    """Refuse a file none of whose column names says what it holds: it is most likely not a
    list of people (or its header row is missing), and an empty mapping page helps nobody."""
    if mapping:
        return
    raise ImportFileError(
        _(
            "None of the file's column names is one the import knows (for example Etunimi, "
            "Sukunimi, Sähköposti). Check that the first row holds the column names, or start "
            "from the example file."
        )
    )


def validate_mapping(mapping: dict[str, str], header: list[str]) -> None:
    """Refuse a mapping an import cannot follow: a column the file does not have, a field that
    is not a target, a field filled from two columns, or no column for a name.

    The errors are keyed as the mapping form names its fields (``column_<index>``), so the form
    shows each beside its column; a missing name is an error of the whole mapping.
    """
    errors: dict[str, list[str]] = {}
    used: dict[str, int] = {}
    for index, target in sorted(mapping.items(), key=lambda item: _column(item[0], header)):
        column = _column(index, header)
        if column < 0:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("The file has no column %(column)s.") % {"column": index}
            )
            continue
        if target not in TARGETS:
            errors.setdefault(f"column_{column}", []).append(
                _("“%(field)s” is not a field an import can fill.") % {"field": target}
            )
            continue
        if target in used:
            errors.setdefault(f"column_{column}", []).append(
                _("“%(field)s” is already filled from column %(other)s.")
                % {"field": TARGETS[target], "other": header[used[target]]}
            )
        used.setdefault(target, column)
    for required in ("first_name", "last_name"):
        if required not in used:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Choose the column for “%(field)s”.") % {"field": TARGETS[required]}
            )
    if errors:
        raise ValidationError(errors)


def _column(index: str, header: list[str]) -> int:
    """The column a mapping key names, or -1 when the file has no such column."""
    if not (isinstance(index, str) and index.isdigit() and int(index) < len(header)):
        return -1
    return int(index)

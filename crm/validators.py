import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fi import hetu, ytunnus


def validate_business_id(value: str) -> None:
    """A Finnish business ID (Y-tunnus), NNNNNNN-C with a valid check digit."""
    if not ytunnus.is_valid(value) or "-" not in value:
        raise ValidationError(
            _("Enter a valid business ID (Y-tunnus) in the form 1234567-8."),
            code="invalid_business_id",
        )


# The guard against personal identity codes (henkilötunnus) in free text.
#
# People (and scripts) write a code in many shapes: another dash ("131052–308T"), a look-alike
# letter from another script (Cyrillic "Т"), full-width or other-script digits, spaces or
# invisible characters inside it, or glued to other text ("hetu131052-308Tkiitos",
# "131052-308t@example.com"). The text is first folded to one plain form, and only then matched.

# Letters of other scripts that look like the Latin letters of a century sign or a check
# character (Unicode's confusables for A–Y; NFKC does not fold them).
_LOOK_ALIKES = str.maketrans(
    "АВЕКМНОРСТУХЅЈІаеорсухѕјіԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαονκρτυχ",
    "ABEKMHOPCTYXSJIaeopcyxsjidqwABEZHIKMNOPTYXaovkptux",
)
# Minus signs and a plus that NFKC leaves as they are (dashes are Unicode's category Pd).
_MINUSES = "\u2212\u2796\u02d7"
_PLUSES = "\u2795\u02d6"


def _fold(text: str) -> str:
    """One plain form of ``text`` for matching: NFKC; every dash a hyphen; every space, tab and
    line break a space; invisible characters and combining marks gone; other-script digits and
    look-alike letters as their ASCII selves."""
    folded = []
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if category in ("Cf", "Mn", "Me"):
            continue  # zero-width spaces and joiners, soft hyphens, bidi marks, accents
        if char in _MINUSES or category == "Pd":
            folded.append("-")
        elif char in _PLUSES:
            folded.append("+")
        elif category == "Nd":
            folded.append(str(unicodedata.digit(char)))
        elif char.isspace():
            folded.append(" ")
        else:
            folded.append(char)
    return "".join(folded).translate(_LOOK_ALIKES)


def _spaced(*parts: str) -> str:
    """The parts in order, with any run of spaces allowed between them."""
    return r"\s*".join(parts)


# DDMMYY, the century sign (+ 1800s; - Y X W V U 1900s; A B C D E F 2000s), NNN and the check
# character, either case, with spaces anywhere between. A lookahead finds overlapping candidates,
# so a decoy just before a real code cannot hide it; a code inside a longer run of digits is a
# number, not a code.
_HETU_CANDIDATE = re.compile(
    r"(?<!\d)(?=("
    + _spaced(*[r"\d"] * 6, r"[-+A-FU-Y]", *[r"\d"] * 3, r"(?:\d(?!\d)|[A-Y])")
    + "))",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")  # any script's digits
# Characters that NFKC turns into one or two digits (superscripts, circled and parenthesised
# numbers ...): with them a code can be written in as few as five characters.
_DIGIT_LIKE = re.compile(
    "[\\d\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2150-\u215f\u2460-\u24ff"
    "\u2776-\u2793\u3251-\u325f\u32b1-\u32cb\u3358-\u33ff\U0001f100-\U0001f10a]"
)


def find_personal_identity_codes(text: str) -> list[str]:
    """Valid Finnish personal identity codes (henkilötunnus) found anywhere in ``text``, in
    their plain form (``131052-308T``).

    Only candidates whose date and check character are valid count, so order numbers and dates
    that merely look alike are not refused.
    """
    text = str(text or "")
    # Most text (a name, a street) has too few digits for a code: done here, cheaply.
    if text.isascii():
        if len(_DIGIT.findall(text)) < 9:
            return []
    elif len(_DIGIT_LIKE.findall(text)) < 5:
        return []
    else:
        text = _fold(text)
    found = []
    for match in _HETU_CANDIDATE.finditer(text):
        candidate = re.sub(r"\s", "", match.group(1)).upper()
        # Temporary codes (individual number 900-999) identify a person just as well.
        if hetu.is_valid(candidate, allow_temporary=True) and candidate not in found:
            found.append(candidate)
    return found


def validate_no_personal_identity_code(value) -> None:
    """This register must not hold personal identity codes (data minimisation, GDPR Art. 5)."""
    if find_personal_identity_codes(value):
        raise ValidationError(
            _(
                "This looks like a Finnish personal identity code (henkilötunnus). This register "
                "must not hold them: remove it."
            ),
            code="personal_identity_code",
        )

import re

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


# DDMMYY, the century sign (+ 1800s; - Y X W V U 1900s; A B C D E F 2000s), NNN and the check
# character. Separators and letters as people type them: either case, optional spaces around.
_HETU_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})\s?([-+A-FU-Ya-fu-y])\s?(\d{3}[0-9A-Ya-y])(?![0-9A-Za-z])"
)


def find_personal_identity_codes(text: str) -> list[str]:
    """Valid Finnish personal identity codes (henkilötunnus) found anywhere in ``text``.

    Only candidates whose date and check character are valid count, so order numbers and dates
    that merely look alike are not refused.
    """
    if not text:
        return []
    found = []
    for match in _HETU_CANDIDATE.finditer(str(text)):
        candidate = "".join(match.groups()).upper()
        # Temporary codes (individual number 900-999) identify a person just as well.
        if hetu.is_valid(candidate, allow_temporary=True):
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

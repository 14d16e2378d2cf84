from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fi import ytunnus


def validate_business_id(value: str) -> None:
    """A Finnish business ID (Y-tunnus), NNNNNNN-C with a valid check digit."""
    if not ytunnus.is_valid(value) or "-" not in value:
        raise ValidationError(
            _("Enter a valid business ID (Y-tunnus) in the form 1234567-8."),
            code="invalid_business_id",
        )

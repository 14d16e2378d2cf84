"""Checks of the identifiers a paid event's billing details carry.

python-stdnum has the business ID (``stdnum.fi.ytunnus``), EU VAT numbers (``stdnum.eu.vat``) and
the international RF creditor reference (``stdnum.iso11649``); it has no Finnish national
reference number (viitenumero), which is checked here: 4–20 digits whose last digit is the
7-3-1 check digit of the others.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iso11649
from stdnum.eu import vat
from stdnum.fi import ytunnus

_OVT = re.compile(r"^0037(\d{8})([0-9A-Z]{0,5})$")


def compact(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def finnish_reference_check_digit(base: str) -> int:
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def is_finnish_reference(value: str) -> bool:
    digits = compact(value)
    if not re.fullmatch(r"\d{4,20}", digits) or set(digits) == {"0"}:
        return False
    return finnish_reference_check_digit(digits[:-1]) == int(digits[-1])


def finnish_reference(base: str) -> str:
    """A Finnish reference number: ``base`` (3–19 digits) and its check digit."""
    base = str(base).lstrip("0") or "0"
    if len(base) < 3:
        base = base.rjust(3, "1")
    return base + str(finnish_reference_check_digit(base))


def validate_business_id(value: str) -> None:
    if not ytunnus.is_valid(value or ""):
        raise ValidationError(
            _("Enter a valid business ID (Y-tunnus) in the form 1234567-8."),
            code="invalid_business_id",
        )


def validate_vat_number(value: str) -> None:
    if not vat.is_valid(value or ""):
        raise ValidationError(
            _("Enter a valid EU VAT number with its country prefix (e.g. FI12345671)."),
            code="invalid_vat_number",
        )


def validate_einvoice_address(value: str) -> None:
    if not _OVT.fullmatch(compact(value)) or not ytunnus.is_valid(
        _OVT.fullmatch(compact(value)).group(1)
    ):
        raise ValidationError(
            _(
                "Enter a Finnish e-invoicing address (OVT): 0037, the eight digits of the "
                "business ID and an optional suffix of up to five letters or digits."
            ),
            code="invalid_einvoice_address",
        )


def einvoice_business_digits(value: str) -> str:
    match = _OVT.fullmatch(compact(value))
    return match.group(1) if match else ""


def validate_reference(value: str) -> None:
    """A Finnish reference number (viitenumero) or an RF creditor reference (ISO 11649)."""
    if not (is_finnish_reference(value) or iso11649.is_valid(value or "")):
        raise ValidationError(
            _(
                "Enter a valid reference number: a Finnish reference number with its check "
                "digit, or an RF creditor reference."
            ),
            code="invalid_reference",
        )

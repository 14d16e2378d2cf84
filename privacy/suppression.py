"""The suppression list: addresses that must not be put back on a marketing list.

After an erasure or an objection to direct marketing the address is kept only as
HMAC-SHA256(SUPPRESSION_KEY, normalised address): the register can answer "is this address
suppressed?" for an address an import, an integration or a sign-up presents, but the list cannot
be read back into addresses without the key, and no address is kept in clear.

Who checks it: ``consent.services.consent_give`` and ``sign_up_request`` refuse a marketing
consent for a suppressed address (the API and staff get a clear message, the public sign-up
its usual neutral answer), and ``consent.selectors.audience`` leaves suppressed addresses out.
An import may still add the address as a contact (a customer relationship may have its own
basis), but nothing in an import gives consent, so it cannot put the person on a marketing list.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction

from crm.models import normalise_email

from .models import Suppression


def email_hash(email: str) -> str:
    normalised = normalise_email(email or "")
    return hmac.new(
        settings.SUPPRESSION_KEY.encode(), normalised.encode(), hashlib.sha256
    ).hexdigest()


def is_suppressed(email: str) -> bool:
    if not email:
        return False
    return Suppression.objects.filter(email_hash=email_hash(email)).exists()


@transaction.atomic
def suppression_add(*, email: str, reason: str) -> Suppression | None:
    """Suppress ``email`` (idempotent: the first reason stays). None for an empty address."""
    if not email:
        return None
    row, _created = Suppression.objects.get_or_create(
        email_hash=email_hash(email), defaults={"reason": reason}
    )
    return row

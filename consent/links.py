"""Signed links in consent mails (django.core.signing): the confirmation of a sign-up, the
one-click unsubscribe, the preference page and the renewal.

Each kind has its own salt, so a token made for one cannot be used as another, and its own
lifetime. A forged, altered or expired token is refused by ``read`` and the view changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

CONFIRM = "consent.confirm"
UNSUBSCRIBE = "consent.unsubscribe"
PREFERENCES = "consent.preferences"
RENEW = "consent.renew"

_URL_NAMES = {
    CONFIRM: "consent:confirm",
    UNSUBSCRIBE: "consent:unsubscribe",
    PREFERENCES: "consent:preferences",
    RENEW: "consent:renew",
}


class BadLink(Exception):
    """The link was forged, altered or has expired."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


def max_age(kind: str) -> int:
    """Seconds a link of ``kind`` stays valid."""
    if kind == CONFIRM:
        return settings.CONSENT_CONFIRM_LINK_DAYS * 86400
    return settings.CONSENT_MAIL_LINK_DAYS * 86400


def make(kind: str, **payload) -> str:
    return signing.dumps(payload, salt=kind, compress=True)


def read(kind: str, token: str) -> dict:
    try:
        payload = signing.loads(token, salt=kind, max_age=max_age(kind))
    except signing.SignatureExpired:
        raise BadLink(expired=True) from None
    except signing.BadSignature:
        raise BadLink() from None
    if not isinstance(payload, dict):
        raise BadLink()
    return payload


def read_of_any_age(kind: str, token: str) -> tuple[dict, bool]:
    """``read`` for the one use a link keeps however old it is: withdrawing (an unsubscribe
    link). Withdrawing only reduces what is done with the person's data, so an old mail must
    still let them leave. Returns the payload and whether the link is past its lifetime (the
    caller then offers nothing but the withdrawal)."""
    try:
        return read(kind, token), False
    except BadLink as error:
        if not error.expired:
            raise
    payload = signing.loads(token, salt=kind)  # the signature was checked: only the age failed
    if not isinstance(payload, dict):
        raise BadLink()
    return payload, True


def url(kind: str, language: str, **payload) -> str:
    """The absolute address, in the person's language (/sv/consent/... for Swedish)."""
    with translation.override(language):
        path = reverse(_URL_NAMES[kind], kwargs={"token": make(kind, **payload)})
    return settings.SITE_URL + path

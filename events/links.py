"""Signed links of a registration (django.core.signing): the page to view or cancel it, and the
event's networking list.

Each kind has its own salt, so a token made for one cannot be used as the other. The payload
names the registration and its ``link_key``: the shredder replaces the key, so that every link
mailed earlier stops working when the event's data is removed. A forged, altered or expired
token, or one whose key no longer matches, is refused and the page changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

REGISTRATION = "events.registration"
NETWORKING = "events.networking"

_URL_NAMES = {REGISTRATION: "events:registration", NETWORKING: "events:networking"}


class BadLink(Exception):
    """The link was forged, altered, has expired or was ended."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


def make(kind: str, registration) -> str:
    return signing.dumps({"r": registration.pk, "k": registration.link_key}, salt=kind)


def read(kind: str, token: str):
    """The registration the token was made for; BadLink when it is not valid."""
    from .models import Registration

    try:
        payload = signing.loads(token, salt=kind, max_age=settings.EVENTS_LINK_DAYS * 86400)
    except signing.SignatureExpired:
        raise BadLink(expired=True) from None
    except signing.BadSignature:
        raise BadLink() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        raise BadLink()
    registration = (
        Registration.objects.select_related("event", "contact")
        .filter(pk=payload["r"], link_key=str(payload.get("k", "")), contact__isnull=False)
        .first()
    )
    if registration is None:
        raise BadLink()
    return registration


def url(kind: str, registration, language: str | None = None) -> str:
    """The absolute address, in the person's language (/sv/events/... for Swedish)."""
    with translation.override(language or registration.language):
        path = reverse(_URL_NAMES[kind], kwargs={"token": make(kind, registration)})
    return settings.SITE_URL + path

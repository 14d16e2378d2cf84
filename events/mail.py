"""The mails of a registration, in the person's language, each with the signed link to view or
cancel it. Service messages: about something the person asked for, without an unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from consent import links as consent_links
from consent.mail import _html

from . import links

KINDS = ("confirmed", "waiting", "promoted", "cancelled")


def _subject(kind: str, title: str) -> str:
    return {
        "confirmed": _("Registration confirmed: %(event)s"),
        "waiting": _("You are on the waiting list: %(event)s"),
        "promoted": _("You got a place: %(event)s"),
        "cancelled": _("Registration cancelled: %(event)s"),
    }[kind] % {"event": title}


def registration_message(*, registration, kind: str) -> EmailMultiAlternatives:
    event, contact = registration.event, registration.contact
    language = registration.language
    with translation.override(language):
        context = {
            "event": event,
            "title": event.title,
            "registration": registration,
            "name": contact.first_name,
            "url": links.url(links.REGISTRATION, registration, language)
            if kind != "cancelled"
            else "",
            "networking_url": links.url(links.NETWORKING, registration, language)
            if registration.networking and event.networking_offered and kind != "cancelled"
            else "",
            "preferences_url": consent_links.url(consent_links.PREFERENCES, language, c=contact.pk)
            if (registration.networking or registration.partner_consent) and kind != "cancelled"
            else "",
            "controller": settings.CONTROLLER_NAME,
        }
        text = render_to_string(f"events/mail/{kind}.txt", context).strip() + "\n"
        html = render_to_string(
            "consent/mail/base.html", {"body_html": _html(text), "language": language}
        )
        message = EmailMultiAlternatives(
            subject=_subject(kind, event.title),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[contact.email],
            headers={"X-Rekisteri-Mail-Kind": "service"},
        )
    message.attach_alternative(html, "text/html")
    return message


def registration_mail_send(*, registration, kind: str) -> None:
    if registration.contact is None or not registration.contact.email:
        return
    registration_message(registration=registration, kind=kind).send()

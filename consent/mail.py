"""The mails of consents, each in the person's language with their own signed links.

Marketing mails (``marketing_message``) carry ``List-Unsubscribe`` (an HTTPS address, signed,
per person and purpose) with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)
and a visible unsubscribe link at the end. Service messages (``service_message``) are a kind of
their own: about something the person asked for, sent whatever their marketing consents say,
and therefore without an unsubscribe header.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, urlize

from . import links


def _html(text: str) -> str:
    """Plain text as simple HTML: paragraphs at blank lines, line breaks, addresses as links.
    Staff write plain text only; nothing they type becomes markup."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(
        "<p>" + urlize(escape(p), nofollow=True).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


def _message(*, to: str, language: str, subject: str, template: str, context: dict, headers=None):
    with translation.override(language):
        text = render_to_string(f"consent/mail/{template}.txt", context).strip() + "\n"
        html = render_to_string(
            "consent/mail/base.html", {**context, "body_html": _html(text), "language": language}
        )
        message = EmailMultiAlternatives(
            subject=str(subject),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers=headers or {},
        )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_send(*, pending, url: str) -> None:
    from django.utils.translation import gettext as _

    with translation.override(pending.language):
        subject = _("Confirm your subscription: %(purpose)s") % {"purpose": pending.purpose.name}
        context = {
            "purpose": pending.purpose.name,
            "text": pending.text.text,
            "url": url,
            "days": settings.CONSENT_CONFIRM_LINK_DAYS,
        }
    _message(
        to=pending.email,
        language=pending.language,
        subject=subject,
        template="confirm",
        context=context,
    ).send()


def _person_links(contact, purpose) -> dict:
    language = contact.preferred_language
    return {
        "unsubscribe_url": links.url(links.UNSUBSCRIBE, language, c=contact.pk, p=purpose.pk),
        "preferences_url": links.url(links.PREFERENCES, language, c=contact.pk),
    }


def marketing_message(*, mailing, contact) -> EmailMultiAlternatives:
    language = contact.preferred_language
    person_links = _person_links(contact, mailing.purpose)
    with translation.override(language):
        context = {
            "body": mailing.body_in(language),
            "purpose": mailing.purpose.name,
            "controller": settings.CONTROLLER_NAME,
            **person_links,
        }
    return _message(
        to=contact.email,
        language=language,
        subject=mailing.subject_in(language),
        template="marketing",
        context=context,
        headers={
            "List-Unsubscribe": f"<{person_links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def renewal_send(*, state) -> None:
    from django.utils.translation import gettext as _

    contact = state.contact
    language = contact.preferred_language
    with translation.override(language):
        subject = _("Do you still want %(purpose)s?") % {"purpose": state.purpose.name}
        context = {
            "purpose": state.purpose.name,
            "expires": state.expires_at,
            "renew_url": links.url(
                links.RENEW,
                language,
                c=contact.pk,
                p=state.purpose_id,
                e=state.expires_at.isoformat(),
            ),
            **_person_links(contact, state.purpose),
        }
    _message(
        to=contact.email,
        language=language,
        subject=subject,
        template="renewal",
        context=context,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()


def service_message(*, contact, subject: str, body: str) -> EmailMultiAlternatives:
    return _message(
        to=contact.email,
        language=contact.preferred_language,
        subject=subject,
        template="service",
        context={"body": body, "controller": settings.CONTROLLER_NAME},
        headers={"X-Rekisteri-Mail-Kind": "service"},
    )

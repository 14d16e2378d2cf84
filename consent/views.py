"""The public consent pages (no account; fi/sv/en by the address): sign-up, its confirmation,
one-click unsubscribe, the preference page and renewal.

A signed link that is forged, altered or expired changes nothing; the page says so in the
language of the address the link carries (the person's language) and answers 400.
"""

from __future__ import annotations

import contextlib
import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.access import public
from crm.models import Contact, ContactMerge

from . import links, selectors, services
from .forms import SignUpForm
from .models import ConsentEvent, ConsentState, Purpose

Source = ConsentEvent.Source


def _message(request, title: str, text: str, *, status: int = 200, contact=None):
    return render(
        request,
        "consent/message.html",
        {"title": title, "text": text, "contact": contact},
        status=status,
    )


def _bad_link(request, error: links.BadLink):
    if error.expired:
        text = _("This link has expired. Nothing was changed.")
    else:
        text = _("This link is not valid: it may have been altered or cut. Nothing was changed.")
    return _message(request, _("The link does not work"), text, status=400)


def _person(contact_id) -> Contact | None:
    """The person a link was made for; one merged into another since is found as the kept one."""
    if not isinstance(contact_id, int):
        return None
    person = Contact.objects.filter(pk=contact_id).first()
    if person is None:
        merge = ContactMerge.objects.filter(merged_contact_id=contact_id).first()
        person = merge.survivor if merge else None
    if person is None or person.subject_category == Contact.SubjectCategory.ERASED:
        return None
    return person


# The sign-up form may be embedded in an organisation's own site as a plain HTML form that
# posts here. Such a form cannot carry our CSRF token, so the view is exempt. What CSRF would
# protect against (someone submitting the form in another person's name) is what the double
# opt-in protects against instead: a sign-up changes nothing until the owner of the address
# opens the signed link in the mail, and the confirmation page, which does change something,
# keeps its CSRF protection. The rate limits per client address and per email address keep the
# form from being used to flood an inbox, as does the one-mail-an-hour rule of the service.
@public
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request, code: str):
    purpose = get_object_or_404(Purpose, code=code, active=True, is_marketing=True)
    text = purpose.current_text()
    if text is None:
        raise Http404
    form = SignUpForm(request.POST or None, purpose=purpose)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        evidence = services.evidence_of_request(request, Source.WEB_FORM)
        if not services.sign_up_allowed(ip_address=evidence.ip_address, email=values["email"]):
            return _message(
                request,
                _("Too many sign-ups"),
                _("Too many sign-ups were sent from here or for this address. Try again later."),
                status=429,
            )
        # A suppressed address: nothing is sent or stored, and the page says what it says to
        # everyone.
        with contextlib.suppress(services.AddressSuppressed):
            services.sign_up_request(
                purpose=purpose,
                email=values["email"],
                first_name=values["first_name"],
                last_name=values["last_name"],
                language=translation.get_language()[:2],
                topics=services.topics_of(purpose, values.get("topics")),
                evidence=evidence,
            )
        # The same answer whether or not a mail was sent (once an hour), and whoever the
        # address belongs to: the page tells nobody whether it is in the register.
        return _message(
            request,
            _("Check your email"),
            _(
                "We sent a confirmation link to the address you gave. Your subscription starts "
                "when you open it. If nothing arrives, check your spam folder."
            ),
        )
    return render(
        request,
        "consent/signup.html",
        {"purpose": purpose, "text": text, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows what is being confirmed and a button; the POST confirms. A GET never confirms:
    mail scanners open links, and only the person should give consent."""
    try:
        payload = links.read(links.CONFIRM, token)
    except links.BadLink as error:
        return _bad_link(request, error)
    gone = _message(
        request,
        _("The link does not work"),
        _(
            "This sign-up has already been confirmed, was replaced by a newer one, or "
            "lapsed. Nothing was changed."
        ),
        status=400,
    )
    if request.method == "GET":
        # What the person is about to agree to, exactly as the consent will record it. The
        # address is shown because the link went to it: it is the person's own.
        pending = selectors.pending_sign_up(payload=payload)
        if pending is None:
            return gone
        return render(
            request,
            "consent/confirm.html",
            {
                "pending": pending,
                "topics": pending.purpose.topics.filter(code__in=pending.topics),
            },
        )
    try:
        state = services.sign_up_confirm(
            payload=payload, evidence=services.evidence_of_request(request, Source.WEB_FORM)
        )
    except (services.SignUpGone, services.AddressSuppressed):
        return gone
    return _message(
        request,
        _("Thank you"),
        _("Your subscription to “%(purpose)s” is confirmed.") % {"purpose": state.purpose.name},
        contact=state.contact,
    )


def _preferences_page(request, person, *, notice: str = "", status: int = 200, highlight=None):
    states = list(selectors.marketing_states(contact=person))
    return render(
        request,
        "consent/preferences.html",
        {
            "person": person,
            "states": states,
            # Nothing left to save or withdraw once every consent has ended: the page offers to
            # subscribe again instead of buttons that would do nothing.
            "any_valid": any(state.is_valid() for state in states),
            "event_states": selectors.event_states(contact=person),
            "notice": notice,
            "highlight": highlight,
            "token": links.make(links.PREFERENCES, c=person.pk),
        },
        status=status,
    )


# Mail programs send the RFC 8058 one-click POST without a session or a token of ours: the
# signed address is the proof, and withdrawing is what the person asked for.
@public
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """POST (the mail program's one-click, or the button): the purpose is withdrawn at once,
    with no login and no confirmation step. GET: the preference page."""
    try:
        payload, old = links.read_of_any_age(links.UNSUBSCRIBE, token)
    except links.BadLink as error:
        return _bad_link(request, error)
    person = _person(payload.get("c"))
    purpose = Purpose.objects.filter(pk=payload.get("p")).first()
    if person is None or purpose is None:
        return _bad_link(request, links.BadLink())
    # A link past its lifetime still withdraws, but it no longer opens the preference page
    # (which could change more than it reduces): only the unsubscribe button.
    if request.method == "GET" and old:
        state = ConsentState.objects.filter(contact=person, purpose=purpose).first()
        return render(
            request,
            "consent/unsubscribe.html",
            {"purpose": purpose, "subscribed": state is not None and state.is_valid()},
        )
    if request.method == "GET":
        return _preferences_page(request, person, highlight=purpose.pk)
    services.consent_withdraw(
        contact=person,
        purpose=purpose,
        evidence=services.evidence_of_request(request, Source.UNSUBSCRIBE_LINK),
    )
    notice = _("You will no longer receive “%(purpose)s”.") % {"purpose": purpose.name}
    if old:
        return _message(request, _("Your subscriptions"), notice)
    return _preferences_page(request, person, notice=notice)


def _event_choices_save(request, person, evidence) -> None:
    """The events a consent of an event purpose covers: an event unticked leaves it (the
    consent is withdrawn when no event is left). Nothing can be added here: an event's consent
    is given on its registration form."""
    for state in selectors.event_states(contact=person):
        if f"event-present-{state.purpose.pk}" not in request.POST:
            continue
        current = {t.code: t for t in state.topics.all()}
        kept = [
            current[c] for c in request.POST.getlist(f"event-{state.purpose.pk}") if c in current
        ]
        if not kept:
            services.consent_withdraw(contact=person, purpose=state.purpose, evidence=evidence)
        elif len(kept) != len(current):
            services.consent_topics_change(
                contact=person, purpose=state.purpose, topics=kept, evidence=evidence
            )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    """Choose topics, withdraw single purposes or all marketing; a link on to the privacy
    portal. The page is ours, so its form keeps CSRF protection."""
    try:
        payload = links.read(links.PREFERENCES, token)
    except links.BadLink as error:
        return _bad_link(request, error)
    person = _person(payload.get("c"))
    if person is None:
        return _bad_link(request, links.BadLink())
    if request.method == "GET":
        return _preferences_page(request, person)
    evidence = services.evidence_of_request(request, Source.PREFERENCES)
    if "withdraw_all" in request.POST:
        services.consent_withdraw_all_marketing(contact=person, evidence=evidence)
        return _preferences_page(
            request, person, notice=_("You will no longer receive any marketing from us.")
        )
    _event_choices_save(request, person, evidence)
    for state in selectors.marketing_states(contact=person):
        if not state.is_valid():
            continue
        purpose = state.purpose
        if request.POST.get(f"withdraw-{purpose.pk}"):
            services.consent_withdraw(contact=person, purpose=purpose, evidence=evidence)
            continue
        chosen = request.POST.getlist(f"topics-{purpose.pk}")
        known = {t.code: t for t in purpose.topics.all()}
        if not known:
            continue
        if not chosen or set(chosen) - known.keys():
            return _preferences_page(
                request,
                person,
                notice=_("Choose at least one topic of “%(purpose)s”, or withdraw the consent.")
                % {"purpose": purpose.name},
                status=400,
            )
        services.consent_topics_change(
            contact=person,
            purpose=purpose,
            topics=[known[c] for c in chosen],
            evidence=evidence,
        )
    return _preferences_page(request, person, notice=_("Your choices were saved."))


@public
@never_cache
@require_http_methods(["GET", "POST"])
def renew(request, token: str):
    """The renewal mail's link: GET shows a button, the POST renews (one new period)."""
    try:
        payload = links.read(links.RENEW, token)
    except links.BadLink as error:
        return _bad_link(request, error)
    person = _person(payload.get("c"))
    state = (
        ConsentState.objects.filter(contact=person, purpose_id=payload.get("p"))
        .select_related("purpose")
        .first()
        if person
        else None
    )
    if state is None:
        return _bad_link(request, links.BadLink())
    current = state.expires_at.isoformat() if state.expires_at else None
    spent = _message(
        request,
        _("The link does not work"),
        _(
            "This consent has already been renewed, or it is no longer valid and must be "
            "given again. Nothing was changed."
        ),
        status=400,
    )
    if current != payload.get("e") or not state.is_valid():
        return spent
    if request.method == "GET":
        # The renewal is a consent on the wording shown here: the current version.
        return render(
            request,
            "consent/renew.html",
            {
                "state": state,
                "text": state.purpose.current_text() or state.text,
                "new_expiry": timezone.now() + datetime.timedelta(days=state.purpose.validity_days),
            },
        )
    if not services.consent_renew(
        contact=person,
        purpose=state.purpose,
        evidence=services.evidence_of_request(request, Source.RENEWAL_LINK),
    ):
        return spent
    return _message(
        request,
        _("Thank you"),
        _("Your consent to “%(purpose)s” is renewed.") % {"purpose": state.purpose.name},
    )

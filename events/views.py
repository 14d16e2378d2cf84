"""The public event pages (no account; fi/sv/en by the address): the list of events, an event's
page and registration form, the thanks page, the registration's own page behind its signed link
(view, cancel, leave the networking list) and the networking list behind its signed link.

A signed link that is forged, altered, expired or ended changes nothing; the page says so and
answers 400.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.access import client_address, public
from consent import services as consent_services
from consent.models import ConsentEvent

from . import links, selectors, services
from .forms import RegistrationForm
from .models import Registration


def _message(request, title: str, text: str, *, status: int = 200):
    return render(request, "consent/message.html", {"title": title, "text": text}, status=status)


def _bad_link(request, error: links.BadLink):
    if error.expired:
        text = _("This link has expired. Nothing was changed.")
    else:
        text = _(
            "This link is not valid: it may have been altered or cut, or the event's data has "
            "been removed. Nothing was changed."
        )
    return _message(request, _("The link does not work"), text, status=400)


def _event_or_404(slug: str):
    event = selectors.public_event(slug)
    if event is None:
        raise Http404
    return event


@public
@require_GET
def event_list(request):
    return render(request, "events/list.html", {"events": selectors.published_events()})


def _event_context(event) -> dict:
    now = timezone.now()
    return {
        "event": event,
        "places_left": selectors.places_left(event),
        "waiting": selectors.waiting_count(event),
        "open": event.registration_is_open(now),
        "not_yet_open": now < event.registration_opens_at,
    }


@public
@never_cache
@require_http_methods(["GET", "POST"])
def event_page(request, slug: str):
    """The event's page with its registration form (the form posts here)."""
    event = _event_or_404(slug)
    context = _event_context(event)
    if request.method == "GET":
        form = RegistrationForm(event=event) if context["open"] else None
        return render(request, "events/event.html", {**context, "form": form})
    form = RegistrationForm(request.POST, event=event)
    status = 400
    if not services.registration_allowed(ip_address=client_address(request)):
        form.is_valid()
        form.add_error(None, _("Too many registrations from your address. Try again later."))
        status = 429
    elif form.is_valid():
        try:
            result = services.registration_create(
                event=event,
                data=form.registration_data(),
                source=Registration.Source.PUBLIC_FORM,
                language=(get_language() or "fi")[:2],
                evidence=consent_services.evidence_of_request(
                    request, ConsentEvent.Source.WEB_FORM, detail=event.slug
                ),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            url = reverse("events:thanks", kwargs={"slug": event.slug})
            return redirect(url + ("?waiting=1" if result.waiting else ""))
    context = _event_context(event)  # the form may have been refused because it just filled up
    return render(request, "events/event.html", {**context, "form": form}, status=status)


@public
@require_GET
def thanks(request, slug: str):
    event = _event_or_404(slug)
    return render(
        request,
        "events/thanks.html",
        {"event": event, "waiting": request.GET.get("waiting") == "1"},
    )


def _registration_page(request, registration, *, notice: str = "", status: int = 200):
    event = registration.event
    return render(
        request,
        "events/registration.html",
        {
            "registration": registration,
            "event": event,
            "answers": registration.answers.select_related("question").prefetch_related("choices"),
            "position": selectors.waiting_position(registration),
            "can_cancel": registration.status
            in (Registration.Status.CONFIRMED, Registration.Status.WAITING)
            and event.ends_at > timezone.now(),
            "on_networking_list": selectors.on_networking_list(registration),
            "networking_url": links.url(links.NETWORKING, registration, get_language())
            if event.networking_offered
            else "",
            "notice": notice,
        },
        status=status,
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def registration(request, token: str):
    """The registration's own page (the mail's link): what was registered, the place in the
    queue, cancelling, leaving the networking list. POSTs keep CSRF protection."""
    try:
        registration = links.read(links.REGISTRATION, token)
    except links.BadLink as error:
        return _bad_link(request, error)
    if request.method == "GET":
        return _registration_page(request, registration)
    if "cancel" in request.POST:
        try:
            services.registration_cancel(registration=registration)
        except ValidationError as error:
            return _registration_page(
                request, registration, notice=" ".join(error.messages), status=400
            )
        return _registration_page(
            request, registration, notice=_("Your registration has been cancelled.")
        )
    if "leave_networking" in request.POST:
        services.event_consent_withdraw(
            registration=registration,
            code=services.NETWORKING_PURPOSE,
            evidence=consent_services.evidence_of_request(
                request, ConsentEvent.Source.WEB_FORM, detail=registration.event.slug
            ),
        )
        return _registration_page(
            request, registration, notice=_("You are no longer on the networking list.")
        )
    return _registration_page(request, registration, status=400)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def networking(request, token: str):
    """The event's networking list: only for a participant who is on it themselves."""
    try:
        registration = links.read(links.NETWORKING, token)
    except links.BadLink as error:
        return _bad_link(request, error)
    event = registration.event
    if request.method == "POST" and "leave_networking" in request.POST:
        services.event_consent_withdraw(
            registration=registration,
            code=services.NETWORKING_PURPOSE,
            evidence=consent_services.evidence_of_request(
                request, ConsentEvent.Source.WEB_FORM, detail=event.slug
            ),
        )
        return _message(
            request,
            _("Networking list"),
            _("You are no longer on the networking list of “%(event)s”.") % {"event": event.title},
        )
    if not selectors.on_networking_list(registration):
        return _message(
            request,
            _("Networking list"),
            _(
                "The networking list of “%(event)s” is shown only to confirmed participants "
                "who are on it themselves."
            )
            % {"event": event.title},
            status=403,
        )
    return render(
        request,
        "events/networking.html",
        {"event": event, "entries": selectors.networking_entries(event)},
    )

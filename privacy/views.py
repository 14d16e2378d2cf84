"""The public privacy portal: what the register is, the person's rights, and the requests.

The person proves their address before anything personal is shown or done: the request form
always answers with the same page, the same status and the same body whether or not the
address is in the register (the mail is sent, or not, by a Celery task after the response), and
the mailed link opens one confirmation page for one request, once, within 30 minutes.
"""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from config.access import client_address, public
from crm.models import Contact, normalise_email

from . import requests as rights
from .forms import CONSENTS, CorrectionForm, PortalRequestForm
from .models import Register, RightsRequest
from .reports import register_report

#: The session key holding the request whose corrections the person may now propose.
RECTIFY_SESSION_KEY = "privacy:rectify"


def _page(request, title: str, text: str, *, status: int = 200, extra: str = ""):
    return render(
        request,
        "privacy/message.html",
        {"title": title, "text": text, "extra": extra},
        status=status,
    )


def _bad_link(request, error: rights.BadLink):
    if error.expired:
        text = _("This link has expired. Nothing was changed. You may send a new request.")
    else:
        text = _(
            "This link does not work: it may have been used already, altered or cut, or made for "
            "another request. Nothing was changed. You may send a new request."
        )
    return _page(request, _("The link does not work"), text, status=400)


@public
@never_cache
@require_http_methods(["GET"])
def privacy_index(request):
    """The register in plain language and the rights, with the request form, and the register
    descriptions (privacy notices) by their title in the page's language."""
    language = translation.get_language()
    notices = [
        (
            register.slug,
            next((t.title for t in register.texts.all() if t.language == language), register.name),
        )
        for register in Register.objects.prefetch_related("texts")
    ]
    return render(request, "privacy/index.html", {"form": PortalRequestForm(), "notices": notices})


@public
@require_http_methods(["GET"])
def register_notice(request, slug):
    """A register's privacy notice in the page's language, built from live data as the PDF is;
    a language the register has no text in says so instead of mixing languages."""
    register = get_object_or_404(Register.objects.prefetch_related("texts"), slug=slug)
    language = translation.get_language()
    report = register_report(register, language, with_drift=False)
    return render(request, "privacy/register.html", {"report": report, "lang": language})


def portal_allowed(*, ip_address: str | None, email: str) -> bool:
    """Rate limits per client address and per email address (per hour)."""
    window = 3600
    allowed = True
    for key, limit in [
        (f"privacy:portal:ip:{ip_address}", settings.PRIVACY_REQUESTS_PER_IP_HOUR),
        (
            f"privacy:portal:email:{normalise_email(email)}",
            settings.PRIVACY_REQUESTS_PER_EMAIL_HOUR,
        ),
    ]:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)
            count = 1
        allowed = allowed and count <= limit
    return allowed


@public
@never_cache
@require_POST
def portal_request(request):
    """File a request. The answer is the same whether or not the address is known."""
    form = PortalRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/index.html", {"form": form}, status=400)
    email, right = form.cleaned_data["email"], form.cleaned_data["right"]
    if not portal_allowed(ip_address=client_address(request), email=email):
        return _page(
            request,
            _("Too many requests"),
            _("Too many requests were sent from here or for this address. Try again later."),
            status=429,
        )
    language = (translation.get_language() or "fi")[:2]
    if right == CONSENTS:
        rights.portal_consents_mail(email=email, language=language)
    else:
        rights.portal_request_file(type=right, email=email, language=language)
    return _page(
        request,
        _("Check your email"),
        _(
            "If this address is in our register, we sent a link to it. Open the link within "
            "%(minutes)d minutes to confirm that the request is yours. If nothing arrives, the "
            "address may not be in our register, or check your spam folder."
        )
        % {"minutes": settings.PRIVACY_LINK_MINUTES},
    )


# Lazy: the module is imported once, in whatever language was active then.
_DONE = {
    RightsRequest.Type.ACCESS: gettext_lazy(
        "Your request is confirmed. We are collecting your data and will send you a link to "
        "download it by email."
    ),
    RightsRequest.Type.PORTABILITY: gettext_lazy(
        "Your request is confirmed. We are collecting your data and will send you a link to "
        "download it by email."
    ),
    RightsRequest.Type.ERASURE: gettext_lazy(
        "Your request is confirmed. We will check what the law requires us to keep and erase "
        "the rest; you will get a confirmation by email."
    ),
    RightsRequest.Type.RESTRICTION: gettext_lazy(
        "The processing of your data is now restricted: we keep it stored but do not use it "
        "for anything else, such as marketing, until the matter is settled."
    ),
    RightsRequest.Type.OBJECTION: gettext_lazy(
        "Done: you will no longer receive direct marketing from us, and your address will not "
        "be put back on a marketing list."
    ),
}


@public
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """GET shows what the link confirms (and changes nothing: mail scanners fetch links); the
    person's POST uses the link up and carries out the request."""
    try:
        rights_request = rights.link_check(signed=token)
    except rights.BadLink as error:
        return _bad_link(request, error)
    if request.method == "GET":
        return render(request, "privacy/verify.html", {"rights_request": rights_request})
    from consent.services import evidence_of_request

    try:
        rights_request = rights.link_open(
            signed=token, evidence=evidence_of_request(request, "portal")
        )
    except rights.BadLink as error:
        return _bad_link(request, error)
    if rights_request.type == RightsRequest.Type.RECTIFICATION:
        request.session[RECTIFY_SESSION_KEY] = rights_request.pk
        request.session.set_expiry(settings.PRIVACY_LINK_MINUTES * 60)
        return redirect("privacy:correct")
    return _page(request, _("Request confirmed"), str(_DONE[rights_request.type]))


@public
@never_cache
@require_http_methods(["GET", "POST"])
def correct(request):
    """The person's corrections, after their link was opened in this browser."""
    pk = request.session.get(RECTIFY_SESSION_KEY)
    rights_request = (
        RightsRequest.objects.filter(
            pk=pk,
            type=RightsRequest.Type.RECTIFICATION,
            state=RightsRequest.State.IDENTITY_VERIFIED,
            contact__isnull=False,
        )
        .select_related("contact")
        .first()
        if isinstance(pk, int)
        else None
    )
    if rights_request is None:
        return _bad_link(request, rights.BadLink())
    current = rights_request.contact
    form = CorrectionForm(request.POST or None, instance=Contact.objects.get(pk=current.pk))
    if request.method == "POST" and form.is_valid():
        proposed = form.proposed(current)
        if not proposed:
            form.add_error(None, _("You did not change anything."))
        else:
            rights.rectification_propose(request=rights_request, values=proposed)
            del request.session[RECTIFY_SESSION_KEY]
            return _page(
                request,
                _("Corrections sent"),
                _("Thank you. We will check your corrections and tell you by email what we did."),
            )
    return render(
        request,
        "privacy/correct.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )

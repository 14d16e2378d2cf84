"""Rights requests (GDPR Art. 12–22): the workflow, the identity proof and the deadlines.

Every change of a ``RightsRequest`` goes through a function here (keyword-only, in a
transaction, every move of state logged as a ``RequestTransition`` in the same transaction).

States and moves (``ALLOWED``)::

    received ──► identity_verified ──► in_progress ──► completed
        │               │   │               │   ▲
        │               │   └──► extended ◄─┘   │
        └──► rejected ◄─┴───────────┴───────────┘

Identity proof: a request filed on the portal is stored with a single-use ``PortalLink`` (only
the SHA-256 of its random token is stored; the mailed address is a Django-signed payload of the
link's id and the token, so an altered link fails its signature and a forged one finds no hash).
The link works ``PRIVACY_LINK_MINUTES`` (30), once, for the one request it was made for. The
request is stored and the mail task queued whether or not the address is known; the task sends
nothing for an unknown address, so the portal's answer and work are the same either way.

Interface with the jobs half (privacy/export.py, privacy/erasure_jobs.py):

* ``request_transition(*, request, to, actor, note="")`` moves a request (``actor``: a user,
  a string such as ``"system (export)"``, or None for the person); the jobs mark a request
  completed through it.
* ``request_job_queue(*, request)`` stores ``job_queued_at`` and queues
  ``privacy.tasks.rights_request_run(request_id)`` on commit. ``export_queue`` and
  ``erasure_approve`` queue their work through it, so the sweeper can re-queue it.
* ``privacy.tasks.rights_request_run(request_id)`` sets ``job_started_at``, dispatches by type
  (access/portability → ``privacy.export.export_build(*, request)``; erasure →
  ``privacy.erasure_jobs.erasure_run(*, request)``) and sets ``job_finished_at``.
* ``requests_sweep()`` (beat) re-queues requests whose job was queued more than
  ``PRIVACY_REQUEUE_AFTER_SECONDS`` ago and never started.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from crm.models import Contact, normalise_email

from .models import PortalLink, RequestTransition, Restriction, RightsRequest, Suppression

logger = logging.getLogger(__name__)

State = RightsRequest.State
Type = RightsRequest.Type

ALLOWED: dict[str, set[str]] = {
    State.RECEIVED: {State.IDENTITY_VERIFIED, State.EXTENDED, State.REJECTED},
    State.IDENTITY_VERIFIED: {State.IN_PROGRESS, State.EXTENDED, State.COMPLETED, State.REJECTED},
    State.IN_PROGRESS: {State.EXTENDED, State.COMPLETED, State.REJECTED},
    State.EXTENDED: {State.IN_PROGRESS, State.COMPLETED, State.REJECTED},
    State.COMPLETED: set(),
    State.REJECTED: set(),
}
OPEN_STATES = [State.RECEIVED, State.IDENTITY_VERIFIED, State.IN_PROGRESS, State.EXTENDED]
#: Open states in which the controller is working on a proven request (deadline mails).
WORKING_STATES = [State.IDENTITY_VERIFIED, State.IN_PROGRESS, State.EXTENDED]

#: The fields of a contact a person may propose corrections to (a subset of CONTACT_WRITABLE:
#: not the address the identity was proven with, nor the register's classification).
RECTIFIABLE = (
    "first_name",
    "last_name",
    "phone",
    "street_address",
    "postal_code",
    "post_office",
    "preferred_language",
)

COMPLAINT_AUTHORITY = "https://tietosuoja.fi"
#: Days a portal request whose address was never proven is kept (then deleted by the reminder job).
UNPROVEN_DAYS = 14
LINK_SALT = "privacy.portal-link"


class RequestRefused(Exception):
    """The move is not allowed (wrong state, past the time for it); the message is for staff."""


# --- Deadlines ---------------------------------------------------------------------------------


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` plus calendar months, in the register's time zone: 31 January + 1 month is
    28 (29) February, as GDPR Art. 12(3) counts "one month" (Regulation 1182/71 Art. 3(2)(c))."""
    local = timezone.localtime(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def due_date(received_at: datetime.datetime) -> datetime.datetime:
    return add_months(received_at, 1)


# --- Transitions -------------------------------------------------------------------------------


def _actor(actor) -> tuple[object | None, str]:
    if actor is None:
        return None, "the person"
    if isinstance(actor, str):
        return None, actor[:200]
    name = actor.get_full_name() or actor.get_username()
    return actor, name[:200]


@transaction.atomic
def request_transition(*, request: RightsRequest, to: str, actor, note: str = "") -> RightsRequest:
    """Move ``request`` to state ``to`` and log who and when. Refuses a move ``ALLOWED`` does
    not list (a completed or rejected request stays as it is)."""
    locked = RightsRequest.objects.select_for_update().get(pk=request.pk)
    if to not in ALLOWED[locked.state]:
        raise RequestRefused(
            _("A request that is “%(state)s” cannot become “%(to)s”.")
            % {"state": locked.get_state_display(), "to": State(to).label}
        )
    user, name = _actor(actor)
    RequestTransition.objects.create(
        request=locked, from_state=locked.state, to_state=to, by=user, actor=name, note=note
    )
    locked.state = to
    fields = ["state"]
    if to in (State.COMPLETED, State.REJECTED):
        locked.completed_at = timezone.now()
        fields.append("completed_at")
    locked.save(update_fields=fields)
    request.state, request.completed_at = locked.state, locked.completed_at
    return request


def _create(**values) -> RightsRequest:
    received_at = values.pop("received_at", None) or timezone.now()
    request = RightsRequest(received_at=received_at, due_at=due_date(received_at), **values)
    request.full_clean()
    request.save()
    RequestTransition.objects.create(
        request=request,
        from_state="",
        to_state=State.RECEIVED,
        by=None,
        actor="the person" if request.channel == RightsRequest.Channel.PORTAL else "staff",
    )
    return request


# --- Identity links ----------------------------------------------------------------------------


class BadLink(Exception):
    """The link was forged, altered, used already, expired or made for another request."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "bad link")
        self.expired = expired


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_make(*, request: RightsRequest, purpose: str = PortalLink.Purpose.VERIFY) -> str:
    """A new single-use link for ``request``; returns the signed value for the address. Earlier
    unused links of the request stop working: only the latest mail opens it."""
    now = timezone.now()
    PortalLink.objects.filter(request=request, used_at__isnull=True).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = PortalLink.objects.create(
        request=request,
        token_hash=_hash(token),
        purpose=purpose,
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=settings.PRIVACY_LINK_MINUTES),
    )
    return signing.dumps({"l": link.pk, "r": request.pk, "t": token}, salt=LINK_SALT)


def link_url(*, request: RightsRequest, signed: str) -> str:
    with translation.override(request.language):
        path = reverse("privacy:verify", kwargs={"token": signed})
    return settings.SITE_URL + path


def _link_of(signed: str, *, lock: bool = False) -> PortalLink:
    if not isinstance(signed, str) or len(signed) > 500:
        raise BadLink()
    try:
        payload = signing.loads(signed, salt=LINK_SALT)
    except signing.BadSignature:
        raise BadLink() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), str):
        raise BadLink()
    links = PortalLink.objects.select_related("request")
    if lock:
        links = links.select_for_update()
    link = links.filter(
        pk=payload.get("l"), request_id=payload.get("r"), token_hash=_hash(payload["t"])
    ).first()
    if link is None or link.used_at is not None:
        raise BadLink()
    if link.expires_at <= timezone.now():
        raise BadLink(expired=True)
    if link.request.state != State.RECEIVED:
        raise BadLink()  # the request was proven, rejected or completed already
    return link


def link_check(*, signed: str) -> RightsRequest:
    """The request a still-usable link opens (nothing is changed: the page asks to confirm, so a
    mail scanner that fetches the link does not use it up)."""
    return _link_of(signed).request


# --- The portal --------------------------------------------------------------------------------


@transaction.atomic
def portal_request_file(*, type: str, email: str, language: str) -> RightsRequest:
    """A request filed on the portal: stored with a new identity link, and the mail task queued
    on commit. The same work is done for a known and an unknown address; the task mails only a
    known one. A repeated request is a new request with a new link: it never skips the proof.
    """
    from . import tasks

    request = _create(
        type=type,
        email=normalise_email(email),
        language=language,
        channel=RightsRequest.Channel.PORTAL,
    )
    signed = link_make(request=request)
    url = link_url(request=request, signed=signed)
    transaction.on_commit(lambda: _send_task(tasks.portal_link_mail, request.pk, url))
    return request


def portal_consents_mail(*, email: str, language: str) -> None:
    """ "Manage my consents": the consent preference link is mailed to a known address (by the
    task; nothing is stored and the answer is the same for an unknown one)."""
    from . import tasks

    email = normalise_email(email)
    transaction.on_commit(lambda: _send_task(tasks.portal_consents_mail, email, language))


def _send_task(task, *args) -> None:
    """Queue a mail task; when the broker is down the request is already stored and the
    reminder job mails a new link later, so the person still sees the normal page."""
    try:
        task.delay(*args)
    except Exception:
        logger.exception("Could not queue %s; the request is stored.", task.name)


def known_person(email: str) -> Contact | None:
    from crm.selectors import contacts_by_email

    if not email:
        return None
    person = contacts_by_email([normalise_email(email)]).get(normalise_email(email))
    if person is None or person.subject_category == Contact.SubjectCategory.ERASED:
        return None
    return person


def link_mail_send(*, request_id: int, url: str, reminder: bool = False) -> bool:
    """Mail the identity link when the request's address is in the register (the task)."""
    request = RightsRequest.objects.filter(pk=request_id, state=State.RECEIVED).first()
    if request is None or known_person(request.email) is None:
        return False
    with translation.override(request.language):
        subject = _("Confirm your privacy request")
        body = _(
            "Someone, hopefully you, asked on our privacy portal: %(right)s.\n\n"
            "To confirm that the request is yours, open this link within %(minutes)d minutes:"
            "\n\n%(url)s\n\n"
            "The link works once. If you did not ask for this, ignore this message: nothing "
            "is done and nothing about you is shown without the link.\n\n%(controller)s"
        ) % {
            "right": request.get_type_display(),
            "minutes": settings.PRIVACY_LINK_MINUTES,
            "url": url,
            "controller": settings.CONTROLLER_NAME,
        }
        if reminder:
            subject = _("Reminder: confirm your privacy request")
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [request.email])
    return True


def consents_mail_send(*, email: str, language: str) -> bool:
    from consent import links as consent_links

    person = known_person(email)
    if person is None:
        return False
    url = consent_links.url(consent_links.PREFERENCES, language, c=person.pk)
    with translation.override(language):
        subject = _("Your consent choices")
        body = _(
            "You asked on our privacy portal to manage your consents. Open this page to see "
            "and change what you have agreed to:\n\n%(url)s\n\n"
            "If you did not ask for this, you may ignore this message.\n\n%(controller)s"
        ) % {"url": url, "controller": settings.CONTROLLER_NAME}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return True


@transaction.atomic
def link_open(*, signed: str, evidence=None) -> RightsRequest:
    """The person confirmed on the link's page: the link is used up, the request's identity is
    verified (logged) and the request's right is carried out as far as it goes without staff.
    A used, expired or foreign link raises ``BadLink`` and changes nothing."""
    link = _link_of(signed, lock=True)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    request = link.request
    person = known_person(request.email)
    if person is None:
        raise BadLink()
    request.contact = person
    request.save(update_fields=["contact"])
    request_transition(
        request=request, to=State.IDENTITY_VERIFIED, actor=None, note=_("Link in the mail opened")
    )
    _carry_out(request, evidence=evidence)
    return request


@transaction.atomic
def staff_request_record(
    *,
    type: str,
    contact: Contact,
    channel: str,
    identity_check: str,
    language: str,
    actor,
    received_at=None,
    email: str = "",
) -> RightsRequest:
    """A request that came by letter, phone, email or in person: staff say how they checked the
    identity; it is recorded as received and verified at once, then carried out as on the
    portal."""
    if channel == RightsRequest.Channel.PORTAL:
        raise ValidationError({"channel": _("Portal requests are filed by the person.")})
    if not identity_check.strip():
        raise ValidationError(
            {"identity_check": _("Say how the identity of the person was checked.")}
        )
    request = _create(
        type=type,
        contact=contact,
        email=normalise_email(email or contact.email),
        language=language,
        channel=channel,
        identity_check=identity_check.strip(),
        received_at=received_at,
    )
    request.transitions.filter(to_state=State.RECEIVED).update(
        by=_actor(actor)[0], actor=_actor(actor)[1]
    )
    request_transition(
        request=request, to=State.IDENTITY_VERIFIED, actor=actor, note=identity_check
    )
    _carry_out(request, evidence=None)
    return request


def _carry_out(request: RightsRequest, *, evidence) -> None:
    """What a proven request does at once, by its type."""
    if request.type in (Type.ACCESS, Type.PORTABILITY):
        request_transition(request=request, to=State.IN_PROGRESS, actor="system")
        request_job_queue(request=request)
    elif request.type == Type.OBJECTION:
        objection_apply(request=request, evidence=evidence)
    elif request.type == Type.RESTRICTION:
        restriction_apply(request=request)
    # Rectification waits for the person's proposal; erasure for staff's preview and approval.


# --- Type-specific work ------------------------------------------------------------------------


@transaction.atomic
def objection_apply(*, request: RightsRequest, evidence=None) -> list:
    """Objection to direct marketing: effective at once, no staff review (GDPR Art. 21(3)).
    Every marketing consent is withdrawn (source "objection") and the address suppressed."""
    from consent.services import Evidence, consent_withdraw_all_marketing

    from .suppression import suppression_add

    evidence = Evidence(
        source="objection",
        detail=f"rights request #{request.pk}",
        ip_address=getattr(evidence, "ip_address", None),
        user_agent=getattr(evidence, "user_agent", ""),
    )
    withdrawn = consent_withdraw_all_marketing(contact=request.contact, evidence=evidence)
    suppression_add(
        email=request.contact.email or request.email, reason=Suppression.Reason.OBJECTION
    )
    request_transition(
        request=request,
        to=State.COMPLETED,
        actor="system",
        note=_("Marketing consents withdrawn: %(count)d; address suppressed")
        % {"count": len(withdrawn)},
    )
    return withdrawn


@transaction.atomic
def restriction_apply(*, request: RightsRequest) -> Restriction:
    """Restriction of processing (GDPR Art. 18): recorded and effective from verification."""
    restriction = Restriction.objects.filter(
        contact=request.contact, lifted_at__isnull=True
    ).first() or Restriction.objects.create(contact=request.contact, request=request)
    request_transition(
        request=request, to=State.COMPLETED, actor="system", note=_("Processing restricted")
    )
    return restriction


@transaction.atomic
def restriction_lift(*, restriction: Restriction, actor, reason: str, now=None) -> Restriction:
    """Lift a restriction of processing (staff, with a reason): the person is back in the
    audiences their consents allow. Who lifted it, when and why stay on the row, and the person
    is told on commit (GDPR Art. 18(3)), in their language, with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the restriction is lifted.")})
    locked = (
        Restriction.objects.select_for_update().select_related("contact").get(pk=restriction.pk)
    )
    if locked.lifted_at is not None:
        raise RequestRefused(_("This restriction has already been lifted."))
    locked.lifted_at = now or timezone.now()
    locked.lifted_by = _actor(actor)[1]
    locked.lift_reason = reason.strip()
    locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    transaction.on_commit(lambda: _notify_lift(locked))
    return locked


def is_restricted(contact: Contact) -> bool:
    return Restriction.objects.filter(contact=contact, lifted_at__isnull=True).exists()


@transaction.atomic
def rectification_propose(*, request: RightsRequest, values: dict) -> RightsRequest:
    """The person's proposed corrections (cleaned by the form); staff decide them."""
    locked = RightsRequest.objects.select_for_update().get(pk=request.pk)
    if locked.type != Type.RECTIFICATION or locked.state != State.IDENTITY_VERIFIED:
        raise RequestRefused(_("This request does not take corrections now."))
    proposed = {k: str(v) for k, v in values.items() if k in RECTIFIABLE}
    locked.payload = {**locked.payload, "proposed": proposed}
    locked.save(update_fields=["payload"])
    request_transition(
        request=locked, to=State.IN_PROGRESS, actor=None, note=_("Corrections proposed")
    )
    request.payload, request.state = locked.payload, locked.state
    return request


@transaction.atomic
def rectification_decide(
    *, request: RightsRequest, accept: bool, actor, note: str = ""
) -> RightsRequest:
    """Staff accept (the contact is changed through crm's service, with its audit entry) or
    reject the proposed corrections; the decision is kept in the request and the request ends."""
    from crm.services import contact_update

    locked = RightsRequest.objects.select_for_update().get(pk=request.pk)
    proposed = locked.payload.get("proposed")
    if locked.type != Type.RECTIFICATION or not proposed or "decision" in locked.payload:
        raise RequestRefused(_("There are no proposed corrections to decide."))
    if not accept and not note.strip():
        raise ValidationError({"note": _("Say why the corrections are not made.")})
    if accept:
        contact_update(contact=locked.contact, **proposed)
    _user, name = _actor(actor)
    locked.payload = {
        **locked.payload,
        "decision": {
            "accepted": accept,
            "by": name,
            "at": timezone.now().isoformat(),
            "note": note,
        },
    }
    locked.save(update_fields=["payload"])
    request_transition(
        request=locked,
        to=State.COMPLETED if accept else State.REJECTED,
        actor=actor,
        note=note or _("Corrections accepted"),
    )
    if accept:
        _notify_corrections(locked, proposed)
    else:
        locked.rejection_reason = note
        locked.save(update_fields=["rejection_reason"])
        _notify_rejection(locked)
    return locked


# --- Staff actions -----------------------------------------------------------------------------


@transaction.atomic
def request_verify(*, request: RightsRequest, contact: Contact, identity_check: str, actor):
    """Staff proved the identity another way (e.g. the person called back); recorded how."""
    if not identity_check.strip():
        raise ValidationError({"identity_check": _("Say how the identity was checked.")})
    request.contact = contact
    request.identity_check = identity_check.strip()
    request.save(update_fields=["contact", "identity_check"])
    request_transition(
        request=request, to=State.IDENTITY_VERIFIED, actor=actor, note=identity_check
    )
    _carry_out(request, evidence=None)
    return request


@transaction.atomic
def request_extend(*, request: RightsRequest, months: int, reason: str, actor, now=None):
    """Extend the deadline by one or two further months (GDPR Art. 12(3)), with a reason, before
    the first month ends; the person is told on commit."""
    now = now or timezone.now()
    if months not in (1, 2):
        raise ValidationError({"months": _("A deadline can be extended by one or two months.")})
    if not reason.strip():
        raise ValidationError({"extension_reason": _("Give the reason for the extension.")})
    if request.extended_until is not None:
        raise RequestRefused(_("The deadline has already been extended."))
    if now >= request.due_at:
        raise RequestRefused(
            _(
                "The first month ended on %(date)s: an extension must be told to the person "
                "before that."
            )
            % {"date": timezone.localtime(request.due_at).strftime("%d.%m.%Y")}
        )
    request.extended_until = add_months(request.received_at, 1 + months)
    request.extension_reason = reason.strip()
    request.extension_notice_sent_at = now
    request.save(update_fields=["extended_until", "extension_reason", "extension_notice_sent_at"])
    request_transition(request=request, to=State.EXTENDED, actor=actor, note=reason.strip())
    transaction.on_commit(lambda: _notify_extension(request))
    return request


@transaction.atomic
def request_reject(*, request: RightsRequest, reason: str, actor):
    """Reject with the reason; the person is told it and their right to complain to the Data
    Protection Ombudsman (GDPR Art. 12(4))."""
    if not reason.strip():
        raise ValidationError({"rejection_reason": _("Give the reason for the rejection.")})
    request.rejection_reason = reason.strip()
    request.save(update_fields=["rejection_reason"])
    request_transition(request=request, to=State.REJECTED, actor=actor, note=reason.strip())
    _notify_rejection(request)
    return request


@transaction.atomic
def request_complete(*, request: RightsRequest, actor, note: str = ""):
    return request_transition(request=request, to=State.COMPLETED, actor=actor, note=note)


def _person_address(request: RightsRequest) -> str:
    """Where the person is told about their request: only an address someone proved (the
    portal's link opened, or staff checked the identity). A portal request whose link was never
    opened may carry anybody's address, or one not in the register at all."""
    if request.contact_id is None:
        return ""
    return request.email or request.contact.email


def _notify_extension(request: RightsRequest) -> None:
    to = _person_address(request)
    if not to:
        return
    with translation.override(request.language):
        subject = _("Your privacy request will take longer")
        body = _(
            "We received your request (%(right)s) on %(received)s. We need more time to answer "
            "it, because: %(reason)s\n\nWe will answer by %(until)s.\n\n%(controller)s"
        ) % {
            "right": request.get_type_display(),
            "received": timezone.localtime(request.received_at).strftime("%d.%m.%Y"),
            "reason": request.extension_reason,
            "until": timezone.localtime(request.extended_until).strftime("%d.%m.%Y"),
            "controller": settings.CONTROLLER_NAME,
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _notify_rejection(request: RightsRequest) -> None:
    to = _person_address(request)
    if not to:
        return

    def send():
        with translation.override(request.language):
            subject = _("Your privacy request")
            body = _(
                "We cannot carry out your request (%(right)s) received on %(received)s, "
                "because: %(reason)s\n\n"
                "You have the right to lodge a complaint with the Data Protection Ombudsman "
                "(tietosuoja.fi, P.O. Box 800, 00531 Helsinki, tietosuoja@om.fi) and to seek a "
                "judicial remedy.\n\n%(controller)s"
            ) % {
                "right": request.get_type_display(),
                "received": timezone.localtime(request.received_at).strftime("%d.%m.%Y"),
                "reason": request.rejection_reason,
                "controller": settings.CONTROLLER_NAME,
            }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])

    transaction.on_commit(send)


def _notify_corrections(request: RightsRequest, corrected: dict) -> None:
    """The person is told on commit which of their details were corrected and to what (GDPR
    Art. 16 and 12(3)), in their language, at the address they proved."""
    to = _person_address(request)
    if not to:
        return

    def send():
        with translation.override(request.language):
            lines = []
            for name, value in corrected.items():
                field = Contact._meta.get_field(name)
                shown = dict(field.flatchoices).get(value, value) if field.choices else value
                lines.append(f"- {capfirst(field.verbose_name)}: {shown or '—'}")
            subject = _("Your data has been corrected")
            body = _(
                "We have corrected your data as you asked (request received on %(received)s):"
                "\n\n%(changes)s\n\nIf something is still wrong, you can ask again on our "
                "privacy page.\n\n%(controller)s"
            ) % {
                "received": timezone.localtime(request.received_at).strftime("%d.%m.%Y"),
                "changes": "\n".join(lines),
                "controller": settings.CONTROLLER_NAME,
            }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])

    transaction.on_commit(send)


def _notify_lift(restriction: Restriction) -> None:
    contact = restriction.contact
    if not contact.email:
        return
    with translation.override(contact.preferred_language or settings.LANGUAGE_CODE):
        subject = _("The restriction of processing your data has been lifted")
        body = _(
            "At your request we restricted the processing of your data on %(since)s. We have now "
            "lifted that restriction, because: %(reason)s\n\nYou may object to the processing, "
            "ask for a new restriction or complain to the Data Protection Ombudsman "
            "(tietosuoja.fi).\n\n%(controller)s"
        ) % {
            "since": timezone.localtime(restriction.since).strftime("%d.%m.%Y"),
            "reason": restriction.lift_reason,
            "controller": settings.CONTROLLER_NAME,
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email])


# --- Jobs --------------------------------------------------------------------------------------


@transaction.atomic
def request_job_queue(*, request: RightsRequest) -> None:
    """Mark the request's job queued and send it on commit: the request is stored before any
    job exists, and if the broker is down the sweeper sends it again later."""
    from . import tasks

    RightsRequest.objects.filter(pk=request.pk).update(
        job_queued_at=timezone.now(), job_started_at=None, job_finished_at=None
    )
    transaction.on_commit(lambda: _send_task(tasks.rights_request_run, request.pk))


def requests_sweep(*, now=None) -> list[int]:
    """Re-queue requests whose job was queued but has not started in time."""
    from . import tasks

    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.PRIVACY_REQUEUE_AFTER_SECONDS)
    ids = list(
        RightsRequest.objects.filter(
            state__in=OPEN_STATES,
            job_queued_at__lt=stale,
            job_started_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        RightsRequest.objects.filter(pk=pk).update(job_queued_at=now)
        _send_task(tasks.rights_request_run, pk)
    return ids


def requests_remind(*, now=None) -> int:
    """A person who started but never proved their address gets exactly one reminder, with a
    NEW single-use link (the old one stops working). Portal requests still unproven after
    ``UNPROVEN_DAYS`` are deleted: nobody showed they were the person's, and the address typed
    (perhaps someone else's, perhaps in no record) is not kept longer."""
    from . import tasks

    now = now or timezone.now()
    RightsRequest.objects.filter(
        state=State.RECEIVED,
        channel=RightsRequest.Channel.PORTAL,
        received_at__lt=now - datetime.timedelta(days=UNPROVEN_DAYS),
    ).delete()
    after = now - datetime.timedelta(hours=settings.PRIVACY_REMINDER_AFTER_HOURS)
    sent = 0
    for request in RightsRequest.objects.filter(
        state=State.RECEIVED,
        channel=RightsRequest.Channel.PORTAL,
        received_at__lt=after,
        reminder_sent_at__isnull=True,
    ):
        with transaction.atomic():
            updated = RightsRequest.objects.filter(
                pk=request.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not updated:
                continue
            signed = link_make(request=request, purpose=PortalLink.Purpose.REMINDER)
            url = link_url(request=request, signed=signed)
            transaction.on_commit(
                lambda pk=request.pk, url=url: _send_task(tasks.portal_link_reminder, pk, url)
            )
            sent += 1
    return sent


def deadline_lists(*, now=None) -> tuple[list[RightsRequest], list[RightsRequest]]:
    """(overdue, due within 7 days) among the requests being worked on."""
    from django.db.models import F
    from django.db.models.functions import Coalesce

    now = now or timezone.now()
    working = (
        RightsRequest.objects.filter(state__in=WORKING_STATES)
        .annotate(deadline_at=Coalesce("extended_until", F("due_at")))
        .order_by("deadline_at")
    )
    overdue = list(working.filter(deadline_at__lt=now))
    soon = list(
        working.filter(deadline_at__gte=now, deadline_at__lt=now + datetime.timedelta(days=7))
    )
    return overdue, soon


def deadlines_mail(*, now=None) -> int:
    """The daily mail to the DPO role when a request is overdue or due within 7 days."""
    from crm.roles import DPO

    overdue, soon = deadline_lists(now=now)
    if not overdue and not soon:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=DPO, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):

        def line(r):
            return f"#{r.pk} {r.get_type_display()}: {timezone.localtime(r.deadline):%d.%m.%Y}"

        body = "\n".join(
            [
                _("Overdue rights requests: %(count)d") % {"count": len(overdue)},
                *map(line, overdue),
                "",
                _("Due within 7 days: %(count)d") % {"count": len(soon)},
                *map(line, soon),
                "",
                settings.SITE_URL + reverse("admin:privacy_rightsrequest_changelist"),
            ]
        )
        subject = _("Rights requests due")
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(overdue) + len(soon)


def rights_request_run(*, request_id: int) -> None:
    """Run a request's job by its type (the Celery task's body); idempotent per the builders."""
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None or not request.is_open:
        return
    RightsRequest.objects.filter(pk=request_id).update(job_started_at=timezone.now())
    if request.type in (Type.ACCESS, Type.PORTABILITY):
        from . import export  # provided by the jobs half (privacy/export.py)

        export.export_build(request=request)
    elif request.type == Type.ERASURE:
        from . import erasure_jobs  # provided by the jobs half (privacy/erasure_jobs.py)

        erasure_jobs.erasure_run(request=request)
    RightsRequest.objects.filter(pk=request_id).update(job_finished_at=timezone.now())

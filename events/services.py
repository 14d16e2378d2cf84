"""Every change to events' data goes through a function here.

Capacity is decided in the database, never in Python: ``registration_create`` and
``registration_cancel`` lock the event's row (``SELECT ... FOR UPDATE``) for the rest of their
transaction, so registrations and cancellations of one event queue up behind each other, count
the confirmed places with the lock held and decide confirmed or waiting list; a cancellation
promotes the first person waiting (by registration time, then id) in the same transaction. Mails
go after the commit. Other events are not held up.

Bad input (a missing answer, a full billing form with a wrong business ID, a closed event, a
second registration of the same address) raises ``ValidationError`` with a translated message
per field and changes nothing.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consent import event_purposes
from consent import services as consent_services
from consent.models import ConsentEvent, ConsentState, ConsentText, Purpose
from crm import selectors as crm_selectors
from crm import services as crm_services
from crm.models import Contact, Membership, normalise_email, text_validators
from crm.validators import validate_no_personal_identity_code

from . import mail
from .models import (
    Answer,
    BillingDetails,
    Choice,
    Event,
    Question,
    Registration,
)
from .validators import compact, finnish_reference

logger = logging.getLogger(__name__)

Status = Registration.Status
Source = Registration.Source

#: The consent purposes of events (consent migration 0004): one topic per event.
NETWORKING_PURPOSE = event_purposes.NETWORKING
PARTNER_PURPOSE = event_purposes.PARTNERS

ALREADY_REGISTERED = "already_registered"
TEXT_MAX = 500
LONG_TEXT_MAX = 5000
BILLING_FIELDS = (
    "payer_kind",
    "payer_name",
    "organisation_name",
    "street_address",
    "postal_code",
    "city",
    "country",
    "business_id",
    "vat_number",
    "einvoice_address",
    "einvoice_operator",
    "reference",
)
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation_name",
    "job_title",
    "municipality",
)

_CONSENT_SOURCE = {
    Source.PUBLIC_FORM: ConsentEvent.Source.WEB_FORM,
    Source.API: ConsentEvent.Source.API,
    Source.STAFF: ConsentEvent.Source.STAFF,
}
_CONTACT_SOURCE = {
    Source.PUBLIC_FORM: Contact.Source.EVENT_REGISTRATION,
    Source.API: Contact.Source.API,
    Source.STAFF: Contact.Source.STAFF,
}


@dataclass
class RegistrationResult:
    """What ``registration_create`` did: the registration (confirmed or waiting)."""

    registration: Registration
    promoted: list[Registration] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return self.registration.status == Status.WAITING


# --- The event's configuration ---------------------------------------------------------------


@transaction.atomic
def event_create(**values: Any) -> Event:
    event = Event(**values)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_save(*, event: Event, now=None) -> list[Registration]:
    """Save staff's changes to an event (the admin form has validated them). Places added by a
    higher capacity go at once to the people waiting, first come first served, as a
    cancellation's freed place does; they are mailed after the commit. The event's row is
    locked first, as a registration locks it, so a registration arriving meanwhile sees either
    the old capacity or the new one with the promotions. Returns the registrations promoted."""
    if event.pk is None:
        event.save()
        return []
    now = now or timezone.now()
    _locked_event(event)
    event.save()
    if event.starts_at <= now:
        return []  # no one is promoted into an event that has begun
    return _promote(event, now)


@transaction.atomic
def question_create(*, event: Event, choices=(), **values: Any) -> Question:
    """A question of ``event``; ``choices`` a list of ``{"label_fi": ..., "label_sv": ...}``."""
    question = Question(event=event, **values)
    question.full_clean()
    question.save()
    for order, labels in enumerate(choices):
        choice = Choice(question=question, order=order, **labels)
        choice.full_clean()
        choice.save()
    return question


@transaction.atomic
def recipient_create(*, event: Event, questions=(), **values: Any):
    from .models import Recipient

    recipient = Recipient(event=event, **values)
    recipient.full_clean()
    if any(q.event_id != event.pk for q in questions):
        raise ValidationError({"questions": [_("Choose questions of this event.")]})
    recipient.save()
    recipient.questions.set(questions)
    return recipient


# --- Reading the form's values --------------------------------------------------------------


def _text(value, *, max_length: int, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: _("Enter text.")})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            {name: _("Write at most %(count)d characters.") % {"count": max_length}}
        )
    for validator in text_validators:
        validator(value)
    return value


def answer_field_name(question: Question) -> str:
    """The name of a question's field in the form and in error messages."""
    return f"question_{question.pk}"


def consent_field_name(question: Question) -> str:
    return f"consent_{question.pk}"


def _answer_value(question: Question, raw, choices: dict[int, Choice]):
    """The answer in the form the Answer row keeps, or None for no answer. ValidationError
    (with the message for the person) when it is not an answer to this question."""
    kind = question.kind
    if kind in (Question.Kind.TEXT, Question.Kind.LONG_TEXT):
        limit = TEXT_MAX if kind == Question.Kind.TEXT else LONG_TEXT_MAX
        try:
            value = _text(raw, max_length=limit, name="value")
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return value or None
    if kind == Question.Kind.SINGLE_CHOICE:
        if raw in (None, "", []):
            return None
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        chosen = _choice_ids([raw], choices)
        return chosen
    if kind == Question.Kind.MULTIPLE_CHOICE:
        if raw in (None, "", []):
            return None
        if not isinstance(raw, list | tuple):
            raw = [raw]
        return _choice_ids(raw, choices)
    if kind == Question.Kind.YES_NO:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if raw in ("yes", "true", "1"):
            return True
        if raw in ("no", "false", "0"):
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == Question.Kind.DATE:
        if raw in (None, ""):
            return None
        if isinstance(raw, str):
            try:
                raw = datetime.date.fromisoformat(raw)
            except ValueError:
                raise ValidationError(_("Enter a valid date.")) from None
        if not isinstance(raw, datetime.date) or isinstance(raw, datetime.datetime):
            raise ValidationError(_("Enter a valid date."))
        if not datetime.date(1900, 1, 1) <= raw <= datetime.date(2100, 12, 31):
            raise ValidationError(_("Enter a date between 1900 and 2100."))
        return raw
    raise ValidationError(_("This question cannot be answered."))


def _choice_ids(raw: list, choices: dict[int, Choice]) -> list[int]:
    ids = []
    for item in raw:
        try:
            pk = int(item)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose one of the options.")) from None
        if isinstance(item, bool) or pk not in choices:
            raise ValidationError(_("Choose one of the options."))
        ids.append(pk)
    return list(dict.fromkeys(ids))


def answers_clean(*, event: Event, answers: dict, consents) -> dict[Question, tuple[Any, bool]]:
    """The answers to ``event``'s questions checked: ``{question: (value, consented)}`` for the
    questions answered. ``answers`` maps question ids to raw values; ``consents`` holds the ids
    of the sensitive questions whose explicit consent was ticked. Raises ValidationError with a
    message per question field (``question_<id>``)."""
    answers = answers or {}
    consents = {int(c) for c in consents or () if str(c).isdigit()}
    questions = list(event.questions.prefetch_related("choices"))
    known = {q.pk for q in questions}
    unknown = [k for k in answers if not str(k).isdigit() or int(k) not in known]
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["answers"] = [_("The event has no such question.")]
    by_id = {int(k): v for k, v in answers.items() if str(k).isdigit()}
    cleaned = {}
    for question in questions:
        name = answer_field_name(question)
        choices = {c.pk: c for c in question.choices.all()}
        try:
            value = _answer_value(question, by_id.get(question.pk), choices)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        if value is None:
            if question.required:
                errors[name] = [_("This question must be answered.")]
            continue
        consented = question.pk in consents
        if question.sensitive and not consented:
            errors[name] = [
                _(
                    "To answer this question, tick the consent next to it. You may also leave "
                    "it unanswered."
                )
            ]
            continue
        cleaned[question] = (value, question.sensitive and consented)
    if errors:
        raise ValidationError(errors)
    return cleaned


def billing_clean(*, event: Event, billing: dict | None) -> BillingDetails | None:
    """A paid event's billing details checked (not saved); errors keyed ``billing_<field>``."""
    if not event.is_paid:
        return None
    billing = dict(billing or {})
    unknown = set(billing) - set(BILLING_FIELDS)
    if unknown:
        raise ValidationError({"billing": [_("Unknown billing fields.")]})
    values = {}
    for name in BILLING_FIELDS:
        value = billing.get(name)
        if value is None:
            value = "FI" if name == "country" else ""
        if not isinstance(value, str):
            raise ValidationError({f"billing_{name}": [_("Enter text.")]})
        value = value.strip()
        if name in ("business_id", "vat_number", "einvoice_address", "reference"):
            value = value.upper().replace(" ", "")
        if name == "einvoice_address":
            value = compact(value)
        values[name] = value
    details = BillingDetails(amount=event.price, vat_rate=event.vat_rate, **values)
    try:
        details.full_clean(exclude=["registration", "contact", "created_at"])
    except ValidationError as error:
        raise ValidationError(
            {f"billing_{name}": messages for name, messages in error.message_dict.items()}
        ) from None
    return details


def _person_clean(data: dict) -> dict:
    values = {}
    errors = {}
    for name, limit in (
        ("first_name", 150),
        ("last_name", 150),
        ("organisation_name", 200),
        ("job_title", 200),
    ):
        try:
            values[name] = _text(data.get(name), max_length=limit, name=name)
        except ValidationError as error:
            errors[name] = error.messages
    for name in ("first_name", "last_name"):
        if name not in errors and not values.get(name):
            errors[name] = [_("This field is required.")]
    email = data.get("email")
    if not isinstance(email, str) or not email.strip():
        errors["email"] = [_("Enter your email address.")]
    else:
        email = normalise_email(email)
        try:
            if len(email) > 254:
                raise ValidationError(_("Enter a valid email address."))
            validate_email(email)
            validate_no_personal_identity_code(email)
            values["email"] = email
        except ValidationError as error:
            errors["email"] = error.messages
    values["phone"] = data.get("phone") or ""
    values["municipality"] = data.get("municipality")
    if errors:
        raise ValidationError(errors)
    return values


# --- Registration ---------------------------------------------------------------------------


def _locked_event(event: Event) -> Event:
    """The event's row, locked until the transaction ends: the one place capacity is decided."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _refuse_unless_open(event: Event, now) -> None:
    if not event.is_published or event.shredded_at is not None:
        raise ValidationError({"event": [_("Registration for this event is not open.")]})
    if now < event.registration_opens_at:
        raise ValidationError({"event": [_("Registration for this event has not opened yet.")]})
    if now >= event.registration_closes_at:
        raise ValidationError({"event": [_("Registration for this event has closed.")]})


def places_taken(event: Event) -> int:
    return Registration.objects.filter(
        event=event, status__in=(Status.CONFIRMED, Status.ATTENDED)
    ).count()


def _contact_for(*, values: dict, source: str, api_client, language: str) -> Contact:
    """The person by email (an existing one is not changed: anyone can type anyone's address;
    what differs is kept as a note for staff), else a new one, with the registration as source."""
    email = values["email"]
    person = crm_selectors.contacts_by_email([email]).get(email)
    submitted = {
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "phone": values["phone"],
        "municipality": values["municipality"],
    }
    detail = api_client.name if api_client is not None else ""
    if person is not None:
        crm_services.contact_submission_for_known_person(
            person=person,
            values={k: v for k, v in submitted.items() if k != "municipality"},
            sent_by=detail or _("event registration"),
        )
        return person
    try:
        return crm_services.contact_create(
            source=_CONTACT_SOURCE[source],
            source_detail=detail,
            email=email,
            preferred_language=language,
            subject_category=Contact.SubjectCategory.EVENT_PARTICIPANT,
            **{k: v for k, v in submitted.items() if v not in (None, "")},
        ).instance
    except IntegrityError:
        # Someone registered the same new address at the same moment (another event): theirs.
        person = crm_selectors.contacts_by_email([email]).get(email)
        if person is None:
            raise
        return person


def _relationship(contact: Contact) -> str:
    today = timezone.localdate()
    membership = (
        Membership.objects.filter(contact=contact)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("organisation")
        .order_by("start_date", "pk")
        .first()
    )
    return Registration.relationship_of(membership.organisation if membership else None)


def _evidence(source: str, api_client, evidence, event: Event):
    note = _("Event: %(event)s (%(slug)s)") % {"event": event.title_fi, "slug": event.slug}
    if evidence is not None:
        return consent_services.Evidence(
            source=evidence.source,
            detail=evidence.detail,
            ip_address=evidence.ip_address,
            user_agent=evidence.user_agent,
            note=note,
        )
    return consent_services.Evidence(
        source=_CONSENT_SOURCE[source],
        detail=api_client.name if api_client is not None else "",
        note=note,
    )


def event_topic_code(event: Event) -> str:
    return f"event-{event.pk}"


def _event_consent_give(*, contact, event, code: str, evidence) -> None:
    """The person's consent of purpose ``code`` now covers ``event`` too (its topic)."""
    purpose = Purpose.objects.filter(code=code).first()
    if purpose is None:
        purpose = event_purposes.ensure(Purpose, ConsentText, code)[code]
    topic = consent_services.topic_ensure(
        purpose=purpose,
        code=event_topic_code(event),
        name_fi=event.title_fi,
        name_sv=event.title_sv,
        name_en=event.title_en,
    )
    state = ConsentState.objects.filter(contact=contact, purpose=purpose).first()
    topics = [topic]
    if state is not None and state.is_valid():
        topics = list({t.pk: t for t in [*state.topics.all(), topic]}.values())
    consent_services.consent_give(
        contact=contact, purpose=purpose, topics=topics, evidence=evidence
    )


def event_consent_withdraw(*, registration: Registration, code: str, evidence) -> bool:
    """Take ``registration``'s event out of the person's consent of purpose ``code`` (the whole
    consent is withdrawn when it covered no other event). False when there was nothing to
    withdraw."""
    purpose = Purpose.objects.filter(code=code).first()
    contact = registration.contact
    if purpose is None or contact is None:
        return False
    state = ConsentState.objects.filter(contact=contact, purpose=purpose).first()
    if state is None or not state.is_valid():
        return False
    code_of_event = event_topic_code(registration.event)
    remaining = [t for t in state.topics.all() if t.code != code_of_event]
    if len(remaining) == state.topics.count():
        return False
    if not remaining:
        return consent_services.consent_withdraw(
            contact=contact, purpose=purpose, evidence=evidence
        )
    return consent_services.consent_topics_change(
        contact=contact, purpose=purpose, topics=remaining, evidence=evidence
    )


def is_already_registered(error: ValidationError) -> bool:
    """Whether ``registration_create`` refused because the person is registered already."""
    errors = getattr(error, "error_dict", {})
    return set(errors) == {"email"} and all(e.code == ALREADY_REGISTERED for e in errors["email"])


def registration_allowed(*, ip_address: str | None) -> bool:
    """The public form's rate limit per client address (an hour's window)."""
    key = f"events:register:ip:{ip_address}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        count = 1
    return count <= settings.EVENTS_REGISTRATIONS_PER_IP_HOUR


def registration_create(
    *,
    event: Event,
    data: dict,
    source: str,
    language: str,
    api_client=None,
    evidence=None,
    now=None,
    send_mail: bool = True,
) -> RegistrationResult:
    """Register a person for ``event``.

    ``data``: ``first_name``, ``last_name``, ``email`` (required), ``phone``,
    ``organisation_name``, ``job_title``, ``municipality`` (a Municipality or None);
    ``answers`` ``{question id: value}`` (text, a choice id or a list of them, a bool, a date);
    ``sensitive_consents``, the ids of the sensitive questions whose consent was ticked;
    ``networking``, ``share_email``, ``share_phone``, ``share_organisation``,
    ``partner_consent`` (bools); ``billing`` (a dict of BILLING_FIELDS, paid events).
    ``source`` is a Registration.Source; ``evidence`` (consent.services.Evidence) the request's
    address and browser for the consents' proof. ``send_mail`` False: no confirmation mail
    (demo data; staff who tell the person themselves).

    Everything is checked before anything is written. Then, with the event's row locked: the
    registration window, one active registration per person, and the place: confirmed while
    places are free and nobody waits, else the waiting list. Mails go after the commit.
    """
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    if language not in Contact.Language.values:
        language = "fi"
    values = _person_clean(data)
    answers = answers_clean(
        event=event, answers=data.get("answers"), consents=data.get("sensitive_consents")
    )
    billing = billing_clean(event=event, billing=data.get("billing"))
    networking = bool(data.get("networking")) and event.networking_offered
    with transaction.atomic():
        result = _register(
            event=event,
            values=values,
            answers=answers,
            billing=billing,
            networking=networking,
            data=data,
            source=source,
            language=language,
            api_client=api_client,
            evidence=evidence,
            now=now,
            send_mail=send_mail,
        )
    return result


def _register(
    *,
    send_mail=True,
    event,
    values,
    answers,
    billing,
    networking,
    data,
    source,
    language,
    api_client,
    evidence,
    now,
) -> RegistrationResult:
    # The person first, before the lock: finding or adding them does not depend on the places,
    # and the lock is then held only for what does (the whole transaction still rolls back).
    contact = _contact_for(values=values, source=source, api_client=api_client, language=language)
    relationship = _relationship(contact)
    event = _locked_event(event)
    # The time is read with the lock held, so the waiting list's order (by registration time)
    # is the order in which registrations got their turn.
    now = now or timezone.now()
    _refuse_unless_open(event, now)
    if Registration.objects.filter(
        event=event, contact=contact, status__in=Registration.ACTIVE
    ).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("This email address is already registered for this event."),
                    code=ALREADY_REGISTERED,
                )
            }
        )
    waiting_exists = Registration.objects.filter(event=event, status=Status.WAITING).exists()
    free = places_taken(event) < event.capacity and not waiting_exists
    registration = Registration(
        event=event,
        contact=contact,
        status=Status.CONFIRMED if free else Status.WAITING,
        registered_at=now,
        source=source,
        api_client=api_client,
        language=language,
        organisation_name=values["organisation_name"],
        job_title=values["job_title"],
        networking=networking,
        share_email=networking and bool(data.get("share_email")),
        share_phone=networking and bool(data.get("share_phone")),
        share_organisation=networking and bool(data.get("share_organisation")),
        partner_consent=bool(data.get("partner_consent")),
        stat_municipality=values["municipality"] or contact.municipality,
        stat_relationship=relationship,
        stat_registered_on=timezone.localdate(now),
    )
    registration.full_clean(exclude=["contact", "event", "api_client", "stat_municipality"])
    registration.save()
    for question, (value, consented) in answers.items():
        _answer_save(registration, question, value, consented, now)
    if billing is not None:
        billing.registration = registration
        billing.contact = contact
        billing.created_at = now
        if not billing.reference:
            billing.reference = finnish_reference(1000 + registration.pk)
        billing.full_clean(exclude=["registration", "contact"])
        billing.save()
    consent_evidence = _evidence(source, api_client, evidence, event)
    if networking:
        _event_consent_give(
            contact=contact, event=event, code=NETWORKING_PURPOSE, evidence=consent_evidence
        )
    if registration.partner_consent:
        _event_consent_give(
            contact=contact, event=event, code=PARTNER_PURPOSE, evidence=consent_evidence
        )
    kind = "confirmed" if registration.status == Status.CONFIRMED else "waiting"
    if send_mail:
        transaction.on_commit(lambda: _mail(registration.pk, kind))
    return RegistrationResult(registration)


def _answer_save(registration, question, value, consented, now) -> Answer:
    answer = Answer(
        registration=registration,
        question=question,
        sensitive_consent_at=now if consented else None,
    )
    if question.kind in Question.CHOICE_KINDS:
        answer.save()
        answer.choices.set(value)
        return answer
    if question.kind == Question.Kind.YES_NO:
        answer.yes_no = value
    elif question.kind == Question.Kind.DATE:
        answer.date = value
    else:
        answer.text = value
    answer.full_clean(exclude=["registration", "question"])
    answer.save()
    return answer


def _mail(registration_id: int, kind: str) -> None:
    registration = (
        Registration.objects.select_related("event", "contact").filter(pk=registration_id).first()
    )
    if registration is None:
        return
    try:
        mail.registration_mail_send(registration=registration, kind=kind)
    except Exception:  # the registration stands; the person can be mailed again by staff
        logger.exception("Mailing registration %s (%s) failed", registration_id, kind)


def _promote(event: Event, now) -> list[Registration]:
    """Fill free places from the waiting list, first come first served. The caller holds the
    event's lock."""
    free = event.capacity - places_taken(event)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(event=event, status=Status.WAITING).order_by(
            "registered_at", "pk"
        )[:free]
    )
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.save(update_fields=["status"])
        transaction.on_commit(lambda pk=registration.pk: _mail(pk, "promoted"))
    return promoted


def registration_cancel(*, registration: Registration, actor=None, now=None) -> list[Registration]:
    """See ``_cancel``; ``actor`` (a staff user) is the audit trail's actor of the change."""
    if actor is None:
        return _cancel(registration=registration, now=now)
    from crm.audit import audit_actor

    with audit_actor(actor):
        return _cancel(registration=registration, now=now)


@transaction.atomic
def _cancel(*, registration: Registration, now=None) -> list[Registration]:
    """Cancel a registration (the person through their link, ``actor`` None; or a staff
    member) and give freed places to the first people waiting, mailing them after the commit.
    Returns the registrations promoted. A registration already cancelled changes nothing.
    ValidationError when the event has taken place (an attended registration stays)."""
    now = now or timezone.now()
    event = _locked_event(registration.event)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.status == Status.CANCELLED:
        registration.status, registration.cancelled_at = current.status, current.cancelled_at
        return []
    if current.status == Status.ATTENDED or event.ends_at <= now:
        raise ValidationError(
            {
                "registration": [
                    _("The event has taken place: the registration cannot be cancelled.")
                ]
            }
        )
    current.status = Status.CANCELLED
    current.cancelled_at = now
    current.save(update_fields=["status", "cancelled_at"])
    registration.status, registration.cancelled_at = current.status, current.cancelled_at
    transaction.on_commit(lambda: _mail(current.pk, "cancelled"))
    if event.starts_at <= now:
        return []  # no one is promoted into an event that has begun
    return _promote(event, now)


@transaction.atomic
def waiting_list_promote(*, event: Event, now=None) -> list[Registration]:
    """Give the event's free places (after staff raised the capacity) to the people waiting."""
    now = now or timezone.now()
    event = _locked_event(event)
    if event.starts_at <= now:
        return []
    return _promote(event, now)


@transaction.atomic
def registration_share_change(
    *, registration: Registration, share_email: bool, share_phone: bool, share_organisation: bool
) -> Registration:
    """Which contact details the person shows on the networking list."""
    registration.share_email = share_email
    registration.share_phone = share_phone
    registration.share_organisation = share_organisation
    registration.save(update_fields=["share_email", "share_phone", "share_organisation"])
    return registration


__all__ = [
    "BILLING_FIELDS",
    "NETWORKING_PURPOSE",
    "PARTNER_PURPOSE",
    "RegistrationResult",
    "answers_clean",
    "billing_clean",
    "event_consent_withdraw",
    "event_save",
    "places_taken",
    "registration_allowed",
    "registration_cancel",
    "registration_create",
    "registration_share_change",
    "waiting_list_promote",
]

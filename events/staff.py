"""The staff side's services: check-in, the participant list's rows for export, and disclosures
to a recipient. (Registering, cancelling and the waiting list are events/services.py.)

Each writer runs in a transaction with its audit entry; the admin calls only these.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import audit
from crm.services import Change

from .models import (
    RECIPIENT_FIELDS,
    Answer,
    DisclosedPerson,
    Disclosure,
    Event,
    Question,
    Recipient,
    Registration,
)

#: The registrations a recipient's list holds unless staff choose otherwise: those coming.
DEFAULT_DISCLOSED_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


# --- Check-in ----------------------------------------------------------------------------------


@transaction.atomic
def registration_check_in(*, registration: Registration, note: str | None = None) -> Change:
    """Mark a confirmed participant attended (with the time), optionally with a note. A
    cancelled or waiting registration cannot be checked in; checking in twice changes nothing."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.contact_id is None:
        raise ValidationError(_("This registration has been anonymised."))
    if registration.status not in (Registration.Status.CONFIRMED, Registration.Status.ATTENDED):
        raise ValidationError(
            _("Only a confirmed participant can be checked in (this one is: %(status)s).")
            % {"status": registration.get_status_display()}
        )
    changes = {}
    if registration.status != Registration.Status.ATTENDED:
        changes["status"] = (registration.status, Registration.Status.ATTENDED)
        registration.status = Registration.Status.ATTENDED
        changes["checked_in_at"] = (registration.checked_in_at, timezone.now())
        registration.checked_in_at = changes["checked_in_at"][1]
    if note is not None and note.strip() != registration.check_in_note:
        changes["check_in_note"] = (registration.check_in_note, note.strip())
        registration.check_in_note = note.strip()
    if changes:
        registration.full_clean(validate_constraints=False)
        registration.save(update_fields=list(changes))
    return Change(registration, changes)


@transaction.atomic
def registration_note_set(*, registration: Registration, note: str) -> Change:
    """Change a registration's check-in note (a name badge, a late arrival)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.contact_id is None:
        raise ValidationError(_("This registration has been anonymised."))
    note = note.strip()
    if note == registration.check_in_note:
        return Change(registration, {})
    changes = {"check_in_note": (registration.check_in_note, note)}
    registration.check_in_note = note
    registration.full_clean(validate_constraints=False)
    registration.save(update_fields=["check_in_note"])
    return Change(registration, changes)


# --- Participant rows --------------------------------------------------------------------------


def participants(*, event: Event, statuses=None) -> QuerySet:
    """The event's registrations that still name a person, in registration order, with what
    the list and its exports show loaded."""
    rows = (
        Registration.objects.filter(event=event, contact__isnull=False)
        .select_related("contact", "contact__municipality")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").prefetch_related("choices"),
            )
        )
        .order_by("registered_at", "pk")
    )
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows


def field_value(registration: Registration, code: str) -> str:
    """The value of one ``RECIPIENT_FIELDS`` code for a registration."""
    contact = registration.contact
    values = {
        "first_name": lambda: contact.first_name,
        "last_name": lambda: contact.last_name,
        "email": lambda: contact.email,
        "phone": lambda: str(contact.phone or ""),
        "organisation": lambda: getattr(registration, "organisation_name", ""),
        "title": lambda: getattr(registration, "job_title", ""),
        "municipality": lambda: contact.municipality.name_fi if contact.municipality else "",
        "language": lambda: registration.get_language_display(),
        "status": lambda: registration.get_status_display(),
        "registered_at": lambda: (
            timezone.localtime(registration.registered_at).strftime("%Y-%m-%d %H:%M")
            if registration.registered_at
            else ""
        ),
    }
    return str(values[code]())


def answer_value(registration: Registration, question: Question) -> str:
    """A registration's answer to ``question`` as text; a sensitive question's answer only with
    its explicit consent (otherwise empty)."""
    for answer in registration.answers.all():  # prefetched
        if answer.question_id == question.pk:
            if question.sensitive and answer.sensitive_consent_at is None:
                return ""
            return answer.display()
    return ""


PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation",
    "title",
    "status",
    "registered_at",
)


def participant_table(*, event: Event, statuses=None) -> tuple[list[str], list[list[str]], list]:
    """(header, rows, people) of the staff's participant list: the registration fields, every
    question's answer, check-in time and note."""
    questions = list(event.questions.order_by("order", "pk"))
    header = [
        *(str(RECIPIENT_FIELDS[c]) for c in PARTICIPANT_FIELDS),
        *(q.text_fi for q in questions),
        _("checked in"),
        _("check-in note"),
    ]
    rows, people = [], []
    for r in participants(event=event, statuses=statuses):
        rows.append(
            [
                *(field_value(r, c) for c in PARTICIPANT_FIELDS),
                *(answer_value(r, q) for q in questions),
                timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M")
                if r.checked_in_at
                else "",
                r.check_in_note,
            ]
        )
        people.append(r.contact)
    return header, rows, people


# --- Disclosures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureContent:
    """Exactly what one disclosure sends: the header and rows, and the log entry written."""

    disclosure: Disclosure
    header: list[str]
    rows: list[list[str]]


def recipient_table(*, recipient: Recipient, statuses=DEFAULT_DISCLOSED_STATUSES):
    """(header, rows, registrations) of what ``recipient`` may receive: its fields and its
    questions' answers, nothing else."""
    codes = [c for c in RECIPIENT_FIELDS if c in (recipient.fields or [])]
    questions = list(recipient.questions.order_by("order", "pk"))
    header = [
        *(str(RECIPIENT_FIELDS[c]) for c in codes),
        *(q.text_fi for q in questions),
    ]
    registrations = list(participants(event=recipient.event, statuses=statuses))
    rows = [
        [*(field_value(r, c) for c in codes), *(answer_value(r, q) for q in questions)]
        for r in registrations
    ]
    return header, rows, registrations


@transaction.atomic
def disclosure_send(
    *,
    recipient: Recipient,
    actor,
    statuses=DEFAULT_DISCLOSED_STATUSES,
    format: str = "csv",
    remote_addr: str | None = None,
) -> DisclosureContent:
    """Build the recipient's list and log it in the same transaction: the disclosure (who sent
    it, to whom, which fields and questions, how many people, when), a row per person included
    (their access answer lists it) and an audit entry on the event. What is returned is exactly
    what was logged."""
    if format not in ("csv", "pdf"):
        raise ValidationError(_("Choose CSV or PDF."))
    statuses = [s for s in statuses if s in Registration.Status.values]
    if not statuses:
        raise ValidationError(_("Choose at least one registration status."))
    event = Event.objects.select_for_update().get(pk=recipient.event_id)
    if event.shredded_at is not None:
        raise ValidationError(_("The event's data has been removed; there is nothing to send."))
    header, rows, registrations = recipient_table(recipient=recipient, statuses=statuses)
    questions = list(recipient.questions.order_by("order", "pk"))
    name = ""
    if actor is not None:
        name = actor.get_full_name() or actor.get_username()
    disclosure = Disclosure(
        event=event,
        recipient=recipient,
        recipient_name=recipient.name,
        sent_by=actor,
        sent_by_name=name,
        fields=[c for c in RECIPIENT_FIELDS if c in (recipient.fields or [])],
        questions=[{"id": q.pk, "text": q.text_fi} for q in questions],
        people_count=len(registrations),
        format=format,
    )
    # The lists are built here, not typed; an empty one (a recipient of fields only, or of
    # answers only) is a true record, which the model's blank=False on JSON would refuse.
    disclosure.full_clean(exclude=["fields", "questions"])
    disclosure.save()
    # One row per person (a cancelled and a later registration of the same person are one).
    included = {r.contact_id: r for r in reversed(registrations)}
    DisclosedPerson.objects.bulk_create(
        [
            DisclosedPerson(disclosure=disclosure, contact_id=contact_id, registration=r)
            for contact_id, r in included.items()
        ]
    )
    audit.entry(
        event,
        LogEntry.Action.ACCESS,
        actor=actor,
        remote_addr=remote_addr,
        extra={
            "disclosure": disclosure.pk,
            "recipient": recipient.name,
            "fields": disclosure.fields,
            "questions": [q["id"] for q in disclosure.questions],
            "people": disclosure.people_count,
        },
    ).save()
    return DisclosureContent(disclosure=disclosure, header=header, rows=rows)


def table_pdf(*, title: str, subtitle: str, header: list[str], rows: list[list[str]]) -> bytes:
    """A readable A4 landscape table (DejaVu Sans: ä, ö, å and the rest), header repeated on
    every page."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(
        "events/staff/table.pdf.html",
        {
            "title": title,
            "subtitle": subtitle,
            "header": header,
            "rows": rows,
            "made_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


@transaction.atomic
def events_publish(*, events, published: bool) -> int:
    """Publish (or take down) events: one save per event, so each gets its audit entry. An
    event whose data has been removed is not published again."""
    count = 0
    for event in Event.objects.select_for_update().filter(pk__in=[e.pk for e in events]):
        if event.is_published == published or (published and event.shredded_at is not None):
            continue
        event.is_published = published
        event.save(update_fields=["is_published", "updated_at"])
        count += 1
    return count

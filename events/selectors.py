"""Reads of events' data for the public pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from consent.models import ConsentState

from .models import Event, Registration

Status = Registration.Status


def published_events(*, now=None) -> QuerySet[Event]:
    """Events on the public list: published, not yet over, not shredded; soonest first."""
    now = now or timezone.now()
    return Event.objects.filter(
        is_published=True, ends_at__gte=now, shredded_at__isnull=True
    ).order_by("starts_at", "pk")


def public_event(slug: str) -> Event | None:
    if not isinstance(slug, str) or len(slug) > 80:
        return None
    return (
        Event.objects.filter(slug=slug, is_published=True, shredded_at__isnull=True)
        .prefetch_related("questions__choices")
        .first()
    )


def places_left(event: Event) -> int:
    taken = Registration.objects.filter(
        event=event, status__in=(Status.CONFIRMED, Status.ATTENDED)
    ).count()
    return max(event.capacity - taken, 0)


def waiting_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Status.WAITING).count()


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; None when not waiting."""
    if registration.status != Status.WAITING:
        return None
    ahead = (
        Registration.objects.filter(event=registration.event, status=Status.WAITING)
        .filter(registered_at__lt=registration.registered_at)
        .count()
        + Registration.objects.filter(
            event=registration.event,
            status=Status.WAITING,
            registered_at=registration.registered_at,
            pk__lt=registration.pk,
        ).count()
    )
    return ahead + 1


def _networking_consent(event: Event, now):
    from .services import NETWORKING_PURPOSE, event_topic_code

    return ConsentState.objects.filter(
        contact=OuterRef("contact"),
        purpose__code=NETWORKING_PURPOSE,
        status=ConsentState.Status.VALID,
        expires_at__gt=now,
        topics__code=event_topic_code(event),
    )


def networking_members(event: Event, *, now=None) -> QuerySet[Registration]:
    """The registrations on ``event``'s networking list: confirmed or attended participants who
    chose the list and whose consent for it (this event's topic) is valid now. Withdrawing the
    consent takes the person off at once."""
    now = now or timezone.now()
    if not event.networking_offered or event.shredded_at is not None:
        return Registration.objects.none()
    return (
        Registration.objects.filter(
            event=event,
            networking=True,
            status__in=(Status.CONFIRMED, Status.ATTENDED),
            contact__isnull=False,
        )
        .filter(Exists(_networking_consent(event, now)))
        .select_related("contact")
        .order_by("contact__last_name", "contact__first_name", "pk")
    )


def on_networking_list(registration: Registration, *, now=None) -> bool:
    return networking_members(registration.event, now=now).filter(pk=registration.pk).exists()


@dataclass(frozen=True)
class NetworkingEntry:
    """What the networking list shows of one participant: what they chose to share."""

    name: str
    organisation: str
    job_title: str
    email: str
    phone: str


def networking_entries(event: Event, *, now=None) -> list[NetworkingEntry]:
    return [
        NetworkingEntry(
            name=str(r.contact),
            organisation=r.organisation_name if r.share_organisation else "",
            job_title=r.job_title if r.share_organisation else "",
            email=r.contact.email if r.share_email else "",
            phone=str(r.contact.phone or "") if r.share_phone else "",
        )
        for r in networking_members(event, now=now)
    ]

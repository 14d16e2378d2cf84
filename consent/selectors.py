"""Reads of consent data: above all, who may be sent marketing now (``audience``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from crm.models import Contact

from . import event_purposes
from .models import ConsentEvent, ConsentState, PendingSignUp, Purpose, Topic


def valid_consents(*, purpose: Purpose, now=None) -> QuerySet[ConsentState]:
    """Consents for ``purpose`` that are valid at ``now``: not withdrawn, not expired, and not
    past their expiry even if the expiry job has not reached them yet."""
    now = now or timezone.now()
    return ConsentState.objects.filter(
        purpose=purpose, status=ConsentState.Status.VALID, expires_at__gt=now
    )


def audience(
    *, purpose: Purpose, topics: Iterable[Topic] = (), now=None, contact_ids=None
) -> QuerySet[Contact]:
    """The people who may receive marketing for ``purpose`` now: the one definition that the
    mailing job, the audience count and the audience export all use.

    A person is in it when their consent for the purpose is valid now, they chose one of
    ``topics`` (when topics are given; a mailing without topics goes to everyone in the
    purpose), they have an address, and they are not erased. Later rules that take people out
    of every audience (restriction of processing, the suppression list) are added here, in
    ``_excluded``, so that every door obeys them at once.
    """
    consents = valid_consents(purpose=purpose, now=now).filter(contact=OuterRef("pk"))
    topics = list(topics)
    if topics:
        consents = consents.filter(topics__in=topics)
    people = Contact.objects.filter(Exists(consents)).exclude(email="")
    if contact_ids is not None:
        people = people.filter(pk__in=contact_ids)
    return _excluded(people)


def _excluded(people: QuerySet[Contact]) -> QuerySet[Contact]:
    """Take out people no marketing may reach whatever their consent says: the erased, people
    whose processing is restricted (GDPR Art. 18) and addresses on the suppression list."""
    from privacy.models import Restriction, Suppression
    from privacy.suppression import email_hash

    people = people.exclude(subject_category=Contact.SubjectCategory.ERASED).exclude(
        Exists(Restriction.objects.filter(contact=OuterRef("pk"), lifted_at__isnull=True))
    )
    if Suppression.objects.exists():
        # The list holds keyed hashes only, so the candidates' addresses are hashed here, a
        # chunk at a time (memory stays flat however large the audience): one query for each
        # chunk's matching hashes. Only the suppressed people's ids are kept.
        suppressed: list[int] = []
        addresses = people.exclude(email="").order_by().values_list("pk", "email")
        for chunk in _chunks(addresses.iterator(chunk_size=_HASH_CHUNK), _HASH_CHUNK):
            hashes = {email_hash(email): pk for pk, email in chunk}
            found = Suppression.objects.filter(email_hash__in=list(hashes)).values_list(
                "email_hash", flat=True
            )
            suppressed += [hashes[h] for h in found]
        people = people.exclude(pk__in=suppressed)
    return people


#: Addresses hashed per query when the suppression list is checked.
_HASH_CHUNK = 5000


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ledger_of(*, contact: Contact) -> QuerySet[ConsentEvent]:
    """The person's whole ledger, oldest first: their own rows and the copies a merge added
    (rows still under a merged duplicate's id are reached through the merge's copies)."""
    return (
        ConsentEvent.objects.filter(contact_id=contact.pk)
        .select_related("purpose", "text")
        .order_by("at", "pk")
    )


def marketing_states(*, contact: Contact) -> list[ConsentState]:
    """The person's marketing consents, valid ones first, with their topics (preference page)."""
    return list(
        ConsentState.objects.filter(contact=contact, purpose__is_marketing=True)
        .select_related("purpose")
        .prefetch_related("topics", "purpose__topics")
        .order_by("purpose__code")
    )


#: The purposes an event's registration form asks for (consent migration 0004); each event is a
#: topic of its own (``event-<id>``), so a person can leave one event's list and stay on another.
EVENT_PURPOSE_CODES = (event_purposes.NETWORKING, event_purposes.PARTNERS)


def event_states(*, contact: Contact) -> list[ConsentState]:
    """The person's valid consents of the event purposes, with the events (topics) they cover
    (the preference page lists them so that each can be withdrawn)."""
    now = timezone.now()
    return [
        state
        for state in ConsentState.objects.filter(
            contact=contact, purpose__code__in=EVENT_PURPOSE_CODES
        )
        .select_related("purpose")
        .prefetch_related("topics")
        .order_by("purpose__code")
        if state.is_valid(now)
    ]


def pending_sign_up(*, payload: dict) -> PendingSignUp | None:
    """The sign-up a confirmation link's payload names, while it still waits (None when it
    was confirmed, replaced by a newer sign-up or lapsed)."""
    return (
        PendingSignUp.objects.select_related("purpose", "text")
        .filter(pk=payload.get("s"), nonce=str(payload.get("n", "")))
        .first()
    )

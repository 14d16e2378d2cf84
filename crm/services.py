"""Every change to crm's data goes through a function here.

Each runs in a transaction; django-auditlog writes the before/after entry in the same
transaction (its signal handlers run inside it), with the actor and remote address that
AuditlogMiddleware, or ``audit_actor`` for work outside a request, puts in context.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Contact, Interaction, Membership, Organisation


def _validated_save(instance, **save_kwargs) -> None:
    instance.full_clean()
    instance.save(**save_kwargs)


@transaction.atomic
def contact_create(
    *,
    first_name: str,
    last_name: str,
    source: str = Contact.Source.STAFF,
    source_detail: str = "",
    collected_at=None,
    **fields,
) -> Contact:
    """Add a person, recording where the data came from (GDPR Art. 14 needs the source)."""
    contact = Contact(
        first_name=first_name,
        last_name=last_name,
        source=source,
        source_detail=source_detail,
        collected_at=collected_at or timezone.now(),
        **fields,
    )
    contact.email = (contact.email or "").strip().lower()
    _validated_save(contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, **changes) -> Contact:
    """Change a person's data; provenance fields are not changed here."""
    forbidden = {"source", "source_detail", "collected_at"} & changes.keys()
    if forbidden:
        raise ValueError(f"Provenance is not edited: {sorted(forbidden)}")
    changed = {k: v for k, v in changes.items() if getattr(contact, k) != v}
    if not changed:
        return contact
    for name, value in changed.items():
        setattr(contact, name, value)
    contact.email = (contact.email or "").strip().lower()
    _validated_save(contact)
    return contact


@transaction.atomic
def contact_save(*, contact: Contact) -> Contact:
    """Save a contact whose fields a validated form has already set (the admin's path)."""
    contact.email = (contact.email or "").strip().lower()
    contact.save()
    return contact


@transaction.atomic
def organisation_save(*, organisation: Organisation) -> Organisation:
    organisation.save()
    return organisation


@transaction.atomic
def organisation_create(*, name: str, **fields) -> Organisation:
    organisation = Organisation(name=name, **fields)
    _validated_save(organisation)
    return organisation


@transaction.atomic
def membership_save(*, membership: Membership) -> Membership:
    _validated_save(membership)
    return membership


@transaction.atomic
def interaction_log(
    *, contact: Contact, kind: str, summary: str, staff=None, **fields
) -> Interaction:
    """Record something done with or for a person: a call, a meeting, a support case ..."""
    interaction = Interaction(contact=contact, kind=kind, summary=summary, staff=staff, **fields)
    _validated_save(interaction)
    return interaction


@transaction.atomic
def interaction_save(*, interaction: Interaction) -> Interaction:
    _validated_save(interaction)
    return interaction

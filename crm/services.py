"""Every change to crm's data goes through a function here.

Each runs in a transaction; django-auditlog writes the before/after entry in the same
transaction (its signal handlers run inside it), with the actor and remote address that
AuditlogMiddleware, or ``audit_actor`` for work outside a request, puts in context.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import ApiClient, Contact, Interaction, Membership, Organisation


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


def _token_parts(token: str) -> tuple[str, str]:
    import hashlib

    return token[:16], hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_client_create(*, name: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """Make an integration client; returns it and its token, which is never shown again."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    unknown = set(scopes) - set(ApiClient.Scope.values)
    if unknown:
        raise ValidationError({"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}"})
    user = get_user_model().objects.create(username=f"api:{name}"[:150], is_staff=False)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    token = "rk_" + secrets.token_urlsafe(32)
    prefix, digest = _token_parts(token)
    client = ApiClient(
        name=name, user=user, token_prefix=prefix, token_hash=digest, scopes=sorted(set(scopes))
    )
    client.full_clean(exclude=["user"])
    client.save()
    return client, token


def api_client_authenticate(token: str) -> ApiClient | None:
    """The active client this token belongs to, or None (compared in constant time)."""
    import hmac

    prefix, digest = _token_parts(token)
    client = ApiClient.objects.select_related("user").filter(token_prefix=prefix).first()
    if client is None or not client.is_active:
        return None
    if not hmac.compare_digest(client.token_hash, digest):
        return None
    return client


def api_client_touch(*, client: ApiClient) -> None:
    """Record last use at most once a minute, so reads do not each write a row."""
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


@transaction.atomic
def api_client_update(*, client: ApiClient, scopes: list[str], is_active: bool) -> ApiClient:
    client.scopes = sorted(set(scopes))
    client.is_active = is_active
    client.full_clean(exclude=["user"])
    client.save(update_fields=["scopes", "is_active"])
    return client

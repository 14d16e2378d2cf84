"""Every change to crm's data goes through a function here.

Each runs in a transaction; django-auditlog writes the before/after entry in the same
transaction (its signal handlers run inside it), with the actor and remote address that
AuditlogMiddleware, or ``audit_actor`` for work outside a request, puts in context.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import (
    ApiClient,
    Contact,
    ContactMerge,
    Interaction,
    Membership,
    Organisation,
    normalise_email,
)

logger = logging.getLogger(__name__)


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
    contact.email = normalise_email(contact.email)
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
    contact.email = normalise_email(contact.email)
    _validated_save(contact)
    return contact


@transaction.atomic
def contact_save(*, contact: Contact) -> Contact:
    """Save a contact whose fields a validated form has already set (the admin's path)."""
    contact.email = normalise_email(contact.email)
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


@transaction.atomic
def contact_submission_for_known_person(*, person: Contact, values: dict, sent_by: str) -> Contact:
    """An integration that may only write sent a person the register already has.

    Nothing of the person's is overwritten: such a token serves a public form, where anyone can
    type anyone's address. What the submission says differently is kept on the person's page as
    a note for staff to check, so nothing the person sent is lost.
    """
    from django.conf import settings
    from django.utils import translation

    differing = {
        name: value
        for name, value in values.items()
        if value not in (None, "") and str(value) != str(getattr(person, name) or "")
    }
    if differing:
        with translation.override(settings.LANGUAGE_CODE):  # the staff's language
            listed = "; ".join(
                f"{Contact._meta.get_field(name).verbose_name}: {value}"
                for name, value in differing.items()
            )
            summary = _(
                "The integration “%(client)s” sent different details for this person. They "
                "were not applied; check them and update by hand if they are right: %(values)s"
            ) % {"client": sent_by, "values": listed}
        interaction_log(contact=person, kind=Interaction.Kind.NOTE, summary=summary)
    return person


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


# --- Duplicates -----------------------------------------------------------------------------


def _merge_filled_fields() -> list[str]:
    """A kept record's empty identity and contact fields are filled from the merged one; which
    fields those are is read from the declarations."""
    from privacy.declarations import Category, registry

    declaration = registry.get(Contact)
    return [
        name
        for name, d in declaration.personal_fields().items()
        if d.category in (Category.IDENTITY, Category.CONTACT)
    ]


@transaction.atomic
def contact_merge(*, survivor: Contact, duplicate: Contact, actor) -> Contact:
    """Merge ``duplicate`` into ``survivor`` and remove it.

    Everything that points to the duplicate (roles, interactions, and whatever later issues
    attach to a person) is moved to the survivor; the survivor's empty fields are filled from the
    duplicate; the duplicate's values and provenance are kept in a ContactMerge row, and the
    audit trail records the merge on both ids.
    """
    from django.core.exceptions import ValidationError
    from django.forms.models import model_to_dict

    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A contact cannot be merged into itself."))
    survivor = Contact.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Contact.objects.select_for_update().get(pk=duplicate.pk)

    snapshot = {
        k: (None if v is None else str(v))
        for k, v in model_to_dict(duplicate, exclude=["id"]).items()
    }
    snapshot.update(
        source=duplicate.source,
        source_detail=duplicate.source_detail,
        collected_at=duplicate.collected_at.isoformat() if duplicate.collected_at else None,
        created_at=duplicate.created_at.isoformat() if duplicate.created_at else None,
    )
    filled = {}
    for name in _merge_filled_fields():
        if not getattr(survivor, name) and getattr(duplicate, name):
            filled[name] = getattr(duplicate, name)
    email_to_move = filled.get("email")
    if email_to_move:
        # The unique email must leave the duplicate before the survivor can take it.
        Contact.objects.filter(pk=duplicate.pk).update(email="")

    # Every relation to a person moves, including those of models added later; each moved row
    # gets an audit entry saying whose it was.
    for relation in Contact._meta.related_objects:
        if relation.one_to_many and relation.related_model is not ContactMerge:
            moved = relation.related_model._base_manager.filter(**{relation.field.name: duplicate})
            _log_moved_rows(
                rows=list(moved),
                field=relation.field.name,
                old=duplicate,
                new=survivor,
                actor=actor,
            )
            moved.update(**{relation.field.name: survivor})
    ContactMerge.objects.filter(survivor=duplicate).update(survivor=survivor)
    _merge_roles_in_the_same_organisation(survivor)

    for name, value in filled.items():
        setattr(survivor, name, value)
    ContactMerge.objects.create(
        survivor=survivor,
        merged_contact_id=duplicate.pk,
        merged_values=snapshot,
        merged_email="" if duplicate.email == survivor.email else duplicate.email,
        merged_by=actor,
    )
    survivor.full_clean()
    survivor.save()
    _log_merge(survivor=survivor, duplicate_pk=duplicate.pk, actor=actor, filled=filled)
    duplicate.delete()
    return survivor


def _log_moved_rows(*, rows, field, old, new, actor) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.bulk_create(
        [
            audit.entry(
                row,
                LogEntry.Action.UPDATE,
                actor=actor,
                changes={field: [str(old.pk), str(new.pk)]},
                extra={"merged_from": old.pk},
            )
            for row in rows
        ]
    )


def _log_merge(*, survivor, duplicate_pk, actor, filled) -> None:
    from auditlog.models import LogEntry

    audit.entry(
        survivor,
        LogEntry.Action.UPDATE,
        actor=actor,
        changes={"merged_from": [None, str(duplicate_pk)]}
        | {name: [None, str(value)] for name, value in filled.items()},
        extra={"merged_from": duplicate_pk},
    ).save()


def _merge_roles_in_the_same_organisation(contact: Contact) -> None:
    """Two current roles in one organisation are the same role recorded twice: keep one and fill
    its gaps. Ended roles are history and stay as they are."""
    by_organisation: dict[int, Membership] = {}
    for role in contact.memberships.filter(end_date__isnull=True).order_by("pk"):
        kept = by_organisation.get(role.organisation_id)
        if kept is None:
            by_organisation[role.organisation_id] = role
            continue
        for name in ("job_title", "work_email", "work_phone", "start_date"):
            if not getattr(kept, name) and getattr(role, name):
                setattr(kept, name, getattr(role, name))
        kept.full_clean()
        kept.save()
        role.delete()

"""Every change to crm's data goes through a function here.

Each runs in a transaction; django-auditlog writes the before/after entry in the same
transaction (its signal handlers run inside it: ``pre_save`` for a change, restricted to the
``update_fields`` saved, ``post_save`` for a new row), with the actor and remote address that
AuditlogMiddleware, or ``audit_actor`` for work outside a request, puts in context.

The admin, the API and the import all call the same ``<entity>_create`` / ``<entity>_update``
with cleaned values. Each model's fields that a service may set are listed once below; a change
is checked with ``full_clean`` and written with ``save(update_fields=...)``; and every service
returns a ``Change``: the row and what changed. A change that changes nothing writes nothing.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from privacy import merge as declared_merge

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

# What each service may set (the API's serializers list the same fields from here). Provenance is
# set once, by the door a person came in through.
CONTACT_WRITABLE = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "post_office",
    "municipality",
    "nationality",
    "preferred_language",
    "subject_category",
)
CONTACT_PROVENANCE = ("source", "source_detail", "collected_at")
ORGANISATION_WRITABLE = (
    "name",
    "business_id",
    "industry",
    "street_address",
    "postal_code",
    "post_office",
    "municipality",
    "relationship",
    "is_owner",
    "notes",
)
MEMBERSHIP_WRITABLE = (
    "contact",
    "organisation",
    "job_title",
    "work_email",
    "work_phone",
    "start_date",
    "end_date",
)
# ``staff`` is who logged it, set on create by the door; it is not edited afterwards.
INTERACTION_WRITABLE = (
    "contact",
    "organisation",
    "kind",
    "occurred_at",
    "summary",
    "transcript",
    "browser",
    "operating_system",
    "referrer",
)
# The name is in every audit entry the client wrote: set on create only.
API_CLIENT_WRITABLE = ("scopes", "is_active", "expires_at")

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Change(Generic[M]):
    """What a service did: the row as it now is, and ``{field: (old, new)}`` for each field it
    set (on create every field it may set, old ``None``). Empty changes: nothing was written."""

    instance: M
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    created: bool = False


def _validated_save(instance, **save_kwargs) -> None:
    instance.full_clean()
    instance.save(**save_kwargs)


def _only(values: dict, allowed: tuple[str, ...], service: str) -> None:
    unknown = values.keys() - set(allowed)
    if unknown:
        raise TypeError(f"{service}() may not set {', '.join(sorted(unknown))}")


def _create(instance: M, fields: tuple[str, ...]) -> Change[M]:
    _validated_save(instance)
    return Change(
        instance, {name: (None, getattr(instance, name)) for name in fields}, created=True
    )


def _as_stored(instance: models.Model, name: str, value):
    """``value`` as the field holds it, so that "040 123 4567" equals a stored +358401234567
    and a date given as text equals the date. What cannot be converted counts as a change, and
    ``full_clean`` then says what is wrong with it."""
    model_field = instance._meta.get_field(name)
    if model_field.is_relation or isinstance(value, models.Model):
        return value
    try:
        return model_field.to_python(value)
    except ValidationError:
        return value


def _update(instance: M, changes: dict, allowed: tuple[str, ...], service: str) -> Change[M]:
    """Set the given fields that differ, check the whole row and save only those fields (and
    the row's own "updated" time). Nothing differs: nothing is written, no audit entry."""
    _only(changes, allowed, service)
    diff = {}
    for name, value in changes.items():
        old, new = getattr(instance, name), _as_stored(instance, name, value)
        if old != new:
            diff[name] = (old, new)
    if not diff:
        return Change(instance)
    touched = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
    try:
        for name, (_old, new) in diff.items():
            setattr(instance, name, new)
        _validated_save(instance, update_fields=[*diff, *touched])
    except BaseException:
        for name, (old, _new) in diff.items():  # the caller's object stays as stored
            setattr(instance, name, old)
        raise
    saved = {name: (old, getattr(instance, name)) for name, (old, _new) in diff.items()}
    return Change(instance, saved)


# --- People -------------------------------------------------------------------------------------


@transaction.atomic
def contact_create(
    *,
    source: str,
    source_detail: str = "",
    collected_at: datetime | None = None,
    **values: Any,
) -> Change[Contact]:
    """Add a person, recording where the data came from (GDPR Art. 14 needs the source): the
    door they came in through names itself (staff, an API client, an import)."""
    _only(values, CONTACT_WRITABLE, "contact_create")
    contact = Contact(
        source=source,
        source_detail=source_detail,
        collected_at=collected_at or timezone.now(),
        **values,
    )
    contact.email = normalise_email(contact.email)
    return _create(contact, CONTACT_WRITABLE + CONTACT_PROVENANCE)


@transaction.atomic
def contact_update(*, contact: Contact, **changes: Any) -> Change[Contact]:
    """Change a person's data. Where it came from is what it was when they were added: no door
    changes it afterwards."""
    provenance = sorted(CONTACT_PROVENANCE & changes.keys())
    if provenance:
        raise ValidationError(
            {
                name: _(
                    "Where a person's data came from is recorded when they are added and "
                    "cannot be changed."
                )
                for name in provenance
            }
        )
    if "email" in changes:
        changes["email"] = normalise_email(changes["email"])
    return _update(contact, changes, CONTACT_WRITABLE, "contact_update")


def contact_submission_differences(*, person: Contact, values: dict) -> dict[str, Any]:
    """What a submission for a known person says differently from their row (empty values do
    not count: a form's empty field says nothing)."""
    return {
        name: value
        for name, value in values.items()
        if value not in (None, "") and str(value) != str(getattr(person, name) or "")
    }


@transaction.atomic
def contact_submission_for_known_person(
    *, person: Contact, values: dict, sent_by: str
) -> Change[Contact]:
    """An integration that may only write sent a person the register already has.

    Nothing of the person's is overwritten (the returned Change is empty): such a token serves
    a public form, where anyone can type anyone's address. What the submission says differently
    is kept on the person's page as a note for staff to check, so nothing the person sent is
    lost.
    """
    differing = contact_submission_differences(person=person, values=values)
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
        interaction_create(contact=person, kind=Interaction.Kind.NOTE, summary=summary)
    return Change(person)


# --- Organisations and roles --------------------------------------------------------------------


@transaction.atomic
def organisation_create(**values: Any) -> Change[Organisation]:
    _only(values, ORGANISATION_WRITABLE, "organisation_create")
    return _create(Organisation(**values), ORGANISATION_WRITABLE)


@transaction.atomic
def organisation_update(*, organisation: Organisation, **changes: Any) -> Change[Organisation]:
    return _update(organisation, changes, ORGANISATION_WRITABLE, "organisation_update")


@transaction.atomic
def membership_create(**values: Any) -> Change[Membership]:
    """A person's role in an organisation (``contact`` and ``organisation`` are required)."""
    _only(values, MEMBERSHIP_WRITABLE, "membership_create")
    membership = Membership(**values)
    membership.work_email = normalise_email(membership.work_email)
    return _create(membership, MEMBERSHIP_WRITABLE)


@transaction.atomic
def membership_update(*, membership: Membership, **changes: Any) -> Change[Membership]:
    if "work_email" in changes:
        changes["work_email"] = normalise_email(changes["work_email"])
    return _update(membership, changes, MEMBERSHIP_WRITABLE, "membership_update")


# --- Interactions -------------------------------------------------------------------------------


@transaction.atomic
def interaction_create(*, staff=None, **values: Any) -> Change[Interaction]:
    """Record something done with or for a person: a call, a meeting, a support case ...
    ``staff`` is the staff member who logged it (none for an integration's)."""
    _only(values, INTERACTION_WRITABLE, "interaction_create")
    # The name is kept beside the account, so that it outlives a deleted account.
    staff_name = Interaction.name_of_staff(staff) if staff is not None else ""
    return _create(
        Interaction(staff=staff, staff_name=staff_name, **values),
        (*INTERACTION_WRITABLE, "staff", "staff_name"),
    )


@transaction.atomic
def interaction_update(*, interaction: Interaction, **changes: Any) -> Change[Interaction]:
    return _update(interaction, changes, INTERACTION_WRITABLE, "interaction_update")


# --- API clients --------------------------------------------------------------------------------


def _checked_scopes(scopes) -> list[str]:
    unknown = set(scopes) - set(ApiClient.Scope.values)
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(sorted(unknown))}}
        )
    return sorted(set(scopes))


def _new_token() -> tuple[str, str, str]:
    """(token, stored prefix, stored SHA-256): the token itself is never stored."""
    token = "rk_" + secrets.token_urlsafe(32)
    return (token, *ApiClient.token_parts(token))


@transaction.atomic
def api_client_create(
    *, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[Change[ApiClient], str]:
    """Make an integration client; returns it and its token, which is never shown again.
    ``expires_at``: when the token stops working (none: when the client is revoked)."""
    scopes = _checked_scopes(scopes)
    user = get_user_model().objects.create(username=f"api:{name}"[:150], is_staff=False)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    token, prefix, digest = _new_token()
    client = ApiClient(
        name=name,
        user=user,
        token_prefix=prefix,
        token_hash=digest,
        issued_at=timezone.now(),
        scopes=scopes,
        expires_at=expires_at,
    )
    client.full_clean(exclude=["user"])
    client.save()
    return Change(
        client,
        {name: (None, getattr(client, name)) for name in ("name", *API_CLIENT_WRITABLE)},
        created=True,
    ), token


@transaction.atomic
def api_client_update(*, api_client: ApiClient, **changes: Any) -> Change[ApiClient]:
    """Change what an integration may do, when its token expires, or revoke it
    (``is_active=False``). Revoking destroys the token's hash, so that reactivating the client
    does not bring the old token back: reactivate with ``api_client_rotate_token``."""
    if "scopes" in changes:
        changes["scopes"] = _checked_scopes(changes["scopes"])
    if changes.get("is_active") and not api_client.is_active:
        raise ValidationError(
            {"is_active": _("A revoked client is reactivated by issuing it a new token.")}
        )
    change = _update(api_client, changes, API_CLIENT_WRITABLE, "api_client_update")
    if "is_active" in change.changes and not api_client.is_active:
        # Not a hash of anything: no token can match it. Not audited (auditlog excludes the
        # token's fields); the revocation itself is, as the change of is_active.
        api_client.token_hash = ""
        api_client.save(update_fields=["token_hash"])
    return change


@transaction.atomic
def api_client_rotate_token(*, api_client: ApiClient) -> tuple[Change[ApiClient], str]:
    """Issue the client a new token (and make it active): the old token stops working at once.
    Returns the new token, which is shown once and never stored. Audited as the change of
    ``issued_at`` (and of ``is_active`` when a revoked client is reactivated)."""
    token, prefix, digest = _new_token()
    before = {name: getattr(api_client, name) for name in ("is_active", "issued_at")}
    api_client.token_prefix, api_client.token_hash = prefix, digest
    api_client.issued_at, api_client.is_active = timezone.now(), True
    api_client.save(update_fields=["token_prefix", "token_hash", "issued_at", "is_active"])
    changes = {
        name: (old, getattr(api_client, name))
        for name, old in before.items()
        if old != getattr(api_client, name)
    }
    return Change(api_client, changes), token


def api_client_touch(*, api_client: ApiClient) -> None:
    """Record last use at most once a minute, so reads do not each write a row. Bookkeeping,
    not a change anyone answers for: no audit entry."""
    now = timezone.now()
    if api_client.last_used_at is None or (now - api_client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=api_client.pk).update(last_used_at=now)
        api_client.last_used_at = now


# --- Duplicates -----------------------------------------------------------------------------


@transaction.atomic
def contact_merge(*, survivor: Contact, duplicate: Contact, actor) -> Contact:
    """Merge ``duplicate`` into ``survivor`` and remove it.

    What happens to each kind of row that belongs to the duplicate (roles and interactions move,
    an append-only ledger is appended to, rows kept under the old id stay) is declared per model
    and carried out by ``privacy.merge``; the survivor's empty fields are filled from the
    duplicate's declared fields; the duplicate's values and provenance are kept in a ContactMerge
    row (the tombstone), and the audit trail records the merge on both ids.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A contact cannot be merged into itself."))
    survivor = Contact.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Contact.objects.select_for_update().get(pk=duplicate.pk)

    snapshot = declared_merge.merge_snapshot(instance=duplicate)
    filled = declared_merge.merge_fill(kept=survivor, other=duplicate)
    if filled.get("email"):
        # The unique email must leave the duplicate before the survivor can take it.
        Contact.objects.filter(pk=duplicate.pk).update(email="")

    declared_merge.merge_rows_follow(survivor=survivor, duplicate=duplicate, actor=actor)
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


def _log_merge(*, survivor, duplicate_pk, actor, filled) -> None:
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
    its gaps (the role's declared fields). Ended roles are history and stay as they are."""
    by_organisation: dict[int, Membership] = {}
    for role in contact.memberships.filter(end_date__isnull=True).order_by("pk"):
        kept = by_organisation.get(role.organisation_id)
        if kept is None:
            by_organisation[role.organisation_id] = role
            continue
        for name, value in declared_merge.merge_fill(kept=kept, other=role).items():
            setattr(kept, name, value)
        kept.full_clean()
        kept.save()
        role.delete()

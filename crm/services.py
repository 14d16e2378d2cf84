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

import contextlib
import gc
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from . import audit, bulk, selectors
from .models import (
    ApiClient,
    Contact,
    ContactMerge,
    ImportJob,
    Interaction,
    Membership,
    Organisation,
    normalise_email,
)

logger = logging.getLogger(__name__)

# What each service may set. Provenance is set once, by the door a person came in through.
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
    return _create(Interaction(staff=staff, **values), (*INTERACTION_WRITABLE, "staff"))


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


# --- Imports ------------------------------------------------------------------------------------

IMPORT_BATCH = 2_000


class ImportRefused(Exception):
    """The import cannot run as asked; the message is for the user."""


def import_progress_key(job_id: int) -> str:
    return f"crm:import:{job_id}:progress"


@transaction.atomic
def import_upload(*, uploaded_by, file_name: str, raw: bytes) -> ImportJob:
    """Keep an uploaded file for mapping and preview; refuses files that cannot be read."""
    from .imports import guess_mapping, parse

    parsed = parse(raw)  # raises ImportFileError with a message for the user
    job = ImportJob(
        file_name=file_name[:255],
        content=raw,
        encoding=parsed.encoding,
        uploaded_by=uploaded_by,
        mapping=guess_mapping(parsed.header),
        total_rows=len(parsed.rows),
    )
    _validated_save(job)
    return job


def import_preview(*, job: ImportJob, limit: int | None = None):
    """Rows validated against the mapping (the first ``limit``): (results, parsed file).

    Changes nothing. The import itself validates every row again and refuses the file if any
    is bad (unless the user chose to skip bad rows), so a preview of a part is safe.
    """
    from .imports import Validator, parse

    parsed = parse(bytes(job.content))
    validator = Validator()
    rows = parsed.rows if limit is None else parsed.rows[:limit]
    results = [
        validator.row(number, cells, job.mapping) for number, cells in enumerate(rows, start=2)
    ]
    _match_people(results)
    return results, parsed


def _match_people(results) -> dict[str, Contact]:
    """The people already in the register whom the valid rows name, by address: one object per
    person. A row that names a person an earlier row already names (by an address a merged
    duplicate had) gets an error, as a repeated address does: which row should win is for the
    user to say.

    Looked up before anything is written, in large chunks: each lookup reads the table once
    whatever the number of addresses.
    """
    emails = [r.values["email"] for r in results if not r.errors and r.values.get("email")]
    people: dict[int, Contact] = {}
    by_email: dict[str, Contact] = {}
    for start in range(0, len(emails), 10_000):
        for email, person in selectors.contacts_by_email(emails[start : start + 10_000]).items():
            by_email[email] = people.setdefault(person.pk, person)
    named_on: dict[int, int] = {}
    for result in results:
        person = None if result.errors else by_email.get(result.values.get("email"))
        if person is None:
            continue
        first = named_on.setdefault(person.pk, result.number)
        if first != result.number:
            result.errors["email"] = _(
                "The same person is on row %(row)d: this address belonged to a contact that "
                "was merged into them."
            ) % {"row": first}
    return by_email


@transaction.atomic
def import_queue(*, job: ImportJob, mapping: dict, skip_invalid: bool) -> ImportJob:
    """Confirm the mapping and hand the job to a worker once this transaction commits."""
    from .tasks import import_run_task

    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
        status=ImportJob.Status.QUEUED, mapping=mapping, skip_invalid=skip_invalid
    )
    if not updated:
        raise ImportRefused(_("This import has already been started or cancelled."))
    transaction.on_commit(lambda: import_run_task.delay(job.pk))
    job.refresh_from_db()
    return job


@transaction.atomic
def import_cancel(*, job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
        status=ImportJob.Status.CANCELLED, content=b"", finished_at=timezone.now()
    )


def import_run(*, job_id: int) -> ImportJob | None:
    """Import a queued file: all of it, or (if the user chose so) all of its valid rows.

    The whole import and the job's new status commit in one transaction: a worker killed half-way
    leaves the register as it was and the job still queued, so the redelivered task starts over.
    A second delivery while the first runs finds the job locked and does nothing.
    """
    from django.core.cache import cache

    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .filter(pk=job_id, status=ImportJob.Status.QUEUED)
                .first()
            )
            if job is None:
                return None
            with _cyclic_gc_paused():
                _import_rows(
                    job, progress=lambda n: cache.set(import_progress_key(job.pk), n, 3600)
                )
            return job
    except ImportRefused as refusal:
        reason = str(refusal)
    except Exception:
        logger.exception("Import %s failed", job_id)
        reason = _("The import failed because of an internal error; nothing was imported.")
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.FAILED,
        failure=reason,
        content=b"",
        finished_at=timezone.now(),
    )
    return ImportJob.objects.get(pk=job_id)


@contextlib.contextmanager
def _cyclic_gc_paused():
    """An import holds hundreds of thousands of small objects at once, and none of them form
    cycles worth collecting; Python's cyclic collector would rescan them all again and again
    (measured: 40,000 rows 1,490 -> 2,210 rows/s). Reference counting still frees memory."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_rows(job: ImportJob, progress) -> None:
    from .imports import CONTACT_FIELDS, MEMBERSHIP_FIELDS, Validator, parse

    parsed = parse(bytes(job.content))
    validator = Validator()
    results = [
        validator.row(number, cells, job.mapping)
        for number, cells in enumerate(parsed.rows, start=2)
    ]
    people = _match_people(results)
    bad = [r for r in results if r.errors]
    if bad and not job.skip_invalid:
        raise ImportRefused(
            _("%(count)d rows have errors; nothing was imported.") % {"count": len(bad)}
        )
    good = [r for r in results if not r.errors]
    writer = _ImportWriter(job, CONTACT_FIELDS, MEMBERSHIP_FIELDS, people)
    for start in range(0, len(good), IMPORT_BATCH):
        writer.write([r.values for r in good[start : start + IMPORT_BATCH]])
        progress(start + len(good[start : start + IMPORT_BATCH]))
    job.status = ImportJob.Status.DONE
    job.created_count = writer.created
    job.updated_count = writer.updated
    job.skipped_count = len(bad)
    job.content = b""
    job.finished_at = timezone.now()
    job.save()


class _ImportWriter:
    """Writes batches of clean rows with set-based queries, and their audit entries.

    New people and roles, nine rows in ten of a typical file, are streamed as plain rows
    (bulk.insert_dicts): building a model instance for each cost more than writing it. People
    and roles already in the register are updated as model instances (bulk.update).
    """

    def __init__(self, job: ImportJob, contact_fields, membership_fields, people):
        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        self.job = job
        self.contact_fields = contact_fields
        self.membership_fields = membership_fields
        self.created = self.updated = 0
        self.LogEntry = LogEntry
        self.contact_type = ContentType.objects.get_for_model(Contact)
        self.membership_type = ContentType.objects.get_for_model(Membership)
        self.organisation_type = ContentType.objects.get_for_model(Organisation)
        self.now = timezone.now()
        self.actor_email = job.uploaded_by.email or None
        self.additional_data = {"import": job.pk, "file": job.file_name}
        self.provenance = {
            "source": Contact.Source.IMPORT,
            "source_detail": job.file_name[:200],
            "collected_at": self.now,
            "updated_at": self.now,
        }
        # As auditlog records them: related rows by id, times as str() gives them.
        self.provenance_changes = {
            name: [None, str(value)]
            for name, value in self.provenance.items()
            if name != "updated_at"
        }
        self.contact_defaults = {
            name: Contact._meta.get_field(name).get_default() for name in contact_fields
        }
        # The people the file names who are already in the register (_match_people), and
        # their roles (a person has a few; new people have none).
        self.existing = people
        known = list({person.pk for person in people.values()})
        self.roles = {}
        for start in range(0, len(known), 10_000):
            self.roles.update(
                ((m.contact_id, m.organisation_id), m)
                for m in Membership.objects.filter(contact_id__in=known[start : start + 10_000])
            )

    def _entry(self, content_type, pk: int, shown: str, action, changes) -> dict:
        return audit.entry_row(
            content_type.pk,
            pk,
            shown,
            action,
            changes=changes,
            actor_id=self.job.uploaded_by_id,
            actor_email=self.actor_email,
            extra=self.additional_data,
            timestamp=self.now,
        )

    @staticmethod
    def _stored(obj, name):
        """The value as stored, without loading a related row (the municipality's code)."""
        field = obj._meta.get_field(name)
        if field.is_relation:
            related_id = getattr(obj, field.attname)
            return None if related_id is None else str(related_id)
        value = getattr(obj, name)
        if isinstance(value, PhoneNumber):
            return value.as_e164 or None  # str() would validate the number again
        return None if value in (None, "") else str(value)

    @staticmethod
    def _stored_value(value):
        if hasattr(value, "_meta"):
            return str(value.pk)
        return None if value in (None, "") else str(value)

    def _changes(self, obj, values: dict) -> dict:
        """{field: [stored, new]} for the values that differ from what ``obj`` holds."""
        changes = {}
        for name, value in values.items():
            stored, new = self._stored(obj, name), self._stored_value(value)
            if stored != new:
                changes[name] = [stored, new]
        return changes

    @staticmethod
    def _as_row(values: dict) -> dict:
        """Cleaned values as {attname: value}: a municipality as its key."""
        return {
            (f"{name}_id" if hasattr(value, "_meta") else name): (
                value.pk if hasattr(value, "_meta") else value
            )
            for name, value in values.items()
        }

    def write(self, rows: list[dict]) -> None:
        existing = self.existing
        new_people, changed_people, changed_fields = [], [], set()
        people = []  # per row: (row, the person's id holder, the person's name)
        for row in rows:
            values = {f: row[f] for f in self.contact_fields if f in row}
            person = existing.get(row.get("email"))
            if person is not None and person.email != row["email"]:
                del values["email"]  # known by a merged duplicate's address: keep their own
            if person is None:
                new = self._as_row(values) | self.provenance
                new_people.append((new, values))
                people.append((row, new, Contact.name_of(row["first_name"], row["last_name"])))
                continue
            diff = self._changes(person, values)
            if diff:
                for f in diff:
                    setattr(person, f, values[f])
                person.updated_at = self.now
                changed_fields |= diff.keys()
                changed_people.append((person, diff))
            people.append((row, {"id": person.pk}, str(person)))
        bulk.insert_dicts(Contact, [new for new, _values in new_people], ids=True)
        if changed_people:
            bulk.update(
                Contact, [p for p, _diff in changed_people], [*changed_fields, "updated_at"]
            )
        entries = [
            self._entry(
                self.contact_type,
                new["id"],
                Contact.name_of(values["first_name"], values["last_name"]),
                self.LogEntry.Action.CREATE,
                {
                    f: [None, self._stored_value(v)]
                    for f in self.contact_fields
                    if (v := values.get(f, self.contact_defaults[f]))
                }
                | self.provenance_changes,
            )
            for new, values in new_people
        ]
        entries += [
            self._entry(self.contact_type, p.pk, str(p), self.LogEntry.Action.UPDATE, diff)
            for p, diff in changed_people
        ]
        entries += self._write_memberships(people)
        bulk.insert_dicts(self.LogEntry, entries)
        self.created += len(new_people)
        self.updated += len(changed_people)

    def _organisations(self, with_org) -> tuple[dict, dict, list]:
        """The organisations the rows name, by business ID and by lower-case name, creating
        those not in the register; and the audit entries of those created."""
        by_business_id = {
            o.business_id: o
            for o in Organisation.objects.filter(
                business_id__in={
                    r["business_id"] for r, *_person in with_org if r.get("business_id")
                }
            )
        }
        # Names match whatever their case ("ACME OY" is "Acme Oy"); the oldest row wins.
        by_name = {}
        for o in (
            Organisation.objects.annotate(lower_name=Lower("name"))
            .filter(
                lower_name__in={
                    r["organisation_name"].lower()
                    for r, *_person in with_org
                    if not r.get("business_id")
                }
            )
            .order_by("-pk")
        ):
            by_name[o.name.lower()] = o
        new_orgs = {}
        for row, *_person in with_org:
            bid, name = row.get("business_id", ""), row["organisation_name"]
            if bid and bid not in by_business_id and bid not in new_orgs:
                if not name:
                    raise ImportRefused(
                        _("Business ID %(id)s is not in the register and the file gives no name.")
                        % {"id": bid}
                    )
                new_orgs[bid] = Organisation(name=name, business_id=bid)
            elif not bid and name.lower() not in by_name and name.lower() not in new_orgs:
                new_orgs[name.lower()] = Organisation(name=name)
        bulk.insert(Organisation, list(new_orgs.values()), ids=True)
        created = [
            self._entry(
                self.organisation_type,
                o.pk,
                o.name,
                self.LogEntry.Action.CREATE,
                {"name": [None, o.name]}
                | ({"business_id": [None, o.business_id]} if o.business_id else {}),
            )
            for o in new_orgs.values()
        ]
        by_business_id.update({o.business_id: o for o in new_orgs.values() if o.business_id})
        by_name.update({o.name.lower(): o for o in new_orgs.values() if not o.business_id})
        return by_business_id, by_name, created

    def _write_memberships(self, people) -> list:
        with_org = [(r, ref, name) for r, ref, name in people if "organisation_name" in r]
        if not with_org:
            return []
        by_business_id, by_name, entries = self._organisations(with_org)

        pairs = {}
        for row, ref, name in with_org:
            bid = row.get("business_id")
            org = by_business_id[bid] if bid else by_name[row["organisation_name"].lower()]
            pairs[(ref["id"], org.pk)] = (row, name, org)
        new_roles, changed_roles, fields = [], [], set()
        for key, (row, name, org) in pairs.items():
            values = {f: row[f] for f in self.membership_fields if f in row}
            role = self.roles.get(key)
            if role is None:
                new_roles.append(
                    ({"contact_id": key[0], "organisation_id": org.pk} | values, name, org)
                )
                continue
            diff = self._changes(role, values)
            if diff:
                for f in diff:
                    setattr(role, f, values[f])
                fields |= diff.keys()
                changed_roles.append((role, diff))
        bulk.insert_dicts(Membership, [new for new, _name, _org in new_roles], ids=True)
        if changed_roles:
            bulk.update(Membership, [r for r, _diff in changed_roles], list(fields))
        entries += [
            self._entry(
                self.membership_type,
                new["id"],
                f"{name} – {org}",
                self.LogEntry.Action.CREATE,
                {"contact": [None, str(new["contact_id"])], "organisation": [None, str(org.pk)]}
                | {f: [None, str(new[f])] for f in self.membership_fields if new.get(f)},
            )
            for new, name, org in new_roles
        ]
        entries += [
            self._entry(self.membership_type, r.pk, str(r), self.LogEntry.Action.UPDATE, d)
            for r, d in changed_roles
        ]
        return entries


@transaction.atomic
def import_jobs_purge(*, now=None) -> int:
    """Clear uploaded files kept longer than their declared maximum (``transient(max_days=)``)."""
    from datetime import timedelta

    from privacy.declarations import registry

    now = now or timezone.now()
    max_days = registry.transient_max_days(ImportJob, "content")
    return (
        ImportJob.objects.filter(created_at__lt=now - timedelta(days=max_days))
        .exclude(content=b"")
        .update(content=b"", status=ImportJob.Status.CANCELLED, finished_at=now)
    )


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
    from django.core.exceptions import ValidationError

    # privacy.merge reads the declarations, which import crm's models: imported here, as the
    # rest of this module's privacy imports are, to keep crm importable on its own.
    from privacy import merge as declared_merge

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
    its gaps (the role's declared fields). Ended roles are history and stay as they are."""
    from privacy.merge import merge_fill

    by_organisation: dict[int, Membership] = {}
    for role in contact.memberships.filter(end_date__isnull=True).order_by("pk"):
        kept = by_organisation.get(role.organisation_id)
        if kept is None:
            by_organisation[role.organisation_id] = role
            continue
        for name, value in merge_fill(kept=kept, other=role).items():
            setattr(kept, name, value)
        kept.full_clean()
        kept.save()
        role.delete()

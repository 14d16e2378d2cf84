"""Writing an import's clean rows into the register: set-based, with their audit entries.

Nothing here commits: ``services.import_run`` holds the one transaction in which the whole file
and the job's new status are written.
"""

from __future__ import annotations

from auditlog.diff import get_field_value, model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _

from crm import audit, bulk, selectors
from crm.models import Contact, ImportJob, Membership, Organisation

from .parse import CONTACT_FIELDS, MEMBERSHIP_FIELDS
from .validate import RowResult

#: Rows written per set of statements; progress is reported after each.
BATCH = 2_000
# Addresses per lookup: each lookup reads the table once whatever the number of addresses.
_LOOKUP = 10_000


class ImportRefused(Exception):
    """The import cannot run as asked; the message is for the user."""


def match_people(results: list[RowResult]) -> dict[str, Contact]:
    """The people already in the register whom the valid rows name, by address: one object per
    person. A row that names a person an earlier row already names (by an address a merged
    duplicate had) gets an error, as a repeated address does: which row should win is for the
    user to say.

    Looked up before anything is written, in large chunks.
    """
    emails = [r.values["email"] for r in results if not r.errors and r.values.get("email")]
    people: dict[int, Contact] = {}
    by_email: dict[str, Contact] = {}
    for start in range(0, len(emails), _LOOKUP):
        for email, person in selectors.contacts_by_email(emails[start : start + _LOOKUP]).items():
            by_email[email] = people.setdefault(person.pk, person)
    named_on: dict[int, int] = {}
    restricted = _restricted({p.pk for p in people.values()})
    for result in results:
        person = None if result.errors else by_email.get(result.values.get("email"))
        if person is None:
            continue
        if person.pk in restricted:
            # GDPR Art. 18: a restricted person's data is only stored; an import must not
            # change or reactivate it (the privacy portal's restriction, privacy.Restriction).
            result.errors["email"] = _(
                "The processing of this person's data is restricted at their request: the row "
                "is not imported."
            )
            continue
        first = named_on.setdefault(person.pk, result.number)
        if first != result.number:
            result.errors["email"] = _(
                "The same person is on row %(row)d: this address belonged to a contact that "
                "was merged into them."
            ) % {"row": first}
        else:
            result.person = person
    return by_email


def _restricted(ids: set[int]) -> set[int]:
    from privacy.models import Restriction

    if not ids:
        return set()
    return set(
        Restriction.objects.filter(contact_id__in=ids, lifted_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )


def changes_of_person(result: RowResult) -> list[tuple[str, object, object]]:
    """What importing a valid row changes of the person it updates, as ``ImportWriter.write``
    will: (field, before, after) for each contact field whose value differs. Empty for a new
    person and for a row that changes nothing."""
    person = result.person
    if person is None or result.errors:
        return []
    changed = []
    for name in CONTACT_FIELDS:
        if name not in result.values:
            continue
        if name == "email" and person.email != result.values["email"]:
            continue  # known by a merged duplicate's address: the writer keeps their own
        before, after = getattr(person, name), result.values[name]
        if str(before or "") != str(after or ""):
            changed.append((name, before, after))
    return changed


def _use_json() -> bool:
    return settings.AUDITLOG_STORE_JSON_CHANGES


def changes_of_update(obj: models.Model, values: dict) -> dict | None:
    """Set ``values`` on ``obj`` and return what auditlog records for saving them
    (``{field: (before, after)}``, None when nothing changed): its own model_instance_diff,
    as its pre_save handler calls it for ``save(update_fields=values)``."""
    if not values:
        return None
    # The values before, for the diff to read: a shallow copy, cheaper than copy.copy().
    before = obj.__class__.__new__(obj.__class__)
    before.__dict__ = obj.__dict__.copy()
    for name, value in values.items():
        setattr(obj, name, value)
    return model_instance_diff(
        before, obj, fields_to_check=values, use_json_for_changes=_use_json()
    )


_ABSENT = object()


class CreateChanges:
    """What auditlog records when a new row of ``model`` is saved, for rows given as
    ``{attname: value}`` (bulk.insert_dicts), without building a model instance for each.

    auditlog's model_instance_diff(None, instance) costs about 110 µs a row, more than the
    import's whole write of it (measured: 2.4 s for the 18,000 new people of a 20,000-row file
    whose import takes 2.5 s), and even its get_field_value, field by field, would slow the
    import by a tenth. So auditlog is asked once per file, for a row that holds only what every
    new row shares: provenance, timestamps, defaults, and the reverse relations auditlog lists.
    Each row then puts in its own values, which are text (a phone number in E.164, as str()
    gives a valid one) or ids, as model_instance_diff renders those: ``smart_str`` of the
    value, kept only when it differs from the "before" of a new row (auditlog's get_field_value
    of nothing, "None"), and only for the fields auditlog tracks (a model's included and
    excluded fields apply). Fields whose rendering is more than that (dates and times, JSON,
    related rows shown by name, masked fields) take auditlog's whole diff for every row: the
    same entry, only slower. tests/crm/test_import.py holds the entries to those of a normal save.
    """

    def __init__(self, model: type[models.Model], *, shared: dict, per_row: list[str]):
        self.model = model
        registered = auditlog.get_model_fields(model)
        included, excluded = registered["include_fields"], registered["exclude_fields"]
        # The fields auditlog tracks, as model_instance_diff chooses them.
        fields = [
            field
            for field in (model._meta.get_field(name) for name in per_row)
            if (not included or field.name in included) and field.name not in excluded
        ]
        self.whole = (
            _use_json()
            or settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
            or any(field.name in registered["mask_fields"] for field in fields)
            or any(isinstance(field, models.DateTimeField | models.JSONField) for field in fields)
        )
        # A primary key, because auditlog reads the reverse relations' managers, which need one.
        self.shared = model_instance_diff(None, model(pk=0, **shared)) or {}
        self.fields = [(field.name, field.attname) for field in fields]
        self.before = smart_str(get_field_value(None, model._meta.pk))

    def __call__(self, row: dict) -> dict:
        if self.whole:
            return model_instance_diff(None, self.model(**row), use_json_for_changes=_use_json())
        changes = dict(self.shared)
        before = self.before
        for name, attname in self.fields:
            value = row.get(attname, _ABSENT)
            if value is _ABSENT:
                continue  # not in the row: the default, as in the shared part
            # smart_str() returns text as it is; skipping its call for text saves a tenth of
            # this function's time.
            after = value if value.__class__ is str else smart_str(value)
            if after == before:
                changes.pop(name, None)
            else:
                changes[name] = (before, after)
        return changes


def _as_row(values: dict) -> dict:
    """Cleaned values as {attname: value}: a municipality as its key."""
    return {
        (f"{name}_id" if hasattr(value, "_meta") else name): (
            value.pk if hasattr(value, "_meta") else value
        )
        for name, value in values.items()
    }


class ImportWriter:
    """Writes batches of clean rows with set-based queries, and their audit entries.

    New people and roles, nine rows in ten of a typical file, are streamed as plain rows
    (bulk.insert_dicts): building a model instance for each cost more than writing it. People
    and roles already in the register are updated as model instances (bulk.update). The audit
    entries hold what auditlog writes for a normal save of each row (``changes_of_update``,
    ``CreateChanges``), with the uploader as the actor and the job in ``additional_data``.
    """

    def __init__(self, job: ImportJob, people: dict[str, Contact]):
        self.job = job
        self.created = self.updated = 0
        self.contact_type = ContentType.objects.get_for_model(Contact)
        self.membership_type = ContentType.objects.get_for_model(Membership)
        self.organisation_type = ContentType.objects.get_for_model(Organisation)
        self.now = timezone.now()
        self.actor_email = job.uploaded_by.email or None
        self.additional_data = {"import": job.pk, "file": job.file_name}
        # Where the data came from (GDPR Art. 14): set here for new people, never from a column.
        self.provenance = {
            "source": Contact.Source.IMPORT,
            "source_detail": job.file_name[:200],
            "collected_at": self.now,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.new_contact_changes = CreateChanges(
            Contact, shared=self.provenance, per_row=["id", *CONTACT_FIELDS]
        )
        self.new_role_changes = CreateChanges(
            Membership,
            shared={},
            per_row=["id", "contact", "organisation", *MEMBERSHIP_FIELDS],
        )
        # The people the file names who are already in the register (match_people), and
        # their roles (a person has a few; new people have none).
        self.existing = people
        known = list({person.pk for person in people.values()})
        self.roles = {}
        for start in range(0, len(known), _LOOKUP):
            self.roles.update(
                ((m.contact_id, m.organisation_id), m)
                for m in Membership.objects.filter(contact_id__in=known[start : start + _LOOKUP])
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

    def write(self, rows: list[dict]) -> None:
        new_people, changed_people, changed_fields = [], [], set()
        people = []  # per row: (row, the person's id holder, the person's name)
        for row in rows:
            values = {f: row[f] for f in CONTACT_FIELDS if f in row}
            person = self.existing.get(row.get("email"))
            if person is not None and person.email != row["email"]:
                del values["email"]  # known by a merged duplicate's address: keep their own
            if person is None:
                new = _as_row(values) | self.provenance
                name = Contact.name_of(row["first_name"], row["last_name"])
                new_people.append((new, name))
                people.append((row, new, name))
                continue
            diff = changes_of_update(person, values)
            if diff:
                person.updated_at = self.now
                changed_fields |= diff.keys()
                changed_people.append((person, diff))
            people.append((row, {"id": person.pk}, str(person)))
        bulk.insert_dicts(Contact, [new for new, _name in new_people], ids=True)
        if changed_people:
            bulk.update(
                Contact, [p for p, _diff in changed_people], [*changed_fields, "updated_at"]
            )
        entries = [
            self._entry(
                self.contact_type,
                new["id"],
                name,
                LogEntry.Action.CREATE,
                self.new_contact_changes(new),
            )
            for new, name in new_people
        ]
        entries += [
            self._entry(self.contact_type, p.pk, str(p), LogEntry.Action.UPDATE, diff)
            for p, diff in changed_people
        ]
        entries += self._write_memberships(people)
        bulk.insert_dicts(LogEntry, entries)
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
                new_orgs[bid] = Organisation(
                    name=name, business_id=bid, created_at=self.now, updated_at=self.now
                )
            elif not bid and name.lower() not in by_name and name.lower() not in new_orgs:
                new_orgs[name.lower()] = Organisation(
                    name=name, created_at=self.now, updated_at=self.now
                )
        bulk.insert(Organisation, list(new_orgs.values()), ids=True)
        # A few rows per file, and model instances: auditlog's own diff, as a save writes it.
        created = [
            self._entry(
                self.organisation_type,
                o.pk,
                str(o),
                LogEntry.Action.CREATE,
                model_instance_diff(None, o, use_json_for_changes=_use_json()),
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
            values = {f: row[f] for f in MEMBERSHIP_FIELDS if f in row}
            role = self.roles.get(key)
            if role is None:
                new_roles.append(
                    ({"contact_id": key[0], "organisation_id": org.pk} | values, name, org)
                )
                continue
            diff = changes_of_update(role, values)
            if diff:
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
                LogEntry.Action.CREATE,
                self.new_role_changes(new),
            )
            for new, name, org in new_roles
        ]
        entries += [
            self._entry(self.membership_type, r.pk, str(r), LogEntry.Action.UPDATE, d)
            for r, d in changed_roles
        ]
        return entries

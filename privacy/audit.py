"""The audit trail as personal data: its redaction on erasure and its retention.

django-auditlog's entries are declared in ``privacy/personal_data.py`` (purpose accountability,
retention ``AUDIT_RETENTION_DAYS``, erasure by redaction). Staff cannot change or delete entries
(the admin is read-only); these two functions are the only writers besides auditlog itself:
redaction, in the spirit of pretix's ``shred_log_fields``, blanks the values about an erased
person but keeps which fields changed, who changed them and when; the retention job deletes
entries older than the period, in batches.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .declarations import (
    REDACTED,
    AboutRows,
    ErasureAction,
    ModelDeclaration,
    PersonalCopy,
    PersonalField,
    registry,
)

logger = logging.getLogger(__name__)

#: Entries deleted per statement by the retention job: small enough that a statement never holds
#: locks for long or bloats one transaction, large enough to keep up with a busy register.
AUDIT_PURGE_BATCH = 5_000
#: Entries rewritten per statement when a person's entries are redacted.
REDACT_BATCH = 500

_BLANK = (None, "", "None")


def audit_declaration() -> ModelDeclaration:
    """The declaration of the audit trail (the one model whose rows are about other rows)."""
    return next(d for d in registry if isinstance(d.subject, AboutRows))


def not_redacted(entries: models.QuerySet) -> models.QuerySet:
    """The entries not yet marked redacted (an exclude() would also drop entries whose mark
    field has no such key, as SQL compares NULL)."""
    mark = audit_declaration().subject.mark
    return entries.filter(**{f"{mark}__redacted__isnull": True})


def _redacted_value(value):
    """A value with everything in it replaced by the marker; blanks stay (an empty value says
    nothing about anyone, and shows that the field was set rather than changed)."""
    if isinstance(value, list):
        return [_redacted_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted_value(v) for k, v in value.items()}
    return value if value in _BLANK else REDACTED


def redact_changes(changes, about_model: type[models.Model] | None):
    """An entry's before/after map with the person's values replaced: every key stays (which
    fields changed); values of fields the entry's model declares as holding nothing about a
    person (the staff member, a count, the link to the person's row) stay as they were."""
    if not isinstance(changes, dict):
        return None if changes is None else _redacted_value(changes)
    declaration = registry.get(about_model) if about_model is not None else None
    plain = set()
    if declaration is not None:
        plain = {n for n, d in declaration.fields.items() if not isinstance(d, PersonalField)}
        plain -= set(declaration.copy_fields())
        plain -= set(declaration.transient_fields())
    return {
        key: value if key in plain else _redacted_value(value) for key, value in changes.items()
    }


def audit_entries_redact(*, entries: models.QuerySet, now: datetime.datetime) -> int:
    """Redact these entries as the audit trail's declaration says, and mark them; entries
    already marked are left alone, so a second run changes nothing. Returns how many changed.

    Runs inside the caller's transaction (an erasure: the person is either fully erased or not
    at all).
    """
    declaration = audit_declaration()
    about: AboutRows = declaration.subject
    held = declaration.held_fields()
    pending = not_redacted(entries)
    loaded = list(pending.only("pk", f"{about.content_type}_id", about.mark, *held))
    for entry in loaded:
        type_id = getattr(entry, f"{about.content_type}_id")
        about_model = ContentType.objects.get_for_id(type_id).model_class()
        for name, d in held.items():
            erasure = d.erasure
            if erasure is None or erasure.action is ErasureAction.KEEP:
                continue
            if erasure.action is ErasureAction.REDACT_VALUES and isinstance(d, PersonalCopy):
                setattr(entry, name, redact_changes(getattr(entry, name), about_model))
            else:
                setattr(entry, name, erasure.value)
        mark = getattr(entry, about.mark) or {}
        if not isinstance(mark, dict):
            mark = {"previous": mark}
        setattr(entry, about.mark, {**mark, "redacted": True, "redacted_at": now.isoformat()})
    declaration.model._base_manager.bulk_update(
        loaded, [*held, about.mark], batch_size=REDACT_BATCH
    )
    return len(loaded)


def audit_retention_cutoff(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """Entries older than this are past the declared retention period."""
    # An entry goes when every value in it is past its period (they share one rule today).
    days = max(d.retention.days for d in audit_declaration().held_fields().values())
    return (now or timezone.now()) - datetime.timedelta(days=days)


def audit_entries_purge(
    *, now: datetime.datetime | None = None, batch_size: int = AUDIT_PURGE_BATCH
) -> int:
    """Delete the audit entries older than the retention period, a batch at a time.

    Each batch is one short transaction and one DELETE over a range of ids, never one statement
    over the whole table: a killed run keeps what it did, and the next run (beat runs it every
    hour) goes on from there; running it twice is harmless. Returns how many were deleted.
    """
    model = audit_declaration().model
    cutoff = audit_retention_cutoff(now=now)
    old = model._base_manager.filter(timestamp__lt=cutoff)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            # The rows naming the people an entry showed go with it (CASCADE); only() keeps
            # the collector from loading whole entries to find them.
            _all, counts = old.filter(pk__gte=ids[0], pk__lte=ids[-1]).only("pk").delete()
        total += counts.get(model._meta.label, 0)
    if total:
        logger.info("Deleted %d audit entries older than %s", total, cutoff.date())
    return total

"""How the rows of a person follow a merge, as the declarations say.

``crm.services.contact_merge`` decides who is kept and writes the tombstone; what happens to each
model's rows is declared (``declare(..., merge=MergeRule...)``), so a ledger that must never be
rewritten (the consent ledger) says APPEND and the merge appends to it instead of moving it.
"""

from __future__ import annotations

import datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models

from crm import audit

from .declarations import MergeRule, ModelDeclaration, registry


def merge_fill(*, kept: models.Model, other: models.Model) -> dict[str, object]:
    """{field: value} of ``other``'s values for the declared fields that ``kept`` lacks.

    The fields are the model's ``merge_fill_fields()``: what the rows say about the person, not
    the register metadata, which stays with the merge tombstone.
    """
    declaration = registry.get(type(kept))
    return {
        name: getattr(other, name)
        for name in declaration.merge_fill_fields()
        if not getattr(kept, name) and getattr(other, name)
    }


def _stored(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def merge_snapshot(*, instance: models.Model) -> dict[str, str | None]:
    """A copy of the row's declared personal values, as a ``personal_copy`` of its model holds
    them: the tombstone of a merged duplicate (what it held and where it came from)."""
    declaration = registry.get(type(instance))
    snapshot = {}
    for name in declaration.personal_fields():
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname if field.is_relation else name)
        snapshot[name] = _stored(value)
    return snapshot


def merge_rows_follow(*, survivor: models.Model, duplicate: models.Model, actor) -> None:
    """Every model that links to the person directly follows its declared rule: MOVE repoints
    the rows (one UPDATE, an audit entry per moved row saying whose it was), APPEND adds copies
    pointing at the kept person and leaves the originals untouched, KEEP leaves them under the
    duplicate's id (the tombstone maps it). Rows reached through another row follow that row."""
    for declaration in registry:
        if not declaration.links_the_person_directly or declaration.about_rows:
            continue
        link = declaration.model._meta.get_field(declaration.link)
        rows = declaration.model._base_manager.filter(**{link.attname: duplicate.pk})
        if declaration.merge is MergeRule.MOVE:
            if auditlog.contains(declaration.model):
                _log_rows(
                    list(rows),
                    changes={link.name: [str(duplicate.pk), str(survivor.pk)]},
                    actor=actor,
                    duplicate=duplicate,
                )
            rows.update(**{link.attname: survivor.pk})
        elif declaration.merge is MergeRule.APPEND:
            _append(declaration, link, list(rows.order_by("pk")), survivor, duplicate, actor)


def _append(declaration: ModelDeclaration, link, originals, survivor, duplicate, actor) -> None:
    if not originals:
        return
    if declaration.merge_append is not None:
        declaration.merge_append(rows=originals, survivor=survivor, actor=actor)
        return
    model = declaration.model
    copies = []
    for row in originals:
        values = {
            f.attname: getattr(row, f.attname)
            for f in model._meta.concrete_fields
            if not f.primary_key
        }
        values[link.attname] = survivor.pk
        copies.append(model(**values))
    model._base_manager.bulk_create(copies)
    if auditlog.contains(model):
        _log_rows(
            copies,
            changes={link.name: [None, str(survivor.pk)]},
            actor=actor,
            duplicate=duplicate,
            action=LogEntry.Action.CREATE,
        )


def _log_rows(rows, *, changes, actor, duplicate, action=LogEntry.Action.UPDATE) -> None:
    LogEntry.objects.bulk_create(
        [
            audit.entry(
                row, action, actor=actor, changes=changes, extra={"merged_from": duplicate.pk}
            )
            for row in rows
        ]
    )

"""The event data shredder's engine, driven by the personal-data declarations.

A declared field whose retention rule runs from the end of an event (``RetentionRule.after_event``
or ``years_after_event_year``, e.g. ``policy.EVENT_FOLLOW_UP`` and ``policy.ACCOUNTING_ACT``) is
due once the event's clock under that rule has run out. For each model holding such fields the
engine finds the event's rows through the model's one path to ``EVENT_MODEL``
(``declarations.event_paths``) and, for the rows still holding due data:

* deletes the rows when every field the model holds about the person is due and the model's rows
  are deleted on erasure, or nothing in them could be anonymised (billing details whose legal hold
  has ended: the row existed only for the hold);
* otherwise writes each due field's erasure replacement and clears the row's link to the person
  (a registration stays, with its status and dates, for the statistics, and no longer says whose
  it was).

What a person's erasure does to a row and what the shredder does are therefore the same words in
the same declaration; the job lists no field of its own.

The work goes in batches, each in its own transaction, and each batch picks only rows not yet
done; a run killed between batches leaves every row either untouched or fully done, and the next
run finishes the rest. ``shred_plan`` counts what a run would do now (the staff preview); a run's
counts are the plan's, batch by batch.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import models, transaction
from django.db.models import Q, signals

from .declarations import (
    DeclarationRegistry,
    ErasureAction,
    ModelDeclaration,
    RowErasure,
    field_label,
)
from .declarations import registry as global_registry

DELETE = "delete"
ANONYMISE = "anonymise"

#: Rows per transaction: big enough for set-based statements, small enough that a batch holds
#: its locks briefly and a killed run loses at most one batch's work.
BATCH_SIZE = 5000


@dataclass(frozen=True)
class ShredStep:
    """What the shredder does to one model's rows of one event."""

    declaration: ModelDeclaration
    path: str
    action: str  # DELETE or ANONYMISE
    #: The due fields removed (a deleted row loses all of them; an anonymised row these).
    fields: tuple[str, ...]
    replacements: tuple[tuple[str, object], ...] = ()
    #: The link to the person an anonymised row loses (its attname), or "".
    unlink: str = ""

    @property
    def model_label(self) -> str:
        return self.declaration.model_label

    @property
    def model_name(self) -> str:
        return str(self.declaration.model._meta.verbose_name)

    def field_labels(self) -> list[str]:
        model = self.declaration.model
        names = [*self.fields, *([self.unlink_field] if self.unlink else [])]
        return [field_label(model, n) for n in names]

    @property
    def unlink_field(self) -> str:
        return self.declaration.link or ""

    def event_rows(self, event) -> models.QuerySet:
        manager = self.declaration.model._base_manager
        if self.path == "":
            return manager.filter(pk=event.pk)
        return manager.filter(**{self.path: event})

    def pending(self, event) -> models.QuerySet:
        """The event's rows this step has not done yet."""
        rows = self.event_rows(event)
        if self.action == DELETE:
            return rows
        done = Q()
        for name, value in self.replacements:
            done &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        if self.unlink:
            done &= Q(**{f"{self.unlink}__isnull": True})
        return rows.exclude(done)


@dataclass(frozen=True)
class PlannedStep:
    step: ShredStep
    rows: int


def shred_steps(
    event,
    *,
    ended_on: datetime.date,
    today: datetime.date,
    registry: DeclarationRegistry = None,
    early: bool = False,
) -> list[ShredStep]:
    """The steps due for ``event`` (which ended on ``ended_on``) on ``today``: per model, the due
    fields and whether the rows go or are anonymised. Rows reached through other rows (answers)
    come before the rows they hang off (registrations).

    ``early``: the organiser no longer needs the event's data, so the days they chose to keep it
    (``after_event`` rules) are over now; a legal hold (``years_after_event_year``) is not."""
    registry = global_registry if registry is None else registry
    steps = []
    for declaration in registry:
        per_event = declaration.per_event_fields()
        if not per_event:
            continue
        path = declaration.event_path
        if path is None:
            continue  # privacy.E016 reports it; the check keeps this from happening
        due = {
            name: d
            for name, d in per_event.items()
            if (early and d.retention.after_event)
            or d.retention.event_data_due(event_ended=ended_on, event=event) <= today
        }
        if not due:
            continue
        held = declaration.held_fields()
        replacements = tuple(
            (name, d.erasure.value)
            for name, d in due.items()
            if d.erasure is not None and d.erasure.action is ErasureAction.REPLACE
        )
        everything_due = set(due) == set(held)
        if everything_due and (declaration.erase is RowErasure.DELETE or not replacements):
            steps.append(ShredStep(declaration, path, DELETE, tuple(sorted(due))))
        elif replacements:
            link = ""
            if declaration.links_the_person_directly:
                f = declaration.model._meta.get_field(declaration.link)
                link = f.attname if f.null else ""
            steps.append(
                ShredStep(
                    declaration,
                    path,
                    ANONYMISE,
                    tuple(n for n, _v in replacements),
                    replacements,
                    link,
                )
            )
        # else: fields kept under a hold in a row that holds other data not yet due: wait.
    steps.sort(key=lambda s: (-s.path.count("__"), s.action != DELETE, s.model_label))
    return steps


def shred_plan(event, *, ended_on, today, registry=None, early=False) -> list[PlannedStep]:
    """What a run would remove now, without changing anything: rows per model and fields."""
    steps = shred_steps(event, ended_on=ended_on, today=today, registry=registry, early=early)
    return [PlannedStep(step, step.pending(event).count()) for step in steps]


def counts_key(step: ShredStep) -> str:
    return f"{step.model_label}:{step.action}"


def _delete(model: type[models.Model], ids: list) -> int:
    """Delete the rows ``ids`` of ``model``. Rows nothing else points at (but their own
    many-to-many links) and that no signal listens to go in two plain DELETEs; anything else
    through Django's collector, which cascades as the relations say."""
    manager = model._base_manager
    opts = model._meta
    others = [
        rel
        for rel in opts.related_objects
        if not (rel.many_to_many or rel.on_delete is models.DO_NOTHING)
        and not (rel.remote_field.model._meta.auto_created)
    ]
    if (
        others
        or signals.pre_delete.has_listeners(model)
        or signals.post_delete.has_listeners(model)
    ):
        _total, per_model = manager.filter(pk__in=ids).delete()
        return per_model.get(opts.label, 0)
    for f in opts.many_to_many:
        through = f.remote_field.through
        if through._meta.auto_created:
            links = through._base_manager.filter(**{f"{f.m2m_field_name()}__in": ids})
            links._raw_delete(links.db)
    rows = manager.filter(pk__in=ids)
    return rows._raw_delete(rows.db)


def shred(
    event,
    *,
    ended_on: datetime.date,
    today: datetime.date,
    registry: DeclarationRegistry = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ShredStep, int], None] | None = None,
    early: bool = False,
    marks: Callable[[ShredStep], dict] | None = None,
) -> dict[str, int]:
    """Remove the event's due data, batch by batch; returns rows done per ``counts_key``.

    ``on_batch(step, rows)`` runs inside each batch's transaction (the run log's counters, so
    that they are true even when the run is killed). ``marks(step)`` gives bookkeeping values an
    anonymised row gets with the replacements (when it was anonymised). Writes bypass auditlog's
    signals, which would copy the removed values into new audit entries; the run log records
    what went.
    """
    done: dict[str, int] = {}
    steps = shred_steps(event, ended_on=ended_on, today=today, registry=registry, early=early)
    for step in steps:
        key = counts_key(step)
        done.setdefault(key, 0)
        while True:
            with transaction.atomic(), disable_auditlog():
                ids = list(
                    step.pending(event)
                    .order_by("pk")
                    .select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not ids:
                    break
                rows = step.declaration.model._base_manager.filter(pk__in=ids)
                if step.action == DELETE:
                    count = _delete(step.declaration.model, ids)
                else:
                    values = dict(step.replacements)
                    if step.unlink:
                        values[step.unlink] = None
                    if marks is not None:
                        values.update(marks(step))
                    count = rows.update(**values)
                done[key] += count
                if on_batch is not None:
                    on_batch(step, count)
    return done

"""The event data shredder: removes an event's personal data when its time comes, as the
declarations say (the engine is privacy/shredding.py; docs/architecture.md explains the rules).

``shred_preview`` is what staff see before a hand run; ``shred_event`` is one run for one event,
logged in a ``ShredRun`` whose counts are written batch by batch in the batches' transactions
(true even when the run is killed); ``shred_due`` is the daily beat job over every event whose
event data or billing details are due.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import shredding

from .models import Event, Registration, ShredRun

logger = logging.getLogger(__name__)


class ShredRefused(Exception):
    """The run cannot start (the event has not ended); the message says why, translated."""


@dataclass(frozen=True)
class PreviewLine:
    model_label: str
    model_name: str
    action: str
    fields: tuple[str, ...]
    rows: int


def ended_on(event: Event) -> datetime.date:
    return timezone.localdate(event.ends_at)


def _has_ended(event: Event, now=None) -> bool:
    return event.ends_at <= (now or timezone.now())


def shred_preview(*, event: Event, early: bool = False, today=None) -> list[PreviewLine]:
    """What a run would remove now (``early``: a hand run before the event's days are over):
    per model, rows and the fields they lose. Nothing is changed."""
    today = today or timezone.localdate()
    if early and not _has_ended(event):
        return []
    plan = shredding.shred_plan(event, ended_on=ended_on(event), today=today, early=early)
    return [
        PreviewLine(
            model_label=p.step.model_label,
            model_name=p.step.model_name,
            action=p.step.action,
            fields=tuple(p.step.field_labels()),
            rows=p.rows,
        )
        for p in plan
    ]


def _marks(now):
    def marks(step: shredding.ShredStep) -> dict:
        # A registration says when it was anonymised, and the random part of the links mailed
        # to the person is emptied (a link naming no key is refused).
        if step.declaration.model is Registration:
            return {"anonymised_at": now, "link_key": ""}
        return {}

    return marks


def shred_event(
    *,
    event: Event,
    actor=None,
    early: bool = False,
    today: datetime.date | None = None,
    batch_size: int = shredding.BATCH_SIZE,
) -> ShredRun:
    """One run of the shredder for ``event``: by ``actor`` (a hand run, ``early`` if before the
    event's days are over) or by the schedule (``actor`` None). Re-runnable: a second run finds
    nothing left and records zeros."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    if early and not _has_ended(event, now):
        raise ShredRefused(_("The event has not ended yet; its data is still needed."))
    steps = shredding.shred_steps(event, ended_on=ended_on(event), today=today, early=early)
    _interrupted_runs_close(now=now, event=event)
    run = ShredRun.objects.create(
        event=event,
        started_at=now,
        trigger=ShredRun.Trigger.STAFF if actor is not None else ShredRun.Trigger.SCHEDULE,
        triggered_by=actor,
        triggered_by_name=(actor.get_full_name() or actor.get_username()) if actor else "",
        removed={
            s.model_label: {"action": s.action, "fields": list(s.fields), "rows": 0} for s in steps
        },
    )
    removed = run.removed

    def on_batch(step, rows):
        removed[step.model_label]["rows"] += rows
        ShredRun.objects.filter(pk=run.pk).update(removed=removed)

    try:
        shredding.shred(
            event,
            ended_on=ended_on(event),
            today=today,
            batch_size=batch_size,
            on_batch=on_batch,
            early=early,
            marks=_marks(now),
        )
    except Exception:
        ShredRun.objects.filter(pk=run.pk).update(state=ShredRun.State.FAILED)
        raise
    with transaction.atomic():
        event_data_done = any(
            d.retention.after_event
            for s in steps
            for d in s.declaration.per_event_fields().values()
        )
        if event_data_done and event.shredded_at is None:
            Event.objects.filter(pk=event.pk, shredded_at__isnull=True).update(shredded_at=now)
            event.shredded_at = now
        run.state = ShredRun.State.FINISHED
        run.finished_at = timezone.now()
        run.removed = removed
        run.save(update_fields=["state", "finished_at", "removed"])
    return run


#: A run still "running" this long after it started had its worker killed: a run does an
#: event of 10,000 registrations in seconds, and batches commit as they go.
STALE_RUN = datetime.timedelta(hours=6)


def _interrupted_runs_close(*, now: datetime.datetime, event: Event | None = None) -> int:
    """Mark runs whose worker died (the event's, or all) as interrupted, so the log does not
    show them running for ever (what they removed is counted already: counts commit with each
    batch). The daily job and every new run do it."""
    runs = ShredRun.objects.filter(state=ShredRun.State.RUNNING, started_at__lt=now - STALE_RUN)
    if event is not None:
        runs = runs.filter(event=event)
    return runs.update(state=ShredRun.State.INTERRUPTED)


def shred_due(*, today: datetime.date | None = None) -> list[ShredRun]:
    """The daily job: a run for every event that has ended and has something due (its event
    data after its days, its billing details after their hold). An event whose run fails is
    logged and left for the next day; the others go on."""
    today = today or timezone.localdate()
    _interrupted_runs_close(now=timezone.now())
    runs = []
    for event in Event.objects.filter(ends_at__lt=timezone.now()).order_by("ends_at", "pk"):
        if not any(line.rows for line in shred_preview(event=event, today=today)):
            continue
        try:
            runs.append(shred_event(event=event, today=today))
        except Exception:
            logger.exception("Shredding event %s failed; the next run tries again.", event.pk)
    return runs


@shared_task(name="events.shred_due")
def shred_due_task() -> int:
    """The beat job (daily): runs ``shred_due``; returns the number of events shredded."""
    return len(shred_due())

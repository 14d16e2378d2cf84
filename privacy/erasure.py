"""Erasing a person (GDPR Art. 17) as the declarations say: the engine the portal's rights
requests wrap in their workflow.

``erasure_plan`` previews what ``contact_erase`` will do: per model, rows deleted, rows whose
fields are replaced, and fields kept under a legal hold with the law and the date the hold ends.
``contact_erase`` does it in one transaction per person: set-based per model (one DELETE or
UPDATE each), the audit entries about the person redacted, one audit entry saying the person was
erased (without their values), and the person's row marked erased. A second call finds nothing
to do and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from crm import audit as crm_audit
from crm import bulk

from . import audit
from .declarations import (
    REDACTED,
    SUBJECT_MODEL,
    ErasureAction,
    ModelDeclaration,
    RowErasure,
    field_label,
    registry,
)
from .selectors import about_rows_query, people_ids, subject_ids, subject_rows


@dataclass(frozen=True)
class KeptField:
    """A value erasure keeps: under which law, and until when the hold lasts."""

    field: str
    label: str
    law: str
    until: datetime.date


@dataclass(frozen=True)
class ModelPlan:
    model_label: str
    model_name: str
    erase: RowErasure
    #: Rows of the person's in this model.
    rows: int
    #: Rows erasure deletes (``RowErasure.DELETE``).
    deleted: int
    #: Rows whose values erasure replaces or redacts (those not already done).
    anonymised: int
    #: Fields whose values are replaced (or redacted) in the anonymised rows.
    replaced: tuple[str, ...]
    kept: tuple[KeptField, ...]

    @property
    def changes_anything(self) -> bool:
        return bool(self.deleted or self.anonymised)

    @property
    def replaced_labels(self) -> list[str]:
        """The replaced fields as staff read them in the preview (not their code names)."""
        model = apps.get_model(self.model_label)
        return [field_label(model, name) for name in self.replaced]


@dataclass(frozen=True)
class ErasurePlan:
    contact_id: int
    models: tuple[ModelPlan, ...]

    @property
    def changes_anything(self) -> bool:
        return any(m.changes_anything for m in self.models)


def _ordered_declarations() -> list[ModelDeclaration]:
    """The order erasure goes in: the audit trail first (its entries are found through the rows
    they are about), then rows reached through other rows, then direct rows, the person last."""

    def depth(d: ModelDeclaration) -> int:
        if d.about_rows:
            return -1
        return -(d.subject.count("__") + 1) if d.subject else 0

    return sorted(
        (d for d in registry if d.subject is not None and d.erase is not None),
        key=lambda d: (depth(d), d.model_label),
    )


def _rows(declaration: ModelDeclaration, contact, ids) -> models.QuerySet:
    if declaration.about_rows:
        return about_rows_query(declaration, contact, ids)
    return subject_rows(declaration, contact, ids)


def _delete(rows: models.QuerySet) -> None:
    """Delete through Django's collector (cascades and signals as the relations say), loading
    only the keys: the rows' values are what is being erased, and loading them all made deleting
    a batch's memberships cost more than everything else the batch did."""
    rows.only("pk").delete()


def _replacements(declaration: ModelDeclaration) -> dict[str, object]:
    """{field: value} that anonymising writes (a redacted copy is marked, not replaced)."""
    return {
        name: d.erasure.value
        for name, d in declaration.held_fields().items()
        if d.erasure is not None and d.erasure.action is ErasureAction.REPLACE
    }


def _not_yet_done(declaration: ModelDeclaration, rows: models.QuerySet) -> models.QuerySet:
    if declaration.erase is RowErasure.REDACT:
        return audit.not_redacted(rows)
    replacements = _replacements(declaration)
    if not replacements:
        # Every field is kept under a legal hold (the consent ledger): nothing to anonymise.
        return rows.none()
    done = Q()
    for name, value in replacements.items():
        done &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return rows.exclude(done)


def _kept(declaration: ModelDeclaration, rows, now) -> tuple[KeptField, ...]:
    kept = []
    for name, d in declaration.held_fields().items():
        if d.erasure is None or d.erasure.action is not ErasureAction.KEEP:
            continue
        start = now
        if d.erasure.counted_from:
            latest = rows.aggregate(latest=Max(d.erasure.counted_from))["latest"]
            start = latest or now
        if isinstance(start, datetime.datetime):
            start = start.date()
        kept.append(
            KeptField(
                field=name,
                label=field_label(declaration.model, name),
                law=str(d.erasure.law),
                until=d.erasure.until(start),
            )
        )
    return tuple(kept)


def _plan(contact, ids, now) -> ErasurePlan:
    plans = []
    for declaration in _ordered_declarations():
        rows = _rows(declaration, contact, ids)
        count = rows.count()
        if not count:
            continue
        deleting = declaration.erase is RowErasure.DELETE
        replaced = (
            ()
            if deleting
            else tuple(
                name
                for name, d in declaration.held_fields().items()
                if d.erasure is not None and d.erasure.action is not ErasureAction.KEEP
            )
        )
        plans.append(
            ModelPlan(
                model_label=declaration.model_label,
                model_name=str(declaration.model._meta.verbose_name),
                erase=declaration.erase,
                rows=count,
                deleted=count if deleting else 0,
                anonymised=0 if deleting else _not_yet_done(declaration, rows).count(),
                replaced=replaced,
                kept=() if deleting else _kept(declaration, rows, now),
            )
        )
    return ErasurePlan(contact_id=contact.pk, models=tuple(plans))


def erasure_plan(*, contact) -> ErasurePlan:
    """What erasing ``contact`` would delete, replace and keep (and why, and until when),
    without changing anything: the preview staff approve."""
    return _plan(contact, subject_ids(contact), timezone.now())


@transaction.atomic(durable=True)
def contact_erase(*, contact, actor) -> ErasurePlan:
    """Erase a person as the declarations say, all or nothing; returns what was done.

    The outermost transaction (``durable``): a worker killed at any moment leaves the person
    either untouched or fully erased. Deletions and replacements are written without auditlog's
    signals, which would copy the very values being erased into new entries; instead one entry
    records the erasure, naming the fields replaced but not their old values.
    """
    return contact_erase_in_transaction(contact=contact, actor=actor)


def contact_erase_in_transaction(*, contact, actor) -> ErasurePlan:
    """``contact_erase`` inside the caller's transaction, for a job that must commit more with
    it (a rights request's erasure completes the request and suppresses the address in the
    same transaction). The caller's transaction must be the outermost one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("contact_erase_in_transaction needs the caller's transaction.")
    subject = registry.get(type(contact))
    contact = subject.model._base_manager.select_for_update().get(pk=contact.pk)
    now = timezone.now()
    ids = subject_ids(contact)
    plan = _plan(contact, ids, now)
    if not plan.changes_anything:
        return plan
    by_label = {p.model_label: p for p in plan.models}
    with disable_auditlog():
        for declaration in _ordered_declarations():
            if declaration.model_label not in by_label:
                continue
            rows = _rows(declaration, contact, ids)
            if declaration.erase is RowErasure.DELETE:
                _delete(rows)
            elif declaration.erase is RowErasure.REDACT:
                audit.audit_entries_redact(entries=rows, now=now)
            else:
                rows.update(**_replacements(declaration))
    contact.refresh_from_db()
    _log_erasure(contact=contact, actor=actor, plan=plan, now=now)
    return plan


def _log_erasure(*, contact, actor, plan: ErasurePlan, now) -> None:
    """One entry on the person's row: that they were erased, by whom, when, which of their
    fields were replaced and how many rows each model lost, and no value of theirs."""
    own = next((p for p in plan.models if p.model_label == contact._meta.label), None)
    replaced = own.replaced if own else ()
    replacements = _replacements(registry.get(type(contact)))
    # Shown as the erased person's row is named (str(): Contact.__str__ of an erased person
    # returns a lazy translation, which str(contact) refuses).
    shown = str(contact.name_of(contact.first_name, contact.last_name))
    entry = LogEntry(
        **crm_audit.entry_row(
            ContentType.objects.get_for_model(contact).pk,
            contact.pk,
            shown,
            LogEntry.Action.UPDATE,
            changes={
                name: [REDACTED, None if value is None else str(value)]
                for name, value in replacements.items()
                if name in replaced
            },
            actor_id=getattr(actor, "pk", None),
            actor_email=getattr(actor, "email", None),
            extra={
                "erased": True,
                # Holds no value about the person: later redactions pass it by.
                "redacted": True,
                "redacted_at": now.isoformat(),
                "rows": {
                    p.model_label: {"deleted": p.deleted, "anonymised": p.anonymised}
                    for p in plan.models
                },
            },
        )
    )
    entry.save()  # save(), not bulk: auditlog's request context adds the staff's address


def people_erase(*, contact_ids, actor, now=None) -> list[int]:
    """Erase many people in ONE transaction of whole people, set-based: one DELETE or UPDATE
    per declared model for all of them (the batch erasure job and the benchmark).

    The people are locked first (``FOR UPDATE SKIP LOCKED``): a person another worker is
    erasing right now is left to it, and people already erased are passed by, so a rerun of a
    killed job erases each person exactly once. The caller's transaction is the unit: killed
    at any moment, each person of the batch is either untouched or fully erased. Returns the
    ids erased now.
    """
    subject = registry.get(SUBJECT_MODEL)
    model = subject.model
    now = now or timezone.now()
    erased = model.SubjectCategory.ERASED
    with transaction.atomic():
        people = list(
            model._base_manager.filter(pk__in=list(contact_ids))
            .exclude(subject_category=erased)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not people:
            return []
        ids = people_ids(people)
        with disable_auditlog():
            for declaration in _ordered_declarations():
                rows = _rows(declaration, None, ids)
                if declaration.erase is RowErasure.DELETE:
                    _delete(rows)
                elif declaration.erase is RowErasure.REDACT:
                    audit.audit_entries_redact(entries=rows, now=now)
                else:
                    replacements = _replacements(declaration)
                    if replacements:
                        _not_yet_done(declaration, rows).update(**replacements)
        _log_erasures(people=people, actor=actor, now=now)
    return people


def _log_erasures(*, people, actor, now) -> None:
    """The batch's erasure entries, one per person, as ``_log_erasure`` writes them for one
    (which of their fields were replaced; no value of theirs), in one INSERT."""
    subject = registry.get(SUBJECT_MODEL)
    replacements = _replacements(subject)
    changes = {
        name: [REDACTED, None if value is None else str(value)]
        for name, value in replacements.items()
    }
    type_id = ContentType.objects.get_for_model(subject.model).pk
    # Named as an erased person is named (no name), never by the name just erased.
    shown = str(subject.model.name_of("", ""))
    # Streamed as plain rows (COPY on PostgreSQL), as the import writes its entries.
    bulk.insert_dicts(
        LogEntry,
        [
            crm_audit.entry_row(
                type_id,
                pk,
                shown,
                LogEntry.Action.UPDATE,
                changes=changes,
                actor_id=getattr(actor, "pk", None),
                actor_email=getattr(actor, "email", None),
                extra={
                    "erased": True,
                    "redacted": True,
                    "redacted_at": now.isoformat(),
                    "batch": True,
                },
                timestamp=now,
            )
            for pk in people
        ],
    )

"""Erasure as a job: a rights request's erasure after staff approve its preview, and the batch
erasure of many people (privacy.erasure does the erasing itself).

Both are safe to kill and to run again: one person (``erasure_run``) or one batch of whole
people (``erasure_batch_run``) is one transaction, a person already erased is passed by, and
mails go only after the commit.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .erasure import contact_erase_in_transaction, people_erase

logger = logging.getLogger(__name__)


def erasure_batch_run(*, contact_ids, actor=None, batch_size: int | None = None) -> int:
    """Erase these people (a list of ids or a queryset of contacts), ``batch_size`` whole people
    per transaction. Re-runnable: people already erased are skipped. Returns how many were
    erased by this run."""
    ids = _ids(contact_ids)
    batch_size = batch_size or settings.PRIVACY_ERASURE_BATCH_SIZE
    done = 0
    for start in range(0, len(ids), batch_size):
        done += len(people_erase(contact_ids=ids[start : start + batch_size], actor=actor))
    return done


def _ids(contact_ids) -> list[int]:
    if hasattr(contact_ids, "values_list"):
        return list(contact_ids.order_by("pk").values_list("pk", flat=True))
    return sorted({int(pk) for pk in contact_ids})


@shared_task(name="privacy.erasure_batch", acks_late=True)
def erasure_batch_task(contact_ids: list[int], actor_id: int | None = None) -> int:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    done = erasure_batch_run(
        contact_ids=contact_ids,
        actor=actor,
        batch_size=settings.PRIVACY_ERASURE_BATCH_SIZE,
    )
    logger.info("Erased %d of %d people", done, len(contact_ids))
    return done


# --- A rights request's erasure ---------------------------------------------------------------

ERASABLE_STATES = ("identity_verified", "in_progress", "extended")


class ErasureRefused(Exception):
    """The request cannot be approved for erasure now (wrong type or state, no person)."""


def erasure_approve(*, request, actor):
    """Staff approve the erasure after the preview (``erasure_plan``): recorded on the request
    (who and when, as a transition to in progress), and the job is queued when this commits."""
    from .models import RightsRequest
    from .requests import request_job_queue, request_transition

    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        if request.type != RightsRequest.Type.ERASURE:
            raise ErasureRefused(_("This request is not an erasure request."))
        if request.state not in ERASABLE_STATES:
            raise ErasureRefused(
                _("Only an open request whose identity is verified can be approved.")
            )
        if request.contact_id is None:
            raise ErasureRefused(_("The request names no person in the register."))
        now = timezone.now()
        request.payload = {
            **(request.payload or {}),
            "erasure_approved_at": now.isoformat(),
            "erasure_approved_by": getattr(actor, "pk", None),
        }
        request.save(update_fields=["payload"])
        note = _("Erasure approved after the preview.")
        if request.state != RightsRequest.State.IN_PROGRESS:
            request_transition(
                request=request, to=RightsRequest.State.IN_PROGRESS, actor=actor, note=note
            )
        # Through the request's job (privacy.tasks.rights_request_run → erasure_run), so the
        # sweeper re-sends it if the broker loses it.
        request_job_queue(request=request)
    return request


def erasure_run(*, request) -> bool:
    """Erase the request's person, suppress their address for marketing and complete the
    request, all in ONE transaction; then mail the confirmation to the address they had.

    Idempotent: a completed request, or one not approved, is left alone, so a second delivery
    of the task (a killed worker's, the sweeper's) does nothing. Returns whether it erased.
    """
    from .models import RightsRequest
    from .requests import request_transition
    from .suppression import suppression_add

    with transaction.atomic(durable=True):
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        if (
            request.type != RightsRequest.Type.ERASURE
            or request.state not in ERASABLE_STATES
            or not (request.payload or {}).get("erasure_approved_at")
            or request.contact_id is None
        ):
            return False
        contact = request.contact
        # Read before the erasure replaces them: where and in which language to confirm.
        address = contact.email or request.email
        language = contact.preferred_language or request.language
        approver = (
            get_user_model().objects.filter(pk=request.payload.get("erasure_approved_by")).first()
        )
        plan = contact_erase_in_transaction(contact=contact, actor=approver)
        if address:
            suppression_add(email=address, reason="erasure")
        request.refresh_from_db()
        request_transition(
            request=request,
            to=RightsRequest.State.COMPLETED,
            actor="system (erasure)",
            note=_("Erased: %(rows)s rows deleted, %(anonymised)s anonymised.")
            % {
                "rows": sum(m.deleted for m in plan.models),
                "anonymised": sum(m.anonymised for m in plan.models),
            },
        )
        if address:
            kept = [k for m in plan.models for k in m.kept]
            transaction.on_commit(
                lambda: _confirmation_send(address=address, language=language, kept=kept)
            )
    return True


def _confirmation_send(*, address: str, language: str, kept) -> None:
    with translation.override(language):
        subject = _("Your data has been erased")
        body = render_to_string(
            "privacy/mail/erasure_done.txt",
            {
                "kept": _kept_summary(kept),
                "controller": settings.CONTROLLER_NAME,
                "privacy_email": settings.PRIVACY_CONTACT_EMAIL,
            },
        )
    EmailMessage(
        subject=str(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"X-Rekisteri-Mail-Kind": "service"},
    ).send()


def _kept_summary(kept) -> list[dict]:
    """What the law makes us keep, once per law and end date (not per field)."""
    seen = {}
    for k in kept:
        key = (k.law, k.until)
        seen.setdefault(key, {"law": k.law, "until": k.until, "fields": []})["fields"].append(
            k.label
        )
    return sorted(seen.values(), key=lambda x: x["until"])


@shared_task(name="privacy.erasure_run", acks_late=True)
def erasure_run_task(request_id: int) -> bool:
    from .models import RightsRequest

    request = RightsRequest.objects.filter(pk=request_id).first()
    return erasure_run(request=request) if request is not None else False

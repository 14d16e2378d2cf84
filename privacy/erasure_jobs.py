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

from .erasure import people_erase

logger = logging.getLogger(__name__)

#: People erased per transaction when no size is given (the job reads
#: PRIVACY_ERASURE_BATCH_SIZE): a killed worker rolls back at most one batch of whole people, and
#: a batch is one statement per declared model.
ERASURE_BATCH_SIZE = 200


def erasure_batch_run(*, contact_ids, actor=None, batch_size: int = ERASURE_BATCH_SIZE) -> int:
    """Erase these people (a list of ids or a queryset of contacts), ``batch_size`` whole people
    per transaction. Re-runnable: people already erased are skipped. Returns how many were
    erased by this run."""
    ids = _ids(contact_ids)
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

"""Consent figures: the expiry job against a raw SQL UPDATE of the same rows, the streamed
audience export, and a mailing into Django's locmem email backend.

Each figure makes its own consents on the people the stages seeded (the first 300,000).
"""

from __future__ import annotations

import datetime
import time
import tracemalloc

from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from consent import selectors, services
from consent.models import ConsentState, Mailing, Purpose
from crm.models import Contact
from privacy.csv import csv_lines
from privacy.suppression import suppression_add

from .figures import at_least, at_most, figure, measured, stopwatch

EXPIRY_ROWS = 300_000
EXPORT_ROWS = 300_000
MAILING_ROWS = 100_000


def _purpose(code: str) -> Purpose:
    purpose, _created = Purpose.objects.get_or_create(
        code=code, defaults={"name_fi": f"Bench {code}", "validity_days": 730}
    )
    services.consent_text_publish(purpose=purpose, text_fi="Haluan uutiskirjeen.")
    return purpose


def _consents(purpose: Purpose, rows: int, *, expires_at) -> int:
    """``rows`` valid consents for the first people, written in one INSERT ... SELECT (setup,
    not measured)."""
    Contact.objects.filter(subject_category=Contact.SubjectCategory.ERASED).update(
        subject_category=Contact.SubjectCategory.CUSTOMER
    )
    text = purpose.current_text()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM consent_consentstate WHERE purpose_id = %s", [purpose.pk])
        cursor.execute(
            """
            INSERT INTO consent_consentstate
                (contact_id, purpose_id, status, text_id, given_at, expires_at, changed_at)
            SELECT id, %s, 'valid', %s, now(), %s, now()
            FROM crm_contact WHERE email <> '' ORDER BY id LIMIT %s
            """,
            [purpose.pk, text.pk, expires_at, rows],
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE consent_consentstate")
    return count


@figure
def consent_expiry():
    purpose = _purpose("bench-expiry")
    now = timezone.now()
    due = _consents(purpose, EXPIRY_ROWS, expires_at=now - datetime.timedelta(days=1))
    with stopwatch() as elapsed:
        expired = services.consent_expire_due(now=now)
    seconds = elapsed()
    assert expired == due, (expired, due)
    # The same rows made due again, then one raw UPDATE of them (rolled back): the floor.
    ConsentState.objects.filter(purpose=purpose).update(status="valid")
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            "UPDATE consent_consentstate SET status = 'expired', changed_at = %s "
            "WHERE purpose_id = %s AND status = 'valid' AND expires_at <= %s",
            [now, purpose.pk, now],
        )
        raw = time.perf_counter() - start
        assert cursor.rowcount == due
        transaction.set_rollback(True)
    ConsentState.objects.filter(purpose=purpose).update(status="expired")
    return [
        measured("consent expiry of 300,000 due consents", due / seconds, "consents/s"),
        measured("consent expiry of 300,000 due consents: wall time", seconds, "s"),
        measured(
            "consent expiry of 300,000: ratio to a raw SQL UPDATE of the same rows",
            raw / seconds,
            "ratio",
            at_least(0.25),
        ),
        measured("consent expiry of 300,000: raw SQL UPDATE, wall time", raw, "s"),
    ]


def _export(purpose) -> int:
    rows = (
        selectors.audience(purpose=purpose)
        .order_by("pk")
        .values_list("first_name", "last_name", "email", "preferred_language")
        .iterator(chunk_size=2000)
    )
    written = 0
    for line in csv_lines(["first name", "last name", "email", "language"], rows):
        written += len(line.encode())
    return written


@figure
def audience_export():
    purpose = _purpose("bench-export")
    rows = _consents(purpose, EXPORT_ROWS, expires_at=timezone.now() + datetime.timedelta(days=365))
    # A register in use has suppressed addresses: every candidate's address is then checked
    # against the list (consent.selectors._excluded), which is part of what is measured.
    suppression_add(email="erased-long-ago@bench.example.com", reason="erasure")
    with stopwatch() as elapsed:
        _export(purpose)
    seconds = elapsed()
    tracemalloc.start()
    _export(purpose)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        measured("audience export of 300,000 valid consents", rows / seconds, "rows/s"),
        measured(
            "audience export of 300,000 valid consents: peak memory (tracemalloc)",
            peak / 1024 / 1024,
            "MB",
            at_most(100),
        ),
    ]


class _DroppingLocmem(locmem.EmailBackend):
    """Django's locmem backend, with the outbox emptied every 1,000 mails: a bench must not
    hold 100,000 messages."""

    sent = 0

    def send_messages(self, messages):
        count = super().send_messages(messages)
        if len(mail.outbox) >= 1000:
            type(self).sent += len(mail.outbox)
            mail.outbox.clear()
        return count


@figure
def mailing_send():
    purpose = _purpose("bench-mailing")
    rows = _consents(
        purpose, MAILING_ROWS, expires_at=timezone.now() + datetime.timedelta(days=365)
    )
    mailing = Mailing.objects.create(
        purpose=purpose, subject_fi="Bench", body_fi="Hei!\n\nUutiskirje https://example.com"
    )
    mail.outbox = []
    _DroppingLocmem.sent = 0
    with override_settings(EMAIL_BACKEND="bench.consent._DroppingLocmem"):
        with stopwatch() as elapsed:
            # Queued on commit: in-process here, as CELERY_TASK_ALWAYS_EAGER runs it.
            services.mailing_send(mailing=mailing, actor=None)
            mailing = services.mailing_deliver(mailing_id=mailing.pk)
        seconds = elapsed()
    sent = _DroppingLocmem.sent + len(mail.outbox)
    mail.outbox.clear()
    assert mailing.sent_count == rows, (mailing.sent_count, rows)
    return [
        measured("mailing to 100,000 people into the locmem backend", sent / seconds, "mails/s"),
        measured("mailing to 100,000 people: wall time", seconds, "s"),
    ]

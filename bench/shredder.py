"""The event data shredder: an event with 10,000 registrations (two answers each, one of them a
choice) shredded by the shredder, against raw SQL doing the same deletes and updates on an
identical event in the same run.

The ratio is raw SQL's time over the shredder's: 1.0 would be as fast as hand-written SQL. The
shredder pays for reading the declarations, batches of 2,000 rows each in its own transaction
with ``FOR UPDATE SKIP LOCKED`` and the run log written per batch; that is what makes it safe to
kill.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone

from events import shredder
from events.models import Choice, Event, Question

from .figures import at_least, figure, measured, stopwatch

REGISTRATIONS = 10_000


def _event(label: str) -> tuple[Event, Question, Question, Choice]:
    ends = timezone.now() - datetime.timedelta(days=400)
    event = Event.objects.create(
        slug=f"bench-shred-{label}-{Event.objects.count()}",
        title_fi="Suurtapahtuma",
        organiser_unit="Bench",
        contact_name="Bench",
        contact_email="bench@example.com",
        starts_at=ends - datetime.timedelta(hours=8),
        ends_at=ends,
        capacity=REGISTRATIONS,
        registration_opens_at=ends - datetime.timedelta(days=90),
        registration_closes_at=ends - datetime.timedelta(days=1),
        retention_days=180,
    )
    diet = Question.objects.create(
        event=event, text_fi="Ruokavalio", sensitive=True, consent_text_fi="Suostun."
    )
    shirt = Question.objects.create(event=event, kind=Question.Kind.SINGLE_CHOICE, text_fi="Koko")
    size = Choice.objects.create(question=shirt, label_fi="M")
    return event, diet, shirt, size


def _fill(event, diet, shirt, size) -> int:
    """10,000 registrations of the first people with their answers (setup, not measured)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO events_registration
                (event_id, contact_id, status, registered_at, source, language, networking,
                 share_email, share_phone, share_organisation, partner_consent, checked_in_at,
                 check_in_note, link_key, stat_relationship, stat_registered_on,
                 organisation_name, job_title)
            SELECT %s, id, 'attended', now(), 'public_form', 'fi', true, true, false, true,
                   false, now(), 'Nimikyltti', md5(id::text), 'customer', current_date, 'Oy', ''
            FROM crm_contact ORDER BY id LIMIT %s
            """,
            [event.pk, REGISTRATIONS],
        )
        count = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO events_answer (registration_id, question_id, text, sensitive_consent_at)
            SELECT id, %s, 'gluteeniton', now() FROM events_registration WHERE event_id = %s
            """,
            [diet.pk, event.pk],
        )
        cursor.execute(
            """
            INSERT INTO events_answer (registration_id, question_id, text)
            SELECT id, %s, '' FROM events_registration WHERE event_id = %s
            """,
            [shirt.pk, event.pk],
        )
        cursor.execute(
            """
            INSERT INTO events_answer_choices (answer_id, choice_id)
            SELECT a.id, %s FROM events_answer a WHERE a.question_id = %s
            """,
            [size.pk, shirt.pk],
        )
        cursor.execute("ANALYZE events_registration")
        cursor.execute("ANALYZE events_answer")
        cursor.execute("ANALYZE events_answer_choices")
    return count


RAW = [
    """DELETE FROM events_answer_choices WHERE answer_id IN (
           SELECT a.id FROM events_answer a JOIN events_registration r ON r.id = a.registration_id
           WHERE r.event_id = %(event)s)""",
    """DELETE FROM events_answer WHERE registration_id IN (
           SELECT id FROM events_registration WHERE event_id = %(event)s)""",
    """DELETE FROM events_disclosedperson WHERE disclosure_id IN (
           SELECT id FROM events_disclosure WHERE event_id = %(event)s)""",
    """UPDATE events_registration SET contact_id = NULL, registered_at = NULL,
           cancelled_at = NULL, language = 'fi', networking = false, share_email = false,
           share_phone = false, share_organisation = false, partner_consent = false,
           checked_in_at = NULL, check_in_note = '', link_key = '', anonymised_at = now()
       WHERE event_id = %(event)s""",
]


def _raw(event) -> None:
    with connection.cursor() as cursor:
        for sql in RAW:
            cursor.execute(sql, {"event": event.pk})


@figure
def event_shredding():
    shredded, *questions = _event("orm")
    rows = _fill(shredded, *questions)
    raw_event, *raw_questions = _event("raw")
    _fill(raw_event, *raw_questions)

    with stopwatch() as elapsed:
        run = shredder.shred_event(event=shredded)
    seconds = elapsed()
    assert run.removed["events.Registration"]["rows"] == rows
    with stopwatch() as elapsed_raw:
        _raw(raw_event)
    raw = elapsed_raw()
    return [
        measured(f"event shredder, {rows:,} registrations: wall time", seconds, "s"),
        measured(f"event shredder, {rows:,} registrations", rows / seconds, "rows/s"),
        measured(
            f"event shredder ({rows:,} registrations): shred ratio to raw SQL of the same "
            "deletes and updates",
            raw / seconds,
            "ratio",
            at_least(0.2),
        ),
        measured(f"event shredder, {rows:,} registrations: raw SQL wall time", raw, "s"),
    ]

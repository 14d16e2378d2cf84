"""Privacy job figures: the export of one person with 10,000 records (seconds, queries, peak
memory) and the batch erasure of 10,000 people against raw SQL of the same statements.

Run alone with BENCH_MODULES=bench.foundation,bench.privacy_jobs BENCH_STAGES=20000.
"""

from __future__ import annotations

import io
import time
import tracemalloc

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crm.models import Contact, Membership, Organisation
from privacy.erasure_jobs import erasure_batch_run
from privacy.export import export_write

from .figures import at_least, at_most, figure, measured, stopwatch

EXPORT_RECORDS = 10_000
ERASED_PEOPLE = 10_000


def _person_with(records: int) -> Contact:
    organisation = Organisation.objects.create(name="Bench Oy")
    person = Contact.objects.create(
        first_name="Åsa", last_name="Öberg", email=f"asa{records}@bench.fi"
    )
    Membership.objects.bulk_create(
        [
            Membership(contact=person, organisation=organisation, job_title=f"Roll {i}")
            for i in range(records)
        ],
        batch_size=2000,
    )
    return person


def _export(person) -> int:
    target = io.BytesIO()
    export_write(contact=person, language="sv", target=target)
    return target.tell()


@figure
def export_of_one_person():
    small = _person_with(10)
    person = _person_with(EXPORT_RECORDS)
    _export(small)  # imports, fonts, translations
    with CaptureQueriesContext(connection) as few:
        _export(small)
    with CaptureQueriesContext(connection) as many, stopwatch() as elapsed:
        _export(person)
    seconds = elapsed()
    tracemalloc.start()
    _export(person)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        measured("export of one person with 10,000 records: wall time", seconds, "s", at_most(1)),
        measured("export of one person with 10,000 records: queries", len(many), "queries"),
        measured(
            "export: queries with 10,000 records minus with 10",
            len(many) - len(few),
            "queries",
            at_most(0),
        ),
        measured(
            "export of one person with 10,000 records: peak memory (tracemalloc)",
            peak / 1024 / 1024,
            "MB",
            at_most(150),
        ),
    ]


def _people(n: int, tag: str) -> list[int]:
    organisation = Organisation.objects.create(name=f"Erasure bench {tag} Oy")
    people = Contact.objects.bulk_create(
        [
            Contact(first_name=f"Eero{i}", last_name="Bench", email=f"eero{i}@{tag}.bench.fi")
            for i in range(n)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(contact=p, organisation=organisation, job_title="Tester") for p in people],
        batch_size=2000,
    )
    return [p.pk for p in people]


_RAW = [
    "DELETE FROM crm_membership WHERE contact_id = ANY(%(ids)s)",
    "DELETE FROM consent_consentstate WHERE contact_id = ANY(%(ids)s)",
    "UPDATE crm_contact SET first_name = '', last_name = '', email = '', phone = '', "
    "street_address = '', postal_code = '', post_office = '', nationality = '', "
    "municipality_id = NULL, preferred_language = 'fi', subject_category = 'erased', "
    "source = 'erased', source_detail = '', collected_at = NULL, created_at = NULL, "
    "updated_at = NULL WHERE id = ANY(%(ids)s)",
]


@figure
def erasure_of_many_people():
    ids = _people(ERASED_PEOPLE, "job")
    with stopwatch() as elapsed:
        erased = erasure_batch_run(contact_ids=ids, actor=None)
    seconds = elapsed()
    assert erased == len(ids), (erased, len(ids))
    # The floor: the same deletes and updates as raw SQL on fresh people, rolled back.
    raw_ids = _people(ERASED_PEOPLE, "raw")
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        for statement in _RAW:
            cursor.execute(statement, {"ids": raw_ids})
        raw = time.perf_counter() - start
        transaction.set_rollback(True)
    return [
        measured(
            "erasure of 10,000 people by the job", erased / seconds, "people/s", at_least(2000)
        ),
        measured("erasure of 10,000 people by the job: wall time", seconds, "s"),
        measured(
            "erasure of 10,000 people: ratio to raw SQL of the same deletes and updates",
            raw / seconds,
            "ratio",
            at_least(0.1),
        ),
        measured("erasure of 10,000 people: raw SQL, wall time", raw, "s"),
    ]

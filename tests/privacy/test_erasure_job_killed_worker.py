"""A worker killed with SIGKILL in the middle of an erasure job over 1,000 people: after a new
worker finishes the job, every person is fully erased exactly once and none is half-done.

Real worker processes through Redis on PostgreSQL (marked ``broker``; skipped only without
REDIS_URL or on SQLite, as the other broker tests). The first worker is killed once the
database shows that some batches have committed and others have not: no hook in the code.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from auditlog.models import LogEntry
from django.db import connection

from crm.models import Contact, Membership, Organisation
from privacy.erasure_jobs import erasure_batch_task

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 1_000

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
        reason="a worker process shares the test database only on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def _worker(queue: str) -> subprocess.Popen:
    env = os.environ.copy()
    # The worker reads the test database, and erases ten people per transaction so that the
    # kill lands between committed batches and an open one.
    parts = urlsplit(env["DATABASE_URL"])
    env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    env["PRIVACY_ERASURE_BATCH_SIZE"] = "10"
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _erased() -> int:
    return Contact.objects.filter(subject_category=Contact.SubjectCategory.ERASED).count()


def _wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _assert_each_person_untouched_or_fully_erased(ids, names):
    erased = set(
        Contact.objects.filter(pk__in=ids, subject_category="erased").values_list("pk", flat=True)
    )
    with_roles = set(
        Membership.objects.filter(contact_id__in=ids).values_list("contact_id", flat=True)
    )
    entries = {}
    for pk in LogEntry.objects.filter(object_id__in=ids, additional_data__erased=True).values_list(
        "object_id", flat=True
    ):
        entries[pk] = entries.get(pk, 0) + 1
    current = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "first_name"))
    for pk in ids:
        if pk in erased:
            assert pk not in with_roles and entries.get(pk) == 1 and current[pk] == "", pk
        else:
            assert pk in with_roles and pk not in entries and current[pk] == names[pk], pk
    return len(erased)


def test_a_killed_erasure_job_leaves_nobody_half_erased_and_the_rerun_erases_each_once(
    celery_conf,
):
    celery_conf(task_always_eager=False)
    organisation = Organisation.objects.create(name="Kill Test Oy")
    people = Contact.objects.bulk_create(
        [
            Contact(first_name=f"Kalle{i}", last_name="Tappo", email=f"kalle{i}@example.com")
            for i in range(PEOPLE)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(contact=p, organisation=organisation, job_title="Testaaja") for p in people]
    )
    ids = [p.pk for p in people]
    names = {p.pk: p.first_name for p in people}
    queue = f"test-erasure-{uuid.uuid4().hex}"

    first = _worker(queue)
    try:
        erasure_batch_task.apply_async(args=[ids], queue=queue)
        assert _wait_for(lambda: _erased() >= 100, timeout=180), "the first worker never started"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        _stop(first)

    halfway = _assert_each_person_untouched_or_fully_erased(ids, names)
    assert 100 <= halfway < PEOPLE, halfway

    # The job is sent again (the broker redelivers an unacknowledged task after its visibility
    # timeout; an operator or the sweeper sends it at once) and a new worker finishes it.
    second = _worker(queue)
    try:
        erasure_batch_task.apply_async(args=[ids], queue=queue)
        assert _wait_for(lambda: _erased() == PEOPLE, timeout=300), _erased()
    finally:
        _stop(second)

    assert _assert_each_person_untouched_or_fully_erased(ids, names) == PEOPLE

"""An import job runs exactly once and is never lost between the database and the broker."""

import datetime
import threading
import time

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from crm import tasks
from crm.imports import services as imports
from crm.models import Contact, ImportJob

pytestmark = pytest.mark.django_db


def _file(rows: int, start: int = 0) -> bytes:
    lines = ["Etunimi;Sukunimi;Sähköposti"]
    lines += [f"Etu{i};Suku{i};p{i}@example.com" for i in range(start, start + rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _uploader():
    return get_user_model().objects.create_user("tuoja", "tuoja@staff.example.com")


@pytest.fixture
def broker_loses_the_task(monkeypatch):
    """The import's task is sent when the job's transaction commits, and the broker drops it
    (it was down, or lost the message)."""
    lost = []
    monkeypatch.setattr(tasks.import_run_task, "delay", lambda job_id: lost.append(job_id))
    return lost


def _queue(job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_queue(job=job, mapping=job.mapping, skip_invalid=False)


def _sweep(django_capture_on_commit_callbacks) -> int:
    """The beat entry's task, with what it queues run as a worker would."""
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.import_jobs_requeue_task.delay().get()


def test_a_queued_import_whose_task_never_ran_is_sent_again(
    monkeypatch, settings, broker_loses_the_task, django_capture_on_commit_callbacks
):
    uploader = _uploader()
    lost = imports.import_upload(uploaded_by=uploader, file_name="a.csv", raw=_file(3))
    _queue(lost, django_capture_on_commit_callbacks)
    assert broker_loses_the_task == [lost.pk]
    later = timezone.now() + datetime.timedelta(seconds=settings.IMPORT_REQUEUE_AFTER_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the sweeper's threshold has passed
    fresh = imports.import_upload(uploaded_by=uploader, file_name="b.csv", raw=_file(2, 100))
    _queue(fresh, django_capture_on_commit_callbacks)  # lost too, but only just queued
    monkeypatch.undo()  # the broker works again (and time is back: sweep with `later` below)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert _sweep(django_capture_on_commit_callbacks) == 1

    lost.refresh_from_db()
    assert (lost.status, lost.created_count) == (ImportJob.Status.DONE, 3)
    fresh.refresh_from_db()
    assert fresh.status == ImportJob.Status.QUEUED
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "p0@example.com",
        "p1@example.com",
        "p2@example.com",
    }
    assert _sweep(django_capture_on_commit_callbacks) == 0  # a second sweep does nothing
    assert Contact.objects.count() == 3


def test_an_import_sent_again_while_it_runs_is_not_run_twice(
    monkeypatch, settings, broker_loses_the_task, django_capture_on_commit_callbacks
):
    job = imports.import_upload(uploaded_by=_uploader(), file_name="a.csv", raw=_file(3))
    _queue(job, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    later = timezone.now() + datetime.timedelta(seconds=settings.IMPORT_REQUEUE_AFTER_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert tasks.import_jobs_requeue_task.delay().get() == 1
    imports.import_run(job_id=job.pk)  # the first delivery arrives late after all
    for task in sent:
        task()  # the sweeper's delivery

    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 3)
    assert Contact.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the claim is a row lock (SELECT … FOR UPDATE SKIP LOCKED), which "
    "SQLite does not have; CI runs this on PostgreSQL",
)
def test_two_workers_given_the_same_import_at_once_import_it_once_on_postgresql():
    """Two deliveries of one task (the broker's redelivery and the sweeper's) reach two workers
    at the same moment, each with its own database connection: one imports, the other finds
    the job claimed and does nothing."""
    rows = 3_000  # long enough for the second worker to meet the first one's lock
    job = imports.import_upload(uploaded_by=_uploader(), file_name="a.csv", raw=_file(rows))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED, queued_at=timezone.now()
    )
    at_once = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            at_once.wait(timeout=30)
            outcome = imports.import_run(job_id=job.pk)
            outcomes.append((time.monotonic(), outcome))
        except Exception as error:  # reported by the assertions below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)

    assert not errors
    (_first_back, claimed_by_other), (_last_back, done) = sorted(outcomes, key=lambda o: o[0])
    # The worker that found the job claimed answered while the other was still importing:
    # it met the lock, not a finished job.
    assert claimed_by_other is None and done is not None
    assert (done.status, done.created_count) == (ImportJob.Status.DONE, rows)
    assert Contact.objects.count() == rows
    assert Contact.objects.values("email").distinct().count() == rows
    assert LogEntry.objects.filter(action=LogEntry.Action.CREATE).count() == rows

"""The audit trail is kept for AUDIT_RETENTION_DAYS and then deleted, in batches."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy.audit import audit_entries_purge
from privacy.tasks import audit_entries_purge_task
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _age(entries, days):
    LogEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        timestamp=timezone.now() - datetime.timedelta(days=days)
    )


def test_only_entries_past_the_period_go_and_in_several_batches(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    people = ContactFactory.create_batch(7)
    entries = list(LogEntry.objects.order_by("pk"))
    old, recent = entries[:5], entries[5:]
    _age(old, 31)
    _age(recent[:1], 29)

    with CaptureQueriesContext(connection) as queries:
        assert audit_entries_purge(batch_size=2) == 5

    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    entry_deletes = [sql for sql in deletes if '"auditlog_logentry"' in sql.split("WHERE")[0]]
    assert len(entry_deletes) == 3  # 2 + 2 + 1, each over its batch, never the whole table
    assert all("WHERE" in sql for sql in deletes)
    assert sorted(LogEntry.objects.values_list("pk", flat=True)) == [e.pk for e in recent]
    assert len(people) == 7


def test_running_it_again_changes_nothing(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    ContactFactory.create_batch(3)
    _age(LogEntry.objects.all()[:2], 40)
    audit_entries_purge()

    assert audit_entries_purge() == 0
    assert LogEntry.objects.count() == 1


def test_the_period_is_the_setting_and_beat_runs_the_job(settings):
    ContactFactory()
    _age(LogEntry.objects.all(), 700)

    assert audit_entries_purge() == 0  # 730 days by default
    settings.AUDIT_RETENTION_DAYS = 365
    assert audit_entries_purge_task.apply().get() == 1
    scheduled = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert audit_entries_purge_task.name in scheduled


def test_a_period_of_zero_days_is_refused_at_start():
    from tests.config.test_settings import PRODUCTION, _run

    result = _run(["manage.py", "check"], {**PRODUCTION, "AUDIT_RETENTION_DAYS": "0"})

    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be a positive number" in result.stderr

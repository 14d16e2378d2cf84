"""Privacy jobs: the audit trail's retention here; export, erasure and the sweeper arrive with
the portal issue."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import audit

HEARTBEAT_KEY = "rekisteri:worker-heartbeat"


@shared_task(name="privacy.tasks.worker_heartbeat", ignore_result=False)
def worker_heartbeat() -> str:
    """Beat runs this every minute; the timestamp shows operators that a worker is consuming."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=600)
    return now


@shared_task(name="privacy.audit_entries_purge")
def audit_entries_purge_task() -> int:
    """Beat runs this every hour: audit entries past AUDIT_RETENTION_DAYS are deleted."""
    return audit.audit_entries_purge()


@shared_task(name="privacy.breach_deadline_warn")
def breach_deadline_warn_task() -> int:
    """Beat runs this every 15 minutes: reminders of breaches whose 72-hour deadline nears."""
    from .services import breach_deadline_warn

    return breach_deadline_warn()

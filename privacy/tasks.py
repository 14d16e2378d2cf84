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


@shared_task(name="privacy.exports_purge")
def exports_purge_task() -> int:
    """Beat runs this every hour: expired data exports' files are removed."""
    from .export import exports_purge

    return exports_purge()


@shared_task(name="privacy.export_build", acks_late=True)
def export_build_task(request_id: int) -> bool:
    """Build an access or portability request's export (privacy.export.export_build)."""
    from .export import export_build
    from .models import RightsRequest

    request = RightsRequest.objects.filter(pk=request_id).first()
    return export_build(request=request) if request is not None else False


# The erasure jobs live beside the erasure engine; imported here so workers register them.
from .erasure_jobs import erasure_batch_task, erasure_run_task  # noqa: E402, F401

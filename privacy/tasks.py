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


# --- Rights requests (privacy.requests) ---------------------------------------------------------


@shared_task(name="privacy.tasks.rights_request_run", acks_late=True)
def rights_request_run(request_id: int) -> None:
    """The one task behind a rights request's job: dispatches by type (export, erasure)."""
    from .requests import rights_request_run as run

    run(request_id=request_id)


@shared_task(name="privacy.portal_link_mail")
def portal_link_mail(request_id: int, url: str) -> bool:
    """Mail the identity link, only when the address is in the register."""
    from .requests import link_mail_send

    return link_mail_send(request_id=request_id, url=url)


@shared_task(name="privacy.portal_link_reminder")
def portal_link_reminder(request_id: int, url: str) -> bool:
    from .requests import link_mail_send

    return link_mail_send(request_id=request_id, url=url, reminder=True)


@shared_task(name="privacy.portal_consents_mail")
def portal_consents_mail(email: str, language: str) -> bool:
    from .requests import consents_mail_send

    return consents_mail_send(email=email, language=language)


@shared_task(name="privacy.rights_requests_sweep")
def rights_requests_sweep() -> list[int]:
    """Beat, every two minutes: re-queue jobs of requests that never started."""
    from .requests import requests_sweep

    return requests_sweep()


@shared_task(name="privacy.rights_requests_remind")
def rights_requests_remind() -> int:
    """Beat, hourly: one reminder to people who never opened their identity link."""
    from .requests import requests_remind

    return requests_remind()


@shared_task(name="privacy.rights_requests_deadlines")
def rights_requests_deadlines() -> int:
    """Beat, daily: mail the DPO role when requests are overdue or due within 7 days."""
    from .requests import deadlines_mail

    return deadlines_mail()


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


@shared_task(name="privacy.breach_deadline_warn")
def breach_deadline_warn_task() -> int:
    """Beat runs this every 15 minutes: reminders of breaches whose 72-hour deadline nears."""
    from .services import breach_deadline_warn

    return breach_deadline_warn()

"""crm's jobs: thin wrappers that load by id and call a service."""

from celery import shared_task

from . import services


@shared_task(name="crm.import_run", acks_late=True)
def import_run_task(job_id: int) -> None:
    services.import_run(job_id=job_id)


@shared_task(name="crm.import_jobs_purge")
def import_jobs_purge_task() -> int:
    return services.import_jobs_purge()

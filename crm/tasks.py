"""crm's jobs: thin wrappers that load by id and call a service."""

from celery import shared_task

from .imports import services as imports


@shared_task(name="crm.import_run", acks_late=True)
def import_run_task(job_id: int) -> None:
    imports.import_run(job_id=job_id)


@shared_task(name="crm.import_jobs_requeue")
def import_jobs_requeue_task() -> int:
    return imports.import_jobs_requeue()


@shared_task(name="crm.import_jobs_purge")
def import_jobs_purge_task() -> int:
    return imports.import_jobs_purge()

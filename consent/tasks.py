"""Thin Celery tasks: they take ids and call consent.services (which are idempotent)."""

from celery import shared_task

from . import services


@shared_task(name="consent.mailing_deliver")
def mailing_deliver_task(mailing_id: int) -> None:
    services.mailing_deliver(mailing_id=mailing_id)


@shared_task(name="consent.mailings_resume")
def mailings_resume_task() -> None:
    services.mailings_resume()


@shared_task(name="consent.consents_expire")
def consents_expire_task() -> int:
    return services.consent_expire_due()


@shared_task(name="consent.renewal_reminders")
def renewal_reminders_task() -> int:
    return services.consent_renewal_reminders_send()


@shared_task(name="consent.sign_ups_purge")
def sign_ups_purge_task() -> int:
    return services.sign_ups_unconfirmed_purge()


@shared_task(name="consent.evidence_purge")
def evidence_purge_task() -> int:
    return services.consent_evidence_purge()

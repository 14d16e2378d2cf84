from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import BillingDetails, Choice, Event, Question, Recipient, Registration

        # Answers are not copied into the audit trail: they may be special-category data
        # (GDPR Art. 9), which the trail would keep after the shredder removed the answers.
        auditlog.register(Event)
        auditlog.register(Question)
        auditlog.register(Choice)
        auditlog.register(Recipient, m2m_fields={"questions"})
        auditlog.register(Registration, exclude_fields=["link_key"])
        auditlog.register(BillingDetails)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consents")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import ConsentText, Mailing, Purpose, Topic

        # The ledger is its own audit trail (append-only, with its evidence); the controller's
        # configuration and the mailings are audited as crm's rows are.
        auditlog.register(Purpose)
        auditlog.register(Topic)
        auditlog.register(ConsentText)
        auditlog.register(Mailing, m2m_fields={"topics"})

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import checks  # noqa: F401  (registers the system checks)

        # Each app declares its fields in <app>/personal_data.py; import them all, as the admin
        # imports admin.py modules, so the registry is complete before anything reads it.
        autodiscover_modules("personal_data")

        from auditlog.registry import auditlog

        from .models import Breach, Register, RegisterText

        # Who changed a register description or a breach record, and what: in the audit trail.
        auditlog.register(Register)
        auditlog.register(RegisterText)
        auditlog.register(Breach)

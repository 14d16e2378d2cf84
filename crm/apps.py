from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customer register")

    def ready(self):
        from .audit import register_models
        from .reference import sync_reference_data_after_migrate

        register_models()

        post_migrate.connect(sync_reference_data_after_migrate, sender=self)

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customer register")

    def ready(self):
        from .reference import sync_municipalities_after_migrate

        post_migrate.connect(sync_municipalities_after_migrate, sender=self)

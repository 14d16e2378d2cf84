from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_delete


class ConfigConfig(AppConfig):
    """The project package as an app: its admin module (staff accounts) and the staff account
    rules that must hold however an account is saved."""

    name = "config"

    def ready(self):
        from .staff_auth import end_sessions_of_deactivated_accounts, keep_who_acted

        post_save.connect(
            end_sessions_of_deactivated_accounts,
            sender=get_user_model(),
            dispatch_uid="config.end_sessions_of_deactivated_accounts",
        )
        pre_delete.connect(
            keep_who_acted, sender=get_user_model(), dispatch_uid="config.keep_who_acted"
        )

"""The staff accounts' admin: who may manage staff accounts and grant what.

It lives with the rest of the accounts code in config/ (the allauth adapter is in
config/accounts.py, sign-in and the second factor in config/staff_auth.py), not in crm: staff
accounts are not part of the register. ``config`` is an installed app only so that Django's
admin autodiscovery imports this module, after django.contrib.auth's own admin has registered
User; it has no models.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User


class StaffUserAdmin(UserAdmin):
    """Administrators manage staff accounts and their roles, but only a superuser can grant
    superuser status or single permissions, or change a superuser."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)

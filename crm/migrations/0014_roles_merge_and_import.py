"""Roles: merging needs its own permission; Marketing no longer imports (crm/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("crm", "0013_merge_permission")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

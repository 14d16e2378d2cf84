"""Roles gain the API-client permissions (crm/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("crm", "0008_api_client")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

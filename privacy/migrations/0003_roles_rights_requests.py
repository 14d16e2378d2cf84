"""The DPO and the Administrator see and handle rights requests (crm/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_rights_requests"),
        ("crm", "0022_interaction_staff_name"),
        ("consent", "0003_roles_read_purposes"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

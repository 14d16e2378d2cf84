"""Roles: the DPO and the administrator keep the register descriptions and the breach register
and print the reports (crm/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0020_registers_and_breaches"),
        ("crm", "0022_interaction_staff_name"),
        ("consent", "0004_event_purposes"),
        # The last roles sync of the graph: every permission of every role exists by now.
        ("events", "0010_roles_events"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

"""Roles get the events permissions: the event organiser runs events, sales sees which events
are on, the DPO reads the disclosure log and the shredder's runs (crm/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_registration_organisation_and_title"),
        ("consent", "0003_roles_read_purposes"),
        ("crm", "0022_interaction_staff_name"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

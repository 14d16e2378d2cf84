"""Everyone who reads a person's consent ledger may read the purposes and wordings its rows link
to (crm/roles.py)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_ledger_append_only_and_roles"),
        ("crm", "0020_folded_name_and_email_part_indexes"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

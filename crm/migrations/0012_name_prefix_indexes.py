"""Prefix indexes for the staff search by name (PostgreSQL only).

The search matches UPPER(name) LIKE 'PREFIX%' (Django's istartswith); a text_pattern_ops
expression index answers that without reading the table. SQLite (laptops) does without.
"""

from django.db import migrations

INDEXES = {
    "contact_first_name_prefix": "(UPPER(first_name::text)) text_pattern_ops",
    "contact_last_name_prefix": "(UPPER(last_name::text)) text_pattern_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON crm_contact ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0011_contact_merge")]

    operations = [migrations.RunPython(create, drop)]

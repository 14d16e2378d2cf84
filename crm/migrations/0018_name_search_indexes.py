"""Indexes that answer a name search from the index alone (PostgreSQL only).

The search first looks up which stored last names begin with what was typed, then filters on
those exact names: the list's name index returns the first page in order, and the result is
counted from the indexes without reading a million-row table. The prefix indexes now carry the
name itself, so that PostgreSQL answers both the look-up and a count of first names from the
index alone (it cannot use an expression index for an index-only scan unless the column is in
it). SQLite (laptops) does without.
"""

from django.db import migrations

INDEXES = {
    "contact_first_name_prefix": "(UPPER(first_name::text)) text_pattern_ops, first_name",
    "contact_last_name_prefix": "(UPPER(last_name::text)) text_pattern_ops, last_name",
}
BEFORE = {
    "contact_first_name_prefix": "(UPPER(first_name::text)) text_pattern_ops",
    "contact_last_name_prefix": "(UPPER(last_name::text)) text_pattern_ops",
}


def _replace(schema_editor, drop, create) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, expression in create.items():
        schema_editor.execute(f"CREATE INDEX {name} ON crm_contact ({expression})")


def forwards(apps, schema_editor):
    _replace(schema_editor, INDEXES, INDEXES)


def backwards(apps, schema_editor):
    _replace(schema_editor, INDEXES, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("crm", "0017_identity_code_guard_on_every_text_field")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Indexes for a search that ignores the marks of ä, ö, å and the like, and finds an address by
its beginning or its domain (PostgreSQL only; SQLite, on laptops, does without).

The name indexes of 0018 matched UPPER(name); a search now matches the name in upper case with
its accented letters as plain ones (crm.selectors.Folded, "Grönroos" -> "GRONROOS"), so they
are replaced by indexes of that expression, which carry the name too so that PostgreSQL answers
the look-up of matching last names and the count of first names from the index alone. An
address is matched by its beginning (email LIKE 'heli.aalto%') and by its domain
(split_part(email, '@', 2) LIKE 'example.com%'); the domain index carries the address for the
same reason. The letters are written out here, not imported: a migration must not change when
the code does (tests/crm/test_search.py checks that they agree with crm.selectors).
"""

from django.db import migrations

FOLD_FROM = "ÅÄÖÜÉÈÁÀÂÊÎÔÛËÏÇÑŠŽÕØÍÓÚÝåäöüéèáàâêîôûëïçñšžõøíóúý"
FOLD_TO = "AAOUEEAAAEIOUEICNSZOOIOUY" * 2


def _folded(column: str) -> str:
    return f"(translate(UPPER({column}::text), '{FOLD_FROM}', '{FOLD_TO}')) text_pattern_ops"


INDEXES = {
    "contact_first_name_folded": f"{_folded('first_name')}, first_name",
    "contact_last_name_folded": f"{_folded('last_name')}, last_name",
    "contact_email_prefix": "email varchar_pattern_ops",
    "contact_email_domain": "(split_part(email::text, '@', 2)) text_pattern_ops, email",
}
BEFORE = {  # 0018's
    "contact_first_name_prefix": "(UPPER(first_name::text)) text_pattern_ops, first_name",
    "contact_last_name_prefix": "(UPPER(last_name::text)) text_pattern_ops, last_name",
}


def _replace(schema_editor, drop, create) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, expression in create.items():
        schema_editor.execute(f"CREATE INDEX {name} ON crm_contact ({expression})")


def forwards(apps, schema_editor):
    _replace(schema_editor, [*BEFORE, *INDEXES], INDEXES)


def backwards(apps, schema_editor):
    _replace(schema_editor, INDEXES, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("crm", "0019_import_job_queued_at")]

    operations = [migrations.RunPython(forwards, backwards)]

"""The consent ledger refuses UPDATE and DELETE in PostgreSQL itself, whatever the client: a
trigger raises unless the evidence purge said so for its own transaction
(``SET LOCAL rekisteri.consent_ledger_purge = 'on'``). Roles get the consent permissions."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION consent_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('rekisteri.consent_ledger_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The consent ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_ledger_append_only
BEFORE UPDATE OR DELETE ON consent_consentevent
FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS consent_ledger_append_only ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_ledger_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def sync_roles(apps, schema_editor):
    from crm.roles import sync_roles as sync

    sync(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]

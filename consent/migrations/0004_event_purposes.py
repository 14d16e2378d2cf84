"""The consent purposes of events (consent/event_purposes.py): the networking list and sharing
with an event's partners."""

from django.db import migrations


def create(apps, schema_editor):
    from consent.event_purposes import ensure

    ensure(apps.get_model("consent", "Purpose"), apps.get_model("consent", "ConsentText"))


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_roles_read_purposes")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

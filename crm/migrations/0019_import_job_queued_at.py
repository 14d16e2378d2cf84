from django.db import migrations, models


def queued_since_upload(apps, schema_editor):
    """Jobs queued before this field existed count as queued since their upload, so the sweeper
    sends any that still wait."""
    ImportJob = apps.get_model("crm", "ImportJob")
    ImportJob.objects.filter(status="queued", queued_at=None).update(
        queued_at=models.F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0018_name_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="queued_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="queued"
            ),
        ),
        migrations.RunPython(queued_since_upload, migrations.RunPython.noop),
    ]

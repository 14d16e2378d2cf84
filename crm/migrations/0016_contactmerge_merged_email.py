from django.db import migrations, models


def remember_merged_emails(apps, schema_editor):
    """Merges made before this field existed keep the old address in their snapshot."""
    ContactMerge = apps.get_model("crm", "ContactMerge")
    for merge in ContactMerge.objects.select_related("survivor").iterator():
        email = ((merge.merged_values or {}).get("email") or "").strip().lower()
        if email and email != merge.survivor.email:
            merge.merged_email = email
            merge.save(update_fields=["merged_email"])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0015_interaction_text_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactmerge",
            name="merged_email",
            field=models.EmailField(
                blank=True, db_index=True, max_length=254, verbose_name="merged contact's email"
            ),
        ),
        migrations.RunPython(remember_merged_emails, migrations.RunPython.noop),
    ]

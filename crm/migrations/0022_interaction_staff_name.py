"""Interactions keep the staff member's name, so that deleting a staff account (which empties
``staff``) does not lose who acted. Existing rows take the name from the accounts as they are
now; the rule is written out here, not imported, so that the migration does not change when
the code does (crm.models.Interaction.name_of_staff)."""

import django.core.validators
from django.db import migrations, models

import crm.validators


def _name(user) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return (full or user.username)[:300]


def fill_staff_names(apps, schema_editor):
    Interaction = apps.get_model("crm", "Interaction")
    User = apps.get_model("auth", "User")
    staff_ids = (
        Interaction.objects.filter(staff__isnull=False, staff_name="")
        .values_list("staff_id", flat=True)
        .distinct()
    )
    for user in User.objects.filter(pk__in=list(staff_ids)).only(
        "first_name", "last_name", "username"
    ):
        # One statement per staff member (a handful), whatever the number of interactions.
        Interaction.objects.filter(staff_id=user.pk, staff_name="").update(staff_name=_name(user))


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0021_api_client_token_expiry"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="staff_name",
            field=models.CharField(
                blank=True,
                max_length=300,
                validators=[
                    django.core.validators.ProhibitNullCharactersValidator(),
                    crm.validators.validate_no_personal_identity_code,
                ],
                verbose_name="staff member's name",
            ),
        ),
        migrations.RunPython(fill_staff_names, migrations.RunPython.noop),
    ]

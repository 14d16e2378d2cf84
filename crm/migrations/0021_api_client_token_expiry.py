# Token expiry and rotation for API clients (issue 8).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0020_folded_name_and_email_part_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='apiclient',
            name='expires_at',
            field=models.DateTimeField(blank=True, help_text='After this the token no longer works. Empty: it works until revoked.', null=True, verbose_name='token expires'),
        ),
        migrations.AddField(
            model_name='apiclient',
            name='issued_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='token issued'),
        ),
    ]

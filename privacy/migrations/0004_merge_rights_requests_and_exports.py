"""The portal's roles (0003) and the jobs half's data exports (0010) both follow 0002."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_roles_rights_requests"),
        ("privacy", "0010_data_export"),
    ]

    operations = []

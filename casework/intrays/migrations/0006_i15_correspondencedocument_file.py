from django.db import migrations, models

import casework.intrays.models


class Migration(migrations.Migration):
    """Issue 15: correspondence documents move into Django's storage; 0007 moves the bytes, 0008 drops ``content``."""

    dependencies = [
        ('intrays', '0005_i14_intray_correction'),
    ]

    operations = [
        migrations.AddField(
            model_name='correspondencedocument',
            name='file',
            field=models.FileField(default='', max_length=255,
                                   upload_to=casework.intrays.models.correspondence_document_path),
            preserve_default=False,
        ),
    ]

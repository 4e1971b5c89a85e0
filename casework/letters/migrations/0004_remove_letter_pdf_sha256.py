from django.db import migrations, models


class Migration(migrations.Migration):
    """The PDF bytes and their SHA-256 now live on ``LetterDocument`` (moved by 0003)."""

    dependencies = [
        ('letters', '0003_letter_pdfs_to_storage'),
    ]

    operations = [
        migrations.RemoveField(model_name='letter', name='pdf'),
        migrations.RemoveField(model_name='letter', name='sha256'),
    ]

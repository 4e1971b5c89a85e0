from django.db import migrations, models


def pdfs_issued_since_0003(apps, schema_editor):
    """A letter issued by the old code while 0003 ran (a rolling deploy) still has its bytes only in the column:
    move them too, in the same checked way, before the column goes."""
    module = __import__("casework.letters.migrations.0003_letter_pdfs_to_storage", fromlist=["pdfs_to_storage"])
    module.pdfs_to_storage(apps, schema_editor)


class Migration(migrations.Migration):
    """The PDF bytes and their SHA-256 now live on ``LetterDocument`` (moved by 0003; any letter issued while 0003
    ran is moved here first)."""

    dependencies = [
        ('letters', '0003_letter_pdfs_to_storage'),
    ]

    operations = [
        migrations.RunPython(pdfs_issued_since_0003, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name='letter', name='pdf'),
        migrations.RemoveField(model_name='letter', name='sha256'),
    ]

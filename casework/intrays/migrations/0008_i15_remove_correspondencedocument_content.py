from django.db import migrations


class Migration(migrations.Migration):
    """The bytes now live in storage (moved by 0007); ``file`` names them."""

    dependencies = [
        ('intrays', '0007_i15_documents_to_storage'),
    ]

    operations = [
        migrations.RemoveField(model_name='correspondencedocument', name='content'),
    ]

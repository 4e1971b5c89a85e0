import django.db.models.deletion
from django.db import migrations, models

import casework.letters.models


class Migration(migrations.Migration):

    dependencies = [
        ('letters', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='LetterDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=255, upload_to=casework.letters.models.letter_document_path)),
                ('sha256', models.CharField(max_length=64)),
                ('size', models.PositiveIntegerField()),
                ('rendered_at', models.DateTimeField()),
                ('letter', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='document', to='letters.letter')),
            ],
            options={
                'ordering': ['-rendered_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='letter',
            index=models.Index(fields=['issued_at'], name='letter_issued_at'),
        ),
    ]

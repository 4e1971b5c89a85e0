from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "casework.imports"
    label = "imports"
    verbose_name = "Imports from the assessment and payments system"

from django.apps import AppConfig


class PsConfig(AppConfig):
    name = "casework.ps"
    label = "ps"

from django.apps import AppConfig


class IntraysConfig(AppConfig):
    verbose_name = "Intrays and correspondence"
    name = "casework.intrays"
    label = "intrays"

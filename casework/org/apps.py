from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "casework.org"
    label = "org"
    verbose_name = "Organisation"

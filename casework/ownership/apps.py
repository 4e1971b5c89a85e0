from django.apps import AppConfig


class OwnershipConfig(AppConfig):
    name = "casework.ownership"
    label = "ownership"

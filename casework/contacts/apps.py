from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "casework.contacts"
    label = "contacts"

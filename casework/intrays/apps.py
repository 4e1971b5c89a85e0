from django.apps import AppConfig


class IntraysConfig(AppConfig):
    verbose_name = "Intrays and correspondence"
    name = "casework.intrays"
    label = "intrays"

    def ready(self) -> None:
        from casework.core import refcache

        from .models import IntrayType

        # Issue 15: the cached intray types (``selectors.intray_types``) are reloaded after any change of the table.
        refcache.watch("intrays.intraytype", IntrayType)

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "casework.notifications"
    label = "notifications"
    verbose_name = "Officer notifications"

    def ready(self) -> None:
        from . import rules  # noqa: F401

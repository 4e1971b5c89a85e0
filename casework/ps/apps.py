from django.apps import AppConfig


class PsConfig(AppConfig):
    name = "casework.ps"
    label = "ps"

    def ready(self) -> None:
        from . import approval_kinds  # noqa: F401  (registers the PS kinds of request for approval)

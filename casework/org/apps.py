from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "casework.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the intake-coverage check)

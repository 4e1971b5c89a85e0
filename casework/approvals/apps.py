from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "casework.approvals"
    label = "approvals"
    verbose_name = "Requests for approval"

    def ready(self) -> None:
        from . import rules  # noqa: F401

from django.apps import AppConfig


class PsConfig(AppConfig):
    name = "casework.ps"
    label = "ps"

    def ready(self) -> None:
        from . import approval_kinds  # noqa: F401  (registers the PS kinds of request for approval)
        from casework.letters.selectors import last_reached_source_register

        from .selectors import customer_last_reached

        # CMA-1.2: the "please contact us" letter is not sent right after a PS contact with the customer.
        last_reached_source_register(customer_last_reached)

        from casework.core import audit_display

        from .policy import REALLOCATION_REASONS

        # Issue 14: a reallocation's reason in words on the approval page and in the audit view.
        audit_display.register_value_label("reason_code", REALLOCATION_REASONS.get)

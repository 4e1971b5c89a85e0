from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "casework.contacts"
    label = "contacts"

    def ready(self) -> None:
        from casework.letters.selectors import last_reached_source_register

        from .selectors import customer_last_reached

        # CMA-1.2: the "please contact us" letter is not sent right after a call that reached the customer.
        last_reached_source_register(customer_last_reached)

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "casework.web"
    label = "web"

    def ready(self) -> None:
        # Issue 14: the apps whose forms sit on the customer page re-render it after a refusal (core.pages).
        from casework.core.pages import register_customer_page

        from .views import customer_page

        register_customer_page(customer_page)

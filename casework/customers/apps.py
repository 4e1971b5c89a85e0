from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "casework.customers"
    label = "customers"
    verbose_name = "Customers and cases"

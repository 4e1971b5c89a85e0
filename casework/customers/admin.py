"""Customers in the admin: read-only (every write goes through the audited services and the officer UI/API)."""

from __future__ import annotations

from django.contrib import admin

from casework.core.admin import ReadOnlyModelAdmin

from .models import Case, Customer, Note


class CustomerReadOnlyAdmin(ReadOnlyModelAdmin):
    view_permission = "customers.view_customer"


@admin.register(Customer)
class CustomerAdmin(CustomerReadOnlyAdmin):
    list_display = ("csid", "family_name", "given_names", "date_of_birth", "residence", "is_deceased")
    search_fields = ("csid", "search_name")
    exclude = ("search_name",)

    @admin.display(boolean=True)
    def is_deceased(self, obj):
        return obj.is_deceased


@admin.register(Case)
class CaseAdmin(CustomerReadOnlyAdmin):
    view_permission = "customers.view_case"
    list_display = ("case_number", "payer", "payee", "registration_status", "collection_type")
    list_filter = ("registration_status", "collection_type")
    search_fields = ("case_number", "payer__csid", "payee__csid")
    list_select_related = ("payer", "payee")


@admin.register(Note)
class NoteAdmin(CustomerReadOnlyAdmin):
    view_permission = "customers.view_note"
    list_display = ("created_at", "customer", "subject", "kind", "author")
    list_filter = ("kind",)
    search_fields = ("customer__csid", "subject")
    list_select_related = ("customer", "author")

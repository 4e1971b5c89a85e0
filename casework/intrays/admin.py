"""Intray types and office-calendar corrections are data, changed in the admin (audited, never deleted).
Intrays and correspondence are shown read-only: every write goes through the services."""

from __future__ import annotations

from django.contrib import admin

from casework.core.admin import AuditedModelAdmin, ReadOnlyModelAdmin

from .models import Intray, IntrayType, OfficeClosure


@admin.register(IntrayType)
class IntrayTypeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "sla_working_days", "creator_roles", "receiver_roles", "receiver_areas",
                    "closer_roles", "is_correspondence", "is_active")
    list_filter = ("is_correspondence", "is_active")
    search_fields = ("code", "name")


@admin.register(OfficeClosure)
class OfficeClosureAdmin(AuditedModelAdmin):
    manage_permission = "intrays.manage_calendar"
    list_display = ("date", "office", "state", "kind", "reason", "is_active")
    list_filter = ("kind", "state", "is_active")
    search_fields = ("reason", "office__name")
    date_hierarchy = "date"
    list_select_related = ("office",)
    exclude = ("created_by",)


@admin.register(Intray)
class IntrayAdmin(ReadOnlyModelAdmin):
    view_permission = "intrays.view_intray"
    list_display = ("id", "type", "subject", "customer", "status", "due_date", "assignee_officer", "assignee_position")
    list_filter = ("status", "type")
    search_fields = ("customer__csid", "subject")
    list_select_related = ("type", "customer", "assignee_officer__user", "assignee_position")
    raw_id_fields = ("customer", "case", "assignee_officer", "assignee_position", "team", "office", "related_intray")

"""Reference data in the admin: business areas, issue types, offices, teams, positions, officers.

Every change is audited (``AuditedModelAdmin``); delete deactivates. Managed by administrators
(``org.manage_reference``).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from casework.core.admin import AuditedModelAdmin
from casework.core.audit import audit_record

from .models import BusinessArea, IssueType, Office, Officer, Position, Team


@admin.register(BusinessArea)
class BusinessAreaAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "retention_priority", "retains_parties", "is_front_line", "is_active")
    list_filter = ("kind", "retains_parties", "is_active")
    search_fields = ("code", "name")
    ordering = ("retention_priority", "name")


@admin.register(IssueType)
class IssueTypeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "handling_area", "is_collection_related", "is_income_related", "is_active")
    list_filter = ("kind", "handling_area", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("handling_area",)


@admin.register(Office)
class OfficeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "state", "timezone", "is_active")
    list_filter = ("state", "is_active")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ("name", "business_area", "office", "leader", "is_active")
    list_filter = ("business_area", "office__state", "is_active")
    search_fields = ("name",)
    list_select_related = ("business_area", "office", "leader__user")
    autocomplete_fields = ("leader",)


@admin.register(Position)
class PositionAdmin(AuditedModelAdmin):
    list_display = ("code", "title", "business_area", "office", "team", "is_active")
    list_filter = ("business_area", "office__state", "is_active")
    search_fields = ("code", "title")
    list_select_related = ("business_area", "office", "team")


@admin.register(Officer)
class OfficerAdmin(AuditedModelAdmin):
    list_display = ("display_name", "username", "role", "position", "is_active")
    list_filter = ("role", "position__business_area", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "position__code")
    list_select_related = ("user", "position__business_area", "position__office")
    autocomplete_fields = ("user", "position")

    @admin.display(ordering="user__username")
    def username(self, obj):
        return obj.user.username

    def get_readonly_fields(self, request, obj=None):
        """An administrator never changes their own role, position or access (issue 11: who may decide a request
        is a role and a scope; nobody grants themselves one). Another administrator does it."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.user_id == request.user.pk:
            fields += ("user", "role", "position", "is_active")
        return fields


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedModelAdmin, UserAdmin):
    """Sign-in accounts of officers: audited like the rest of the organisation; never deleted, only deactivated.

    Password hashes never reach the trail: a password change is recorded as ``password_changed``.
    """

    audit_exclude = ("password", "last_login")
    # No superuser flag, per-user permissions or groups: what a person may do comes from their officer role only
    # (docs/security.md). Staff status opens the admin, which shows only what the role allows.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "is_staff")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_filter = ("is_staff", "is_active")

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User._default_manager.get(pk=id)
                audit_record(
                    actor=request.user,
                    action="user.password_change",
                    target=user,
                    after={"password_changed": True},
                    reason="Password set in the admin",
                )
        return response

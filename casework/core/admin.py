"""Admin plumbing: every admin save goes through the audit trail; nothing is deleted from the admin.

``AuditedModelAdmin`` records ``<model>.create`` / ``<model>.update`` with the before/after values of the changed
fields in the same transaction as the save. "Delete" deactivates (``is_active=False``, audited as
``<model>.deactivate``) for models that have ``is_active``; for others deletion is disabled.
Permissions come from one ``rules`` permission (``manage_permission``), so the admin enforces the same rule as the
services. The audit trail itself is shown read-only to auditors and administrators.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from .audit import _is_versioned, audit_record, snapshot
from .versioning import version_bump_row
from .models import AuditEvent


class AuditedModelAdmin(admin.ModelAdmin):
    manage_permission = "org.manage_reference"
    view_permission: str | None = None  # defaults to manage_permission
    audit_reason = "Changed in the admin"
    # Fields never copied into the trail (e.g. password hashes); a change to them is recorded as "<field>_changed".
    audit_exclude: tuple[str, ...] = ()

    def _snapshot(self, obj) -> dict:
        data = snapshot(obj)
        for name in self.audit_exclude:
            data.pop(name, None)
        return data

    # --- permissions: one declared rule, enforced here as in the services ---
    def _may_manage(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(self.manage_permission)

    def has_view_permission(self, request, obj=None):
        perm = self.view_permission or self.manage_permission
        return request.user.is_active and (request.user.has_perm(perm) or self._may_manage(request))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request) and self._can_deactivate()

    def _can_deactivate(self) -> bool:
        return any(f.name == "is_active" for f in self.model._meta.concrete_fields)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if self._can_deactivate() and self._may_manage(request):
            actions["deactivate_selected"] = (
                AuditedModelAdmin.deactivate_selected,
                "deactivate_selected",
                "Deactivate selected %(verbose_name_plural)s",
            )
        return actions

    def get_readonly_fields(self, request, obj=None):
        # Issue 10: a life-cycle status changes only through its transition (a service), never from the admin.
        from .fsm import protected_field_names

        return tuple(dict.fromkeys([*super().get_readonly_fields(request, obj), *protected_field_names(self.model)]))

    # --- writes ---
    def save_model(self, request, obj, form, change):
        name = obj._meta.model_name
        with transaction.atomic():
            if change and obj.pk is not None:
                stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
                before = self._snapshot(stored)
                hidden = [n for n in self.audit_exclude if getattr(stored, n, None) != getattr(obj, n, None)]
                if _is_versioned(obj):
                    # A change made here moves the record's version on like a service does (issue 13), so an API
                    # or web write made from the earlier version is refused as stale.
                    pending = [k for k, v in self._snapshot(obj).items() if k != "version" and before.get(k) != v]
                    obj.version = stored.version + (1 if pending or hidden else 0)
                obj.save()
                after = self._snapshot(obj)
                changed = {k: v for k, v in after.items() if before.get(k) != v}
                changed.update({f"{n}_changed": True for n in hidden})
                if changed:
                    audit_record(
                        actor=request.user,
                        action=f"{name}.update",
                        target=obj,
                        before={k: before.get(k) for k in changed},
                        after=changed,
                        reason=self.audit_reason,
                    )
            else:
                obj.save()
                audit_record(
                    actor=request.user,
                    action=f"{name}.create",
                    target=obj,
                    after=self._snapshot(obj),
                    reason=self.audit_reason,
                )

    def _deactivate(self, request, obj) -> bool:
        if not getattr(obj, "is_active", False):
            return False
        with transaction.atomic():
            if _is_versioned(obj):
                obj.version = version_bump_row(type(obj), obj.pk, is_active=False)
            else:
                type(obj)._default_manager.filter(pk=obj.pk).update(is_active=False)
            obj.is_active = False
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.deactivate",
                target=obj,
                before={"is_active": True},
                after={"is_active": False},
                reason="Deactivated in the admin (nothing is deleted)",
            )
        return True

    def delete_model(self, request, obj):
        self._deactivate(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._deactivate(request, obj)

    def deactivate_selected(self, request, queryset):
        count = sum(1 for obj in queryset if self._deactivate(request, obj))
        self.message_user(request, f"{count} deactivated (nothing is deleted).", messages.SUCCESS)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Shown, never changed, from the admin (writes go through services)."""

    view_permission = "core.view_auditevent"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(self.view_permission)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("occurred_at", "actor_label", "action", "target_type", "target_id", "customer_id", "step_ids")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "target_id", "request_id")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

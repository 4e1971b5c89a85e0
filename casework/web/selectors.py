"""Reads the web shell needs beyond the customers selectors."""

from __future__ import annotations

from casework.core.models import AuditEvent
from casework.customers.models import Customer


def recent_customers(*, user, limit: int = 8) -> list[Customer]:
    """Customers this officer opened most recently (from their own ``customer.view`` events). Two queries."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("customers.view_customer"):
        return []
    ids: list[int] = []
    for customer_id in (
        AuditEvent.objects.filter(actor=user, action="customer.view", customer_id__isnull=False)
        .order_by("-occurred_at", "-id")
        .values_list("customer_id", flat=True)[: limit * 6]
    ):
        if customer_id not in ids:
            ids.append(customer_id)
        if len(ids) == limit:
            break
    by_id = Customer.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]

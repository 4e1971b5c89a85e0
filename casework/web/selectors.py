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


def officer_day(*, user, limit: int = 5) -> dict | None:
    """The home page's "your day" (issue 11/14): my work overdue and due today, decisions waiting for me, contacts I
    left in progress, unread notifications. A handful of indexed queries; None for someone who works no customers."""
    from casework.approvals.selectors import approvals_to_decide
    from casework.contacts.models import Contact, ContactStatus
    from casework.intrays.selectors import worklist_counts
    from casework.notifications.selectors import notifications_for, unread_count
    from casework.org.rules import officer_of

    officer = officer_of(user)
    if officer is None or not user.has_perm("intrays.view_intray"):
        return None
    to_decide = approvals_to_decide(user=user)
    return {
        "work": worklist_counts(user=user, scope="mine"),
        "to_decide": to_decide[:limit],
        "to_decide_count": len(to_decide),
        "contacts": list(Contact.objects.filter(officer=officer, status=ContactStatus.OPEN)
                         .select_related("customer").order_by("-id")[:limit]),
        "notifications": list(notifications_for(user=user, unread_only=True, limit=limit)),
        "unread": unread_count(user=user),
    }

"""PS section of the customer page: who manages the customer in PS (internal)."""

from __future__ import annotations

from .selectors import ps_record_current_or_last


def customer_panel(request, customer) -> dict | None:
    if not request.user.has_perm("ps.view_ps"):
        return None
    rec, past = ps_record_current_or_last(customer=customer)
    return {"customer": customer, "ps_record": rec, "ps_past": past, "can_open": True}

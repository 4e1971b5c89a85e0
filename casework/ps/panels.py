"""PS section of the customer page: who manages the customer in PS (internal)."""

from __future__ import annotations

from .models import PsRecord
from .selectors import ps_record_for_customer


def customer_panel(request, customer) -> dict | None:
    if not request.user.has_perm("ps.view_ps"):
        return None
    rec = ps_record_for_customer(customer=customer)
    past = None if rec else PsRecord.objects.filter(customer=customer, is_active=False).order_by("-finalised_at").first()
    return {"customer": customer, "ps_record": rec, "ps_past": past, "can_open": True}

"""Customer page section: the customer's open intrays (one indexed query, intray_open_customer_due)."""

from __future__ import annotations

from casework.core import clock

from .calendar import local_today
from .policy import bucket
from .selectors import intrays_open_for_customer, intrays_open_for_customer_queryset

_INTRAYS = "intrays.open"


def customer_reads(request, customer) -> dict:
    """Issue 15: read in the same statement as the customer's record (``record.reads``)."""
    if not request.user.has_perm("intrays.view_intray"):
        return {}
    return {_INTRAYS: intrays_open_for_customer_queryset(customer=customer)}


def customer_panel(request, customer, record=None) -> dict | None:
    if not request.user.has_perm("intrays.view_intray"):
        return None
    now = clock.now()
    reads = record.reads if record is not None else {}
    intrays = reads[_INTRAYS] if _INTRAYS in reads else intrays_open_for_customer(customer=customer)
    rows = [{"intray": i, "bucket": bucket(i.due_date, local_today(i.office, now))} for i in intrays]
    return {"customer": customer, "intrays": rows, "can_add": request.user.has_perm("intrays.add_intray")}

"""Customer page section: the customer's open intrays (one indexed query, intray_open_customer_due)."""

from __future__ import annotations

from casework.core import clock

from .calendar import local_today
from .policy import bucket
from .selectors import intrays_open_for_customer


def customer_panel(request, customer) -> dict | None:
    if not request.user.has_perm("intrays.view_intray"):
        return None
    now = clock.now()
    rows = [{"intray": i, "bucket": bucket(i.due_date, local_today(i.office, now))}
            for i in intrays_open_for_customer(customer=customer)]
    return {"customer": customer, "intrays": rows, "can_add": request.user.has_perm("intrays.add_intray")}

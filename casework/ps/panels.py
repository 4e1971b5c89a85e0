"""PS section of the customer page: who manages the customer in PS (internal)."""

from __future__ import annotations

from .selectors import ps_record_current_or_last, ps_record_current_or_last_of, ps_record_current_or_last_queryset

_RECORD = "ps.record"


def customer_reads(request, customer) -> dict:
    """Issue 15: read in the same statement as the customer's record (``record.reads``)."""
    if not request.user.has_perm("ps.view_ps"):
        return {}
    return {_RECORD: ps_record_current_or_last_queryset(customer=customer)}


def customer_panel(request, customer, record=None) -> dict | None:
    if not request.user.has_perm("ps.view_ps"):
        return None
    reads = record.reads if record is not None else {}
    if _RECORD in reads:
        rec, past = ps_record_current_or_last_of(next(iter(reads[_RECORD]), None))
    else:
        rec, past = ps_record_current_or_last(customer=customer)
    return {"customer": customer, "ps_record": rec, "ps_past": past, "can_open": True}

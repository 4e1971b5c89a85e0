"""Write this system's customers, cases (with children and role reversals), care, income, debts, payment arrangements
and payments received in the import
format (docs/import.md), one row at a time: ``manage.py export_case_data FILE``. Source keys are the local natural
keys (CSID, case number) or ``<type>-<id>``. Used to round-trip the demo data and to build test and bench files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from casework.customers.models import (
    CareArrangement,
    Case,
    Customer,
    Debt,
    IncomeRecord,
    PaymentArrangement,
    PaymentReceived,
)

from .schema import CUSTOMER_OPTIONAL, RECORD_TYPES

CHUNK = 2000


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _source_keys() -> dict[tuple[str, int], str]:
    """(record type, local id) → the source system's key, for rows that came in through the import: exporting them
    again gives the keys they were imported with, so a re-import recognises them (a row made here gets ``<type>-<id>``)."""
    from .models import SourceRecord

    return {(t, o): k for t, o, k in SourceRecord.objects.values_list("record_type", "object_id", "source_key")}


def export_rows(customers=None) -> Iterator[dict[str, Any]]:
    """Rows in dependency order. ``customers``: a Customer queryset to limit the export (default all)."""
    known = _source_keys()

    def key(kind: str, pk: int) -> str:
        return known.get((kind, pk), f"{kind}-{pk}")

    customers = customers if customers is not None else Customer.objects.all()
    ids = customers.values("pk")
    for c in customers.order_by("pk").iterator(chunk_size=CHUNK):
        row = {"record": "customer", "source_key": c.csid, "csid": c.csid, "given_names": c.given_names,
               "family_name": c.family_name, "date_of_birth": _s(c.date_of_birth), "residence": c.residence}
        row.update({k: _s(getattr(c, k)) for k in CUSTOMER_OPTIONAL})
        yield row
    cases = Case.objects.filter(payer__in=ids, payee__in=ids).select_related("payer", "payee")
    reversed_cases = []
    for case in cases.order_by("pk").iterator(chunk_size=CHUNK):
        periods = list(case.role_history.select_related("payer", "payee").order_by("from_date", "id"))
        first = periods[0] if periods else None
        # The case as it began (its first payer and payee); each later period is a role_reversal row after it.
        payer, payee = (first.payer, first.payee) if first else (case.payer, case.payee)
        if len(periods) > 1:
            reversed_cases.append((case.case_number, periods[1:]))
        yield {"record": "case", "source_key": case.case_number, "case_number": case.case_number,
               "payer": payer.csid, "payee": payee.csid, "registration_status": case.registration_status,
               "collection_type": case.collection_type, "annual_liability": _s(case.annual_liability),
               "role_history_from": _s(first.from_date) if first else "",
               "children": [{"source_key": key("child", k.pk), "given_names": k.given_names,
                             "family_name": k.family_name, "date_of_birth": _s(k.date_of_birth)}
                            for k in case.children.order_by("id")]}
    # Before the facts: a debt or a payment is checked against the roles as they are now.
    for number, later in reversed_cases:
        for period in later:
            yield {"record": "role_reversal", "source_key": key("role_reversal", period.pk), "case": number,
                   "effective_from": _s(period.from_date)}
    for r in IncomeRecord.objects.filter(customer__in=ids, superseded_by__isnull=True).select_related("customer").order_by("pk").iterator(
            chunk_size=CHUNK):
        yield {"record": "income", "source_key": key("income", r.pk), "customer": r.customer.csid,
               "amount": _s(r.amount), "source": r.source, "tax_year": _s(r.tax_year),
               "effective_from": _s(r.effective_from)}
    for r in CareArrangement.objects.filter(case__in=cases).select_related("case", "carer").order_by("pk").iterator(
            chunk_size=CHUNK):
        yield {"record": "care", "source_key": key("care", r.pk), "case": r.case.case_number,
               "child": key("child", r.child_id), "carer": r.carer.csid, "care_percentage": _s(r.care_percentage),
               "effective_from": _s(r.effective_from)}
    for d in Debt.objects.filter(case__in=cases).select_related("case", "debtor").order_by("pk").iterator(
            chunk_size=CHUNK):
        yield {"record": "debt", "source_key": key("debt", d.pk), "case": d.case.case_number, "debtor": d.debtor.csid,
               "kind": d.kind, "amount": _s(d.amount), "as_at": _s(d.as_at)}
    for a in PaymentArrangement.objects.filter(debt__case__in=cases).order_by("pk").iterator(chunk_size=CHUNK):
        yield {"record": "arrangement", "source_key": key("arrangement", a.pk), "debt": key("debt", a.debt_id),
               "instalment": _s(a.instalment), "frequency": a.frequency, "start_date": _s(a.start_date),
               "status": a.status}
    payments = (PaymentReceived.objects.filter(case__in=cases, superseded_by__isnull=True)
                .select_related("case", "payer").order_by("pk"))
    for p in payments.iterator(chunk_size=CHUNK):
        yield {"record": "payment", "source_key": key("payment", p.pk), "case": p.case.case_number,
               "payer": p.payer.csid, "amount": _s(p.amount), "received_on": _s(p.received_on),
               "debt": key("debt", p.debt_id) if p.debt_id else "", "method": p.method}


CSV_COLUMNS = ["record", "source_key"] + sorted({f for t in RECORD_TYPES.values() for f in t.fields}
                                                - {"record", "source_key"})


def write(stream: IO[str], fmt: str, rows) -> int:
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if "children" in row:
                row = {**row, "children": json.dumps(row["children"]) if row["children"] else ""}
            writer.writerow(row)
            n += 1
    else:
        for row in rows:
            stream.write(json.dumps(row, separators=(",", ":")) + "\n")
            n += 1
    return n

"""Issue 12: a wrongly keyed income (amount, source or year) is corrected with a reason, superseding the wrong row,
which then no longer counts (CMA-2.2 reliability, the summary's income, the export). API
``POST /api/v1/income/<id>/correct/`` and the customer page's form."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.selectors import customer_summary
from casework.org.roles import Role
from casework.testing import factories as f

from .test_i12_facts_api import api, api_for, frozen, ok, w  # noqa: F401  (fixtures)


def _income(api, w, **over):  # noqa: F811
    body = {"amount": "65000.00", "source": "ato_issued", "tax_year": 2026, "effective_from": "2025-07-01", **over}
    return ok(api.post(f"/api/v1/customers/{w.payer}/income/", body, format="json"))


def test_a_wrong_income_is_corrected_and_no_longer_counts_cma_2_2(api, w):  # noqa: F811
    row = _income(api, w)
    payer = cm.Customer.objects.get(csid=w.payer)
    assert customer_summary(customer=payer).income.record.pk == row["id"]
    assert customer_summary(customer=payer).income.record.is_reliable
    new = ok(api.post(f"/api/v1/income/{row['id']}/correct/", {"source": "estimate", "amount": "56000.00",
                                                                "reason": "It was the customer's estimate",
                                                                "version": row["version"]}, format="json"))
    assert (new["amount"], new["source"], new["tax_year"], new["is_reliable"]) == ("56000.00", "estimate", 2026, False)
    listed = {r["id"]: r for r in ok(api.get(f"/api/v1/customers/{w.payer}/income/"), 200)}
    assert listed[row["id"]]["superseded_by"] == new["id"]
    assert listed[row["id"]]["correction_reason"] == "It was the customer's estimate"
    assert listed[row["id"]]["amount"] == "65000.00", "the old row is kept as it was"
    summary = customer_summary(customer=payer).income
    assert summary.record.pk == new["id"] and not summary.record.is_reliable
    event = AuditEvent.objects.get(action="income.correct")
    assert event.before["amount"] == "65000.00" and event.after["source"] == "estimate"


def test_a_newer_looking_wrong_row_stops_counting_once_corrected_to_an_older_year(api, w):  # noqa: F811
    """The wrong row was keyed with a later date; corrected to its real (earlier) date, the other record counts."""
    kept = _income(api, w, amount="50000.00", source="ato_issued", tax_year=2025, effective_from="2024-07-01")
    wrong = _income(api, w, amount="99000.00", source="estimate", tax_year=2026, effective_from="2025-07-01")
    payer = cm.Customer.objects.get(csid=w.payer)
    assert customer_summary(customer=payer).income.record.pk == wrong["id"]
    ok(api.post(f"/api/v1/income/{wrong['id']}/correct/", {"tax_year": 2024, "effective_from": "2023-07-01",
                                                            "reason": "Wrong year"}, format="json"))
    assert customer_summary(customer=payer).income.record.pk == kept["id"]


def test_refusals_reason_sense_checks_no_change_already_corrected_stale_auditor(api, w):  # noqa: F811
    row = _income(api, w)
    url = f"/api/v1/income/{row['id']}/correct/"
    for body, field in (({"amount": "1.00"}, "reason"), ({"tax_year": 1980, "reason": "x"}, "tax_year"),
                        ({"amount": "-1", "reason": "x"}, "amount"), ({"source": "guess", "reason": "x"}, "source"),
                        ({"amount": "65000.00", "reason": "x"}, "non_field_errors")):
        r = api.post(url, body, format="json")
        assert r.status_code == 400 and field in r.json()["fields"], (body, r.json())
    assert auditor_refused(url)
    ok(api.post(url, {"amount": "64000.00", "reason": "Typo"}, format="json"))
    r = api.post(url, {"amount": "63000.00", "reason": "Again", "version": row["version"]}, format="json")
    assert r.status_code == 409
    r = api.post(url, {"amount": "63000.00", "reason": "Again"}, format="json")
    assert r.status_code == 409  # correct the current record, not the superseded one
    assert cm.IncomeRecord.objects.filter(customer__csid=w.payer).count() == 2


def auditor_refused(url: str) -> bool:
    auditor = api_for(f.OfficerFactory(role=Role.AUDITOR))
    return auditor.post(url, {"amount": "1.00", "reason": "x"}, format="json").status_code == 403


def test_customer_page_lists_income_and_corrects_it(api, w):  # noqa: F811
    row = _income(api, w)
    web = Client()
    web.force_login(f.OfficerFactory(role=Role.SERVICE_OFFICER).user)
    page = web.get(f"/customers/{w.payer}/").content.decode()
    assert 'data-testid="income-row"' in page and "income-correct" in page
    r = web.post(f"/customers/{w.payer}/facts/income-correct/", {
        "income_id": row["id"], "version": row["version"], "amount": "60000.00", "source": "",
        "reason": "Keyed wrongly"}, follow=True)
    assert any("Income corrected" in str(m) for m in r.context["messages"])
    current = cm.IncomeRecord.objects.filter(customer__csid=w.payer, superseded_by__isnull=True).get()
    assert (current.amount, current.source) == (Decimal("60000.00"), "ato_issued")
    assert "(corrected: Keyed wrongly)" in web.get(f"/customers/{w.payer}/").content.decode()

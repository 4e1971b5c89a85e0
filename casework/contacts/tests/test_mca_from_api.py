"""Done-when (issue 12): every MCA decision of the table in docs/contacts.md ("MCA decisions from case data") can be
reproduced from an empty database (reference data only) through the API alone: the officer is added with the
organisation administration API and signs in for a token; customers, cases, income, debts, arrangements, role
reversal and registration are recorded over HTTP, then a contact is run (CMA-2.1 to CMA-2.7). No factory or service
builds the case data."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.customers import models as cm
from casework.customers.csid import make_csid

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)  # 12:00 in Sydney
_csids = itertools.count(700000001)

# row, customer's role, their income source, facts to record, issue raised, required, payment path, checklist must
# include (or None)
TABLE = [
    ("no MCA: reliable income, nothing owed", "payer", "ato_issued", [], "payment_enquiry", False, "none", None),
    ("unreliable income (CMA-2.2)", "payer", "estimate", [], "income_update", True, "none", "income_discussed"),
    ("payer debt, no arrangement (CMA-2.4/2.6)", "payer", "ato_issued", ["cs_debt"], "debt_enquiry", True,
     "debt_repayment", "payer_pay_in_full"),
    ("payer debt with an active arrangement", "payer", "ato_issued", ["cs_debt", "arrangement"], "debt_enquiry",
     False, "none", None),
    ("payer debt, arrangement defaulted (CMA-2.3)", "payer", "ato_issued", ["cs_debt", "arrangement", "default"],
     "debt_enquiry", True, "debt_repayment", "payer_arrangement_details"),
    ("payer overpaid, no role reversal (CMA-2.4 -> 2.6)", "payer", "ato_issued", ["overpayment_self"],
     "payment_enquiry", True, "payer_overpaid", "payer_overpayment_info"),
    ("payer overpayment from a past role reversal (CMA-2.4 -> 2.5)", "payer", "ato_issued",
     ["role_reversal", "overpayment_self"], "payment_enquiry", True, "payee_overpayment_debt",
     "overpayment_arrangement_details"),
    ("payee owed, asking about collection (CMA-2.5/2.7)", "payee", "ato_issued", ["cs_debt_other"],
     "collection_enquiry", True, "payee_collection", "collection_info_gathered"),
    ("payee owed, not asking about collection", "payee", "ato_issued", ["cs_debt_other"], "payment_enquiry", False,
     "none", None),
    ("payee overpayment, ongoing entitlement (CMA-2.7 automatic recovery)", "payee", "ato_issued",
     ["overpayment_self"], "payment_enquiry", True, "payee_overpayment_debt", "overpayment_auto_recovery"),
    ("payee overpayment, registration pending (CMA-2.7 arrangement)", "payee", "ato_issued",
     ["overpayment_self", "pending"], "payment_enquiry", True, "payee_overpayment_debt",
     "overpayment_arrangement_details"),
]


def ok(response, code=201):
    assert response.status_code == code, response.json()
    return response.json()


def new_customer(client, given):
    return ok(client.post("/api/v1/customers/", {
        "csid": make_csid(next(_csids)), "given_names": given, "family_name": "Table",
        "date_of_birth": "1985-03-14", "residence": "NSW",
    }, format="json"))["csid"]


@pytest.fixture
def client(reference):
    """Reference data only (``load_reference``), plus the bootstrap Administrator account every installation starts
    with. Everything else goes through the API: the administrator adds a Service Officer at the Sydney intake
    position with the organisation administration API, and the officer signs in for a token."""
    from casework.org.roles import Role
    from casework.testing.factories import OfficerFactory

    admin = APIClient()
    admin.force_authenticate(OfficerFactory(role=Role.ADMINISTRATOR, position=None).user)
    ok(admin.post("/api/v1/org/officers/", {"username": "so_mca", "password": "long-enough-1",
                                            "role": "service_officer", "position": "SERVICES-sydney-intake"},
                  format="json"))
    c = APIClient()
    token = ok(c.post("/api/v1/auth/token/", {"username": "so_mca", "password": "long-enough-1"}, format="json"),
               200)["token"]
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
def test_mca_table_row_from_an_empty_database_through_the_api(client, row):
    name, role, income, facts, issue, required, path, must_include = row
    assert not cm.Customer.objects.exists() and not cm.Debt.objects.exists()  # reference data only
    with clock.freeze(NOW):
        me, other = new_customer(client, "Caller"), new_customer(client, "Other")
        payer, payee = (me, other) if role == "payer" else (other, me)
        if "role_reversal" in facts:  # the caller was the payee until this year
            payer, payee = payee, payer
        case = ok(client.post("/api/v1/cases/", {
            "payer_csid": payer, "payee_csid": payee, "annual_liability": "5200.00", "roles_since": "2020-07-01",
            "children": [{"given_names": "Kid", "family_name": "Table", "date_of_birth": "2018-02-01"}],
        }, format="json"))["case_number"]
        if "role_reversal" in facts:
            ok(client.post(f"/api/v1/cases/{case}/roles/", {"effective_from": "2026-07-01",
                                                             "reason": "Care changed"}, format="json"))
        if "pending" in facts:
            ok(client.post(f"/api/v1/cases/{case}/registration/", {"registration_status": "pending",
                                                                    "reason": "Re-application"}, format="json"), 200)
        for person, source in ((me, income), (other, "ato_issued")):
            ok(client.post(f"/api/v1/customers/{person}/income/", {
                "amount": "65000.00", "source": source, "tax_year": 2026, "effective_from": "2025-07-01",
            }, format="json"))
        current_payer = me if role == "payer" else other
        debt_id = None
        if "cs_debt" in facts or "cs_debt_other" in facts:
            debt_id = ok(client.post(f"/api/v1/customers/{current_payer}/debts/", {
                "case_number": case, "kind": "child_support_debt", "amount": "4860.55", "as_at": "2026-11-27",
                "source": "Collection ledger",
            }, format="json"))["id"]
        if "overpayment_self" in facts:
            debt_id = ok(client.post(f"/api/v1/customers/{me}/debts/", {
                "case_number": case, "kind": "overpayment", "amount": "980.00", "as_at": "2026-11-27",
            }, format="json"))["id"]
        if "arrangement" in facts:
            arrangement = ok(client.post(f"/api/v1/debts/{debt_id}/arrangements/", {
                "instalment": "100.00", "frequency": "weekly", "start_date": "2026-12-01",
            }, format="json"))["id"]
            if "default" in facts:
                ok(client.post(f"/api/v1/arrangements/{arrangement}/default/", {"reason": "Missed payments"},
                               format="json"), 200)

        contact = ok(client.post("/api/v1/contacts/", {"csid": me, "channel": "phone", "case_number": case},
                                 format="json"))["id"]
        ok(client.post(f"/api/v1/contacts/{contact}/poi/", {"method": "DOB and address"}, format="json"), 200)
        ok(client.post(f"/api/v1/contacts/{contact}/issues/", {"issue_type": issue}, format="json"), 200)
        mca = ok(client.get(f"/api/v1/contacts/{contact}/mca/"), 200)["assessment"]
    assert mca["required"] is required, (name, mca)
    assert mca["payment_path"] == path, (name, mca)
    codes = [item["code"] for item in mca["checklist"]]
    if must_include:
        assert must_include in codes, (name, codes)


def _doc_rows():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "contacts.md").read_text()
    section = text.split("## MCA decisions from case data", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| pay")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in rows]


def test_the_table_above_is_the_table_in_the_docs_row_for_row():
    """The parametrised rows are exactly the documented ones (caller, required, payment path), in order, so a row
    added to docs/contacts.md without a test here fails."""
    documented = [(r[0], r[3].startswith("yes"), r[4].split(" ")[0]) for r in _doc_rows()]
    tested = [(role, required, path) for _, role, _, _, _, required, path, _ in TABLE]
    assert documented == tested

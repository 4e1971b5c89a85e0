"""The MCA decision on the demo scenario customers, driven through the API as a Service Officer would
(CMA-2.1 to CMA-2.7)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


EXPECTED = [
    # scenario, issue raised, required, payment path, expectations
    ("payer_debt_no_arrangement", "debt_enquiry", True, "debt_repayment", "payer"),  # CMA-2.4 / 2.6
    ("payee_owed_collection", "collection_enquiry", True, "payee_collection", "payee"),  # CMA-2.5 / 2.7
    ("payer_estimate_income", "income_update", True, None, None),  # CMA-2.2 not reliable
    ("payer_overpaid", "payment_enquiry", True, "payer_overpaid", "payer"),  # CMA-2.4 payer overpayment
    ("payer_past_role_reversal", "payment_enquiry", True, "payee_overpayment_debt", "payee"),  # CMA-2.4 -> 2.5
    ("payee_overpayment_debt", "payment_enquiry", True, "payee_overpayment_debt", "payee"),  # CMA-2.5 / 2.7
]


def test_mca_on_demo_scenarios_through_the_api(demo):
    from django.contrib.auth import get_user_model

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="so_nsw"))
    for name, issue, required, path, expectations in EXPECTED:
        csid = demo.SCENARIOS[name]
        r = client.post("/api/v1/contacts/", {"csid": csid, "channel": "phone"}, format="json")
        assert r.status_code == 201, (name, r.json())
        cid = r.json()["id"]
        assert client.post(f"/api/v1/contacts/{cid}/poi/", {"method": "DOB"}, format="json").status_code == 200
        assert client.post(f"/api/v1/contacts/{cid}/issues/", {"issue_type": issue}, format="json").status_code == 200
        mca = client.get(f"/api/v1/contacts/{cid}/mca/").json()["assessment"]
        assert mca["required"] is required, (name, mca)
        if path is not None:
            assert mca["payment_path"] == path, (name, mca)
            assert mca["expectations"] == expectations, (name, mca)
            other = "CMA-2.7" if expectations == "payer" else "CMA-2.6"
            assert all(i["step_id"] != other for i in mca["checklist"]), name

"""A number larger than either database can store is a 400 on its field, never a database overflow (500). Found by
schemathesis over every operation (an auto-unlock with letters=[2**70] crashed SQLite with OverflowError)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.org.roles import Role
from casework.testing import factories as f

HUGE = 2**70


@pytest.fixture
def tl_client(reference):
    officer = f.OfficerFactory(role=Role.TEAM_LEADER)
    client = APIClient()
    client.force_authenticate(officer.user)
    return client


def test_auto_unlock_with_an_out_of_range_letter_id_is_a_400(tl_client):
    customer = f.CustomerFactory()
    r = tl_client.post(f"/api/v1/customers/{customer.csid}/ownership/auto-unlock/",
                       {"letters": [HUGE], "contact_attempted": True, "reason": "x", "after_hours": HUGE},
                       format="json")
    assert r.status_code == 400 and "letters" in r.json()["fields"] and "after_hours" in r.json()["fields"]


def test_intray_create_with_an_out_of_range_officer_id_is_a_400(tl_client):
    customer = f.CustomerFactory()
    r = tl_client.post("/api/v1/intrays/", {"type": "general_follow_up", "csid": customer.csid, "subject": "x",
                                            "assignee_officer": HUGE, "issues": [HUGE]}, format="json")
    assert r.status_code == 400

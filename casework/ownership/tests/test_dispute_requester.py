"""Found by the stateful property test (invariant 4, "no approval decided by its requester"): a Team Leader of the
area holding the customer could raise an ownership dispute and then decide it themselves. CMA-1.6: the escalation
goes to another Team Leader of the areas concerned."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.core.errors import NotPermitted
from casework.core.models import AuditEvent
from casework.ownership import policy as p
from casework.ownership import services
from casework.ownership.models import OwnershipTransfer

pytestmark = pytest.mark.django_db


def test_cma_1_6_policy_raiser_never_decides_own_dispute():
    """CMA-1.6 policy table clause: the raiser is refused even when they lead an area concerned."""
    d = p.dispute_decider_decision(from_area="GENERAL_OBJECTIONS", to_area="DPO",
                                   actor_tl_areas=frozenset({"GENERAL_OBJECTIONS"}), actor_is_raiser=True)
    assert not d.allowed and d.outcome == "own_request" and d.step_ids == ("CMA-1.6",)


def _api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def test_cma_1_6_team_leader_cannot_decide_the_dispute_they_raised_api_and_service(org, payer):
    """CMA-1.6: a Team Leader who raised the dispute is refused (403 with the step ID, service NotPermitted, nothing
    decided, no decision audited); another Team Leader of the areas concerned decides it."""
    tl = org.team_leader("GENERAL_OBJECTIONS")
    tl_dpo = org.team_leader("DPO")
    org.intake("DPO")
    url = f"/api/v1/customers/{payer.csid}/ownership/"
    assert _api(tl).post(url + "lock/", {"reason": "Objection"}, format="json").status_code == 201
    r = _api(tl).post(url + "disputes/", {"to_area": "DPO", "expected_contact_volume": "high",
                                          "time_to_resolve": "months", "reason": "No agreement"}, format="json")
    assert r.status_code == 202  # issue 11: a request for approval, in the other Team Leaders' queue
    dispute = OwnershipTransfer.objects.get(pk=r.json()["id"])
    r = _api(tl).post(f"/api/v1/approvals/{r.json()['approval']}/decide/",
                      {"approve": True, "reason": "Mine", "data": {"decision": "keep"}}, format="json")
    assert r.status_code == 403 and r.json()["step_ids"] == ["CMA-1.6"]
    r = _api(tl).post(f"/api/v1/ownership/disputes/{dispute.pk}/decide/", {"decision": "keep", "reason": "Mine"},
                      format="json")
    assert r.status_code == 403 and r.json()["step_ids"] == ["CMA-1.6"]
    with pytest.raises(NotPermitted):
        services.ownership_dispute_decide(actor=tl.user, dispute=dispute, decision="keep", reason="Mine")
    dispute.refresh_from_db()
    assert dispute.status == "escalated" and dispute.decided_by_id is None
    assert not AuditEvent.objects.filter(action="ownership.dispute_decide").exists()
    r = _api(tl_dpo).post(f"/api/v1/ownership/disputes/{dispute.pk}/decide/", {"decision": "keep", "reason": "Stay"},
                          format="json")
    assert r.status_code == 200 and r.json()["decision"] == "keep"
    dispute.refresh_from_db()
    assert dispute.decided_by_id == tl_dpo.user_id != dispute.raised_by_id

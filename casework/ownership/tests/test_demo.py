"""Demo locks per the DEMO DATA CONTRACT: idempotent, and consistent with CMA-1.5."""

from __future__ import annotations

import pytest

from casework.core.context import job_context
from casework.ownership import demo, selectors
from casework.ownership.models import Lock

pytestmark = pytest.mark.django_db


def test_demo_locks_follow_the_rules_and_are_idempotent(reference):
    from casework.customers.models import Customer
    from casework.web import demo as web_demo

    with job_context("seed_demo"):
        web_demo.seed()
        assert demo.seed() == "4 demo locks created, 1 ownership dispute waiting"
        assert demo.seed() == "0 demo locks created"

    def view(name):
        return selectors.ownership_get(customer=Customer.objects.get(csid=web_demo.SCENARIOS[name]))

    dpo = view("dpo_payer")
    assert dpo.area.code == "DPO" and dpo.officer.user.username == "spec_dpo" and "CMA-1.5" in dpo.decision.step_ids
    both = view("objection_then_dpo")
    assert both.area.code == "DPO" and both.decision.facts["area"] == "DPO"
    history = selectors.lock_history(customer=both.customer)
    assert [lk.area.code for lk in history] == ["DPO", "GENERAL_OBJECTIONS"]
    ps = view("restricted_service")
    assert ps.is_ps and ps.officer.user.username == "ps_cm"
    assert Lock.objects.filter(is_active=True).count() == 3
    # The dispute waits in the queue of the Team Leaders of the two areas (CMA-1.6, issue 11), not any Team Leader.
    from casework.approvals.models import ApprovalRequest
    from casework.intrays.models import Intray

    dispute = ApprovalRequest.objects.get(kind="ownership_dispute", customer=both.customer, status="pending")
    queued = set(Intray.objects.filter(approval_link__request=dispute).values_list("assignee_officer__user__username",
                                                                                  flat=True))
    assert "tl_specialist" in queued and "tl_nsw" not in queued

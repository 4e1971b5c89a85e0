"""Issue 10 (scope), measured case 1 (CMA-3.2): only an officer whose scope includes a presenting issue may close
it -- on the customer API and the service -- so a Service Officer cannot finalise Litigation's issue and clear the
way for Litigation's unlock."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.core.errors import NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers import services as customer_services
from casework.customers.models import IssueStatus
from casework.org.roles import Role
from casework.ownership import services as own
from casework.ownership.selectors import active_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def litigation(org, payer):
    lit = org.officer("LITIGATION", Role.SPECIALIST_OFFICER)
    so = org.officer("SERVICES")
    issue = customer_services.presenting_issue_add(actor=lit.user, customer=payer, issue_type="litigation")
    own.customer_lock(actor=lit.user, customer=payer, reason="Litigation matter", issue=issue)
    return lit, so, issue


def test_CMA_3_2_service_officer_cannot_finalise_litigation_issue_via_api(litigation, payer):
    """Measured case 1 (CMA-3.2): the Service Officer's close is refused with the step IDs; the issue stays open, so
    Litigation's unlock is still refused (CMA-3.1/3.2)."""
    lit, so, issue = litigation
    c = APIClient()
    c.force_authenticate(so.user)
    response = c.post(f"/api/v1/customers/{payer.csid}/issues/{issue.pk}/close/",
                      {"status": "finalised", "outcome": "Closed by front line"}, format="json")
    assert response.status_code == 403, response.json()
    assert "CMA-3.2" in response.json()["step_ids"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert not AuditEvent.objects.filter(action="presenting_issue.close").exists()
    with pytest.raises(TransitionRefused):
        own.customer_unlock(actor=lit.user, customer=payer, reason="Done", decision_explained=True,
                          contact_attempted=True)
    assert active_lock(customer=payer) is not None


def test_CMA_3_2_litigation_officer_finalises_then_unlocks(litigation, payer):
    """CMA-3.2 then CMA-3.4: the handling area's officer finalises (audited) and the unlock succeeds."""
    lit, so, issue = litigation
    customer_services.presenting_issue_close(actor=lit.user, issue=issue, status="finalised", outcome="Resolved")
    event = AuditEvent.objects.get(action="presenting_issue.close")
    assert event.after["status"] == "finalised" and "CMA-3.1" in event.step_ids
    own.customer_unlock(actor=lit.user, customer=payer, reason="Done", decision_explained=True,
                          contact_attempted=True)
    assert active_lock(customer=payer) is None


def test_CMA_3_2_bypass_service_call_by_service_officer_refused(litigation):
    """Bypass (CMA-3.2): the service refuses the Service Officer whatever the path (withdraw as well as finalise)."""
    lit, so, issue = litigation
    for status in ("finalised", "withdrawn"):
        with pytest.raises(NotPermitted) as exc:
            customer_services.presenting_issue_close(actor=so.user, issue=issue, status=status, outcome="x")
        assert "CMA-3.2" in exc.value.step_ids


def test_CMA_1_4_collaborative_partner_closes_only_its_own_issue(org, payer):
    """CMA-1.4: with Litigation and Objections issues, the Objections officer finalises the objection but not the
    litigation issue."""
    lit = org.officer("LITIGATION", Role.SPECIALIST_OFFICER)
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    lit_issue = customer_services.presenting_issue_add(actor=lit.user, customer=payer, issue_type="litigation")
    obj_issue = customer_services.presenting_issue_add(actor=obj.user, customer=payer, issue_type="objection")
    own.customer_lock(actor=lit.user, customer=payer, reason="Litigation matter", issue=lit_issue)
    with pytest.raises(NotPermitted) as exc:
        customer_services.presenting_issue_close(actor=obj.user, issue=lit_issue, status="finalised", outcome="x")
    assert "CMA-1.4" in exc.value.step_ids
    customer_services.presenting_issue_close(actor=obj.user, issue=obj_issue, status="finalised", outcome="Decided")

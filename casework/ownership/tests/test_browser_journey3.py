"""Journey 3 (../shared/product/JOURNEYS.md), "A customer with several specialised issues" (CMA-1.4 to 1.7), in the
browser, with a second officer acting in each approval (issue 11):

1. A payer has an objection (first), locked to the objections officer; a DPO is now being considered. The ownership
   rules (CMA-1.5) rank the DPO Team above Objections: the banner shows the customer locked to the DPO Team.
2. The objections officer sees that, and their work goes to the DPO Team through an intray (a referred follow-up).
3. The two areas agree to move ownership (expected contact volume): the DPO officer asks; the Objections Team Leader
   accepts it from her approvals queue; only then does the lock move. The customer is never told (no letter).
4. When they cannot agree, the DPO officer escalates; the DPO Team Leader decides from the escalation in her queue.
Screenshots: var/screenshots/journey3-*.png.
"""

from __future__ import annotations

import pytest

from casework.approvals.models import ApprovalRequest
from casework.intrays.models import Intray
from casework.letters.models import Letter
from casework.org.roles import Role
from casework.ownership import services
from casework.ownership.models import Lock
from casework.testing.factories import CaseFactory, IncomeFactory

from .conftest import add_issue

PASSWORD = "pass-Word-123"


def _holder(payer) -> Lock:
    return Lock.objects.get(customer=payer, is_active=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_journey_3_several_specialised_issues_with_a_second_officer_in_each_approval(
        live_server, browser_page, login, shot, org):
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER, username="j3_obj")
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER, username="j3_dpo")
    obj_tl = org.team_leader("GENERAL_OBJECTIONS", username="j3_obj_tl")
    dpo_tl = org.team_leader("DPO", username="j3_dpo_tl")
    org.intake("DPO")
    org.intake("GENERAL_OBJECTIONS")
    case = CaseFactory(payer__given_names="Harriet", payer__family_name="Quill")
    payer = case.payer
    IncomeFactory(customer=payer)
    add_issue(payer, "objection")
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection to the assessment")
    add_issue(payer, "dpo", minutes=5)
    services.customer_lock_apply_rules(actor=obj.user, customer=payer, reason="A DPO is being considered")
    assert _holder(payer).area.code == "DPO"
    page = browser_page
    base = live_server.url

    # 1-2. The objections officer sees the DPO Team owns the customer and refers her work to them.
    login(page, "j3_obj", PASSWORD)
    page.goto(f"{base}/customers/{payer.csid}/")
    banner = page.get_by_role("status", name="Ownership").text_content()  # step IDs sit in a closed "why"
    assert "DPO" in banner and "CMA-1.5" in banner, banner
    shot(page, "journey3-01-locked-to-dpo")
    page.get_by_text("Refer follow-up to").click()
    form = page.get_by_role("form", name="Refer follow-up")
    form.get_by_label("Subject").fill("Objection outcome to explain")
    form.get_by_label("Follow-up needed").fill("Objection decided: explain the outcome with the DPO discussion.")
    form.get_by_role("button", name="Refer follow-up").click()
    page.wait_for_load_state()
    work = Intray.objects.filter(customer=payer, subject__icontains="Objection outcome").get()
    holder = _holder(payer)
    assert (work.assignee_officer_id, work.assignee_position_id) == (holder.officer_id, holder.position_id)
    shot(page, "journey3-02-work-referred-to-dpo")
    page.get_by_role("button", name="Sign out").click()

    # 3. The areas agree to move ownership: the DPO officer asks, the Objections Team Leader accepts from her queue.
    login(page, "j3_dpo", PASSWORD)
    page.goto(f"{base}/customers/{payer.csid}/")
    page.get_by_text("Ask to transfer ownership to another specialised area").click()
    form = page.get_by_role("form", name="Transfer ownership")
    form.get_by_label("To area").select_option("GENERAL_OBJECTIONS")
    form.get_by_label("Expected contact volume").fill("The objection will generate most of the contact now")
    form.get_by_label("Time to resolve").fill("DPO on hold for months; objection two weeks")
    form.get_by_label("Reason for transfer").fill("Objections will have most of the contact")
    form.get_by_role("button", name="Send transfer for approval").click()
    page.wait_for_load_state()
    assert _holder(payer).area.code == "DPO", "nothing moves before the other area accepts"
    shot(page, "journey3-03-transfer-asked")
    page.get_by_role("button", name="Sign out").click()

    login(page, "j3_obj_tl", PASSWORD)
    page.goto(f"{base}/approvals/")
    queue = page.get_by_test_id("to-decide")
    assert "Transfer of ownership by agreement" in queue.inner_text()
    shot(page, "journey3-04-objections-tl-queue")
    queue.get_by_role("link", name="Transfer of ownership by agreement").click()
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Reason:", exact=True).fill("Agreed: we have most of the contact")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text()
    shot(page, "journey3-05-transfer-accepted")
    assert _holder(payer).area.code == "GENERAL_OBJECTIONS"
    assert not Letter.objects.filter(customer=payer).exists(), "the customer is never told about the discussion"
    page.get_by_role("button", name="Sign out").click()

    # 4. They cannot agree: the DPO officer escalates; a Team Leader of an area concerned decides from her queue.
    login(page, "j3_dpo", PASSWORD)
    page.goto(f"{base}/customers/{payer.csid}/")
    page.get_by_text("No agreement: escalate to a Team Leader").click()
    form = page.get_by_role("form", name="Escalate ownership dispute")
    form.get_by_label("Proposed owning area").select_option("DPO")
    form.get_by_label("Expected contact volume").fill("Garnishee letters will bring calls to the DPO team")
    form.get_by_label("Time to resolve").fill("Several months")
    form.get_by_label("Why the areas disagree").fill("Objections say the DPO now drives the contact")
    form.get_by_role("button", name="Send dispute for a decision").click()
    page.wait_for_load_state()
    dispute = ApprovalRequest.objects.get(kind="ownership_dispute", customer=payer)
    assert dispute.status == "pending" and _holder(payer).area.code == "GENERAL_OBJECTIONS"
    page.get_by_role("button", name="Sign out").click()

    login(page, "j3_dpo_tl", PASSWORD)
    page.goto(f"{base}/approvals/")
    page.get_by_test_id("to-decide").get_by_role("link", name="Ownership dispute").click()
    shot(page, "journey3-06-dispute-in-tl-queue")
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Which area owns the customer").select_option("transfer")
    decide.get_by_label("Reason:", exact=True).fill("The DPO now drives the contact")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text(), page.content()[:3000]
    shot(page, "journey3-07-dispute-decided")
    assert _holder(payer).area.code == "DPO"
    dispute.refresh_from_db()
    assert dispute.decided_by_id == dpo_tl.user_id and dispute.requested_by_id == dpo.user_id
    assert not Intray.objects.filter(customer=payer, type__code="approval_decision",
                                     status__in=["open", "in_progress"]).exists()
    assert obj_tl.user.notifications.exists() and dpo.user.notifications.filter(kind="approval_decided").exists()

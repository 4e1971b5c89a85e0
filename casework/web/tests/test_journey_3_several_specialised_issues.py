"""Journey 3 (../shared/product/JOURNEYS.md), "A customer with several specialised issues" (CMA-1.4 to 1.7), in the
browser, with a second officer acting in each approval (issue 11):

1. A payer has an objection (first), locked to the objections officer; a DPO is now being considered. The ownership
   rules (CMA-1.5) rank the DPO Team above Objections: the banner shows the customer locked to the DPO Team.
2. The objections officer sees that, and their work goes to the DPO Team through an intray (a referred follow-up).
3. The two areas agree to move ownership (expected contact volume): the DPO officer asks; the Objections Team Leader
   accepts it from her approvals queue; only then does the lock move. The customer is never told (no letter).
4. When they cannot agree, the DPO officer escalates; the DPO Team Leader decides from the escalation in her queue.
On every form: one field left blank first, the error shown and everything else typed still there. axe on every page;
screenshots at 1440 and 1024 px: var/screenshots/journey-3-*.png (moved here from casework/ownership/tests).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework.approvals.models import ApprovalRequest
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.letters.models import Letter
from casework.org.roles import Role
from casework.ownership import services
from casework.ownership.models import Lock
from casework.ownership.tests.conftest import Org, add_issue
from casework.testing.factories import CaseFactory, IncomeFactory

from .journey import step

PASSWORD = "pass-Word-123"


@pytest.fixture
def org(reference):
    return Org()


def _sign_in(page, base, username, axe_check):
    page.goto(f"{base}/login/")
    axe_check(page, f"journey-3 sign-in {username}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def _refused(page):
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    expect(summary).to_be_focused()
    return summary


def _holder(payer) -> Lock:
    return Lock.objects.get(customer=payer, is_active=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_journey_3_several_specialised_issues_with_a_second_officer_in_each_approval(
        live_server, browser_page, axe_check, shot_widths, org):
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

    # 01-02. The objections officer sees the DPO Team owns the customer (CMA-1.5, behind "Why") and refers her work.
    _sign_in(page, base, "j3_obj", axe_check)
    page.goto(f"{base}/customers/{payer.csid}/")
    banner = page.get_by_role("status", name="Ownership")
    expect(banner).to_contain_text("Locked to DPO")
    why = banner.locator("details.why")
    expect(why.locator(".step")).to_be_hidden()  # the step IDs are behind "Why"
    why.locator("summary").click()
    expect(why.locator(".step")).to_contain_text("CMA-1.5")
    step(page, "journey-3-01-locked-to-dpo", axe_check, shot_widths)
    page.get_by_text("Refer follow-up to").click()
    form = page.get_by_role("form", name="Refer follow-up")
    form.get_by_label("Subject").fill("Objection outcome to explain")
    form.get_by_label("Follow-up needed").fill("  ")
    form.get_by_role("button", name="Refer follow-up").click()
    _refused(page)
    form = page.get_by_role("form", name="Refer follow-up")
    expect(form.get_by_label("Subject")).to_have_value("Objection outcome to explain")
    step(page, "journey-3-02-refer-refused", axe_check, shot_widths)
    form.get_by_label("Follow-up needed").fill("Objection decided: explain the outcome with the DPO discussion.")
    form.get_by_role("button", name="Refer follow-up").click()
    page.wait_for_load_state()
    page.locator("[data-notification]").wait_for(state="visible")
    work = Intray.objects.filter(customer=payer, subject__icontains="Objection outcome").get()
    holder = _holder(payer)
    assert (work.assignee_officer_id, work.assignee_position_id) == (holder.officer_id, holder.position_id)
    step(page, "journey-3-02-work-referred-to-dpo", axe_check, shot_widths)
    page.get_by_role("button", name="Sign out").click()

    # 03. The areas agree to move ownership: the DPO officer asks (a blank reason first: the rest is kept) ...
    _sign_in(page, base, "j3_dpo", axe_check)
    page.goto(f"{base}/customers/{payer.csid}/")
    page.get_by_text("Ask to transfer ownership to another specialised area").click()
    form = page.get_by_role("form", name="Transfer ownership")
    form.get_by_label("To area").select_option("GENERAL_OBJECTIONS")
    form.get_by_label("Expected contact volume").fill("The objection will generate most of the contact now")
    form.get_by_label("Time to resolve").fill("DPO on hold for months; objection two weeks")
    form.get_by_label("Reason for transfer").fill(" ")
    form.get_by_role("button", name="Send transfer for approval").click()
    _refused(page)
    form = page.get_by_role("form", name="Transfer ownership")
    expect(form.get_by_label("To area")).to_have_value("GENERAL_OBJECTIONS")
    expect(form.get_by_label("Expected contact volume")).to_have_value("The objection will generate most of the contact now")
    expect(form.get_by_label("Time to resolve")).to_have_value("DPO on hold for months; objection two weeks")
    step(page, "journey-3-03-transfer-refused", axe_check, shot_widths)
    form.get_by_label("Reason for transfer").fill("Objections will have most of the contact")
    form.get_by_role("button", name="Send transfer for approval").click()
    page.locator("[data-notification]").wait_for(state="visible")
    assert _holder(payer).area.code == "DPO", "nothing moves before the other area accepts"
    step(page, "journey-3-03-transfer-asked", axe_check, shot_widths)
    page.get_by_role("button", name="Sign out").click()

    # ... and the Objections Team Leader accepts it from her approvals queue (a second officer).
    _sign_in(page, base, "j3_obj_tl", axe_check)
    page.goto(f"{base}/approvals/")
    queue = page.get_by_test_id("to-decide")
    assert "Transfer of ownership by agreement" in queue.inner_text()
    step(page, "journey-3-04-objections-tl-queue", axe_check, shot_widths)
    queue.get_by_role("link", name="Transfer of ownership by agreement").click()
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Reason", exact=True).fill("Agreed: we have most of the contact")
    axe_check(page, "journey-3-04-transfer-decide")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text()
    step(page, "journey-3-05-transfer-accepted", axe_check, shot_widths)
    assert _holder(payer).area.code == "GENERAL_OBJECTIONS"
    assert not Letter.objects.filter(customer=payer).exists(), "the customer is never told about the discussion"
    page.get_by_role("button", name="Sign out").click()

    # 04. They cannot agree: the DPO officer escalates (a blank "why" first: the rest is kept) ...
    _sign_in(page, base, "j3_dpo", axe_check)
    page.goto(f"{base}/customers/{payer.csid}/")
    page.get_by_text("No agreement: escalate to a Team Leader").click()
    form = page.get_by_role("form", name="Escalate ownership dispute")
    form.get_by_label("Proposed owning area").select_option("DPO")
    form.get_by_label("Expected contact volume").fill("Garnishee letters will bring calls to the DPO team")
    form.get_by_label("Time to resolve").fill("Several months")
    form.get_by_label("Why the areas disagree").fill(" ")
    form.get_by_role("button", name="Send dispute for a decision").click()
    _refused(page)
    form = page.get_by_role("form", name="Escalate ownership dispute")
    expect(form.get_by_label("Proposed owning area")).to_have_value("DPO")
    expect(form.get_by_label("Expected contact volume")).to_have_value("Garnishee letters will bring calls to the DPO team")
    expect(form.get_by_label("Time to resolve")).to_have_value("Several months")
    step(page, "journey-3-06-dispute-refused", axe_check, shot_widths)
    form.get_by_label("Why the areas disagree").fill("Objections say the DPO now drives the contact")
    form.get_by_role("button", name="Send dispute for a decision").click()
    page.locator("[data-notification]").wait_for(state="visible")
    dispute = ApprovalRequest.objects.get(kind="ownership_dispute", customer=payer)
    assert dispute.status == "pending" and _holder(payer).area.code == "GENERAL_OBJECTIONS"
    page.get_by_role("button", name="Sign out").click()

    # ... and the DPO Team Leader decides from the escalation in her queue.
    _sign_in(page, base, "j3_dpo_tl", axe_check)
    page.goto(f"{base}/approvals/")
    axe_check(page, "journey-3-07-dpo-tl-queue")
    page.get_by_test_id("to-decide").get_by_role("link", name="Ownership dispute").click()
    page.get_by_test_id("decide-form").wait_for(state="visible")
    step(page, "journey-3-07-dispute-in-tl-queue", axe_check, shot_widths)
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Which area owns the customer").select_option("transfer")
    decide.get_by_label("Reason", exact=True).fill("The DPO now drives the contact")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text(), page.content()[:3000]
    step(page, "journey-3-08-dispute-decided", axe_check, shot_widths)
    page.goto(f"{base}/customers/{payer.csid}/")
    expect(page.get_by_role("status", name="Ownership")).to_contain_text("DPO")
    axe_check(page, "journey-3-08-customer-after")

    assert _holder(payer).area.code == "DPO"
    dispute.refresh_from_db()
    assert dispute.decided_by_id == dpo_tl.user_id and dispute.requested_by_id == dpo.user_id
    assert not Intray.objects.filter(customer=payer, type__code="approval_decision",
                                     status__in=["open", "in_progress"]).exists()
    assert obj_tl.user.notifications.exists() and dpo.user.notifications.filter(kind="approval_decided").exists()
    actions = list(AuditEvent.objects.filter(customer_id=payer.pk, action__startswith="ownership.")
                   .values_list("action", flat=True))
    assert "ownership.follow_up_refer" in actions and len([a for a in actions if "transfer" in a or "lock" in a]) >= 2, actions

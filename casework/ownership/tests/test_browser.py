"""Browser journey (CMA-2.10, CMA-1.6, CMA-3.4): lock, transfer and unlock a customer from the customer page."""

from __future__ import annotations

import pytest

from casework.org.roles import Role
from casework.ownership.models import Lock
from casework.testing.factories import CaseFactory, IncomeFactory

PASSWORD = "pass-Word-123"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lock_transfer_unlock_from_the_customer_page(live_server, browser_page, login, shot, org):
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER, username="own_objections")
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER, username="own_dpo")
    org.team_leader("DPO", username="own_dpo_tl")
    case = CaseFactory(payer__given_names="Oliver", payer__family_name="Drummond")
    payer = case.payer
    IncomeFactory(customer=payer)  # ATO-issued income: no Minimum Collection Activity needed (CMA-2.1, CMA-3.4)
    page = browser_page

    login(page, "own_objections", PASSWORD)
    page.goto(f"{live_server.url}/customers/{payer.csid}/")
    banner = page.get_by_role("status", name="Ownership")
    assert "Not locked." in banner.inner_text()
    shot(page, "ownership-01-unlocked")

    page.get_by_label("Reason for locking").fill("Objection to the care decision")
    page.get_by_role("button", name="Lock customer").click()
    banner = page.get_by_role("status", name="Ownership")
    assert f"Locked to {obj.display_name}" in banner.inner_text()
    assert "CMA-2.10" in banner.text_content()  # behind the "why" disclosure
    shot(page, "ownership-02-locked")

    page.get_by_text("Ask to transfer ownership to another specialised area").click()
    form = page.get_by_role("form", name="Transfer ownership")
    form.get_by_label("To area").select_option("DPO")
    form.get_by_label("Officer in that area (username, optional)").fill("own_dpo")
    form.get_by_label("Expected contact volume").fill("The DPO will generate most of the contact")
    form.get_by_label("Time to resolve").fill("Objection two weeks; DPO several months")
    form.get_by_label("Who you spoke to in the other area (optional)").fill("DPO Team Leader, by phone")
    form.get_by_label("Reason for transfer").fill("Better outcome with one owner")
    shot(page, "ownership-03a-transfer-form")
    form.get_by_role("button", name="Send transfer for approval").click()
    assert "Transfer sent for approval" in page.content()
    banner = page.get_by_role("status", name="Ownership")
    assert f"Locked to {obj.display_name}" in banner.inner_text()  # issue 11: nothing moves before the acceptance

    # Issue 11: the DPO Team Leader accepts it from their approvals queue.
    from casework.approvals.models import ApprovalRequest

    approval = ApprovalRequest.objects.get(kind="ownership_transfer", customer=payer)
    page.get_by_role("button", name="Sign out").click()
    login(page, "own_dpo_tl", PASSWORD)
    page.goto(f"{live_server.url}/approvals/{approval.pk}/")
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Reason", exact=True).fill("Agreed: DPO takes the customer")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text()
    page.goto(f"{live_server.url}/customers/{payer.csid}/")
    banner = page.get_by_role("status", name="Ownership")
    assert f"Locked to {dpo.display_name}" in banner.inner_text() and "CMA-1.6" in banner.text_content()
    shot(page, "ownership-03b-transferred")

    page.get_by_role("button", name="Sign out").click()
    login(page, "own_dpo", PASSWORD)
    page.goto(f"{live_server.url}/customers/{payer.csid}/")
    page.get_by_text("Finalise and unlock").click()
    form = page.get_by_role("form", name="Unlock customer")
    form.get_by_role("group", name="Decision verbally explained to every impacted customer?").get_by_label("Yes").check()
    form.get_by_role("group", name="Appropriate contact attempts made?").get_by_label("Yes").check()
    page.get_by_label("Reason for unlocking").fill("Decision explained to both parents")
    page.get_by_role("button", name="Unlock customer").click()
    banner = page.get_by_role("status", name="Ownership")
    assert "Not locked." in banner.inner_text()
    page.get_by_text("Lock history").click()
    shot(page, "ownership-04-unlocked-history")
    assert Lock.objects.filter(customer=payer).count() == 2
    assert not Lock.objects.filter(customer=payer, is_active=True).exists()

"""Journey 5 in the browser (PS-REF → PS-ACT): the demo customer's CRG Referral to PS intray is actioned by the PS
Team Leader, the Case Manager records the first contact, asks for segment 3 (the Team Leader does not approve it from
her approvals queue, and the Case Manager is told), sets segment 2, resolves the plan and requests finalisation, and
the Team Leader approves it from her approvals queue (issue 11: a second officer acts in each approval).
Screenshots under var/screenshots/ps-*.png."""

import re

import pytest

from casework.ps.models import PsRecord

PASSWORD = "casework-demo"


@pytest.fixture
def demo(reference):
    from casework.ps import demo as ps_demo
    from casework.web import demo as web_demo

    web_demo.seed()
    summary = ps_demo.seed()
    assert "CRG Referral to PS intray" in summary
    return web_demo.SCENARIOS["ps_candidate"]


@pytest.mark.browser
def test_ps_referral_to_finalisation_approved(live_server, browser_page, login, shot, demo):
    page = browser_page
    base = live_server.url
    login(page, "ps_tl", PASSWORD)
    page.goto(base + "/ps/")
    shot(page, "ps-01-tl-dashboard-referral")
    row = page.locator("tr", has_text=demo)
    row.get_by_role("link", name="Action referral").click()
    page.get_by_label("Case Manager").select_option("ps_cm")
    page.get_by_label("Referral source").select_option("crg")
    page.get_by_label("CRG Record (gateway referrals)").fill("CRG record: three escalations since July.")
    shot(page, "ps-02-action-referral")
    page.get_by_role("button", name="Lock, assign and open the plan").click()
    page.wait_for_url(re.compile(r"/ps/records/\d+/"))
    rec_url = page.url.split("#")[0]
    assert page.get_by_text("Referral actioned").is_visible()
    shot(page, "ps-03-plan-created")

    login(page, "ps_cm", PASSWORD)
    page.goto(rec_url)
    contact = page.locator("form", has=page.get_by_role("button", name="Record first contact"))
    for box in contact.locator("input[type=checkbox]").all():
        box.check()
    contact.locator("#contact-summary").fill("Introduced myself; confirmed the five mandatory issues; customer agreed.")
    contact.get_by_role("button", name="Record first contact").click()
    page.wait_for_load_state()
    assert page.get_by_text("Contact recorded").is_visible()
    shot(page, "ps-04-first-contact")

    assert "suggested" in page.get_by_test_id("segment-suggestion").inner_text()
    page.locator("#segment-select").select_option("3")
    page.locator("#segment-reason").fill("Escalations to the Ombudsman")
    page.get_by_role("button", name="Set segment").click()
    page.wait_for_load_state()
    assert page.get_by_text("Segment 3 requested").is_visible()
    assert "Segment 3" not in page.get_by_test_id("segment").inner_text()  # nothing applies before the decision
    shot(page, "ps-05a-segment-3-requested")

    login(page, "ps_tl", PASSWORD)
    page.goto(base + "/approvals/")
    page.get_by_test_id("to-decide").get_by_role("link", name="Classify as segment 3").click()
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Do not approve", exact=True).check()
    decide.get_by_label("Reason:", exact=True).fill("Segment 2 strategies first")
    shot(page, "ps-05b-tl-decides-segment-3")
    decide.get_by_role("button", name="Record decision").click()
    assert "Not approved" in page.get_by_test_id("approval-status").inner_text()

    login(page, "ps_cm", PASSWORD)
    page.goto(base + "/notifications/")
    assert "not approved" in page.get_by_test_id("notifications").inner_text()
    shot(page, "ps-05c-cm-told")
    page.goto(rec_url)
    page.locator("#segment-select").select_option("2")
    page.locator("#segment-reason").fill("CRG referral, DPO and defaulted arrangement")
    page.get_by_role("button", name="Set segment").click()
    page.wait_for_load_state()
    assert "Segment 2" in page.get_by_test_id("segment").inner_text()
    shot(page, "ps-05-segment")

    for title in ("Income Correct", "Care Correct", "Customer Contact Details", "Payment Activity for Ongoing",
                  "Payment Activity for Arrears"):
        page.get_by_role("button", name=f"Resolve {title}", exact=True).click()
        page.wait_for_load_state()
    page.locator("form", has_text="Customer told by phone").locator("input[name=summary]").fill(
        "Told the customer their issues are addressed and the case leaves PS.")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_load_state()
    fin = page.locator("form", has=page.get_by_role("button", name="Submit finalisation request"))
    for box in fin.locator("input[type=checkbox]").all():
        box.check()
    fin.get_by_label("Finalisation notepad").fill("All plan issues resolved; customer informed.")
    fin.get_by_role("button", name="Submit finalisation request").click()
    page.wait_for_load_state()
    assert page.get_by_text("Finalisation request sent").is_visible(), page.locator(".messages").inner_text()
    shot(page, "ps-06-finalisation-requested")

    login(page, "ps_tl", PASSWORD)
    page.goto(base + "/approvals/")
    page.get_by_test_id("to-decide").get_by_role("link", name="PS finalisation").click()
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("PS-FIN-3 reason for approving").select_option("issues_addressed")
    decide.get_by_label("Comments for the stacking document").fill(
        "Issues addressed per the PSP; return to the business line.")
    shot(page, "ps-07-tl-review")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text()
    shot(page, "ps-08-approved")
    rec = PsRecord.objects.get(customer__csid=demo)
    assert rec.status == "finalised" and not rec.is_active

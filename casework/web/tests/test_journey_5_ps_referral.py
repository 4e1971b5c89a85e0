"""Journey 5 (../shared/product/JOURNEYS.md): a PS referral, start to finish, PS-REF to PS-ACT, in the browser.

The demo customer's CRG Referral to PS intray is in the PS team's queue; the PS Team Leader assigns it to the Case
Manager (the customer is locked to them, the plan opens with the five mandatory issues and the "PS referral" notepad);
the Case Manager works the PS record's task list: a notepad, the first call with the discussion checklist, the
segment the system suggests, the plan's issues and an option, UQ140.01 previewed then sent, the customer told, and
the finalisation request; the PS Team Leader approves it from their approvals queue, and the customer is unlocked
through the ownership rules. Every form is first submitted with one field wrong: the error summary and the field
message are shown and everything else typed is still there. Screenshots: var/screenshots/journey-5-*."""

from __future__ import annotations

import re

import pytest

from casework.core.models import AuditEvent
from casework.testing.browser import assert_focus_on_first_field

PASSWORD = "casework-demo"
ISSUES = ("Income Correct", "Care Correct", "Customer Contact Details", "Payment Activity for Ongoing",
          "Payment Activity for Arrears")


@pytest.fixture
def demo(reference):
    from casework.ps import demo as ps_demo
    from casework.web import demo as web_demo

    web_demo.seed()
    assert "CRG Referral to PS intray" in ps_demo.seed()
    return web_demo.SCENARIOS["ps_candidate"]


def refused(page, message: str) -> None:
    """The error summary is shown (focused, linking to the field) with the message, and the field says it too."""
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text() and message in summary.inner_text(), summary.inner_text()
    assert page.evaluate("() => document.activeElement && document.activeElement.hasAttribute('data-error-summary')")


def done(page, message: str) -> None:
    banner = page.locator("[data-notification]")
    banner.wait_for()
    assert message in banner.inner_text(), banner.inner_text()


def open_task(page, name: str) -> None:
    page.get_by_test_id("task-list").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("link", name="Back to the task list").wait_for()


def status_of(page, key: str) -> str:
    return page.get_by_test_id(f"task-{key}").locator(".task-status").inner_text()


@pytest.mark.browser
def test_journey_5_ps_referral_start_to_finish(live_server, browser_page, login, shot_widths, axe_check, demo):
    from casework.ownership import selectors as own_sel
    from casework.ps.models import PsRecord

    page, base = browser_page, live_server.url

    # 1. The PS Team Leader finds the CRG referral in the PS team's queue and assigns it to the Case Manager.
    login(page, "ps_tl", PASSWORD)
    page.goto(base + "/ps/")
    axe_check(page, "PS dashboard (Team Leader)")
    shot_widths(page, "journey-5-01-referral-queue")
    page.locator("tr", has_text=demo).get_by_role("link", name="Action referral").click()
    assert_focus_on_first_field(page, "main form")
    axe_check(page, "action referral")
    page.get_by_label("Case Manager").select_option("ps_cm")
    page.get_by_label("Referral source").select_option("crg")
    page.get_by_label("Main referral reason").fill("")  # wrong: required
    page.get_by_label("Case and customer records").check()
    page.get_by_label("Customer history report").check()
    page.get_by_label("CRG Record (gateway referrals)").fill("CRG record: three escalations since July.")
    page.get_by_label("Options identified").fill("Change of assessment; payment arrangement")
    page.get_by_role("button", name="Lock, assign and open the plan").click()
    refused(page, "Main referral reason")
    axe_check(page, "action referral, refused")
    assert page.get_by_label("Case Manager").input_value() == "ps_cm"
    assert page.get_by_label("Referral source").input_value() == "crg"
    assert page.get_by_label("Case and customer records").is_checked()
    assert page.get_by_label("Customer history report").is_checked()
    assert page.get_by_label("CRG Record (gateway referrals)").input_value() == "CRG record: three escalations since July."
    assert page.get_by_label("Options identified").input_value() == "Change of assessment; payment arrangement"
    shot_widths(page, "journey-5-02-referral-error")
    page.get_by_label("Main referral reason").fill("Repeated escalations about the assessment and the arrears.")
    page.get_by_role("button", name="Lock, assign and open the plan").click()
    page.wait_for_url(re.compile(r"/ps/records/\d+/$"))
    done(page, "Referral actioned")
    rec_url = page.url
    axe_check(page, "PS record task list (just assigned)")
    shot_widths(page, "journey-5-03-task-list")
    page.get_by_role("button", name="Sign out").click()

    # 2. The Case Manager opens the PS record: a task list in procedure order.
    login(page, "ps_cm", PASSWORD)
    page.goto(rec_url)
    assert status_of(page, "referral") == "Completed"
    assert status_of(page, "finalisation") == "Cannot start yet"
    page.get_by_test_id("task-finalisation").get_by_text("Why").click()
    assert "plan issue(s) not resolved" in page.get_by_test_id("task-finalisation").inner_text()
    axe_check(page, "PS record task list (Case Manager)")

    # 3. Stacking document: the "PS referral" notepad is there; a notepad on the case history, by keyboard only.
    open_task(page, "Stacking document notepads")
    assert page.locator(".timeline").get_by_text("PS referral").is_visible()
    assert_focus_on_first_field(page, "form[aria-label='Add a notepad']")
    axe_check(page, "notepad task")
    page.keyboard.type("x")  # wrong: not a meaningful subject (PS-DOC-2)
    page.keyboard.press("Tab")
    page.keyboard.type("Reviewed the case history: three escalations, one objection.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    refused(page, "meaningful subject")
    assert page.locator("#note-body").input_value() == "Reviewed the case history: three escalations, one objection."
    axe_check(page, "notepad task, refused")
    shot_widths(page, "journey-5-04-notepad-error")
    page.get_by_role("textbox", name="Subject").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Case history reviewed")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    done(page, "Notepad added")
    assert status_of(page, "notepad") == "Completed"

    # 4. The first call, with the discussion checklist and the mandatory issues confirmed.
    open_task(page, "Contact the customer")
    form = page.locator("form", has=page.get_by_role("button", name="Record first contact"))
    assert_focus_on_first_field(page, "main form")
    axe_check(page, "contact task")
    boxes = form.locator("input[type=checkbox]").all()
    for box in boxes:
        box.check()
    form.locator("#contact-products").fill("Fact sheet: how estimates work")
    form.get_by_role("button", name="Record first contact").click()  # wrong: no summary
    refused(page, "Summarise the discussion")
    form = page.locator("form", has=page.get_by_role("button", name="Record first contact"))
    assert all(box.is_checked() for box in form.locator("input[type=checkbox]").all())
    assert form.locator("#contact-products").input_value() == "Fact sheet: how estimates work"
    axe_check(page, "contact task, refused")
    shot_widths(page, "journey-5-05-contact-error")
    form.get_by_role("textbox", name="Summary").fill("Introduced myself; confirmed the five mandatory issues; customer agreed.")
    form.get_by_role("button", name="Record first contact").click()
    done(page, "Contact recorded")
    shot_widths(page, "journey-5-06-contact-recorded")

    # 5. The segment: the system suggests one and says why.
    open_task(page, "Customer segment")
    assert "suggested" in page.get_by_test_id("segment-suggestion").inner_text()
    assert_focus_on_first_field(page, "main form")
    axe_check(page, "segment task")
    shot_widths(page, "journey-5-07-segment-suggested")
    page.locator("#segment-select").select_option("2")
    page.locator("#segment-reason").fill("")  # wrong: a segment needs its reason
    page.get_by_role("button", name="Set segment").click()
    refused(page, "")
    assert page.locator("#segment-select").input_value() == "2"
    axe_check(page, "segment task, refused")
    page.get_by_role("textbox", name="Reason").fill("CRG referral, DPO and defaulted arrangement")
    page.get_by_role("button", name="Set segment").click()
    done(page, "Segment recorded")
    assert "Segment 2" in page.get_by_test_id("segment").inner_text()

    # 6. The plan: an option (typed values kept on an error), the five mandatory issues resolved, the plan approved.
    open_task(page, "Personalised Services Plan")
    assert_focus_on_first_field(page, "main form")
    axe_check(page, "plan task")
    option = page.locator("form", has=page.get_by_role("button", name="Add option"))
    option.locator("select[name=kind]").select_option("publication")
    option.locator("input[name=timeframe]").fill("Within two weeks")
    option.get_by_role("button", name="Add option").click()  # wrong: no detail
    refused(page, "")
    option = page.locator("form", has=page.get_by_role("button", name="Add option"))
    assert option.locator("select[name=kind]").input_value() == "publication"
    assert option.locator("input[name=timeframe]").input_value() == "Within two weeks"
    shot_widths(page, "journey-5-08-plan-error")
    option.locator("input[name=detail]").fill("Fact sheet on estimates, posted")
    option.get_by_role("button", name="Add option").click()
    done(page, "Option recorded")
    for title in ISSUES:
        open_task(page, "Personalised Services Plan")
        page.get_by_role("button", name=f"Resolve {title}", exact=True).click()
        done(page, title)
    open_task(page, "Personalised Services Plan")
    page.get_by_role("button", name="Approve plan").click()
    done(page, "Plan approved")
    assert status_of(page, "plan") == "Completed"

    # 7. UQ140.01: previewed first, then sent; listed by its title, the PDF opens in a new tab.
    open_task(page, "Letters to the customer")
    assert_focus_on_first_field(page, "form[aria-label='Preview a letter']")
    axe_check(page, "letters task")
    page.locator("#letter-code").select_option("uq140_01_first_call_confirmation")
    page.get_by_role("button", name="Preview letter").click()
    page.get_by_role("heading", name=re.compile("Preview: What we discussed in our first call")).wait_for()
    axe_check(page, "letter preview")
    shot_widths(page, "journey-5-09-letter-preview")
    page.get_by_role("button", name="Send this letter").click()
    done(page, "issued")
    sent = page.get_by_test_id("sent-letters")
    assert "What we discussed in our first call" in sent.inner_text() and "uq140" not in sent.inner_text()
    assert sent.get_by_role("link").first.get_attribute("target") == "_blank"
    assert status_of(page, "letters") == "Completed"

    # 8. Finalisation: the customer told by phone, then the request with its attestations.
    assert status_of(page, "finalisation") == "Not started"
    open_task(page, "Request finalisation")
    assert_focus_on_first_field(page, "main form")
    axe_check(page, "finalisation task")
    page.locator("form", has_text="Customer told by phone").locator("input[name=summary]").fill(
        "Told the customer their issues are addressed and the case leaves PS.")
    page.get_by_role("button", name="Record", exact=True).click()
    done(page, "customer told")
    open_task(page, "Request finalisation")
    fin = page.locator("form", has=page.get_by_role("button", name="Submit finalisation request"))
    for box in fin.locator("input[type=checkbox]").all():
        box.check()
    fin.get_by_role("button", name="Submit finalisation request").click()  # wrong: no finalisation notepad
    refused(page, "finalisation notepad")
    fin = page.locator("form", has=page.get_by_role("button", name="Submit finalisation request"))
    assert all(box.is_checked() for box in fin.locator("input[type=checkbox]").all())
    axe_check(page, "finalisation task, refused")
    shot_widths(page, "journey-5-10-finalisation-error")
    fin.get_by_label("Finalisation notepad").fill("All plan issues resolved; customer informed.")
    fin.get_by_role("button", name="Submit finalisation request").click()
    done(page, "Finalisation request sent")
    assert status_of(page, "finalisation") == "Completed" and status_of(page, "decision") == "In progress"
    shot_widths(page, "journey-5-11-finalisation-requested")
    page.get_by_role("button", name="Sign out").click()

    # 9. The PS Team Leader approves it from their approvals queue.
    login(page, "ps_tl", PASSWORD)
    page.goto(base + "/approvals/")
    axe_check(page, "approvals queue (PS Team Leader)")
    page.get_by_test_id("to-decide").get_by_role("link", name="PS finalisation").click()
    axe_check(page, "finalisation approval")
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Comments for the stacking document").fill("Issues addressed per the PSP.")
    decide.get_by_role("button", name="Record decision").click()  # wrong: no PS-FIN-3 reason chosen
    page.locator("[data-error-summary]").wait_for()
    decide = page.get_by_test_id("decide-form")
    assert decide.get_by_label("Approve", exact=True).is_checked()
    assert decide.get_by_label("Comments for the stacking document").input_value() == "Issues addressed per the PSP."
    shot_widths(page, "journey-5-12-approval-error")
    decide.get_by_label("PS-FIN-3 reason for approving").select_option("issues_addressed")
    decide.get_by_role("button", name="Record decision").click()
    assert "Approved" in page.get_by_test_id("approval-status").inner_text()
    shot_widths(page, "journey-5-13-approved")
    page.goto(rec_url)
    assert status_of(page, "decision") == "Completed"
    axe_check(page, "PS record task list (finalised)")
    shot_widths(page, "journey-5-14-finalised")

    # The end state: finalised, the customer no longer locked to PS, each step audited.
    rec = PsRecord.objects.get(customer__csid=demo)
    assert rec.status == "finalised" and not rec.is_active
    lock = own_sel.active_lock(customer=rec.customer)
    assert lock is None or lock.officer_id != rec.case_manager_id
    audited = set(AuditEvent.objects.filter(customer_id=rec.customer_id).values_list("action", flat=True))
    for action in ("ps_letter.send", "ps_contact.record", "ps_finalisation.submit"):
        assert any(a.startswith(action.split(".")[0]) for a in audited), (action, sorted(audited))

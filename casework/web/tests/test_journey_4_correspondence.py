"""Journey 4 (../shared/product/JOURNEYS.md), "Correspondence arrives" (CMA-1.1, CMA-3.5), as one complete path in
Chromium on the demo data: a Sydney Service Officer keys a scanned letter in as *Correspondence received* against the
payer, checks its category (changing it needs a reason), tries to close the intray too early (told which matters are
still open), refers the arrears matter to the Collection officer in Brisbane (CMA-2.10: a Client Contact Required
intray due in 2 working days there), addresses the other matter with its outcome communicated, and closes the intray.
The Collection officer then signs in and finds the referred matter in their queue with its due date.
Every form is first refused once with the rest of what was typed kept. axe on every page; screenshots
var/screenshots/journey-4-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import Customer
from casework.intrays.calendar import local_today
from casework.intrays.models import CorrespondenceMatter, Intray
from casework.notifications.models import Notification
from casework.org.models import Officer
from casework.testing.browser import assert_focus_on_first_field

from .journey import step

COA = "Asks for a change of assessment: his income has dropped"
ARREARS = "Says the arrears on his statement are wrong"
REFER_REASON = "Please check the arrears with the payer and write to him"
COLLECT_LABEL = "Colin Ellis (Service Officer, Brisbane)"


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


def sign_in(page, base, username, axe_check, label):
    page.goto(f"{base}/login/")
    axe_check(page, label)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("casework-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def summary_focused(page):
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    expect(summary).to_be_focused()
    return summary


@pytest.mark.browser
def test_journey_4_correspondence_arrives(live_server, browser_page, axe_check, shot_widths, demo):
    payer = Customer.objects.get(csid=demo.SCENARIOS["payer_debt_no_arrangement"])
    so = Officer.objects.get(user__username="so_nsw")
    collect = Officer.objects.get(user__username="so_collect")
    received = (local_today(so.position.office, clock.now()) - dt.timedelta(days=1)).isoformat()
    page = browser_page
    base = live_server.url

    # 01 Sign in; the new-intray form for the payer, its first field focused.
    sign_in(page, base, "so_nsw", axe_check, "journey-4-01-sign-in")
    page.goto(f"{base}/work/new/?csid={payer.csid}")
    assert_focus_on_first_field(page, "main form")
    step(page, "journey-4-01-new-intray", axe_check, shot_widths)

    # 02 Key the letter in without a subject: refused, everything else typed is kept.
    page.get_by_label("Type").select_option("correspondence_received")
    page.get_by_label("Assign to officer (username)").fill("so_nsw")
    page.get_by_label("Channel").select_option("post")
    page.get_by_label("Date received").fill(received)
    page.get_by_label("Category").select_option("general")
    page.get_by_label("Matters raised (one a line)").fill(f"{COA}\n{ARREARS}")
    page.get_by_role("button", name="Create intray").click()
    summary = summary_focused(page)
    expect(summary).to_contain_text("subject")
    expect(page.get_by_label("Type")).to_have_value("correspondence_received")
    expect(page.get_by_label("Assign to officer (username)")).to_have_value("so_nsw")
    expect(page.get_by_label("Channel")).to_have_value("post")
    expect(page.get_by_label("Date received")).to_have_value(received)
    expect(page.get_by_label("Category")).to_have_value("general")
    expect(page.get_by_label("Matters raised (one a line)")).to_have_value(f"{COA}\n{ARREARS}")
    step(page, "journey-4-02-subject-missing", axe_check, shot_widths)
    page.get_by_label("Subject").fill("Letter from the payer about his assessment and arrears")
    page.get_by_role("button", name="Create intray").click()
    page.wait_for_url("**/work/intrays/*/")
    intray = Intray.objects.get(customer=payer, type__code="correspondence_received")
    expect(page.get_by_test_id("matter-status-" + str(CorrespondenceMatter.objects.get(description=COA).pk))
           ).to_have_text("Outstanding")
    step(page, "journey-4-03-intray", axe_check, shot_widths)

    # 03 The category is wrong: changing it without a reason is refused (the new category stays chosen).
    page.get_by_label("Change category").select_option("change_of_assessment")
    page.get_by_role("button", name="Re-categorise").click()
    summary_focused(page)
    expect(page.get_by_label("Change category")).to_have_value("change_of_assessment")
    step(page, "journey-4-04-category-needs-reason", axe_check, shot_widths)
    page.get_by_label("Reason (required)").fill("The letter asks for a change of assessment")
    page.get_by_role("button", name="Re-categorise").click()
    page.locator("[data-notification]").wait_for(state="visible")
    expect(page.locator("#corr-category")).to_have_text("Change of Assessment application")

    # 04 Closing now is refused, naming the matters still open.
    page.get_by_role("button", name="Mark done").click()
    summary = summary_focused(page)
    expect(summary).to_contain_text(COA)
    expect(summary).to_contain_text(ARREARS)
    step(page, "journey-4-05-close-refused", axe_check, shot_widths)

    # 05 Refer the arrears matter to Collection, by keyboard only: first without saying what they need to do.
    arrears = CorrespondenceMatter.objects.get(description=ARREARS)
    form = page.get_by_test_id(f"matter-refer-{arrears.pk}")
    disclosure = form.locator("xpath=ancestor::details/summary")
    disclosure.focus()
    page.keyboard.press("Enter")
    officer_field = form.get_by_role("combobox", name="Refer to officer (username)")
    expect(officer_field).to_be_visible()
    page.keyboard.press("Tab")
    expect(officer_field).to_be_focused()
    page.keyboard.type("colin", delay=40)  # the picker suggests; ArrowDown and Enter choose
    listbox = page.locator(f"#{officer_field.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option", name=COLLECT_LABEL)).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(officer_field).to_have_value(COLLECT_LABEL)
    page.keyboard.press("Enter")  # the list closed: Enter submits the form
    summary = summary_focused(page)
    expect(summary).to_contain_text("Give a reason for referring the matter")
    form = page.get_by_test_id(f"matter-refer-{arrears.pk}")
    expect(form.get_by_label("Refer to officer (username)")).to_have_value(COLLECT_LABEL)
    step(page, "journey-4-06-refer-needs-reason", axe_check, shot_widths)
    summary.get_by_role("link").first.press("Enter")
    reason = form.get_by_label("What the other team needs to do")
    expect(reason).to_be_focused()
    page.keyboard.type(REFER_REASON)
    page.keyboard.press("Enter")
    page.locator("[data-notification]").wait_for(state="visible")
    expect(page.locator("[data-notification]")).to_contain_text(f"Matter referred to {collect.display_name}")
    expect(page.get_by_test_id(f"matter-status-{arrears.pk}")).to_have_text("Referred to another team")
    step(page, "journey-4-07-matter-referred", axe_check, shot_widths)

    # 06 Address the other matter: the tick is kept when the outcome is missing.
    coa = CorrespondenceMatter.objects.get(description=COA)
    row = page.locator(f"#id_m{coa.pk}_outcome").locator("xpath=ancestor::form")
    row.get_by_label("Outcome communicated to the customer").check()
    row.get_by_role("button", name="Addressed").click()
    summary_focused(page)
    row = page.locator(f"#id_m{coa.pk}_outcome").locator("xpath=ancestor::form")
    expect(row.get_by_label("Outcome communicated to the customer")).to_be_checked()
    step(page, "journey-4-08-outcome-missing", axe_check, shot_widths)
    row.get_by_label("Outcome", exact=True).fill("Change of assessment form sent; explained by phone")
    row.get_by_role("button", name="Addressed").click()
    page.locator("[data-notification]").wait_for(state="visible")
    expect(page.get_by_test_id(f"matter-status-{coa.pk}")).to_have_text("Addressed")

    # 07 Now the intray closes.
    page.get_by_label("Outcome", exact=True).first.fill("Both matters dealt with; arrears referred to Collection")
    page.get_by_role("button", name="Mark done").click()
    page.locator("[data-notification]").wait_for(state="visible")
    expect(page.locator("#intray-status")).to_have_text("Done")
    step(page, "journey-4-09-closed", axe_check, shot_widths)

    # 08 The Collection officer signs in (another browser context) and finds the matter in their queue, due date shown.
    referral = Intray.objects.get(related_intray=intray, type__code="client_contact_required")
    second = page.context.browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-AU")
    other = second.new_page()
    try:
        sign_in(other, base, "so_collect", axe_check, "journey-4-10-sign-in")
        other.goto(f"{base}/work/")
        row = other.locator("tr", has_text=ARREARS)
        expect(row).to_contain_text(f"{referral.due_date:%a} {referral.due_date.day} {referral.due_date:%b}")
        step(other, "journey-4-10-collection-queue", axe_check, shot_widths)
        row.get_by_role("link").first.click()
        other.wait_for_url(f"**/work/intrays/{referral.pk}/")
        expect(other.locator("main")).to_contain_text(REFER_REASON)
        step(other, "journey-4-11-referred-intray", axe_check, shot_widths)
    finally:
        second.close()

    # The end state: correspondence done, one matter addressed, one referred as Collection's open work, all audited.
    intray.refresh_from_db()
    arrears.refresh_from_db()
    coa.refresh_from_db()
    assert intray.status == "done" and intray.correspondence.category == "change_of_assessment"
    assert (coa.status, arrears.status) == ("addressed", "referred")
    assert arrears.referred_intray == referral and referral.assignee_officer == collect and referral.is_open
    assert referral.office.code == "brisbane" and referral.due_date is not None
    assert Notification.objects.filter(recipient=collect.user, link=f"/work/intrays/{referral.pk}/").exists()
    for action in ("correspondence.receive", "correspondence.recategorise", "correspondence.matter_refer",
                   "correspondence.matter_address", "intray.complete"):
        assert AuditEvent.objects.filter(action=action, customer_id=payer.pk, actor=so.user).exists(), action

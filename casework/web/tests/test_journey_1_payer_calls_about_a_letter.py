"""Journey 1 (../shared/product/JOURNEYS.md), "A payer calls about a letter" (Service Officer, common area;
CMA-1.1, 1.2, 2.x, 3.x), as one complete path in Chromium on the demo payer with a debt and no arrangement:
sign in, find the customer, see ownership and the contact above the notes at 1024 px, print the summary, start the
contact, confirm POI (by keyboard only), add the presenting issue (common, handled here), record the arrangement and
tick the expectations, document MCA, close the issue, explain, finalise. On every form: one invalid value first, the
error shown and everything else typed still there. axe on every page; screenshots var/screenshots/journey-1-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.contacts.models import Contact, ContactStatus
from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import Customer, Note, NoteKind, PaymentArrangement
from casework.testing.browser import SCREENSHOTS, assert_focus_on_first_field

from .journey import LONG_WORD, assert_no_horizontal_scroll, choose_a_stale_option, step, top, view_shot


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


def _error_shown(page, field_label: str | None = None):
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    if field_label:
        expect(summary.locator("a").first).to_contain_text(field_label)
    return summary


@pytest.mark.browser
def test_journey_1_a_payer_calls_about_a_letter(live_server, browser_page, axe_check, shot_widths, demo):
    csid = demo.SCENARIOS["payer_debt_no_arrangement"]
    customer = Customer.objects.get(csid=csid)
    page = browser_page
    base = live_server.url

    # 01 Sign in: a wrong password keeps the username typed; the summary says what is wrong.
    page.goto(f"{base}/login/")
    assert_focus_on_first_field(page, "main form")
    step(page, "journey-1-01-sign-in", axe_check, shot_widths)
    page.get_by_label("Username").fill("so_nsw")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    _error_shown(page, "didn't match")
    expect(page.get_by_label("Username")).to_have_value("so_nsw")
    axe_check(page, "journey-1-01-sign-in-refused")
    page.get_by_label("Password").fill("casework-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    # 02 Find the customer, by keyboard only: a malformed CSID is refused with the reason, then the right one.
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    page.locator("#search-results").get_by_text("A CSID has 10 digits").wait_for()
    expect(page.get_by_label("CSID or name")).to_have_value("12345")
    step(page, "journey-1-02-search-refused", axe_check, shot_widths)
    page.get_by_label("CSID or name").fill("")
    page.get_by_label("CSID or name").focus()
    page.keyboard.type(csid)
    page.keyboard.press("Enter")
    link = page.locator("#search-results").get_by_role("link", name=csid)
    link.wait_for()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/customers/{csid}/")

    # 03 The customer at a glance: ownership, case and other parent, income reliability, debt without arrangement.
    expect(page.get_by_role("heading", name=customer.full_name)).to_be_visible()
    expect(page.get_by_role("status", name="Ownership")).to_contain_text("Not locked.")
    expect(page.get_by_text("not reliable").first).to_be_visible()
    step(page, "journey-1-03-customer", axe_check, shot_widths)
    view_shot(page, "journey-1-03-customer", width=1024)
    page.set_viewport_size({"width": 1024, "height": 900})
    notes_top = top(page, "#notes .timeline")
    assert top(page, "#ownership") < notes_top, "at 1024 px the ownership panel comes above the notes"
    assert top(page, "#contacts") < notes_top and top(page, "text=Start a contact") < notes_top
    # The step IDs explaining the ownership decision sit behind "Why".
    why = page.locator("#ownership details.why").first
    expect(why.locator(".step")).to_be_hidden()
    why.locator("summary").click()
    expect(why.locator(".step")).to_be_visible()

    # 04 A note whose body is one 600-character word: first refused (subject blank), the body is kept; then added.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator("form.note-form").get_by_label("Subject").fill("   ")
    page.locator("form.note-form").get_by_label("Kind").select_option("collection")
    page.locator("form.note-form").get_by_label("Note", exact=True).fill(f"Reference quoted by the payer: {LONG_WORD}")
    page.locator("form.note-form").get_by_role("button", name="Add note").click()
    page.locator("#note-subject-error").wait_for()
    expect(page.locator("form.note-form").get_by_label("Note", exact=True)).to_have_value(f"Reference quoted by the payer: {LONG_WORD}")
    expect(page.locator("form.note-form").get_by_label("Kind")).to_have_value("collection")
    axe_check(page, "journey-1-04-note-refused")
    page.locator("form.note-form").get_by_label("Subject").fill("Payer quoted the letter reference")
    page.locator("form.note-form").get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    assert_no_horizontal_scroll(page, "customer page with a 600-character word")
    step(page, "journey-1-04-note-added", axe_check, shot_widths)

    # The notes page (the form without JavaScript, refused): the long word wraps there too.
    page.evaluate("""() => { const f = document.querySelector('form.note-form'); const c = f.cloneNode(true);
                             c.removeAttribute('hx-post'); f.replaceWith(c); }""")
    page.locator("form.note-form").get_by_label("Subject").fill(" ")
    page.locator("form.note-form").get_by_label("Note", exact=True).fill(LONG_WORD)
    page.locator("form.note-form").get_by_role("button", name="Add note").click()
    page.wait_for_url(f"**/customers/{csid}/notes/")
    expect(page.locator("form.note-form").get_by_label("Note", exact=True)).to_have_value(LONG_WORD)
    assert_no_horizontal_scroll(page, "notes page")
    axe_check(page, "journey-1-04-notes-page")
    page.goto(f"{base}/customers/{csid}/")

    # 05 Printing the summary: no navigation, no forms or buttons.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Add note")).to_be_hidden()
    expect(page.get_by_role("heading", name="Collection")).to_be_visible()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(SCREENSHOTS / "journey-1-05-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1440, "height": 900})

    # 06 Start the contact: the channel has the focus.
    page.get_by_role("link", name="Start a contact").click()
    page.wait_for_url("**/contact/")
    assert_focus_on_first_field(page, "main form")
    step(page, "journey-1-06-start", axe_check, shot_widths)
    page.get_by_label("Channel").select_option("phone")
    page.get_by_role("button", name="Start contact").click()
    page.wait_for_url("**/contacts/*/")
    contact = Contact.objects.get(customer=customer)
    assert page.get_by_test_id("details-hidden").is_visible()  # CMA-1.1: nothing about the case before POI

    # 07 POI by keyboard only: the field has the focus; a blank answer is refused, then typed and Enter.
    assert_focus_on_first_field(page, "#poi form")
    step(page, "journey-1-07-poi", axe_check, shot_widths)
    page.keyboard.type("  ")
    page.keyboard.press("Enter")
    _error_shown(page, "identity")
    axe_check(page, "journey-1-07-poi-refused")
    page.keyboard.press("Tab")  # the summary's link
    page.keyboard.press("Enter")
    expect(page.locator("#poi-method")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Date of birth, address and CSID")
    page.keyboard.press("Enter")
    page.get_by_test_id("poi-done").wait_for(state="visible")
    expect(page.get_by_text("no payment arrangement").first).to_be_visible()
    step(page, "journey-1-07-poi-confirmed", axe_check, shot_widths)

    # 08 The presenting issue: a stale choice is refused and the details typed are kept; then common, handled here.
    page.get_by_label("Details", exact=True).fill("Asks about the debt letter of last week")
    choose_a_stale_option(page, "#id_issue_issue_type")
    page.get_by_role("button", name="Add issue").click()
    _error_shown(page)
    expect(page.get_by_label("Details", exact=True)).to_have_value("Asks about the debt letter of last week")
    axe_check(page, "journey-1-08-issue-refused")
    page.get_by_label("Add a presenting issue").select_option("debt_enquiry")
    page.get_by_role("button", name="Add issue").click()
    page.get_by_test_id("issue-handling").first.wait_for(state="visible")
    expect(page.get_by_test_id("issue-row").first).to_contain_text("Common")  # CMA-1.2: common, handled here
    assert "debt repayment" in page.get_by_test_id("mca-path").inner_text()  # CMA-2.4: MCA required
    step(page, "journey-1-08-issue-and-mca", axe_check, shot_widths)

    # 09 The arrangement: a bad instalment is refused; frequency, start date and unsaved ticks are kept.
    ticks = page.locator("ul.checklist input[type=checkbox]")
    ticks.nth(0).check()
    starting = (timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat()
    page.get_by_label("Instalment ($)").fill("60x")
    page.get_by_label("Frequency").select_option("weekly")
    page.get_by_label("Starting").fill(starting)
    page.get_by_role("button", name="Record arrangement").click()
    _error_shown(page, "Instalment")
    expect(page.get_by_label("Instalment ($)")).to_have_value("60x")
    expect(page.get_by_label("Frequency")).to_have_value("weekly")
    expect(page.get_by_label("Starting")).to_have_value(starting)
    expect(ticks.nth(0)).to_be_checked()
    step(page, "journey-1-09-arrangement-refused", axe_check, shot_widths)
    page.get_by_label("Instalment ($)").fill("60")
    page.get_by_role("button", name="Record arrangement").click()
    page.get_by_test_id("arrangement-done").wait_for(state="visible")
    expect(ticks.nth(0)).to_be_checked()  # the unsaved tick survives the arrangement's success too
    page.get_by_test_id("ticks-unsaved").wait_for(state="visible")

    # 10 The expectation points, then MCA documented (the collection record is written for the officer).
    for i in range(ticks.count()):
        ticks.nth(i).check()
    page.get_by_role("button", name="Save checklist").click()
    page.locator("[data-notification]").wait_for(state="visible")
    page.get_by_role("button", name="Complete and document MCA").click()
    page.get_by_test_id("mca-documented").wait_for(state="visible")
    step(page, "journey-1-10-mca-documented", axe_check, shot_widths)

    # 11 Close the issue: a blank outcome is refused and the status chosen is kept; then resolved.
    outcome = page.get_by_label("Outcome for Debt or letter about a debt")
    status = page.locator("#issues form").filter(has=outcome).get_by_label("Status")
    outcome.fill("  ")
    status.select_option("finalised")
    page.get_by_role("button", name="Close issue").click()
    _error_shown(page, "Outcome")
    expect(page.locator("#issues form").filter(has=outcome).get_by_label("Status")).to_have_value("finalised")
    axe_check(page, "journey-1-11-close-refused")
    outcome.fill("Payment arrangement agreed")
    page.get_by_role("button", name="Close issue").click()
    page.get_by_role("button", name=f"Explained to {customer.full_name}").click()
    page.locator("[data-notification]").wait_for(state="visible")

    # 12 Finalise: the contact closes.
    page.get_by_role("button", name="Finalise contact").click()
    page.get_by_text("Contact finalised").first.wait_for(state="visible")
    assert_no_horizontal_scroll(page, "contact page")
    step(page, "journey-1-12-finalised", axe_check, shot_widths)

    contact.refresh_from_db()
    assert contact.status == ContactStatus.FINALISED
    assert PaymentArrangement.objects.filter(debt__debtor=customer, status="active").count() == 1
    collection = Note.objects.get(customer=customer, kind=NoteKind.COLLECTION,
                                  subject__startswith="Minimum Collection Activity")
    assert "CMA-2.8" in collection.step_ids
    actions = set(AuditEvent.objects.filter(customer_id=customer.pk).values_list("action", flat=True))
    assert {"customer.view", "note.add", "contact.start", "contact.poi_confirm", "contact.issue_add", "contact.payment_arrangement", "contact.mca_complete", "contact.finalise"} <= actions, actions

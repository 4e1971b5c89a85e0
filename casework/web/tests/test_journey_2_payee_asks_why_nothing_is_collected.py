"""Journey 2 (../shared/product/JOURNEYS.md), "A payee asks why nothing is being collected" (CMA-2.5, 2.7, 2.10),
as one complete path in Chromium on the demo payee owed child support: sign in, open the payee straight from the
call, start the contact, confirm POI, add the collection enquiry, record the new information about the payer's
employer as likely to lead to collection: the payer, not locked, is locked to this officer and the collection
information is written to the record. The collection form first refuses an over-long entry and keeps the ticks.
axe on every page; screenshots var/screenshots/journey-2-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework.contacts.models import Contact
from casework.core.models import AuditEvent
from casework.customers.models import Case, Customer, Note, NoteKind
from casework.org.models import Officer
from casework.ownership.models import Lock
from casework.testing.browser import assert_focus_on_first_field

from .journey import LONG_WORD, assert_no_horizontal_scroll, step

EMPLOYER = "Payer started work at Acme Freight Pty Ltd, Parramatta, three weeks ago (payslips seen by the payee)."


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


@pytest.mark.browser
def test_journey_2_a_payee_asks_why_nothing_is_collected(live_server, browser_page, axe_check, shot_widths, demo):
    payee = Customer.objects.get(csid=demo.SCENARIOS["payee_owed_collection"])
    payer = Case.objects.filter(payee=payee).select_related("payer").first().payer
    so = Officer.objects.get(user__username="so_nsw")
    assert not Lock.objects.filter(customer=payer, is_active=True).exists()
    page = browser_page
    base = live_server.url

    # 01 Sign in and open the payee straight from the call (the CSID the telephony system passed).
    page.goto(f"{base}/login/")
    axe_check(page, "journey-2-01-sign-in")
    page.get_by_label("Username").fill("so_nsw")
    page.get_by_label("Password").fill("casework-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{base}/customers/{payee.csid}/")
    expect(page.get_by_role("heading", name=payee.full_name)).to_be_visible()
    step(page, "journey-2-01-payee", axe_check, shot_widths)

    # 02 Start the contact and confirm POI.
    page.get_by_role("link", name="Start a contact").click()
    assert_focus_on_first_field(page, "main form")
    axe_check(page, "journey-2-02-start")
    page.get_by_label("Channel").select_option("phone")
    page.get_by_role("button", name="Start contact").click()
    page.wait_for_url("**/contacts/*/")
    assert_focus_on_first_field(page, "#poi form")
    page.get_by_label("How identity was confirmed").fill("Date of birth, address and CSID")
    page.get_by_role("button", name="Confirm POI").click()
    page.get_by_test_id("poi-done").wait_for(state="visible")
    step(page, "journey-2-02-poi-confirmed", axe_check, shot_widths)

    # 03 The presenting issue: why is nothing being collected? MCA on the payee collection path.
    page.get_by_label("Details", exact=True).fill("Nothing collected for months")
    page.get_by_label("Add a presenting issue").select_option("collection_enquiry")
    page.get_by_role("button", name="Add issue").click()
    page.get_by_test_id("issue-handling").first.wait_for(state="visible")
    collection = page.locator("form[action$='/collection/']")
    expect(collection).to_be_visible()
    step(page, "journey-2-03-collection-path", axe_check, shot_widths)

    # 04 New information: an over-long entry (pasted from an email) is refused; the ticks are kept.
    info = collection.get_by_label("New collection information (leave empty if none)")
    info.evaluate("el => el.removeAttribute('maxlength')")
    info.fill(EMPLOYER + " " + LONG_WORD * 4)
    collection.get_by_label("Likely to lead to a collection outcome").check()
    collection.get_by_label("Level 1 searches done (at your discretion)").check()
    collection.get_by_role("button", name="Record collection information").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link").first).to_contain_text("New collection information")
    collection = page.locator("form[action$='/collection/']")
    expect(collection.get_by_label("Likely to lead to a collection outcome")).to_be_checked()
    expect(collection.get_by_label("Level 1 searches done (at your discretion)")).to_be_checked()
    expect(collection.get_by_label("New collection information (leave empty if none)")).to_have_value(
        EMPLOYER + " " + LONG_WORD * 4)
    assert_no_horizontal_scroll(page, "contact page with an over-long entry")
    step(page, "journey-2-04-collection-refused", axe_check, shot_widths)
    assert not Lock.objects.filter(customer=payer, is_active=True).exists()

    # 05 Corrected: recorded, and the payer (not locked, information likely to lead to collection) is locked here.
    collection.get_by_label("New collection information (leave empty if none)").fill(EMPLOYER)
    collection.get_by_role("button", name="Record collection information").click()
    page.locator("[data-notification]").wait_for(state="visible")
    expect(page.locator("#mca")).to_contain_text(EMPLOYER)
    step(page, "journey-2-05-collection-recorded", axe_check, shot_widths)

    # 06 The payer's record shows the lock to this officer, and why.
    page.goto(f"{base}/customers/{payer.csid}/")
    banner = page.get_by_role("status", name="Ownership")
    expect(banner).to_contain_text(f"Locked to {so.display_name}")
    assert "CMA-2.5" in banner.text_content()  # behind "Why"
    step(page, "journey-2-06-payer-locked", axe_check, shot_widths)

    lock = Lock.objects.get(customer=payer, is_active=True)
    assert lock.officer_id == so.pk
    contact = Contact.objects.get(customer=payee)
    assert contact.collection_outcome == "lock_payer" and contact.level1_searches_done
    note = Note.objects.get(customer=payee, kind=NoteKind.COLLECTION, subject__startswith="Collection information")
    assert EMPLOYER in note.body and "Level 1 searches completed." in note.body
    assert AuditEvent.objects.filter(action="ownership.lock", customer_id=payer.pk, actor=so.user).exists()
    assert AuditEvent.objects.filter(action="contact.collection_info", customer_id=payee.pk).exists()

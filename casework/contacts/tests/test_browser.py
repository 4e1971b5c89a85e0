"""Browser journey (Debian chromium): a whole payer call on the demo customer with a debt and no arrangement —
POI, presenting issue, MCA checklist, payment arrangement, finalise, unlock (JOURNEYS 1; CMA-1.1 .. CMA-3.4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.contacts.models import Contact, ContactStatus
from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import Customer, Note, NoteKind, PaymentArrangement


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


@pytest.mark.browser
def test_whole_payer_call_debt_without_arrangement(live_server, browser_page, login, shot, demo):
    from casework.org.models import Officer
    from casework.ownership.services import customer_lock

    csid = demo.SCENARIOS["payer_debt_no_arrangement"]
    customer = Customer.objects.get(csid=csid)
    so = Officer.objects.get(user__username="so_nsw")
    # Earlier in the day the officer locked the customer to work the debt (CMA-2.10); this call finishes it.
    customer_lock(actor=so.user, customer=customer, reason="Working the debt letter", step_ids=("CMA-2.10",))
    page = browser_page
    login(page, "so_nsw", "casework-demo")

    page.goto(f"{live_server.url}/customers/{csid}/")
    shot(page, "contacts-01-customer-page")
    page.get_by_role("link", name="Start a contact").click()
    page.get_by_label("Channel").select_option("phone")
    page.get_by_role("button", name="Start contact").click()
    page.wait_for_url("**/contacts/*/")
    # CMA-1.1: nothing about the case before POI
    assert page.get_by_test_id("details-hidden").is_visible()
    assert page.get_by_text("Owed by this customer").count() == 0
    shot(page, "contacts-02-poi-first")

    page.get_by_label("How identity was confirmed").fill("Date of birth, address and CSID")
    page.get_by_role("button", name="Confirm POI").click()
    page.get_by_test_id("poi-done").wait_for(state="visible")  # the click submits and reloads: wait for it
    assert page.get_by_text("no payment arrangement").first.is_visible()
    shot(page, "contacts-03-poi-confirmed")

    # CMA-1.2: presenting issue and how it is handled
    page.get_by_label("Add a presenting issue").select_option("debt_enquiry")
    page.get_by_role("button", name="Add issue").click()
    page.get_by_test_id("issue-handling").first.wait_for(state="visible")
    # CMA-2.4: MCA required on the debt repayment path, payer points only
    assert "debt repayment" in page.get_by_test_id("mca-path").inner_text()
    shot(page, "contacts-04-issue-and-mca")

    # CMA-3.1: finalising now is refused with the missing items named
    page.get_by_role("button", name="Finalise contact").click()
    page.get_by_text("Cannot finalise yet").first.wait_for(state="visible")
    assert page.get_by_test_id("finalise-missing").is_visible()
    shot(page, "contacts-05-finalise-refused")

    # CMA-2.4: payment arrangement; CMA-2.6: checklist; CMA-2.8: documented automatically
    page.get_by_label("Instalment ($)").fill("60")
    page.get_by_label("Frequency").select_option("weekly")
    # Within the sense checks (docs/facts.md): not before the debt, not more than a year ahead.
    page.get_by_label("Starting").fill((timezone.localdate(clock.now()) + dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record arrangement").click()
    page.get_by_test_id("arrangement-done").wait_for(state="visible")
    boxes = page.locator("ul.checklist input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    shot(page, "contacts-06-checklist-ticked")
    page.get_by_role("button", name="Save checklist").click()
    page.get_by_role("button", name="Complete and document MCA").click()
    page.get_by_test_id("mca-documented").wait_for(state="visible")
    shot(page, "contacts-07-mca-documented")

    page.get_by_label("Outcome for Debt or letter about a debt").fill("Payment arrangement agreed")
    page.get_by_role("button", name="Close issue").click()
    page.get_by_role("button", name=f"Explained to {customer.full_name}").click()
    page.get_by_role("button", name="Finalise contact").click()
    page.get_by_text("Contact finalised").first.wait_for(state="visible")
    shot(page, "contacts-08-finalised")

    # CMA-3.4: explained -> unlocked by the ownership rules
    page.get_by_role("button", name="Unlock customer").click()
    page.get_by_test_id("unlock-outcome").wait_for(state="visible")
    shot(page, "contacts-09-unlocked")

    contact = Contact.objects.get(customer=customer)
    assert contact.status == ContactStatus.FINALISED and contact.unlock_outcome == "unlocked"
    assert PaymentArrangement.objects.filter(debt__debtor=customer, status="active").exists()
    collection = Note.objects.get(
        customer=customer, kind=NoteKind.COLLECTION, subject__startswith="Minimum Collection Activity"
    )
    assert "Category: Level 1" in collection.body and "CMA-2.8" in collection.step_ids
    assert AuditEvent.objects.filter(action="contact.unlock", customer_id=customer.pk).exists()

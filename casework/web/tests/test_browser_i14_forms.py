"""Issue 14, in Chromium: typed work survives a validation error. On the contact page, MCA ticks not yet saved and the
arrangement typed with a bad instalment come back as they were, with the error summary at the top, focused, linking
to the field; on the new-intray form, the received date, matters and everything else come back after a refusal.
Screenshots at 1440 and 1024 px: var/screenshots/i14-forms-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework.contacts.models import Contact
from casework.customers.models import Customer, PaymentArrangement
from casework.intrays.models import Intray


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


def _shots(page, shot, name: str) -> None:
    for width in (1440, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"i14-forms-{name}-{width}")


@pytest.mark.browser
def test_typed_work_survives_an_error_on_the_contact_page_and_the_new_intray_form(
        live_server, browser_page, login, shot, demo):
    page = browser_page
    csid = demo.SCENARIOS["payer_debt_no_arrangement"]
    customer = Customer.objects.get(csid=csid)
    login(page, "so_nsw", "casework-demo")

    # The contact: POI, then tick two MCA points without saving, then record an arrangement with a bad instalment.
    page.goto(f"{live_server.url}/customers/{csid}/")
    page.get_by_role("link", name="Start a contact").click()
    page.get_by_label("Channel").select_option("phone")
    page.get_by_role("button", name="Start contact").click()
    page.wait_for_url("**/contacts/*/")
    page.get_by_label("How identity was confirmed").fill("Date of birth, address and CSID")
    page.get_by_role("button", name="Confirm POI").click()
    page.get_by_test_id("poi-done").wait_for(state="visible")
    expect(page.locator("[data-notification]")).to_be_focused()  # the confirmation is in view after the redirect
    ticks = page.locator("ul.checklist input[type=checkbox]")
    assert ticks.count() >= 2
    ticks.nth(0).check()
    ticks.nth(1).check()
    page.get_by_label("Instalment ($)").fill("12x")
    page.get_by_label("Frequency").select_option("fortnightly")
    page.get_by_role("button", name="Record arrangement").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name="Instalment ($): Enter a number.")
    expect(link).to_have_attribute("href", "#id_arrangement_instalment")
    expect(page.get_by_label("Instalment ($)")).to_have_value("12x")
    expect(page.get_by_label("Instalment ($)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Frequency")).to_have_value("fortnightly")
    expect(ticks.nth(0)).to_be_checked()
    expect(ticks.nth(1)).to_be_checked()
    expect(page.get_by_test_id("ticks-unsaved")).to_be_visible()
    _shots(page, shot, "contact-error")
    link.click()
    expect(page.get_by_label("Instalment ($)")).to_be_focused()
    contact = Contact.objects.get(customer=customer)
    assert contact.mca_ticked == [] and not PaymentArrangement.objects.filter(debt__debtor=customer).exists()
    # Saving the checklist now keeps exactly what is on screen.
    page.get_by_role("button", name="Save checklist").click()
    page.locator("[data-notification]").wait_for(state="visible")
    contact.refresh_from_db()
    assert len(contact.mca_ticked) == 2

    # The new-intray form: a received time in the future is refused (CMA-1.1); everything typed comes back.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/work/new/?csid={csid}")
    page.get_by_label("Type").select_option("correspondence_received")
    page.get_by_label("Subject").fill("Letter from the payer")
    page.get_by_label("Assign to officer (username)").fill("so_nsw")
    page.get_by_label("Date and time received").fill("2099-01-01T10:00")
    page.get_by_label("Channel").select_option("post")
    page.get_by_label("Date received").fill("2026-11-20")
    page.get_by_label("Matters raised (one a line)").fill("Wants a change of assessment\nAsks about arrears")
    page.get_by_role("button", name="Create intray").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for(state="visible")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#id_received_at']")).to_have_count(1)
    expect(page.get_by_label("Type")).to_have_value("correspondence_received")
    expect(page.get_by_label("Subject")).to_have_value("Letter from the payer")
    expect(page.get_by_label("Assign to officer (username)")).to_have_value("so_nsw")
    expect(page.get_by_label("Date and time received")).to_have_value("2099-01-01T10:00")
    expect(page.get_by_label("Channel")).to_have_value("post")
    expect(page.get_by_label("Date received")).to_have_value("2026-11-20")
    expect(page.get_by_label("Matters raised (one a line)")).to_have_value(
        "Wants a change of assessment\nAsks about arrears")
    _shots(page, shot, "new-intray-error")
    assert not Intray.objects.filter(subject="Letter from the payer").exists()

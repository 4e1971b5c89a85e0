"""Browser journey in Debian chromium: sign in, search (htmx, no reload), open the customer page, add a note."""

import datetime as dt

import pytest

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.org.roles import Role
from casework.testing.factories import CaseFactory, CustomerFactory, DebtFactory, IncomeFactory, OfficerFactory


@pytest.mark.browser
def test_officer_finds_a_customer_and_adds_a_note(live_server, browser_page, login, shot, org_reference):
    officer = OfficerFactory(user__username="journey", role=Role.SERVICE_OFFICER)
    customer = CustomerFactory(given_names="Daniel", family_name="Archer", date_of_birth=dt.date(1980, 5, 17))
    case = CaseFactory(payer=customer)
    IncomeFactory(customer=customer, source=cm.IncomeSource.ESTIMATE)
    DebtFactory(case=case, debtor=customer)
    page = browser_page

    login(page, "journey", "pass-Word-123")
    shot(page, "web-01-search-page")
    page.evaluate("window.__noReload = true")  # survives only if the search does not reload the page
    page.get_by_label("CSID or name").fill("archer dan")
    page.get_by_role("button", name="Search").click()
    result = page.locator("#search-results").get_by_role("link", name=customer.csid)
    result.wait_for()
    assert page.evaluate("window.__noReload") is True
    shot(page, "web-02-search-results")

    result.click()
    page.wait_for_url(f"**/customers/{customer.csid}/")
    assert page.get_by_role("heading", name="Daniel Archer").is_visible()
    assert page.get_by_text("not reliable").first.is_visible()  # CMA-2.2: estimate income
    shot(page, "web-03-customer-page")
    assert AuditEvent.objects.filter(action="customer.view", actor=officer.user, customer_id=customer.pk).exists()

    page.evaluate("window.__noReload = true")
    page.get_by_label("Subject").fill("Called about the debt letter")
    page.get_by_label("Note", exact=True).fill("Explained the debt and the options for an arrangement.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    assert page.evaluate("window.__noReload") is True
    assert page.locator("#notes .timeline").get_by_text("Called about the debt letter").is_visible()
    shot(page, "web-04-note-added")
    assert cm.Note.objects.filter(customer=customer, author=officer.user).count() == 1


@pytest.mark.browser
def test_auditor_searches_the_audit_trail(live_server, browser_page, login, shot, org_reference):
    OfficerFactory(user__username="auditor1", role=Role.AUDITOR, position=None)
    page = browser_page
    login(page, "auditor1", "pass-Word-123")
    page.get_by_role("link", name="Audit").click()
    page.get_by_label("Action").fill("customer.")
    page.get_by_role("button", name="Search").click()
    page.locator("#audit-results").get_by_text("No audit events match.").wait_for()
    page.get_by_label("Officer (username)").fill("")
    page.get_by_label("Action").fill("")
    page.get_by_role("button", name="Search").click()
    page.locator("#audit-results table").wait_for()
    shot(page, "web-05-audit-search")


@pytest.mark.browser
def test_search_and_open_a_customer_by_keyboard_only(live_server, browser_page, login, shot, org_reference):
    OfficerFactory(user__username="keyboard", role=Role.SERVICE_OFFICER)
    customer = CustomerFactory(given_names="Kira", family_name="Keyes")
    page = browser_page
    login(page, "keyboard", "pass-Word-123")
    assert page.evaluate("document.activeElement.id") == "q"  # the search box has the focus on arrival
    page.keyboard.type(customer.csid)
    page.keyboard.press("Enter")
    link = page.locator("#search-results").get_by_role("link", name=customer.csid)
    link.wait_for()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/customers/{customer.csid}/")
    assert page.get_by_role("heading", name="Kira Keyes").is_visible()
    shot(page, "web-06-keyboard-customer")

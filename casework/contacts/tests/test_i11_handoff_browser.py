"""Browser journey (Debian chromium), issue 11 done-when: a front-line contact with a referred objection and Change of
Assessment ends with one intray in each area's queue (CMA-1.2, CMA-1.4, CMA-1.5), after the CMA-1.7 advice is
recorded; each receiving officer sees the work in their position's queue and the notification in the header.
Screenshots: var/screenshots/i11-handoff-*.png."""

from __future__ import annotations

import pytest

from casework.contacts.models import ContactIssue, ContactStatus
from casework.intrays.models import Intray
from casework.org.roles import Role
from casework.ownership.services import area_position
from casework.testing.factories import CustomerFactory, IncomeFactory, OfficeFactory, OfficerFactory, area

PASSWORD = "pass-Word-123"  # casework.testing.factories.UserFactory


@pytest.mark.browser
def test_front_line_contact_with_objection_and_coa_ends_with_one_intray_in_each_areas_queue(
    live_server, browser_page, login, shot, reference
):
    office = OfficeFactory(code="sydney", state="NSW")
    OfficerFactory(role=Role.SERVICE_OFFICER, position__office=office, user__username="i11_so")
    obj_intake = area_position(area("GENERAL_OBJECTIONS"), prefer_office=office)
    coa_intake = area_position(area("CHANGE_OF_ASSESSMENT"), prefer_office=office)
    OfficerFactory(role=Role.SPECIALIST_OFFICER, position=obj_intake, user__username="i11_obj")
    OfficerFactory(role=Role.SPECIALIST_OFFICER, position=coa_intake, user__username="i11_coa")
    customer = CustomerFactory(given_names="Olive", family_name="Objector")
    IncomeFactory(customer=customer)  # ATO-issued income, no debt: no Minimum Collection Activity (CMA-2.1)

    page = browser_page
    login(page, "i11_so", PASSWORD)
    page.goto(f"{live_server.url}/customers/{customer.csid}/contact/")
    page.get_by_label("Channel").select_option("phone")
    page.get_by_role("button", name="Start contact").click()
    page.wait_for_url("**/contacts/*/")
    page.get_by_label("How identity was confirmed").fill("Date of birth, address and CSID")
    page.get_by_role("button", name="Confirm POI").click()
    assert page.get_by_test_id("poi-done").is_visible()

    # CMA-1.2: two specialised issues at the front line.
    for code, details in (("objection", "Disputes the care decision"), ("change_of_assessment", "High contact costs")):
        page.get_by_label("Add a presenting issue").select_option(code)
        page.locator("#issue-desc").fill(details)
        page.get_by_role("button", name="Add issue").click()
        page.wait_for_load_state()
    assert page.get_by_test_id("issue-row").count() == 2
    # CMA-1.7: ownership is kept as a further specialised issue arises: the officer is prompted to advise.
    prompt = page.get_by_test_id("holistic-advice")
    assert prompt.is_visible() and "CSID" in prompt.inner_text()
    shot(page, "i11-handoff-01-issues-and-cma-1-7-prompt")
    page.get_by_role("button", name="Customer advised").click()
    assert "Customer advised" in page.get_by_test_id("holistic-advice").inner_text()

    page.get_by_role("button", name=f"Explained to {customer.full_name}").click()
    page.get_by_role("button", name="Finalise contact").click()
    page.wait_for_load_state()
    assert page.get_by_text("Contact finalised.").first.is_visible()
    referred = page.get_by_test_id("issue-referred-to")
    assert referred.count() == 2
    text = " ".join(referred.nth(i).inner_text() for i in range(2))
    assert "General Objections" in text or "Objections" in text
    assert "Change of" in text
    shot(page, "i11-handoff-02-finalised-issues-show-where-they-went")

    links = list(ContactIssue.objects.filter(presenting_issue__customer=customer).select_related("contact"))
    assert all(link.contact.status == ContactStatus.FINALISED and link.referred_intray_id for link in links)
    items = {i.assignee_position_id: i for i in Intray.objects.filter(customer=customer)}
    assert set(items) == {obj_intake.pk, coa_intake.pk}

    # Each receiving area sees one intray in its position's queue, and the notification.
    for username, position, name in (("i11_obj", obj_intake, "objections"), ("i11_coa", coa_intake, "coa")):
        page.context.clear_cookies()
        login(page, username, PASSWORD)
        page.goto(f"{live_server.url}/work/?scope=position")
        rows = page.locator("tbody tr")
        assert rows.count() == 1, page.content()[:2000]
        assert customer.csid in rows.first.inner_text()
        shot(page, f"i11-handoff-03-{name}-position-queue")
        page.goto(f"{live_server.url}/notifications/")
        assert customer.csid in page.locator("main").inner_text()
        shot(page, f"i11-handoff-04-{name}-notification")
        page.goto(f"{live_server.url}/work/intrays/{items[position.pk].pk}/")
        assert "Outstanding:" in page.locator("main").inner_text()
        shot(page, f"i11-handoff-05-{name}-intray-with-notepad")

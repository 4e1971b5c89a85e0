"""Browser journey: an officer works an intray from the worklist to done (screenshots in var/screenshots/)."""

import pytest
from playwright.sync_api import expect

from casework.intrays import services
from casework.intrays.models import Intray, IntrayStatus


@pytest.mark.browser
def test_officer_works_an_intray_from_the_worklist_to_done(live_server, browser_page, login, shot, org):
    page = browser_page
    target = services.intray_create(actor=org.tl.user, type_code="client_contact_required", customer=org.customer,
                                    subject="Call the payer about income", assignee_officer=org.so,
                                    details="Customer asked for a call back (CMA-2.10).")
    services.intray_create(actor=org.tl.user, type_code="general_follow_up", customer=org.customer,
                           subject="Unrelated follow-up", assignee_officer=org.so)
    login(page, "so", "pass-Word-123")
    page.goto(f"{live_server.url}/work/")
    assert page.locator("#worklist-table tbody tr").count() == 2
    shot(page, "intrays-01-worklist")

    # htmx filtering: choose a type; the table is replaced without a full reload.
    page.evaluate("window.__marker = 'same-page'")
    page.get_by_label("Type").select_option("client_contact_required")
    # (expect, not wait_for_function: the Content-Security-Policy forbids evaluating strings in the page.)
    expect(page.locator("#worklist-table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__marker") == "same-page"
    assert "type=client_contact_required" in page.url
    shot(page, "intrays-02-filtered")

    page.get_by_role("link", name="Call the payer about income").click()
    page.wait_for_url(f"**/work/intrays/{target.pk}/")
    shot(page, "intrays-03-detail")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    assert page.locator("#intray-status").inner_text() == "In progress"
    page.get_by_label("Outcome").fill("Called the payer; income update recorded.")
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_load_state()
    assert page.locator("#intray-status").inner_text() == "Done"
    shot(page, "intrays-04-done")

    page.get_by_role("link", name="← My work").click()
    page.wait_for_url("**/work/")
    assert page.locator("#worklist-table tbody tr").count() == 1
    assert "Call the payer about income" not in page.locator("#worklist-table").inner_text()
    shot(page, "intrays-05-worklist-after")
    row = Intray.objects.get(pk=target.pk)
    assert row.status == IntrayStatus.DONE and row.outcome == "Called the payer; income update recorded."

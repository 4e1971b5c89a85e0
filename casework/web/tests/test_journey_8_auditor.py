"""Journey 8 (JOURNEYS.md), an auditor's question: "Who looked at this customer's record last month, and who changed
the lock?" A Service Officer opens the customer's record and locks them (last month, in one browser context); the
Auditor signs in (a second context), filters the trail by customer, date, action and officer, answers both questions,
downloads the CSV, and finds nothing in the trail that can be changed. Every page: axe, screenshots at 1440 and 1024
px; the filter form keeps what was typed after an error; one search done by keyboard only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from casework.core import clock
from casework.core.models import AuditEvent
from casework.org.roles import Role
from casework.ownership import services as ownership
from casework.testing.browser import assert_focus_on_first_field
from casework.testing.factories import CustomerFactory, OfficeFactory, OfficerFactory, PositionFactory, area

LAST_MONTH = dt.datetime(2026, 10, 14, 23, 5, tzinfo=dt.UTC)  # 10:05 on 15 October in Sydney (daylight time)
NOW = dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)  # 09:30 on 1 December in Sydney
PASSWORD = "pass-Word-123"
LOCKED = "Ownership locked"


@pytest.fixture
def people(org_reference):
    sydney = OfficeFactory(code="syd-j8", name="Sydney", state="NSW")
    so = OfficerFactory(user__username="so_j8", user__first_name="Sam", user__last_name="Looker",
                        role=Role.SERVICE_OFFICER,
                        position=PositionFactory(code="so-j8", business_area=area("SERVICES"), office=sydney))
    auditor = OfficerFactory(user__username="auditor_j8", user__first_name="Ada", user__last_name="Auditor",
                             role=Role.AUDITOR,
                             position=PositionFactory(code="aud-j8", business_area=area("SERVICES"), office=sydney))
    customer = CustomerFactory(given_names="Priya", family_name="Question")
    other = CustomerFactory(given_names="Noel", family_name="Other")
    return type("People", (), dict(so=so, auditor=auditor, customer=customer, other=other))


def _search(page, *, csid="", officer="", action="", date_from="", date_to=""):
    for label, value in (("Customer CSID", csid), ("Officer", officer), ("Action", action)):
        page.get_by_label(label, exact=False).first.fill(value)
    page.locator("#a-from").fill(date_from)
    page.locator("#a-to").fill(date_to)
    page.get_by_role("button", name="Search").click()


@pytest.mark.browser
def test_journey_8_who_looked_and_who_changed_the_lock(live_server, _browser, browser_page, login, shot_widths,
                                                       axe_check, people):
    p = people
    page = browser_page
    # Last month: the Service Officer looks at the customer's record in the browser, then locks the customer.
    with clock.freeze(LAST_MONTH):
        login(page, "so_j8", PASSWORD)
        page.goto(f"{live_server.url}/customers/{p.customer.csid}/")
        page.get_by_role("heading", name="Priya Question").wait_for()
        ownership.customer_lock(actor=p.so.user, customer=p.customer, reason="Working the overdue debt")
    with clock.freeze(LAST_MONTH + dt.timedelta(days=40)):  # a view this month: not "last month"
        page.goto(f"{live_server.url}/customers/{p.customer.csid}/")
        page.get_by_role("heading", name="Priya Question").wait_for()

    # The Auditor, in a context of their own.
    context = _browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-AU")
    context.set_default_timeout(15000)
    audit = context.new_page()
    with clock.freeze(NOW):
        login(audit, "auditor_j8", PASSWORD)
        audit.get_by_role("link", name="Audit").click()
        audit.wait_for_url("**/audit/")
        audit.get_by_role("heading", name="Audit trail").wait_for()
        assert_focus_on_first_field(audit, "main form")
        axe_check(audit, "audit trail")
        shot_widths(audit, "journey-8-01-audit")

        # A date that is not real: the message gives an en-AU example and everything else typed stays.
        _search(audit, csid=p.customer.csid, action="customer.view", date_from="2026-10-01", date_to="9999-12-31")
        audit.get_by_text("for example 30/11/2026").wait_for()
        assert audit.locator("#a-csid").input_value() == p.customer.csid
        assert audit.locator("#a-action").input_value() == "customer.view"
        assert audit.locator("#a-from").input_value() == "2026-10-01"
        axe_check(audit, "audit trail, bad date")
        shot_widths(audit, "journey-8-02-bad-date")

        # Corrected: who looked at the record last month.
        audit.locator("#a-to").fill("2026-10-31")
        audit.get_by_role("button", name="Search").click()
        audit.get_by_text("1 event.").wait_for()
        results = audit.locator("#audit-results")
        row = results.locator("tbody tr")
        assert row.count() == 1
        text = row.inner_text()
        assert "Sam Looker" in text
        assert "Customer record viewed" in text
        assert "15/10/2026 10:05" in text and "AEDT" in text  # in the Auditor's (Sydney) time, zone named
        assert "When (Australia/Sydney time)" in results.inner_text()
        axe_check(audit, "who looked")
        shot_widths(audit, "journey-8-03-who-looked")

        # Who changed the lock, by keyboard only: Tab from the customer field to the action, type, Enter submits.
        audit.locator("#a-from").fill("")
        audit.locator("#a-to").fill("")
        audit.locator("#a-csid").focus()
        audit.keyboard.press("Tab")  # Officer
        audit.keyboard.press("Tab")  # Action
        assert audit.evaluate("document.activeElement.id") == "a-action"
        audit.keyboard.press("Control+A")
        audit.keyboard.type("ownership.")
        audit.keyboard.press("Enter")
        audit.get_by_text(LOCKED).first.wait_for()
        text = audit.locator("#audit-results tbody").inner_text()
        assert "Working the overdue debt" in text and "Sam Looker" in text
        axe_check(audit, "who changed the lock")
        shot_widths(audit, "journey-8-04-lock")

        # By officer: everything the Service Officer did with this customer.
        _search(audit, csid=p.customer.csid, officer="so_j8")
        audit.get_by_text("3 events.").wait_for()
        shot_widths(audit, "journey-8-05-by-officer")

        # The CSV says the same, with its zone.
        with audit.expect_download() as download:
            audit.get_by_role("link", name="Download as CSV").click()
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
        assert rows[0][0] == "When (Australia/Sydney time)"
        assert {r[2] for r in rows[1:]} >= {"Customer record viewed"} and len(rows) == 4
        assert any(r[0].startswith("15/10/2026 10:05") and r[0].endswith("AEDT") for r in rows[1:])
        assert {r[1] for r in rows[1:]} == {"Sam Looker (so_j8)"}

        # Nothing in the trail can be changed: no form posts from the page, and the page refuses a POST.
        assert audit.locator("main form[method=post]").count() == 0
        assert audit.locator("#audit-results input, #audit-results button, #audit-results textarea").count() == 0
        status = audit.evaluate("""async () => (await fetch(location.pathname, {method: 'POST'})).status""")
        assert status in (403, 405)
    context.close()

    # The end state: the trail holds the view and the lock, by the Service Officer; the Auditor changed nothing.
    assert AuditEvent.objects.filter(action="customer.view", actor=p.so.user, customer_id=p.customer.pk,
                                     occurred_at__lt=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)).count() == 1
    assert AuditEvent.objects.filter(action="ownership.lock", actor=p.so.user, customer_id=p.customer.pk).exists()
    by_auditor = set(AuditEvent.objects.filter(actor=p.auditor.user).values_list("action", flat=True))
    assert all(a.startswith(("auth.", "audit.")) or a.endswith((".view", ".read", ".search")) for a in by_auditor), \
        by_auditor

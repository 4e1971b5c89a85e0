"""Journey 7 (JOURNEYS.md), the Team Leader's morning, in Debian chromium: the PS Team Leader's morning over both
teams she leads (charts with their tables, reviews, plans, referrals), a bulk referral of selected intrays (first
without a reason: the ticks and the officer chosen stay), the CSV export, and a request for approval decided from
the page (not approved: first without a reason, and what was chosen stays). Then the front-line Team Leader signs
in (a second browser context) and sees the morning of the two teams he leads, not the third. Every page: axe and
screenshots at 1440 and 1024 px. The end state is checked in the database (referred, decided, audited)."""

from __future__ import annotations

import csv
import io

import pytest

from casework.approvals.models import ApprovalRequest
from casework.core import clock
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.ps.models import PsRecord
from casework.testing.browser import assert_focus_on_first_field
from casework.web.tests.test_browser_morning import _targets, _week_of_work
from casework.web.tests.test_morning import NOW, morning_org  # noqa: F401 (fixture)

PASSWORD = "pass-Word-123"


@pytest.mark.browser
def test_journey_7_team_leaders_morning(live_server, _browser, browser_page, login, shot_widths, axe_check,
                                         morning_org):
    o = morning_org
    _week_of_work(o)
    page = browser_page
    follow_ups = list(Intray.objects.filter(subject="Follow up the estimate").values_list("pk", flat=True))
    request = ApprovalRequest.objects.get(kind="segment_3", status="pending")
    cm1_label = next(label for kind, pk, label in _targets(o) if pk == o.cm1.pk and kind == "officer")
    with clock.freeze(NOW):
        # 1. The PS Team Leader's morning: both teams, charts each with its table.
        login(page, "ps_tl", PASSWORD)
        page.get_by_role("link", name="Morning").click()
        page.wait_for_url("**/morning/")
        teams = page.get_by_test_id("morning-teams").inner_text()
        assert "PS Melbourne 1" in teams and "PS Melbourne 2" in teams
        for chart, table in (("workload-chart", "#workload-table"), ("trend-chart", "#trend-table")):
            assert page.get_by_test_id(chart).locator("svg").is_visible()
            assert page.locator(f"{table} caption").count() == 1 and page.locator(f"{table} tbody tr").count() >= 2
        assert page.locator("#trend-table tbody tr").count() == 8
        assert page.get_by_test_id("morning-plans").locator("li").count() == 2
        assert page.get_by_test_id("morning-segment3").locator("li").count() == 1
        assert page.get_by_test_id("morning-restricted").locator("li").count() == 1
        assert page.get_by_test_id("morning-referrals").locator("tbody tr").count() == 2
        # Step IDs are behind "Why?", not in the headings.
        assert "PS-ORM-2" not in page.locator("#reviews-h").inner_text()
        axe_check(page, "morning")
        shot_widths(page, "journey-7-01-morning")

        # 2. Bulk referral, first with no reason: the summary says so, the ticks and the officer chosen stay.
        for pk in follow_ups[:2]:
            page.locator(f"#intray-{pk}").check()
        page.get_by_label("Refer selected to").select_option(label=cm1_label)
        page.get_by_role("button", name="Refer selected").click()
        page.get_by_text("There is a problem").wait_for()
        assert page.get_by_text("Give a reason for referring the intrays.").first.is_visible()
        assert all(page.locator(f"#intray-{pk}").is_checked() for pk in follow_ups[:2])
        assert page.get_by_label("Refer selected to").input_value() == f"officer:{o.cm1.pk}"
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        axe_check(page, "morning, referral refused")
        shot_widths(page, "journey-7-02-referral-error")
        page.get_by_label("Reason", exact=True).fill("Leave cover this week")
        page.get_by_role("button", name="Refer selected").click()
        page.get_by_text("Referred 2 of 2 intrays").wait_for()
        shot_widths(page, "journey-7-03-referred")

        # 3. The CSV export of what is shown.
        with page.expect_download() as download:
            page.get_by_role("link", name="Export what is shown (CSV)").click()
        text = open(download.value.path(), encoding="utf-8").read()
        rows = list(csv.reader(io.StringIO(text)))
        assert any("Work by officer" in " ".join(r) for r in rows)
        assert "Follow up the estimate" in text or "Ring the payee" in text

        # 4. A request decided from the morning, by keyboard: Tab to the link, Enter opens it.
        link = page.get_by_test_id("morning-approvals").get_by_role("link").first
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/approvals/{request.pk}/")
        assert page.get_by_test_id("approval-facts").is_visible()
        assert page.get_by_test_id("on-refuse").inner_text()
        assert_focus_on_first_field(page, "[data-testid=decide-form]")
        axe_check(page, "approval decision")
        shot_widths(page, "journey-7-04-decision")
        page.keyboard.press("ArrowDown")  # the radio group: "Do not approve"
        assert page.get_by_label("Do not approve").is_checked()
        page.get_by_role("button", name="Record decision").click()
        page.get_by_text("There is a problem").wait_for()
        assert page.get_by_text("Give a reason for not approving").first.is_visible()
        assert page.get_by_label("Do not approve").is_checked()
        axe_check(page, "approval decision, no reason")
        shot_widths(page, "journey-7-05-decision-error")
        # Corrected: not approved, with the reason the Case Manager will read (approving needs the record's
        # stacking document first, PS-DOC-1, which this customer does not have yet).
        page.get_by_label("Reason").fill("Talk to me first: the incidents are two years old")
        page.get_by_role("button", name="Record decision").click()
        page.wait_for_load_state()
        status = page.get_by_test_id("approval-status").inner_text()
        assert status == "Not approved", page.locator("main").inner_text()[:1500]
        assert "two years old" in page.get_by_test_id("approval-decision").inner_text()
        axe_check(page, "approval decided")
        shot_widths(page, "journey-7-06-decided")

    # 5. The front-line Team Leader (second officer, own context): his two teams, not the third.
    context = _browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-AU")
    context.set_default_timeout(15000)
    tl = context.new_page()
    with clock.freeze(NOW):
        login(tl, "tl", PASSWORD)
        tl.get_by_role("link", name="Morning").click()
        tl.wait_for_url("**/morning/")
        teams = tl.get_by_test_id("morning-teams").inner_text()
        assert "Services Sydney A" in teams and "Services Sydney B" in teams and "Services Sydney C" not in teams
        axe_check(tl, "front-line morning")
        shot_widths(tl, "journey-7-07-front-line")
    context.close()

    # The end state.
    assert set(Intray.objects.filter(pk__in=follow_ups[:2]).values_list("assignee_officer_id", flat=True)) == {
        o.cm1.pk}
    request.refresh_from_db()
    assert request.status == "rejected" and request.decided_by_id == o.ps_tl.user.pk
    assert request.decision_reason == "Talk to me first: the incidents are two years old"
    assert PsRecord.objects.get(pk=request.customer.ps_records.latest("pk").pk).segment != 3
    assert AuditEvent.objects.filter(actor=o.ps_tl.user, action__startswith="intray.").count() >= 2
    assert AuditEvent.objects.filter(actor=o.ps_tl.user, action__startswith="approval").exists()

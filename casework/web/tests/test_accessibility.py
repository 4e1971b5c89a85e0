"""axe-core (axe-playwright-python, the copy of axe shipped in the package: no network) over the pages of the issue 11
work, signed in as the demo Team Leader with a dispute waiting: home (your day), approvals queue and a request with
its decision form, notifications, the Team Leader's morning and the worklist. 0 serious or critical violations.
``axe_check`` (casework/testing/browser.py) counts every page it checks; the run ends with one line of totals (issue 14:
"the axe check runs in make test and reports its count")."""

from __future__ import annotations

import pytest

PASSWORD = "casework-demo"


@pytest.fixture
def demo(reference):
    from casework.core.context import job_context
    from casework.ownership import demo as ownership_demo
    from casework.web import demo as web_demo

    with job_context("seed_demo"):
        web_demo.seed()
        ownership_demo.seed()


@pytest.mark.browser
def test_issue_11_pages_have_no_serious_or_critical_axe_violations(live_server, browser_page, login, demo, axe_check):
    from casework.approvals.models import ApprovalRequest

    dispute = ApprovalRequest.objects.get(kind="ownership_dispute", status="pending")
    page = browser_page
    login(page, "tl_specialist", PASSWORD)
    for path in ["/", "/approvals/", f"/approvals/{dispute.pk}/", "/notifications/", "/morning/", "/work/"]:
        page.goto(live_server.url + path)
        axe_check(page, path)

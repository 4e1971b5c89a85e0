"""axe-core (axe-playwright-python, the copy of axe shipped in the package: no network) over the pages of the issue 11
work, signed in as the demo Team Leader with a dispute waiting: home (your day), approvals queue and a request with
its decision form, notifications, the Team Leader's morning and the worklist. 0 serious or critical violations;
prints one line with the counts (issue 14: "the axe check runs in make test and reports its count")."""

from __future__ import annotations

import pytest

PASSWORD = "casework-demo"
BLOCKING = ("serious", "critical")


@pytest.fixture
def demo(reference):
    from casework.core.context import job_context
    from casework.ownership import demo as ownership_demo
    from casework.web import demo as web_demo

    with job_context("seed_demo"):
        web_demo.seed()
        ownership_demo.seed()


@pytest.mark.browser
def test_issue_11_pages_have_no_serious_or_critical_axe_violations(live_server, browser_page, login, demo):
    from axe_playwright_python.sync_playwright import Axe

    from casework.approvals.models import ApprovalRequest

    dispute = ApprovalRequest.objects.get(kind="ownership_dispute", status="pending")
    axe = Axe()
    page = browser_page
    login(page, "tl_specialist", PASSWORD)
    pages = ["/", "/approvals/", f"/approvals/{dispute.pk}/", "/notifications/", "/morning/", "/work/"]
    found: dict[str, list[str]] = {}
    total = 0
    for path in pages:
        page.goto(live_server.url + path)
        results = axe.run(page)
        violations = results.response["violations"]
        total += len(violations)
        blocking = [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
                    for v in violations if v.get("impact") in BLOCKING]
        if blocking:
            found[path] = blocking
    print(f"axe: {len(pages)} pages, {total} violations, "
          f"{sum(len(v) for v in found.values())} serious or critical")
    assert not found, found

"""Browser journey 7 in Debian chromium: the PS Team Leader's morning over both teams she leads, charts with their
tables, a bulk referral with one refusal; screenshots at 1440 and 1024 px (var/screenshots/morning-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.core import clock
from casework.customers.models import ContactRestriction, RestrictionStatus
from casework.intrays import services as intrays
from casework.intrays.models import Intray
from casework.ps.models import Segment3Review
from casework.testing.factories import CustomerFactory, PositionFactory, area
from casework.web.tests.test_morning import NOW, make, morning_org, ps_record  # noqa: F401 (fixture)


def _week_of_work(o):
    """Eight weeks of intrays for the PS teams: created each week, most closed, some still open."""
    intake = PositionFactory(code="ps-mel-2-intake", title="PS Melbourne 2 intake", business_area=area("PS"),
                             office=o.mel, team=o.ps_2)
    for week in range(8, 0, -1):
        monday = NOW - dt.timedelta(weeks=week)
        for n, cm in enumerate((o.cm1, o.cm2, o.cm1)):
            when = monday + dt.timedelta(days=n, hours=1)
            intray = make(o, cm, when=when, customer=CustomerFactory(), actor=o.ps_tl, subject="Call back the payer")
            if week > 1 or n == 0:
                with clock.freeze(when + dt.timedelta(days=1)):
                    intrays.intray_complete(actor=cm.user, intray=intray, outcome="Called")
    for n in range(3):
        make(o, o.cm2, when=NOW - dt.timedelta(days=7 + n), customer=CustomerFactory(), actor=o.ps_tl,
             subject="Follow up the estimate")
    make(o, o.cm1, when=NOW - dt.timedelta(days=4), customer=CustomerFactory(), actor=o.ps_tl,
         subject="Ring the payee")
    for n, cm in enumerate((o.cm1, intake)):
        make(o, cm, when=NOW - dt.timedelta(days=3 + n), type_code="crg_referral_to_ps", customer=CustomerFactory(),
             actor=o.ps_tl, subject="CRG referral: repeated escalations")
    make(o, o.ps_tl, type_code="ownership_dispute", actor=o.cm1, customer=CustomerFactory(),
         subject="Ownership dispute with Services Sydney")
    today = NOW.date()
    near = ps_record(o, o.cm1, plan_due=today + dt.timedelta(days=2))
    late = ps_record(o, o.cm2, plan_due=today - dt.timedelta(days=1))
    Segment3Review.objects.create(ps_record=late, review_date=today + dt.timedelta(days=6))
    ContactRestriction.objects.create(customer=near.customer, conditions="Written contact only", imposed_on=today,
                                      review_date=today + dt.timedelta(days=9), status=RestrictionStatus.ACTIVE, is_active=True)
    from casework.ps import services as ps

    with clock.freeze(NOW):
        ps.segment_set(actor=o.cm2.user, ps_record=late, segment=3, reason="History of aggression")


@pytest.mark.browser
def test_ps_team_leader_morning_charts_and_bulk_referral(live_server, browser_page, login, shot, morning_org):
    o = morning_org
    _week_of_work(o)
    page = browser_page
    with clock.freeze(NOW):
        login(page, "ps_tl", "pass-Word-123")
        page.get_by_role("link", name="Morning").click()
        page.wait_for_url("**/morning/")
        assert page.get_by_role("heading", name="Team Leader's morning").is_visible()
        teams = page.get_by_test_id("morning-teams")
        assert "PS Melbourne 1" in teams.inner_text() and "PS Melbourne 2" in teams.inner_text()
        for name in ("workload-chart", "trend-chart"):
            assert page.get_by_test_id(name).locator("svg").is_visible()
        assert page.locator("#trend-table tbody tr").count() == 8
        assert page.get_by_test_id("morning-plans").locator("li").count() == 2
        assert page.get_by_test_id("morning-approvals").locator("li").count() == 1

        page.set_viewport_size({"width": 1440, "height": 900})
        shot(page, "morning-1440")
        page.set_viewport_size({"width": 1024, "height": 768})
        shot(page, "morning-1024")

        follow_ups = list(Intray.objects.filter(subject="Follow up the estimate").values_list("pk", flat=True))
        dispute = Intray.objects.get(type__code="ownership_dispute")
        for pk in (*follow_ups[:2], dispute.pk):
            page.locator(f"#intray-{pk}").check()
        page.get_by_label("Refer selected to").select_option(label=next(
            label for kind, pk, label in _targets(o) if pk == o.cm1.pk and kind == "officer"))
        page.get_by_label("Reason").fill("Leave cover this week")
        page.get_by_role("button", name="Refer selected").click()
        page.get_by_text("Referred 2 of 3 intrays").wait_for()
        assert page.get_by_text(f"Not referred: intray {dispute.pk}").is_visible()
    assert set(Intray.objects.filter(pk__in=follow_ups[:2]).values_list("assignee_officer_id", flat=True)) == {o.cm1.pk}
    dispute.refresh_from_db()
    assert dispute.assignee_officer_id == o.ps_tl.pk


def _targets(o):
    from casework.web.selectors import team_morning

    with clock.freeze(NOW):
        return team_morning(user=o.ps_tl.user)["targets"]

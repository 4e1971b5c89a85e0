"""The Team Leader's morning (issue 14, journey 7): /morning/ over every team the officer leads, bulk referral of
selected intrays, the CSV of what is shown, and the two server-rendered charts with their tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import ContactRestriction, RestrictionStatus
from casework.intrays import services as intrays
from casework.intrays.models import Intray
from casework.org.roles import Role
from casework.ps.models import Plan, PsRecord, Segment3Review
from casework.testing.factories import CustomerFactory, OfficeFactory, OfficerFactory, PositionFactory, TeamFactory, area
from casework.web.selectors import team_morning
from casework.web.views import morning_csv_rows

pytestmark = pytest.mark.django_db

SYD = zoneinfo.ZoneInfo("Australia/Sydney")
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SYD)  # Monday 23 Nov 2026, 09:00 in Sydney
LAST_MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SYD)
LAST_THURSDAY = dt.datetime(2026, 11, 19, 10, 0, tzinfo=SYD)


class Org:
    pass


def officer(username, role, team, office, area_code="SERVICES"):
    return OfficerFactory(user__username=username, role=role,
                          position=PositionFactory(code=f"{username}-pos", business_area=area(area_code),
                                                   office=office, team=team))


@pytest.fixture
def morning_org(reference):
    """Front line: tl leads team A (her own position's team) and team B (Team.leader); team C is someone else's.
    PS: ps_tl leads PS team 1 (her position's) and PS team 2 (Team.leader)."""
    o = Org()
    o.syd = OfficeFactory(code="syd", name="Sydney", state="NSW")
    o.mel = OfficeFactory(code="mel", name="Melbourne", state="VIC")
    o.team_a = TeamFactory(name="Services Sydney A", office=o.syd)
    o.team_b = TeamFactory(name="Services Sydney B", office=o.syd)
    o.team_c = TeamFactory(name="Services Sydney C", office=o.syd)
    o.tl = officer("tl", Role.TEAM_LEADER, o.team_a, o.syd)
    o.tl_c = officer("tl_c", Role.TEAM_LEADER, o.team_c, o.syd)
    o.team_a.leader = o.tl
    o.team_a.save()
    o.team_b.leader = o.tl
    o.team_b.save()
    o.team_c.leader = o.tl_c
    o.team_c.save()
    o.so_a = officer("so_a", Role.SERVICE_OFFICER, o.team_a, o.syd)
    o.so_b = officer("so_b", Role.SERVICE_OFFICER, o.team_b, o.syd)
    o.so_c = officer("so_c", Role.SERVICE_OFFICER, o.team_c, o.syd)
    o.pos_b = PositionFactory(code="team-b-intake", title="Team B intake", office=o.syd, team=o.team_b)

    o.ps_1 = TeamFactory(name="PS Melbourne 1", business_area=area("PS"), office=o.mel)
    o.ps_2 = TeamFactory(name="PS Melbourne 2", business_area=area("PS"), office=o.mel)
    o.ps_tl = officer("ps_tl", Role.PS_TEAM_LEADER, o.ps_1, o.mel, "PS")
    o.ps_1.leader = o.ps_tl
    o.ps_1.save()
    o.ps_2.leader = o.ps_tl
    o.ps_2.save()
    o.cm1 = officer("cm1", Role.PS_CASE_MANAGER, o.ps_1, o.mel, "PS")
    o.cm2 = officer("cm2", Role.PS_CASE_MANAGER, o.ps_2, o.mel, "PS")
    o.customer = CustomerFactory(given_names="Dana", family_name="Morning")
    return o


def make(o, assignee, *, when=None, type_code="client_contact_required", subject="Call the payer", customer=None,
         actor=None):
    """An intray created through the service, at ``when`` (default: now)."""
    kw = {"assignee_position": assignee} if hasattr(assignee, "title") else {"assignee_officer": assignee}
    with clock.freeze(when or NOW):
        return intrays.intray_create(actor=(actor or o.tl).user, type_code=type_code, customer=customer or o.customer,
                                     subject=subject, **kw)


def ps_record(o, cm, *, plan_due: dt.date, customer=None, approved=False):
    rec = PsRecord.objects.create(customer=customer or CustomerFactory(), case_manager=cm,
                                  referral_type_code="crg_referral_to_ps", referral_source="crg",
                                  main_referral_reason="Repeated escalations", referred_at=NOW - dt.timedelta(days=20),
                                  allocated_at=NOW - dt.timedelta(days=18))
    Plan.objects.create(ps_record=rec, created_at=NOW - dt.timedelta(days=18), due_on=plan_due,
                        approved_at=NOW if approved else None)
    return rec


def client_for(off):
    c = Client()
    c.force_login(off.user)
    return c


def get_morning(off):
    with clock.freeze(NOW):
        return client_for(off).get("/morning/")


def test_team_leader_leading_two_teams_sees_both_with_work_by_officer(morning_org):
    """Measured case (issue 14): the front-line Team Leader's Team page said "No ownership disputes are waiting"
    while her intray had one; and no page showed every team she leads. The morning shows team A (her position's)
    and team B (Team.leader), overdue / due today per officer, and the dispute with a link to decide it."""
    o = morning_org
    overdue = make(o, o.so_a, when=LAST_MONDAY)
    due_today = make(o, o.so_b, when=LAST_THURSDAY)
    make(o, o.pos_b, type_code="general_follow_up", subject="Position work")
    make(o, o.so_c, subject="Team C work")  # another leader's team: not shown
    dispute = make(o, o.tl, type_code="ownership_dispute", subject="Who owns Dana Morning?", actor=o.so_a)
    assert overdue.due_date < dt.date(2026, 11, 23) == due_today.due_date

    r = get_morning(o.tl)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Services Sydney A" in html and "Services Sydney B" in html and "Services Sydney C" not in html
    assert "Team C work" not in html
    with clock.freeze(NOW):
        m = team_morning(user=o.tl.user)
    rows = {r["label"]: r for r in m["rows"]}
    so_a = rows[o.so_a.display_name]
    assert (so_a["open"], so_a["overdue"], so_a["due_today"]) == (1, 1, 0)
    assert (rows[o.so_b.display_name]["open"], rows[o.so_b.display_name]["due_today"]) == (1, 1)
    assert rows["Position: Team B intake"]["open"] == 1
    assert rows[o.tl.display_name]["open"] == 1  # the dispute in her own intray
    assert o.so_c.display_name not in rows
    assert m["totals"] == {"open": 4, "overdue": 1, "due_today": 1}
    assert [d.pk for d in m["disputes"]] == [dispute.pk]
    section = html.split('data-testid="morning-disputes"')[1].split("</ul>")[0]
    assert f'href="/work/intrays/{dispute.pk}/"' in section and "Who owns Dana Morning?" in section
    assert "No ownership disputes are waiting" not in html


def test_ps_team_leader_sees_plans_reviews_and_decisions_of_both_teams(morning_org):
    """Measured case (issue 14): the PS Team Leader's default view omitted the second team she leads. The morning
    shows plans near 21 days, segment 3 and restricted-service reviews, and the segment 3 request to decide, for
    Case Managers of both PS teams (and nothing outside the windows)."""
    from casework.ps import services as ps

    o = morning_org
    today = dt.date(2026, 11, 23)
    near_1 = ps_record(o, o.cm1, plan_due=today + dt.timedelta(days=3))
    near_2 = ps_record(o, o.cm2, plan_due=today - dt.timedelta(days=1))  # second team, already overdue
    far = ps_record(o, o.cm1, plan_due=today + dt.timedelta(days=10))
    approved = ps_record(o, o.cm2, plan_due=today + dt.timedelta(days=2), approved=True)
    Segment3Review.objects.create(ps_record=near_2, review_date=today + dt.timedelta(days=7))
    Segment3Review.objects.create(ps_record=far, review_date=today + dt.timedelta(days=30))
    Segment3Review.objects.create(ps_record=near_1, review_date=today, reviewed_at=NOW)  # done
    ContactRestriction.objects.create(customer=near_1.customer, conditions="Email only", imposed_on=today,
                                      review_date=today + dt.timedelta(days=10), status=RestrictionStatus.ACTIVE, is_active=True)
    ContactRestriction.objects.create(customer=far.customer, conditions="Email only", imposed_on=today,
                                      review_date=today + dt.timedelta(days=60), status=RestrictionStatus.ACTIVE, is_active=True)
    with clock.freeze(NOW):
        request = ps.segment_set(actor=o.cm2.user, ps_record=near_2, segment=3, reason="History of aggression")

    with clock.freeze(NOW):
        m = team_morning(user=o.ps_tl.user)
    assert [p["record"].pk for p in m["plans"]] == [near_2.pk, near_1.pk]
    assert [p["state"] for p in m["plans"]] == ["overdue", "3 days left"]
    assert [r["record"].pk for r in m["segment3_reviews"]] == [near_2.pk]
    assert [r["customer"].pk for r in m["restricted_reviews"]] == [near_1.customer_id]
    assert m["restricted_reviews"][0]["case_manager"] == o.cm1
    assert [a.pk for a in m["approvals"]] == [request.pk]
    assert {t.name for t in m["teams"]} == {"PS Melbourne 1", "PS Melbourne 2"}

    html = get_morning(o.ps_tl).content.decode()
    plans = html.split('data-testid="morning-plans"')[1].split("</section>")[0]
    assert near_1.customer.csid in plans and near_2.customer.csid in plans
    assert far.customer.csid not in plans and approved.customer.csid not in plans
    assert near_2.customer.csid in html.split('data-testid="morning-segment3"')[1].split("</ul>")[0]
    assert near_1.customer.csid in html.split('data-testid="morning-restricted"')[1].split("</ul>")[0]
    assert f'href="/approvals/{request.pk}/"' in html.split('data-testid="morning-approvals"')[1].split("</ul>")[0]

    # Its "Decision requested" intray follows the request (decided on /approvals/<id>/): no referral by hand.
    decision_intray = Intray.objects.get(type__code="approval_decision", assignee_officer=o.ps_tl)
    assert f'id="intray-{decision_intray.pk}"' not in html
    with clock.freeze(NOW):
        r = client_for(o.ps_tl).post("/morning/reassign/", {"intrays": [decision_intray.pk], "reason": "Cover",
                                                            "target": f"officer:{o.cm1.pk}"})
    assert r.status_code == 400
    decision_intray.refresh_from_db()
    assert decision_intray.assignee_officer_id == o.ps_tl.pk

    # The front-line Team Leader leads no PS Case Manager: none of it is hers.
    with clock.freeze(NOW):
        front = team_morning(user=o.tl.user)
    assert front["plans"] == front["segment3_reviews"] == front["restricted_reviews"] == front["approvals"] == []


def test_not_a_team_leader_gets_403_everywhere_and_no_nav_entry(morning_org):
    o = morning_org
    so = client_for(o.so_a)
    assert so.get("/morning/").status_code == 403
    assert so.get("/morning/export.csv").status_code == 403
    assert so.post("/morning/reassign/", {"intrays": ["1"], "target": "officer:1", "reason": "x"}).status_code == 403
    assert ">Morning<" not in so.get("/").content.decode()
    assert '<a href="/morning/">Morning</a>' in client_for(o.tl).get("/").content.decode()
    assert '<a href="/morning/">Morning</a>' in client_for(o.ps_tl).get("/").content.decode()
    anonymous = Client().get("/morning/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def _queries(off) -> int:
    """Queries of one page view (the sign-in before it not counted)."""
    c = client_for(off)
    with clock.freeze(NOW), CaptureQueriesContext(connection) as ctx:
        assert c.get("/morning/").status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_bounded_and_does_not_grow_with_rows(morning_org):
    o = morning_org
    make(o, o.so_a, when=LAST_MONDAY)
    make(o, o.so_b)
    rec = ps_record(o, o.cm1, plan_due=dt.date(2026, 11, 25))
    Segment3Review.objects.create(ps_record=rec, review_date=dt.date(2026, 11, 30))
    _queries(o.ps_tl)  # warm caches (content types, permissions) before counting
    small_tl, small_ps = _queries(o.tl), _queries(o.ps_tl)
    assert small_tl <= 30 and small_ps <= 30, (small_tl, small_ps)

    for n in range(3):
        extra = officer(f"so_extra{n}", Role.SERVICE_OFFICER, o.team_b, o.syd)
        cm = officer(f"cm_extra{n}", Role.PS_CASE_MANAGER, o.ps_2, o.mel, "PS")
        for when in (LAST_MONDAY, LAST_THURSDAY, NOW):
            make(o, extra, when=when, customer=CustomerFactory())
        make(o, o.tl, type_code="ownership_dispute", actor=o.so_a, customer=CustomerFactory())
        rec = ps_record(o, cm, plan_due=dt.date(2026, 11, 24))
        Segment3Review.objects.create(ps_record=rec, review_date=dt.date(2026, 11, 30))
        ContactRestriction.objects.create(customer=rec.customer, conditions="Post only", imposed_on=NOW.date(),
                                          review_date=dt.date(2026, 12, 1), status=RestrictionStatus.ACTIVE, is_active=True)
    assert Intray.objects.count() > 10
    assert _queries(o.tl) == small_tl
    assert _queries(o.ps_tl) == small_ps


def test_bulk_reassign_refers_each_and_reports_the_refused_one(morning_org):
    o = morning_org
    first = make(o, o.so_a, when=LAST_MONDAY)
    second = make(o, o.pos_b, type_code="general_follow_up", subject="Follow up")
    dispute = make(o, o.tl, type_code="ownership_dispute", actor=o.so_a)  # only a Team Leader may receive it
    c = client_for(o.tl)
    with clock.freeze(NOW):
        r = c.post("/morning/reassign/", {"intrays": [first.pk, dispute.pk, second.pk],
                                          "target": f"officer:{o.so_b.pk}", "reason": "Leave cover"}, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert f"Referred 2 of 3 intrays to {o.so_b.display_name}." in html
    assert f"Not referred: intray {dispute.pk} (Ownership dispute, {o.customer.csid})" in html
    for intray, who in ((first, o.so_b.pk), (second, o.so_b.pk), (dispute, None)):
        intray.refresh_from_db()
        assert intray.assignee_officer_id == (who or o.tl.pk)
    assert first.team_id == o.team_b.pk
    events = AuditEvent.objects.filter(action="intray.reassign", actor=o.tl.user)
    assert sorted(int(e.target_id) for e in events) == sorted([first.pk, second.pk])
    assert {e.reason for e in events} == {"Leave cover"}


def test_bulk_reassign_refuses_intrays_and_targets_outside_the_teams(morning_org):
    o = morning_org
    mine = make(o, o.so_a)
    theirs = make(o, o.so_c, subject="Team C work")
    c = client_for(o.tl)
    with clock.freeze(NOW):
        r = c.post("/morning/reassign/", {"intrays": [mine.pk, theirs.pk], "target": f"officer:{o.so_b.pk}",
                                          "reason": "Cover"})
        assert r.status_code == 400 and "no longer open in your teams" in r.content.decode()
        r = c.post("/morning/reassign/", {"intrays": [mine.pk], "target": f"officer:{o.so_c.pk}", "reason": "Cover"})
        assert r.status_code == 400
        r = c.post("/morning/reassign/", {"intrays": [mine.pk], "target": f"officer:{o.so_b.pk}", "reason": ""})
        assert r.status_code == 400 and "Give a reason" in r.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.assignee_officer_id, theirs.assignee_officer_id) == (o.so_a.pk, o.so_c.pk)
    assert not AuditEvent.objects.filter(action="intray.reassign").exists()


def _sections(text: str) -> dict[str, list[list[str]]]:
    out, current = {}, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif current is None:
            current = row[0]
            out[current] = []
        else:
            out[current].append(row)
    return out


def test_csv_export_is_what_the_page_shows(morning_org):
    o = morning_org
    sly = CustomerFactory(given_names="=HYPERLINK(\"http://x\")", family_name="Sly")
    make(o, o.so_a, when=LAST_MONDAY, customer=sly)
    make(o, o.so_b, when=LAST_THURSDAY)
    dispute = make(o, o.tl, type_code="ownership_dispute", actor=o.so_a, subject="Who owns it")
    with clock.freeze(NOW):
        r = client_for(o.tl).get("/morning/export.csv")
        m = team_morning(user=o.tl.user)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r["Content-Disposition"] == 'attachment; filename="team-morning-2026-11-23.csv"'
    text = r.content.decode()
    assert text.splitlines() == [line for line in io.StringIO(
        _csv_of(morning_csv_rows(m))).read().splitlines()]
    sections = _sections(text)
    work = sections["Work by officer"]
    assert work[0] == ["Officer or position", "Team", "Role", "Open", "Overdue", "Due today"]
    assert [row[0] for row in work[1:]] == [r["label"] for r in m["rows"]]
    by_label = {row[0]: row for row in work[1:]}
    assert by_label[o.so_a.display_name][3:] == ["1", "1", "0"]
    assert by_label[o.so_b.display_name][3:] == ["1", "0", "1"]
    html = get_morning(o.tl).content.decode()
    for row in work[1:]:
        assert row[0] in html
    disputes = sections["Ownership disputes waiting"]
    assert disputes[1][0] == str(dispute.pk) and disputes[1][4] == "Who owns it"
    assert len(sections["Intrays created and closed per week"]) == 1 + 8
    # Only what the page shows about a customer (CSID, name), and never a live spreadsheet formula.
    assert sly.csid in text and "1985" not in text and "0400 000 000" not in text
    assert "'=HYPERLINK" in text and not re.search(r'(^|,)"?=HYPERLINK', text, re.M)


def _csv_of(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


def test_charts_are_inline_svg_each_with_its_table(morning_org):
    o = morning_org
    make(o, o.so_a, when=LAST_MONDAY)
    make(o, o.so_a, when=LAST_THURSDAY)
    done = make(o, o.so_b, when=LAST_THURSDAY)
    with clock.freeze(LAST_THURSDAY + dt.timedelta(hours=2)):
        intrays.intray_complete(actor=o.so_b.user, intray=done, outcome="Called")
    html = get_morning(o.tl).content.decode()
    for name, table in (("workload-chart", "workload-table"), ("trend-chart", "trend-table")):
        figure = html.split(f'data-testid="{name}">')[1].split("</figure>")[0]
        assert figure.startswith(f'<svg role="img" aria-describedby="{table}" ')
        assert "<script" not in figure and "<!--" not in figure
        assert not re.search(r'(src|href)="https?://', figure)  # nothing fetched from elsewhere
        assert f'<table id="{table}"' in html
        assert "<caption>" in html.split(f'<table id="{table}"')[1].split("</table>")[0]
    workload = html.split('<table id="workload-table"')[1].split("</table>")[0]
    assert f"<th scope=\"row\">{o.so_a.display_name}</th><td>1</td><td>1</td>" in workload
    trend = html.split('<table id="trend-table"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([\d/]+)</th><td>(\d+)</td><td>(\d+)</td>', trend)
    assert len(rows) == 8
    assert rows[-1] == ("23/11/2026", "0", "0")  # this week
    assert rows[-2] == ("16/11/2026", "3", "1")  # last week: three created, one closed
    assert sum(int(c) for _, c, _ in rows) == 3
    # The numbers in the chart are the table's: pygal writes each value as text in the SVG.
    assert "Open work per officer" in html and "Intrays created and closed per week" in html


def test_demo_team_leaders_have_a_morning(reference):
    """The demo logins (docs/demo.md): ps_tl leads both PS teams and sees both; tl_nsw sees her team."""
    from casework.web import demo

    demo.seed()
    for username, teams in (("ps_tl", 2), ("tl_nsw", 1), ("tl_specialist", 1)):
        c = Client()
        assert c.login(username=username, password=demo.DEMO_PASSWORD)
        r = c.get("/morning/")
        assert r.status_code == 200, username
        html = r.content.decode()
        assert html.split('data-testid="morning-teams"')[1].split("</p>")[0].count("<strong>") == teams, username
        assert html.count("<svg ") == 2
        assert c.get("/morning/export.csv").status_code == 200
    so = Client()
    assert so.login(username="so_nsw", password=demo.DEMO_PASSWORD)
    assert so.get("/morning/").status_code == 403


def test_team_leader_with_no_team_and_no_position_gets_an_empty_morning(morning_org):
    """Edge: a Team Leader between positions (no position, leads nothing) sees an empty page, not an error."""
    lone = OfficerFactory(user__username="tl_lone", role=Role.TEAM_LEADER, position=None)
    r = get_morning(lone)
    assert r.status_code == 200 and "You lead no team yet." in r.content.decode()


def test_team_leader_whose_position_is_in_no_team_still_sees_her_own_intray(morning_org):
    o = morning_org
    roaming = OfficerFactory(user__username="tl_roam", role=Role.TEAM_LEADER,
                             position=PositionFactory(code="roam", office=o.syd, team=None))
    o.team_c.leader = roaming
    o.team_c.save()
    make(o, roaming, type_code="ownership_dispute", actor=o.so_c, subject="Roaming dispute")
    with clock.freeze(NOW):
        m = team_morning(user=roaming.user)
    rows = {r["label"]: r for r in m["rows"]}
    assert rows[roaming.display_name]["open"] == 1 and o.so_c.display_name in rows
    assert [d.subject for d in m["disputes"]] == ["Roaming dispute"]

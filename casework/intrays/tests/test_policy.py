"""Table-driven tests of the pure intray rules: one case per rule clause, named after its step ID."""

import datetime as dt

import pytest

from casework.intrays import policy as p

TL_ONLY = p.TypeFacts(code="ps_referral_tl_only", name="PS Referral (TL only)", sla_working_days=2,
                      creator_roles=("team_leader", "ps_team_leader"), receiver_areas=("PS",),
                      step_ids=("PS-REF-1", "PS-REF-2"))
CCR = p.TypeFacts(code="client_contact_required", name="Client Contact Required", sla_working_days=2,
                  step_ids=("CMA-2.10",))
CORR = p.TypeFacts(code="correspondence_received", name="Correspondence received", is_correspondence=True,
                   step_ids=("CMA-1.1", "CMA-3.5"))
DISPUTE = p.TypeFacts(code="ownership_dispute", name="Ownership dispute", receiver_roles=("team_leader",),
                      closer_roles=("team_leader",), step_ids=("CMA-1.5",))
SO = p.ActorFacts(role="service_officer", officer_id=1, position_id=10)
SO2 = p.ActorFacts(role="service_officer", officer_id=2, position_id=20)
TL = p.ActorFacts(role="team_leader", officer_id=3, position_id=30, team_ids_led=frozenset({7}))
AUDITOR = p.ActorFacts(role="auditor", officer_id=4)
ADMIN = p.ActorFacts(role="administrator", officer_id=5, is_admin=True)


@pytest.mark.parametrize("has_officer,has_position,allowed", [
    pytest.param(True, False, True, id="CMA-2.10-officer"),
    pytest.param(False, True, True, id="CMA-2.10-position"),
    pytest.param(True, True, False, id="CMA-2.10-both-refused"),
    pytest.param(False, False, False, id="CMA-2.10-none-refused"),
])
def test_assignee_given(has_officer, has_position, allowed):
    d = p.assignee_given(has_officer=has_officer, has_position=has_position)
    assert d.allowed is allowed and d.step_ids == ("CMA-2.10",)


@pytest.mark.parametrize("t,actor,allowed,step", [
    pytest.param(TL_ONLY, SO, False, "PS-REF-1", id="PS-REF-1-tl-only-refused-for-service-officer"),
    pytest.param(TL_ONLY, TL, True, "PS-REF-1", id="PS-REF-1-tl-only-team-leader"),
    pytest.param(CCR, SO, True, "CMA-2.10", id="CMA-2.10-any-caseworker"),
    pytest.param(CCR, AUDITOR, False, "CMA-2.10", id="CMA-2.10-auditor-refused"),
    # Least privilege (issue 13): an Administrator manages reference data and never works intrays.
    pytest.param(CCR, ADMIN, False, "CMA-2.10", id="CMA-2.10-administrator-refused"),
    pytest.param(p.TypeFacts(code="client_contact_required", name="Old", is_active=False), SO, False, "CMA-2.10",
                 id="CMA-2.10-inactive-type-refused"),
])
def test_may_create(t, actor, allowed, step):
    d = p.may_create(t, actor)
    assert d.allowed is allowed and step in d.step_ids


@pytest.mark.parametrize("t,receiver,allowed", [
    pytest.param(TL_ONLY, p.ReceiverFacts(is_officer=False, area_code="PS"), True, id="PS-REF-2-ps-position"),
    pytest.param(TL_ONLY, p.ReceiverFacts(is_officer=False, area_code="SERVICES"), False, id="PS-REF-2-other-area"),
    pytest.param(DISPUTE, p.ReceiverFacts(is_officer=True, role="team_leader", area_code="SERVICES"), True,
                 id="CMA-1.5-dispute-to-team-leader"),
    pytest.param(DISPUTE, p.ReceiverFacts(is_officer=True, role="service_officer", area_code="SERVICES"), False,
                 id="CMA-1.5-dispute-not-to-service-officer"),
    pytest.param(CCR, p.ReceiverFacts(is_officer=True, role="auditor"), False, id="CMA-2.10-not-to-auditor"),
    pytest.param(CCR, p.ReceiverFacts(is_officer=False, area_code="DPO", is_active=False), False,
                 id="CMA-2.10-inactive-position"),
])
def test_may_receive(t, receiver, allowed):
    assert p.may_receive(t, receiver).allowed is allowed


def facts(t=CCR, status="open", officer=1, position=None, team=7, matters=()):
    return p.IntrayFacts(status=status, type=t, assignee_officer_id=officer, assignee_position_id=position,
                         team_id=team, unaddressed_matters=matters)


@pytest.mark.parametrize("intray,actor,allowed", [
    pytest.param(facts(), SO, True, id="CMA-2.10-assignee-officer"),
    pytest.param(facts(officer=None, position=20), SO2, True, id="CMA-2.10-officer-in-assignee-position"),
    pytest.param(facts(), SO2, False, id="CMA-2.10-other-officer-refused"),
    pytest.param(facts(), TL, True, id="CMA-2.10-team-leader-of-the-team"),
    pytest.param(facts(team=8), TL, False, id="CMA-2.10-team-leader-of-another-team-refused"),
    pytest.param(facts(), AUDITOR, False, id="CMA-2.10-auditor-refused"),
    pytest.param(facts(), ADMIN, False, id="CMA-2.10-administrator-refused"),
])
def test_may_work(intray, actor, allowed):
    assert p.may_work(intray, actor).allowed is allowed


@pytest.mark.parametrize("status,allowed,reason", [
    pytest.param("open", True, "", id="CMA-2.10-start-open"),
    pytest.param("in_progress", False, "already in progress", id="CMA-2.10-start-twice-refused"),
    pytest.param("done", False, "already done", id="CMA-2.10-start-done-refused"),
    pytest.param("deleted", False, "deleted", id="CMA-2.10-start-deleted-refused"),
])
def test_may_start(status, allowed, reason):
    d = p.may_start(facts(status=status), SO)
    assert d.allowed is allowed and reason in d.reason


@pytest.mark.parametrize("intray,actor,reason,allowed,steps", [
    pytest.param(facts(CORR, matters=("CoA request",)), SO, "done", False, ("CMA-1.1", "CMA-3.5"),
                 id="CMA-1.1-CMA-3.5-delete-refused-with-unaddressed-matter"),
    pytest.param(facts(CORR), SO, "All addressed", True, ("CMA-1.1", "CMA-3.5"), id="CMA-3.5-delete-when-addressed"),
    pytest.param(facts(CORR), SO, "  ", False, ("CMA-1.1", "CMA-3.5"), id="CMA-3.5-delete-needs-reason"),
    pytest.param(facts(CCR), SO, "", False, ("CMA-2.10", "CMA-3.5"), id="CMA-3.5-any-delete-needs-reason"),
    pytest.param(facts(CCR), SO2, "x", False, ("CMA-2.10",), id="CMA-2.10-delete-by-other-officer-refused"),
    pytest.param(facts(DISPUTE, officer=3), TL, "resolved", True, ("CMA-1.5",), id="CMA-1.5-dispute-closed-by-tl"),
])
def test_may_delete(intray, actor, reason, allowed, steps):
    d = p.may_delete(intray, actor, reason=reason)
    assert d.allowed is allowed and d.step_ids == steps


def test_CMA_1_5_dispute_not_closed_by_a_service_officer_holding_it():
    d = p.may_close(facts(DISPUTE, officer=1), SO)
    assert not d.allowed and "Team Leader" in d.reason


@pytest.mark.parametrize("intray,allowed", [
    pytest.param(facts(CORR, matters=("x",)), False, id="CMA-3.5-complete-refused-with-unaddressed-matter"),
    pytest.param(facts(CORR), True, id="CMA-3.5-complete-when-addressed"),
    pytest.param(facts(CCR, matters=("x",)), True, id="CMA-2.10-matters-only-block-correspondence"),
])
def test_may_complete(intray, allowed):
    assert p.may_complete(intray, SO).allowed is allowed


@pytest.mark.parametrize("reason,same,allowed", [
    pytest.param("Leave", False, True, id="CMA-2.10-refer-with-reason"),
    pytest.param("", False, False, id="CMA-2.10-refer-needs-reason"),
    pytest.param("x", True, False, id="CMA-2.10-refer-to-same-refused"),
])
def test_may_reassign(reason, same, allowed):
    assert p.may_reassign(facts(), SO, reason=reason, same_assignee=same).allowed is allowed


@pytest.mark.parametrize("t,current,new,reason,allowed", [
    pytest.param(CORR, "general", "objection", "Disputes assessment", True, id="CMA-1.1-recategorise-with-reason"),
    pytest.param(CORR, "general", "objection", "", False, id="CMA-1.1-recategorise-needs-reason"),
    pytest.param(CORR, "general", "general", "x", False, id="CMA-1.1-recategorise-same-category"),
    pytest.param(CCR, "general", "income", "x", False, id="CMA-1.1-only-correspondence-has-a-category"),
])
def test_may_recategorise(t, current, new, reason, allowed):
    d = p.may_recategorise(facts(t), SO, current=current, new=new, reason=reason)
    assert d.allowed is allowed and "CMA-1.1" in d.step_ids


MON = dt.date(2026, 11, 23)


@pytest.mark.parametrize("due,expected", [
    pytest.param(None, "none", id="no-service-level"),
    pytest.param(dt.date(2026, 11, 20), "overdue", id="overdue"),
    pytest.param(MON, "due_today", id="due-today"),
    pytest.param(dt.date(2026, 11, 29), "due_this_week", id="due-by-sunday"),
    pytest.param(dt.date(2026, 11, 30), "later", id="next-week"),
])
def test_bucket(due, expected):
    assert p.bucket(due, MON) == expected


@pytest.mark.parametrize("status,due,today,breached", [
    pytest.param("open", MON, dt.date(2026, 11, 24), True, id="CMA-2.10-open-past-due"),
    pytest.param("in_progress", MON, dt.date(2026, 11, 24), True, id="CMA-2.10-in-progress-past-due"),
    pytest.param("open", MON, MON, False, id="CMA-2.10-due-today-not-breached"),
    pytest.param("done", MON, dt.date(2026, 11, 30), False, id="CMA-2.10-done-never-breached"),
    pytest.param("open", None, dt.date(2026, 11, 30), False, id="no-service-level-never-breached"),
])
def test_is_breached(status, due, today, breached):
    assert p.is_breached(status=status, due=due, office_today=today) is breached

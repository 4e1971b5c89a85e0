"""Policy table: who may decide a request (issue 11). One case per rule clause; each refusal names the kind's steps."""

from __future__ import annotations

import pytest

from casework.approvals import policy
from casework.approvals.policy import DeciderFacts, Eligibility

STEPS = ("PS-ORM-1",)
TEAM = Eligibility(role="ps_team_leader", label="the PS Team Leader of PS Melbourne", team_ids=(7,))
AREAS = Eligibility(role="team_leader", label="a Team Leader of Litigation or Objections",
                    area_codes=("LITIGATION", "GENERAL_OBJECTIONS"))
NAMED = Eligibility(role="team_leader", label="Sam (Team Leader)", officer_ids=(42,))
TWO_ROLES = Eligibility(role="team_leader", other_roles=("ps_team_leader",), label="a Team Leader of DPO or PS",
                        area_codes=("DPO", "PS"))
NATIONAL = Eligibility(role="national_manager_qcc", label="the National Manager Quality and Customer Complaints")


def tl(user_id=10, officer_id=11, role="ps_team_leader", teams=(7,), area="PS", active=True):
    return DeciderFacts(user_id=user_id, officer_id=officer_id, role=role, is_active=active,
                        team_ids_led=frozenset(teams), area_code=area)


CASES = [
    # (id, eligibility, decider, requester, worked_by, status, allowed, outcome, words)
    ("eligible team leader", TEAM, tl(), 1, frozenset(), "pending", True, "", "may decide"),
    ("already decided", TEAM, tl(), 1, frozenset(), "approved", False, "", "already approved"),
    ("withdrawn", TEAM, tl(), 1, frozenset(), "withdrawn", False, "", "already withdrawn"),
    ("requester", TEAM, tl(user_id=1), 1, frozenset(), "pending", False, "requester", "You asked for this"),
    ("worked the item", TEAM, tl(), 1, frozenset({10}), "pending", False, "worked", "You worked on this item"),
    ("wrong role", TEAM, tl(role="ps_case_manager"), 1, frozenset(), "pending", False, "scope", "Only the PS Team"),
    ("other team", TEAM, tl(teams=(8,)), 1, frozenset(), "pending", False, "scope", "Only the PS Team"),
    ("inactive officer", TEAM, tl(active=False), 1, frozenset(), "pending", False, "scope", "Only"),
    ("not an officer", TEAM, DeciderFacts(user_id=99), 1, frozenset(), "pending", False, "scope", "Only"),
    ("area in scope", AREAS, tl(role="team_leader", teams=(), area="LITIGATION"), 1, frozenset(), "pending", True,
     "", "may decide"),
    ("area out of scope", AREAS, tl(role="team_leader", teams=(), area="SERVICES"), 1, frozenset(), "pending", False,
     "scope", "Litigation or Objections"),
    ("named officer", NAMED, tl(role="team_leader", officer_id=42, teams=()), 1, frozenset(), "pending", True, "",
     "may decide"),
    ("not the named officer", NAMED, tl(role="team_leader", officer_id=43, teams=()), 1, frozenset(), "pending",
     False, "scope", "Sam"),
    ("second role in scope (PS Team Leader, PS dispute)", TWO_ROLES, tl(area="PS"), 1, frozenset(), "pending",
     True, "", "may decide"),
    ("second role out of scope", TWO_ROLES, tl(area="COLLECTION"), 1, frozenset(), "pending", False, "scope",
     "DPO or PS"),
    ("neither role", TWO_ROLES, tl(role="specialist_officer", area="DPO"), 1, frozenset(), "pending", False, "scope",
     "DPO or PS"),
    ("national role, anyone holding it", NATIONAL, tl(role="national_manager_qcc", teams=(), area="COMPLAINTS"), 1,
     frozenset(), "pending", True, "", "may decide"),
    ("national role, a PS Team Leader typed as approver", NATIONAL, tl(), 1, frozenset(), "pending", False, "scope",
     "National Manager"),
]


@pytest.mark.parametrize(("eligibility", "decider", "requester", "worked", "status", "allowed", "outcome", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_may_decide(eligibility, decider, requester, worked, status, allowed, outcome, words):
    d = policy.may_decide(status=status, eligibility=eligibility, decider=decider, requester_id=requester,
                          worked_by=worked, step_ids=STEPS)
    assert d.allowed is allowed and d.step_ids == STEPS and words in d.reason
    assert d.outcome == outcome


def test_requester_and_worker_refusals_say_who_may_decide():
    for decider, worked in ((tl(user_id=1), frozenset()), (tl(), frozenset({10}))):
        d = policy.may_decide(status="pending", eligibility=TEAM, decider=decider, requester_id=1, worked_by=worked,
                              step_ids=STEPS)
        assert not d.allowed and TEAM.label in d.reason


@pytest.mark.parametrize(("status", "actor", "allowed"), [("pending", 1, True), ("pending", 2, False),
                                                         ("approved", 1, False), ("pending", None, False)])
def test_may_withdraw(status, actor, allowed):
    d = policy.may_withdraw(status=status, requester_id=1, actor_user_id=actor, step_ids=STEPS)
    assert d.allowed is allowed and d.step_ids == STEPS


def test_eligibility_round_trips_through_the_stored_dict():
    for e in (TEAM, AREAS, NAMED, NATIONAL, TWO_ROLES):
        assert Eligibility.from_dict(e.as_dict()) == e


def test_every_kind_has_a_label():
    assert all(code.islower() and label for code, label in policy.KINDS.items())

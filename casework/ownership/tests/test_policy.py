"""Table tests of the ownership rules, one case per rule clause, each naming its step ID."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.org.reference import BUSINESS_AREAS, ISSUE_TYPES
from casework.ownership import policy as p

AREAS = {
    code: p.AreaFact(code, name, str(kind), prio, str(parties))
    for code, name, kind, prio, parties, _front in BUSINESS_AREAS
}
ISSUE_AREA = {code: (str(kind), area) for code, _name, kind, area, _c, _i in ISSUE_TYPES}
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def issue(n: int, type_code: str, received: str | None = None, outstanding: bool = True) -> p.IssueFact:
    kind, area = ISSUE_AREA[type_code]
    return p.IssueFact(n, type_code, kind, area, received or area, T0 + dt.timedelta(minutes=n), outstanding)


PAYER, PAYEE, BOTH_ROLES = frozenset({"payer"}), frozenset({"payee"}), frozenset({"payer", "payee"})


# ---------------------------------------------------------------- CMA-1.5 determine owner
OWNER_CASES = [
    ("CMA-1.5 no specialised issue: nobody owns", PAYER, [issue(1, "payment_enquiry")], "none", None),
    ("CMA-1.5 closed specialised issues don't count", PAYER, [issue(1, "dpo", outstanding=False)], "none", None),
    ("CMA-1.5 priority 1 Deceased beats PS", PAYEE, [issue(1, "personalised_services"), issue(2, "deceased_customer")],
     "retained", "DECEASED"),
    ("CMA-1.5 priority 2 PS beats Litigation", PAYER, [issue(1, "litigation"), issue(2, "personalised_services")],
     "retained", "PS"),
    ("CMA-1.5 priority 3 Litigation beats DPO", PAYER, [issue(1, "dpo"), issue(2, "litigation")], "retained",
     "LITIGATION"),
    ("CMA-1.5 priority 4 DPO beats ICS for a payer", PAYER, [issue(1, "intensive_collection"), issue(2, "dpo")],
     "retained", "DPO"),
    ("CMA-1.5 priority 5 ICS beats New Customers for a payer", PAYER,
     [issue(1, "new_registration"), issue(2, "intensive_collection")], "retained", "ICS"),
    ("CMA-1.5 priority 6 New Customers keeps payee and payer", PAYEE,
     [issue(1, "objection"), issue(2, "new_registration")], "retained", "NEW_CUSTOMERS"),
    ("CMA-1.5 DPO keeps only the payer: payee falls back to first specialised", PAYEE,
     [issue(1, "objection"), issue(2, "dpo")], "first_specialised", "GENERAL_OBJECTIONS"),
    ("CMA-1.5 ICS keeps only the payer: payee falls back to first specialised", PAYEE,
     [issue(1, "change_of_assessment"), issue(2, "intensive_collection")], "first_specialised",
     "CHANGE_OF_ASSESSMENT"),
    ("CMA-1.5 objection then DPO on a payer: DPO owns", PAYER, [issue(1, "objection"), issue(2, "dpo")], "retained",
     "DPO"),
    ("CMA-1.5 customer on both sides: payer-retaining area applies", BOTH_ROLES,
     [issue(1, "objection"), issue(2, "dpo")], "retained", "DPO"),
    ("CMA-1.5 no retaining area: area of the first specialised issue", PAYER,
     [issue(2, "change_of_assessment"), issue(1, "objection")], "first_specialised", "GENERAL_OBJECTIONS"),
    ("CMA-1.5 first specialised received at the front line: its specialist area", PAYER,
     [issue(1, "objection", received="SERVICES"), issue(2, "foi")], "first_specialised", "GENERAL_OBJECTIONS"),
    ("CMA-1.5 first specialised received by a specialist area: that area", PAYER,
     [issue(1, "foi", received="GENERAL_OBJECTIONS")], "first_specialised", "GENERAL_OBJECTIONS"),
    ("CMA-1.5 common issues are ignored", PAYER, [issue(1, "debt_enquiry"), issue(2, "privacy")],
     "first_specialised", "PRIVACY"),
]


@pytest.mark.parametrize("name,roles,issues,outcome,area", OWNER_CASES, ids=[c[0] for c in OWNER_CASES])
def test_determine_owner(name, roles, issues, outcome, area):
    d = p.determine_owner(roles=roles, issues=issues, areas=AREAS)
    assert d.outcome == outcome
    assert d.facts["area"] == area
    assert "CMA-1.5" in d.step_ids


def test_cma_1_5_priority_is_data_not_code():
    """CMA-1.5: a changed procedure is a data change: swap DPO and ICS priorities and ICS wins."""
    areas = dict(AREAS)
    areas["DPO"] = p.AreaFact("DPO", "DPO", "specialised", 5, "payer")
    areas["ICS"] = p.AreaFact("ICS", "ICS", "specialised", 4, "payer")
    d = p.determine_owner(roles=PAYER, issues=[issue(1, "dpo"), issue(2, "intensive_collection")], areas=areas)
    assert d.facts["area"] == "ICS"


# ---------------------------------------------------------------- CMA-1.2 issue handling
SPEC_DPO = p.AreaFact("DPO", "DPO Team", "specialised", 4, "payer")
COMMON_SERVICES = AREAS["SERVICES"]

HANDLING_CASES = [
    ("CMA-1.2 several common issues: owning area (point of entry)", [issue(1, "payment_enquiry"),
     issue(2, "income_update")], "SERVICES", None, ["owning_area", "owning_area"], ["SERVICES", "SERVICES"]),
    ("CMA-1.2 several common issues locked to a common area: that area", [issue(1, "payment_enquiry"),
     issue(2, "care_change")], "COLLECTION", COMMON_SERVICES, ["owning_area", "owning_area"],
     ["SERVICES", "SERVICES"]),
    ("CMA-1.2 common + specialised locked to specialist area: it handles all incl MCA",
     [issue(1, "debt_enquiry"), issue(2, "dpo")], "SERVICES", SPEC_DPO, ["specialist_area", "specialist_area"],
     ["DPO", "DPO"]),
    ("CMA-1.2 common + specialised not locked: common at point of entry, specialised referred",
     [issue(1, "debt_enquiry"), issue(2, "objection")], "SERVICES", None, ["point_of_entry", "referral"],
     ["SERVICES", "GENERAL_OBJECTIONS"]),
    ("CMA-1.2 single specialised at its own area: handled there", [issue(1, "objection")], "GENERAL_OBJECTIONS",
     None, ["specialist_area"], ["GENERAL_OBJECTIONS"]),
    ("CMA-1.2 CMA-1.4 several specialised issues: collaborative", [issue(1, "objection"), issue(2, "foi")],
     "SERVICES", None, ["collaborative", "collaborative"], ["GENERAL_OBJECTIONS", "FOI"]),
    ("CMA-1.2 CMA-1.4 collaborative with a common issue locked to specialist",
     [issue(1, "objection"), issue(2, "dpo"), issue(3, "payment_enquiry")], "SERVICES", SPEC_DPO,
     ["collaborative", "collaborative", "specialist_area"], ["GENERAL_OBJECTIONS", "DPO", "DPO"]),
]


@pytest.mark.parametrize("name,issues,entry,locked,outcomes,handled", HANDLING_CASES,
                         ids=[c[0] for c in HANDLING_CASES])
def test_issue_handling(name, issues, entry, locked, outcomes, handled):
    ds = p.issue_handling(issues=issues, point_of_entry=entry, locked_area=locked)
    assert [d.outcome for d in ds] == outcomes
    assert [d.facts["handled_by"] for d in ds] == handled
    assert all("CMA-1.2" in d.step_ids for d in ds)
    assert all("CMA-1.4" in d.step_ids for d in ds if d.outcome == "collaborative")


def test_cma_1_2_specialist_area_includes_mca():
    ds = p.issue_handling(issues=[issue(1, "debt_enquiry"), issue(2, "dpo")], point_of_entry="SERVICES",
                          locked_area=SPEC_DPO)
    assert all(d.facts["includes_mca"] for d in ds)


# ---------------------------------------------------------------- CMA-2.10 / CMA-1.5 / CMA-1.3 lock decision
ME, OTHER, TL = 1, 2, 3
H_ME = p.HolderFact("SERVICES", "common", officer_id=ME, label="me")
H_OTHER = p.HolderFact("SERVICES", "common", officer_id=OTHER, label="Other Officer (Customer Services)")
H_OBJ = p.HolderFact("GENERAL_OBJECTIONS", "specialised", officer_id=OTHER, label="Obj Officer")
H_POS = p.HolderFact("DPO", "specialised", position_id=9, label="DPO intake")
T_ME = p.HolderFact("SERVICES", "common", officer_id=ME)
T_OTHER = p.HolderFact("SERVICES", "common", officer_id=OTHER)
T_DPO = p.HolderFact("DPO", "specialised", officer_id=ME)
T_POS = p.HolderFact("DPO", "specialised", position_id=9)

LOCK_CASES = [
    ("CMA-2.10 not locked: lock to yourself", None, T_ME, False, None, frozenset(), "lock", True, "CMA-2.10"),
    ("CMA-2.10 not locked: lock to a position", None, T_POS, False, None, frozenset(), "lock", True, "CMA-2.10"),
    ("CMA-2.10 another officer needs a Team Leader", None, T_OTHER, False, None, frozenset(), "refused", False,
     "CMA-2.10"),
    ("CMA-2.10 Team Leader locks to another officer", None, T_OTHER, True, None, frozenset(), "lock", True,
     "CMA-2.10"),
    ("CMA-2.10 locked to someone else: conflict naming the holder", H_OTHER, T_ME, False, None, frozenset(),
     "conflict", False, "CMA-2.10"),
    ("CMA-2.10 already locked to me: no-op", H_ME, T_ME, False, None, frozenset(), "already", True, "CMA-2.10"),
    ("CMA-2.10 same position: no-op", H_POS, T_POS, False, None, frozenset(), "already", True, "CMA-2.10"),
    ("CMA-1.5 target area owns by priority: lock moves", H_OBJ, T_DPO, False, "DPO", frozenset(), "priority", True,
     "CMA-1.5"),
    ("CMA-1.5 holder area already the owner: conflict", H_POS, T_ME, False, "DPO", frozenset(), "conflict", False,
     "CMA-2.10"),
    ("CMA-1.3 never locked back to the previous officer", None, T_OTHER, True, None, frozenset({OTHER}), "refused",
     False, "CMA-1.3"),
]


@pytest.mark.parametrize("name,current,target,is_tl,rule_area,errs,outcome,allowed,step", LOCK_CASES,
                         ids=[c[0] for c in LOCK_CASES])
def test_lock_decision(name, current, target, is_tl, rule_area, errs, outcome, allowed, step):
    d = p.lock_decision(current=current, target=target, actor_officer_id=TL if is_tl else ME,
                        actor_is_team_leader=is_tl, rule_owner_area=rule_area, error_previous_officer_ids=errs)
    assert d.outcome == outcome
    assert d.allowed is allowed
    assert step in d.step_ids
    if outcome == "conflict":
        assert current.label in d.reason


# ---------------------------------------------------------------- CMA-2.10 take over
TAKE_CASES = [
    ("CMA-2.10 nothing to take over", None, "SERVICES", False, None, "not_locked", False),
    ("CMA-2.10 you already hold it", H_ME, "SERVICES", False, None, "already", False),
    ("CMA-2.10 take over from another officer in a common area", H_OTHER, "SERVICES", False, None, "take_over", True),
    ("CMA-2.10 CMA-1.6 specialist lock from outside the area: refused", H_OBJ, "SERVICES", False, None, "refused",
     False),
    ("CMA-2.10 specialist lock within the same area", H_OBJ, "GENERAL_OBJECTIONS", False, None, "take_over", True),
    ("CMA-2.10 Team Leader may take over a specialist lock", H_OBJ, "SERVICES", True, None, "take_over", True),
    ("CMA-2.10 CMA-1.5 the rules give ownership to the actor's area", H_OBJ, "DPO", False, "DPO", "take_over", True),
]


@pytest.mark.parametrize("name,current,actor_area,is_tl,rule_area,outcome,allowed", TAKE_CASES,
                         ids=[c[0] for c in TAKE_CASES])
def test_take_over_decision(name, current, actor_area, is_tl, rule_area, outcome, allowed):
    d = p.take_over_decision(current=current, actor_officer_id=ME, actor_area=actor_area, actor_is_team_leader=is_tl,
                             rule_owner_area=rule_area)
    assert (d.outcome, d.allowed) == (outcome, allowed)
    assert "CMA-2.10" in d.step_ids


# ---------------------------------------------------------------- CMA-2.10 both parents
BOTH_CASES = [
    ("CMA-2.10 neither locked to a specialist area: lock both", [None, H_OTHER], "lock_both"),
    ("CMA-2.10 one specialist area manages", [H_OBJ, None], "specialist_area"),
    ("CMA-2.10 CMA-1.4 two specialist areas: collaborative", [H_OBJ, H_POS], "collaborative"),
    ("CMA-2.10 both in the same specialist area", [H_POS, p.HolderFact("DPO", "specialised", officer_id=5)],
     "specialist_area"),
]


@pytest.mark.parametrize("name,holders,outcome", BOTH_CASES, ids=[c[0] for c in BOTH_CASES])
def test_both_parents_manager(name, holders, outcome):
    d = p.both_parents_manager(holders=holders)
    assert d.outcome == outcome
    assert "CMA-2.10" in d.step_ids


# ---------------------------------------------------------------- CMA-1.3 error identified
ERROR_CASES = [
    ("CMA-1.3 resolvable in real time", True, H_OTHER, "resolve"),
    ("CMA-1.3 locked to another officer: refer", False, H_OTHER, "refer"),
    ("CMA-1.3 not locked: identifying officer locks", False, None, "lock"),
    ("CMA-1.3 locked to a position only: identifying officer locks", False, H_POS, "lock"),
    ("CMA-1.3 locked to me: I manage it", False, H_ME, "lock"),
]


@pytest.mark.parametrize("name,realtime,current,outcome", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_handling(name, realtime, current, outcome):
    d = p.error_handling(resolvable_in_real_time=realtime, current=current, actor_officer_id=ME)
    assert d.outcome == outcome
    assert d.step_ids == ("CMA-1.3",)


# ---------------------------------------------------------------- CMA-3.3 / CMA-3.4 unlock
OWNER_NONE = p.determine_owner(roles=PAYER, issues=[], areas=AREAS)
OWNER_OBJ = p.determine_owner(roles=PAYER, issues=[issue(1, "objection")], areas=AREAS)
UNLOCK_CASES = [
    ("CMA-3.4 not explained: schedule the automatic unlock", False, OWNER_NONE, "schedule", False, "CMA-3.4"),
    ("CMA-3.3 other specialised issue outstanding: relock", True, OWNER_OBJ, "relock", True, "CMA-3.3"),
    ("CMA-3.4 explained, nothing outstanding: unlock", True, OWNER_NONE, "unlock", True, "CMA-3.4"),
]


@pytest.mark.parametrize("name,explained,owner,outcome,allowed,step", UNLOCK_CASES, ids=[c[0] for c in UNLOCK_CASES])
def test_unlock_decision(name, explained, owner, outcome, allowed, step):
    d = p.unlock_decision(decision_explained=explained, owner_after=owner, current_area="DPO")
    assert (d.outcome, d.allowed) == (outcome, allowed)
    assert step in d.step_ids


LETTER_CASES = [
    ("CMA-3.4 no contact attempts: refused", frozenset({1, 2}), frozenset({1, 2}), False, False),
    ("CMA-3.4 a customer without a decision letter: refused", frozenset({1, 2}), frozenset({1}), True, False),
    ("CMA-3.4 letters for every impacted customer: schedule", frozenset({1, 2}), frozenset({1, 2}), True, True),
]


@pytest.mark.parametrize("name,impacted,lettered,attempted,allowed", LETTER_CASES, ids=[c[0] for c in LETTER_CASES])
def test_auto_unlock_letters(name, impacted, lettered, attempted, allowed):
    d = p.auto_unlock_letters_decision(impacted_customer_ids=impacted, lettered_customer_ids=lettered,
                                       contact_attempted=attempted)
    assert d.allowed is allowed
    assert d.step_ids == ("CMA-3.4",)


# ---------------------------------------------------------------- CMA-1.6 transfer
TRANSFER_CASES = [
    ("CMA-1.6 not locked: nothing to transfer", None, AREAS["DPO"], "GENERAL_OBJECTIONS", False, False),
    ("CMA-1.6 only between specialised areas", H_OTHER, AREAS["DPO"], "SERVICES", False, False),
    ("CMA-1.6 to a common area refused", H_OBJ, AREAS["SERVICES"], "GENERAL_OBJECTIONS", False, False),
    ("CMA-1.6 same area refused", H_OBJ, AREAS["GENERAL_OBJECTIONS"], "GENERAL_OBJECTIONS", False, False),
    ("CMA-1.6 outsider refused", H_OBJ, AREAS["DPO"], "FOI", False, False),
    ("CMA-1.6 by agreement from the owning area", H_OBJ, AREAS["DPO"], "GENERAL_OBJECTIONS", False, True),
    ("CMA-1.6 by agreement from the receiving area", H_OBJ, AREAS["DPO"], "DPO", False, True),
    ("CMA-1.6 a Team Leader", H_OBJ, AREAS["DPO"], "SERVICES", True, True),
]


@pytest.mark.parametrize("name,current,to_area,actor_area,is_tl,allowed", TRANSFER_CASES,
                         ids=[c[0] for c in TRANSFER_CASES])
def test_transfer_decision(name, current, to_area, actor_area, is_tl, allowed):
    d = p.transfer_decision(current=current, to_area=to_area, actor_area=actor_area, actor_is_team_leader=is_tl)
    assert d.allowed is allowed
    assert "CMA-1.6" in d.step_ids


# ---------------------------------------------------------------- PS-SPE-1
PS_CASES = [
    ("PS-SPE-1 not a PS customer: allowed", False, False, False, True, "not_ps"),
    ("PS-SPE-1 PS officer coordinates: allowed", True, True, False, True, "ps_officer"),
    ("PS-SPE-1 PS customer, no consultation: contact the Case Manager first", True, False, False, False,
     "consult_first"),
    ("PS-SPE-1 PS customer, consultation recorded: allowed", True, False, True, True, "consulted"),
]


@pytest.mark.parametrize("name,owner_ps,actor_ps,consulted,allowed,outcome", PS_CASES, ids=[c[0] for c in PS_CASES])
def test_specialist_action_allowed(name, owner_ps, actor_ps, consulted, allowed, outcome):
    d = p.specialist_action_allowed(owner_is_ps=owner_ps, actor_is_ps=actor_ps, consultation_recorded=consulted)
    assert (d.allowed, d.outcome) == (allowed, outcome)
    assert "PS-SPE-1" in d.step_ids

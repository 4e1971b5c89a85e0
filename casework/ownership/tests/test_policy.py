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
    # the actor is an officer of the target's area (the area the rules may name)
    d = p.lock_decision(current=current, target=target, actor_officer_id=TL if is_tl else ME,
                        actor_is_team_leader=is_tl, rule_owner_area=rule_area, error_previous_officer_ids=errs,
                        actor_area=target.area)
    assert d.outcome == outcome
    assert d.allowed is allowed
    assert step in d.step_ids
    if outcome == "conflict":
        assert current.label in d.reason


# Review 11, finding 1: the CMA-1.5 move by a plain lock has apply-rules' checks.
PRIORITY_CASES = [
    ("CMA-1.5 officer of the rules' area moves it", "DPO", frozenset(), None, "priority", True),
    ("CMA-1.5 officer of the holding area hands it on by the rules", "GENERAL_OBJECTIONS", frozenset(), None,
     "priority", True),
    ("CMA-1.6 Team Leader of the rules' area", "SERVICES", frozenset({"DPO"}), None, "priority", True),
    ("CMA-1.5 officer of a third area: not permitted", "SERVICES", frozenset(), None, "not_permitted", False),
    ("CMA-1.5 Team Leader of a third area: not permitted", "SERVICES", frozenset({"SERVICES"}), None,
     "not_permitted", False),
    ("CMA-1.6 the holder's ownership was agreed: the rules do not undo it", "DPO", frozenset(), "GENERAL_OBJECTIONS",
     "agreed", False),
    ("CMA-1.6 an agreement for another area does not stop the rules", "DPO", frozenset(), "LITIGATION", "priority",
     True),
]


@pytest.mark.parametrize("name,actor_area,tl_areas,agreed,outcome,allowed", PRIORITY_CASES,
                         ids=[c[0] for c in PRIORITY_CASES])
def test_lock_decision_priority_move(name, actor_area, tl_areas, agreed, outcome, allowed):
    d = p.lock_decision(current=H_OBJ, target=T_DPO, actor_officer_id=ME, actor_is_team_leader=bool(tl_areas),
                        rule_owner_area="DPO", actor_area=actor_area, actor_tl_areas=tl_areas, agreed_area=agreed)
    assert (d.outcome, d.allowed) == (outcome, allowed)
    assert "CMA-1.5" in d.step_ids
    if not allowed:
        assert H_OBJ.label in d.reason


# ---------------------------------------------------------------- CMA-2.10 take over
NO_TL = frozenset()
TAKE_CASES = [
    ("CMA-2.10 nothing to take over", None, "SERVICES", NO_TL, None, "not_locked", False),
    ("CMA-2.10 you already hold it", H_ME, "SERVICES", NO_TL, None, "already", False),
    ("CMA-2.10 take over from another officer in a common area", H_OTHER, "SERVICES", NO_TL, None, "take_over", True),
    ("CMA-2.10 CMA-1.6 specialist lock from outside the area: refused", H_OBJ, "SERVICES", NO_TL, None, "refused",
     False),
    ("CMA-2.10 specialist lock within the same area", H_OBJ, "GENERAL_OBJECTIONS", NO_TL, None, "take_over", True),
    ("CMA-1.6 Team Leader of the holding area may take over its specialist lock", H_OBJ, "GENERAL_OBJECTIONS",
     frozenset({"GENERAL_OBJECTIONS"}), None, "take_over", True),
    ("CMA-1.6 Team Leader of another area may not take over a DPO lock", H_POS, "SERVICES", frozenset({"SERVICES"}),
     None, "refused", False),
    ("CMA-2.10 CMA-1.5 the rules give ownership to the actor's area", H_OBJ, "DPO", NO_TL, "DPO", "take_over", True),
]


@pytest.mark.parametrize("name,current,actor_area,tl_areas,rule_area,outcome,allowed", TAKE_CASES,
                         ids=[c[0] for c in TAKE_CASES])
def test_take_over_decision(name, current, actor_area, tl_areas, rule_area, outcome, allowed):
    d = p.take_over_decision(current=current, actor_officer_id=ME, actor_area=actor_area, actor_tl_areas=tl_areas,
                             rule_owner_area=rule_area)
    assert (d.outcome, d.allowed) == (outcome, allowed)
    assert "CMA-2.10" in d.step_ids


# Review 11, finding 2: never over a CMA-1.6 agreement, never for an active PS record.
TAKE_GUARD_CASES = [
    ("CMA-1.6 agreed to the holder's area: the rules' area does not take over", H_OBJ, "DPO", "DPO",
     "GENERAL_OBJECTIONS", False, "agreed", False),
    ("CMA-1.6 agreed to the holder's area: within that area it is taken over", H_OBJ, "GENERAL_OBJECTIONS", None,
     "GENERAL_OBJECTIONS", False, "take_over", True),
    ("PS-REV-3 active PS record: another Case Manager does not take over", p.HolderFact("PS", "specialised",
     officer_id=OTHER, label="PS CM"), "PS", None, None, True, "ps_managed", False),
    ("PS-FIN-3 active PS record: a higher-priority area does not take over", p.HolderFact("PS", "specialised",
     officer_id=OTHER, label="PS CM"), "DECEASED", "DECEASED", None, True, "ps_managed", False),
]


@pytest.mark.parametrize("name,current,actor_area,rule_area,agreed,ps_active,outcome,allowed", TAKE_GUARD_CASES,
                         ids=[c[0] for c in TAKE_GUARD_CASES])
def test_take_over_decision_guards(name, current, actor_area, rule_area, agreed, ps_active, outcome, allowed):
    d = p.take_over_decision(current=current, actor_officer_id=ME, actor_area=actor_area, actor_tl_areas=NO_TL,
                             rule_owner_area=rule_area, agreed_area=agreed, ps_record_active=ps_active)
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
    ("CMA-1.3 locked to a common-area position only: identifying officer locks", False,
     p.HolderFact("SERVICES", "common", position_id=8, label="Services intake"), "lock"),
    ("CMA-1.3 locked to a specialist position, officer outside it: refer to the holder, lock not taken", False,
     H_POS, "refer"),
    ("CMA-1.3 locked to a specialist position of my own area: I lock", False,
     p.HolderFact("SERVICES", "specialised", position_id=9, label="x"), "lock"),
    ("CMA-1.3 locked to me: I manage it", False, H_ME, "lock"),
]


@pytest.mark.parametrize("name,realtime,current,outcome", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_handling(name, realtime, current, outcome):
    d = p.error_handling(resolvable_in_real_time=realtime, current=current, actor_officer_id=ME,
                         actor_area="SERVICES")
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


@pytest.mark.parametrize(("hours", "allowed"), [(0, False), (335, False), (336, True), (24 * 30, True)])
def test_cma_3_4_the_waiting_period_is_never_shorter_than_configured(hours, allowed):
    d = p.auto_unlock_waiting_period(hours=hours, configured_hours=336)
    assert (d.allowed, d.step_ids) == (allowed, ("CMA-3.4",))


def test_cma_3_4_only_letters_issued_while_the_lock_is_held_count():
    start = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
    letters = [(1, start - dt.timedelta(days=30)), (2, start), (3, start + dt.timedelta(minutes=5))]
    assert p.decision_letters_of_this_lock(letters, lock_started_at=start) == frozenset({2, 3})


# ---------------------------------------------------------------- CMA-1.6 transfer
TRANSFER_CASES = [
    ("CMA-1.6 not locked: nothing to transfer", None, AREAS["DPO"], "GENERAL_OBJECTIONS", False, False),
    ("CMA-1.6 only between specialised areas", H_OTHER, AREAS["DPO"], "SERVICES", False, False),
    ("CMA-1.6 to a common area refused", H_OBJ, AREAS["SERVICES"], "GENERAL_OBJECTIONS", False, False),
    ("CMA-1.6 same area refused", H_OBJ, AREAS["GENERAL_OBJECTIONS"], "GENERAL_OBJECTIONS", False, False),
    ("CMA-1.6 outsider refused", H_OBJ, AREAS["DPO"], "FOI", False, False),
    ("CMA-1.6 by agreement from the owning area", H_OBJ, AREAS["DPO"], "GENERAL_OBJECTIONS", False, True),
    ("CMA-1.6 by agreement from the receiving area", H_OBJ, AREAS["DPO"], "DPO", False, True),
    ("CMA-1.6 a Team Leader of an area concerned", H_OBJ, AREAS["DPO"], "DPO", True, True),
    ("CMA-1.6 a Team Leader of another area refused", H_OBJ, AREAS["DPO"], "SERVICES", True, False),
]


@pytest.mark.parametrize("name,current,to_area,actor_area,is_tl,allowed", TRANSFER_CASES,
                         ids=[c[0] for c in TRANSFER_CASES])
def test_transfer_decision(name, current, to_area, actor_area, is_tl, allowed):
    d = p.transfer_decision(current=current, to_area=to_area, actor_area=actor_area,
                            actor_tl_areas=frozenset({actor_area}) if is_tl else frozenset())
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


# ---------------------------------------------------------------- CMA-3.4 readiness: one check for every unlock path
R = p.UnlockReadinessFacts
READY_CASES = [
    ("CMA-3.4 explained, nothing open, MCA not required: unlock",
     R(decision_explained=True, contact_attempted=True), "unlock", True, "CMA-3.4"),
    ("CMA-3.4 explained with contact not attempted is still an explanation: unlock",
     R(decision_explained=True, contact_attempted=False), "unlock", True, "CMA-3.4"),
    ("CMA-2.1 CMA-3.1 MCA required and not documented: refused",
     R(decision_explained=True, contact_attempted=True, mca_required=True), "refused", False, "CMA-2.1"),
    ("CMA-2.1 MCA required and documented: unlock",
     R(decision_explained=True, contact_attempted=True, mca_required=True, mca_done=True), "unlock", True, "CMA-3.4"),
    ("CMA-3.1 CMA-3.2 an issue in scope not finalised: refused",
     R(decision_explained=True, contact_attempted=True, open_issues_in_scope=("Payment enquiry",)), "refused", False,
     "CMA-3.2"),
    ("CMA-3.4 not explained, no letters offered: refused (schedule the automatic unlock)",
     R(decision_explained=False, contact_attempted=True), "refused", False, "CMA-3.4"),
    ("CMA-3.4 not explained, letters for everyone but no contact attempts: refused",
     R(decision_explained=False, contact_attempted=False, letters_missing_for=()), "refused", False, "CMA-3.4"),
    ("CMA-3.4 not explained, a customer without a letter: refused",
     R(decision_explained=False, contact_attempted=True, letters_missing_for=("Pat Payee",)), "refused", False,
     "CMA-3.4"),
    ("CMA-3.4 not explained, contact attempted and letters to every impacted customer: automatic unlock",
     R(decision_explained=False, contact_attempted=True, letters_missing_for=()), "auto_unlock", True, "CMA-3.4"),
    ("PS-FIN-3 PS-ACT-5 active PS record: refused outside PS finalisation",
     R(decision_explained=True, contact_attempted=True, ps_record_active=True), "refused", False, "PS-ACT-5"),
    ("PS-ACT-5 approved PS finalisation: unlock (PS-FIN-1 checked at approval)",
     R(decision_explained=True, contact_attempted=True, ps_record_active=True, ps_finalisation_approved=True,
       mca_required=True), "unlock", True, "PS-ACT-5"),
]


@pytest.mark.parametrize("name,facts,outcome,allowed,step", READY_CASES, ids=[c[0] for c in READY_CASES])
def test_unlock_readiness(name, facts, outcome, allowed, step):
    d = p.unlock_readiness(facts)
    assert (d.outcome, d.allowed) == (outcome, allowed)
    assert step in d.step_ids
    assert bool(d.facts["missing"]) is not allowed


def test_cma_3_4_readiness_names_every_missing_item():
    d = p.unlock_readiness(R(decision_explained=False, contact_attempted=False, mca_required=True,
                             open_issues_in_scope=("Debt enquiry",), letters_missing_for=("Pat",)))
    assert len(d.facts["missing"]) == 4 and {"CMA-2.1", "CMA-3.2", "CMA-3.4"} <= set(d.step_ids)


# ---------------------------------------------------------------- effective lock (ownership and routing agree)
T_DUE = T0 + dt.timedelta(hours=1)
EFFECT_CASES = [
    ("CMA-1.1 not locked", False, None, T0, False, "not_locked"),
    ("CMA-2.10 locked, nothing scheduled", True, None, T0, False, "locked"),
    ("CMA-3.4 automatic unlock not yet due: locked", True, T_DUE, T0, True, "locked"),
    ("CMA-3.4 automatic unlock due and still ready: unlocked when read", True, T_DUE, T_DUE, True, "auto_unlocked"),
    ("CMA-3.4 automatic unlock due but no longer ready: still locked", True, T_DUE, T_DUE, False, "locked"),
]


@pytest.mark.parametrize("name,locked,due,now,ready,outcome", EFFECT_CASES, ids=[c[0] for c in EFFECT_CASES])
def test_lock_in_effect(name, locked, due, now, ready, outcome):
    assert p.lock_in_effect(locked=locked, auto_unlock_due_at=due, now=now, auto_unlock_ready=ready).outcome == outcome


# ---------------------------------------------------------------- CMA-1.5 applied again / CMA-1.6 who decides
H_DPO_OFFICER = p.HolderFact("DPO", "specialised", officer_id=OTHER, label="DPO officer")
APPLY_CASES = [
    ("CMA-1.5 CMA-1.6 officer of another area: not permitted", H_OBJ, "DPO", "SERVICES", NO_TL, None,
     "not_permitted"),
    ("CMA-1.5 CMA-1.6 Team Leader of another area: not permitted", H_OBJ, "DPO", "SERVICES",
     frozenset({"SERVICES"}), None, "not_permitted"),
    ("CMA-1.5 officer of the owning area: the lock moves", H_OBJ, "DPO", "GENERAL_OBJECTIONS", NO_TL, None, "move"),
    ("CMA-1.5 Team Leader of the owning area: the lock moves", H_OBJ, "DPO", "X", frozenset({"GENERAL_OBJECTIONS"}),
     None, "move"),
    ("CMA-1.5 rules name the current area: no change", H_OBJ, "GENERAL_OBJECTIONS", "GENERAL_OBJECTIONS", NO_TL, None,
     "no_change"),
    ("CMA-1.5 rules name nobody: no change", H_OBJ, None, "GENERAL_OBJECTIONS", NO_TL, None, "no_change"),
    ("CMA-1.6 a recorded agreement is not undone by the rules", H_OBJ, "DPO", "GENERAL_OBJECTIONS", NO_TL,
     "GENERAL_OBJECTIONS", "agreed"),
    ("CMA-1.5 not locked: an officer of the rules' area locks by the rules", None, "DPO", "DPO", NO_TL, None, "move"),
]


@pytest.mark.parametrize("name,current,rule_area,actor_area,tl_areas,agreed,outcome", APPLY_CASES,
                         ids=[c[0] for c in APPLY_CASES])
def test_apply_rules_decision(name, current, rule_area, actor_area, tl_areas, agreed, outcome):
    d = p.apply_rules_decision(current=current, rule_owner_area=rule_area, actor_area=actor_area,
                               actor_tl_areas=tl_areas, agreed_area=agreed)
    assert d.outcome == outcome
    assert d.allowed is (outcome in ("move", "no_change"))


DISPUTE_CASES = [
    ("CMA-1.6 Team Leader of the area the dispute is from", frozenset({"GENERAL_OBJECTIONS"}), True),
    ("CMA-1.6 Team Leader of the area the dispute is to", frozenset({"DPO"}), True),
    ("CMA-1.6 Team Leader of an unrelated area refused", frozenset({"SERVICES"}), False),
    ("CMA-1.6 not a Team Leader refused", frozenset(), False),
]


@pytest.mark.parametrize("name,tl_areas,allowed", DISPUTE_CASES, ids=[c[0] for c in DISPUTE_CASES])
def test_dispute_decider_decision(name, tl_areas, allowed):
    d = p.dispute_decider_decision(from_area="GENERAL_OBJECTIONS", to_area="DPO", actor_tl_areas=tl_areas)
    assert d.allowed is allowed and d.step_ids == ("CMA-1.6",)

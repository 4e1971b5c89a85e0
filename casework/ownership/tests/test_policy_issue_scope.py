"""Policy table for ``issue_change_scope``: who may add or close a presenting issue (CMA-1.2, CMA-1.4, CMA-3.2,
PS-SPE-1, PS-ACT-5). One case per clause; the step IDs are in the ids."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.core.policy import Decision
from casework.ownership.policy import (
    ISSUE_ADD,
    ISSUE_CLOSE,
    ActorFact,
    HolderFact,
    IssueFact,
    issue_change_scope,
)

T = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
LIT = IssueFact(1, "litigation", "specialised", "LITIGATION", "SERVICES", T)
OBJ = IssueFact(2, "objection", "specialised", "GENERAL_OBJECTIONS", "SERVICES", T)
COMMON = IssueFact(3, "income_update", "common", "SERVICES", "SERVICES", T)
PS_ISSUE = IssueFact(4, "personalised_services", "specialised", "PS", "PS", T)

SO = ActorFact(officer_id=10, position_id=100, area="SERVICES", area_kind="common")
SO_WA = ActorFact(officer_id=11, position_id=101, area="COLLECTION", area_kind="common")
LIT_OFFICER = ActorFact(officer_id=20, position_id=200, area="LITIGATION", area_kind="specialised")
OBJ_OFFICER = ActorFact(officer_id=30, position_id=300, area="GENERAL_OBJECTIONS", area_kind="specialised")
PS_CM = ActorFact(officer_id=40, position_id=400, area="PS", area_kind="specialised", is_ps=True)
NOBODY = ActorFact(officer_id=None)
JOB = ActorFact(officer_id=None, is_system=True)

LIT_LOCK = HolderFact(area="LITIGATION", area_kind="specialised", officer_id=20, label="Lit officer")
LIT_POSITION_LOCK = HolderFact(area="LITIGATION", area_kind="specialised", position_id=200, label="Lit desk")
SO_LOCK = HolderFact(area="SERVICES", area_kind="common", officer_id=12, label="Another SO")
PS_LOCK = HolderFact(area="PS", area_kind="specialised", officer_id=40, label="PS CM")


def handled(outcome: str, by: str) -> Decision:
    return Decision.yes("", "CMA-1.2", outcome=outcome, handled_by=by)


def scope(*, action=ISSUE_CLOSE, issue=LIT, status="finalised", actor=SO, handling=None, holder=None,
          ps_owned=False, consulted=False, via_ps=False) -> Decision:
    return issue_change_scope(action=action, issue=issue, status=status, actor=actor, handling=handling,
                              holder=holder, ps_owned=ps_owned, consulted_case_manager=consulted, via_ps=via_ps)


CASES = [
    # (id, kwargs, allowed, outcome)
    ("CMA-3.2 no officer is refused", dict(actor=NOBODY), False, "no_officer"),
    ("CMA-3.2 scheduled work under a job", dict(actor=JOB), True, "system"),
    ("PS-ACT-5 PS customer through the PS service", dict(actor=PS_CM, issue=PS_ISSUE, holder=PS_LOCK, ps_owned=True,
                                                         via_ps=True), True, "through_ps"),
    ("PS-ACT-5 PS Case Manager on the generic path is sent to PS",
     dict(actor=PS_CM, issue=PS_ISSUE, holder=PS_LOCK, ps_owned=True), False, "use_ps"),
    ("PS-SPE-1 specialist of the issue's area after consulting the Case Manager",
     dict(actor=OBJ_OFFICER, issue=OBJ, holder=PS_LOCK, ps_owned=True, consulted=True), True, "consulted"),
    ("PS-SPE-1 specialist without consultation", dict(actor=OBJ_OFFICER, issue=OBJ, holder=PS_LOCK, ps_owned=True),
     False, "consult_first"),
    ("PS-SPE-1 opening a specialised issue without consultation",
     dict(action=ISSUE_ADD, actor=OBJ_OFFICER, issue=OBJ, holder=PS_LOCK, ps_owned=True), False, "consult_first"),
    ("PS-SPE-1 CMA-1.7 another area's officer on a PS customer",
     dict(actor=SO, issue=OBJ, holder=PS_LOCK, ps_owned=True, consulted=True), False, "not_yours"),
    ("CMA-1.2 PS customer: a common issue is recorded at the point of entry",
     dict(action=ISSUE_ADD, actor=SO, issue=COMMON, holder=PS_LOCK, ps_owned=True), True, "point_of_entry"),
    ("PS-RES-3 PS officer records an issue for their customer",
     dict(action=ISSUE_ADD, actor=PS_CM, issue=OBJ, holder=PS_LOCK, ps_owned=True), True, "ps_records"),
    ("CMA-1.2 issues are recorded at the point of entry", dict(action=ISSUE_ADD, actor=SO, issue=LIT), True,
     "point_of_entry"),
    ("CMA-2.10 the locked officer", dict(actor=LIT_OFFICER, holder=LIT_LOCK,
                                         handling=handled("specialist_area", "LITIGATION")), True, "holder"),
    ("CMA-2.10 the locked position", dict(actor=LIT_OFFICER, holder=LIT_POSITION_LOCK, issue=OBJ,
                                          handling=handled("specialist_area", "LITIGATION")), True, "holder"),
    ("CMA-1.4 collaborative partner, its own issue",
     dict(actor=OBJ_OFFICER, issue=OBJ, holder=LIT_LOCK, handling=handled("collaborative", "GENERAL_OBJECTIONS")),
     True, "collaborative_own"),
    ("CMA-1.4 collaborative partner, another area's issue",
     dict(actor=OBJ_OFFICER, issue=LIT, holder=LIT_LOCK, handling=handled("collaborative", "LITIGATION")),
     False, "collaborative_other"),
    ("CMA-1.2 point of entry refers a specialised issue",
     dict(actor=SO, status="referred", handling=handled("referral", "LITIGATION")), True, "refer"),
    ("CMA-3.2 the handling area", dict(actor=LIT_OFFICER, handling=handled("specialist_area", "LITIGATION")), True,
     "handling_area"),
    ("CMA-1.2 common issue at the point of entry, customer locked to another Service Officer",
     dict(actor=SO_WA, issue=COMMON, holder=SO_LOCK, handling=handled("owning_area", "SERVICES")), True,
     "point_of_entry"),
    ("CMA-3.2 Service Officer finalising a Litigation issue (measured case 1)",
     dict(actor=SO, holder=LIT_LOCK, handling=handled("specialist_area", "LITIGATION")), False, "out_of_scope"),
    ("CMA-3.2 point of entry may refer but not finalise a specialised issue",
     dict(actor=SO, handling=handled("referral", "LITIGATION")), False, "out_of_scope"),
    ("CMA-1.2 common issue when locked to a specialist area is that area's",
     dict(actor=SO, issue=COMMON, holder=LIT_LOCK, handling=handled("specialist_area", "LITIGATION")), False,
     "out_of_scope"),
]


@pytest.mark.parametrize("kwargs, allowed, outcome", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_issue_change_scope_table(kwargs, allowed, outcome):
    decision = scope(**kwargs)
    assert decision.allowed is allowed, decision.reason
    assert decision.outcome == outcome
    assert decision.step_ids, "every decision names its step IDs"
    if not allowed:
        assert decision.reason

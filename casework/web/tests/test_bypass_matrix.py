"""Bypass matrix (issue 10, "the procedures hold on every path"): for every write operation of the OpenAPI schema x
role x relevant state, the expected allow/refuse is a table in the repo (casework/testing/bypass_matrix.tsv); this
test runs every cell against one small world, each cell in a savepoint that is rolled back, and prints
"bypass matrix: N cells, M unexpected (K known bypasses)". See docs/architecture.md ("Bypass matrix").

Each operation has one minimal body that is valid for an allowed actor (so a refusal is the rule, not a malformed
body); a 400 only counts as a refusal where the table says ``refuse:400``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from casework.core import clock
from casework.customers.csid import make_csid
from casework.org.roles import Role
from casework.ownership.models import Lock, OwnershipTransfer, TransferStatus
from casework.testing import bypass_matrix as bm
from casework.testing import factories as f
from casework.web.tests import bypass_contacts, bypass_facts, bypass_ps

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")


def schema_write_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (METHOD, path template) of every write operation in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = {}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in WRITE_METHODS:
                ops[op["operationId"]] = (method.upper(), path)
    return ops


# ---------------------------------------------------------------------------------------------------------- world
@dataclass
class Subject:
    """The customer a customer-scoped cell acts on, with the case, open issue and other parent it needs."""

    customer: Any
    payee: Any
    case: Any
    issue: Any  # an open SERVICES presenting issue (payment enquiry)


@dataclass
class World:
    officers: dict[str, Any]  # role value -> Officer
    other_holder: Any  # a COLLECTION Service Officer holding "locked_other"
    plain: Subject  # no PS record: unlocked / locked_other / locked_actor are built on it per cell
    ps: Subject  # an active PS record, locked to the PS Case Manager (state "ps")
    office: Any
    position_code: str  # a vacant SERVICES position (org edits)
    team: Any
    target: Subject | None = None  # the subject of the running cell
    dispute: Any = None  # the escalated ownership dispute of a "dispute_*" cell
    intray: Any = None  # the open intray of an "intray_*" cell
    extra: dict[str, Any] = field(default_factory=dict)  # what a group's state setter built for the running cell

    # The bodies read the running cell's subject.
    @property
    def customer(self):
        return self.target.customer

    @property
    def payee(self):
        return self.target.payee

    @property
    def case(self):
        return self.target.case

    @property
    def issue(self):
        return self.target.issue


def _subject() -> Subject:
    case = f.CaseFactory()
    f.IncomeFactory(customer=case.payer)
    f.IncomeFactory(customer=case.payee)
    return Subject(customer=case.payer, payee=case.payee, case=case,
                   issue=f.PresentingIssueFactory(customer=case.payer))


def build_world() -> World:
    from casework.ps import services as ps_services

    office = f.OfficeFactory(code="bm-sydney", state="NSW")

    def officer(role: str, area_code: str | None, username: str, team=None):
        if area_code is None:
            return f.OfficerFactory(role=role, position=None, user__username=username,
                                    user__is_staff=role == Role.ADMINISTRATOR)
        return f.OfficerFactory(
            role=role, user__username=username, position__code=f"bm-{username}",
            position__business_area=f.area(area_code), position__office=office, position__team=team,
        )

    team = f.TeamFactory(business_area=f.area("SERVICES"), office=office, name="BM Services team")
    ps_team = f.TeamFactory(business_area=f.area("PS"), office=office, name="BM PS team")
    officers = {
        Role.SERVICE_OFFICER.value: officer(Role.SERVICE_OFFICER, "SERVICES", "bm_so", team),
        Role.SPECIALIST_OFFICER.value: officer(Role.SPECIALIST_OFFICER, "DPO", "bm_spec"),
        Role.TEAM_LEADER.value: officer(Role.TEAM_LEADER, "SERVICES", "bm_tl", team),
        Role.PS_CASE_MANAGER.value: officer(Role.PS_CASE_MANAGER, "PS", "bm_pscm", ps_team),
        Role.PS_TEAM_LEADER.value: officer(Role.PS_TEAM_LEADER, "PS", "bm_pstl", ps_team),
        Role.CUSTOMER_REVIEW_OFFICER.value: officer(Role.CUSTOMER_REVIEW_OFFICER, "CUSTOMER_REVIEW", "bm_cro"),
        Role.NATIONAL_MANAGER_QCC.value: officer(Role.NATIONAL_MANAGER_QCC, "COMPLAINTS", "bm_nmqcc"),
        Role.ADMINISTRATOR.value: officer(Role.ADMINISTRATOR, None, "bm_admin"),
        Role.AUDITOR.value: officer(Role.AUDITOR, None, "bm_auditor"),
    }
    team.leader = officers[Role.TEAM_LEADER.value]
    team.save()
    ps_team.leader = officers[Role.PS_TEAM_LEADER.value]
    ps_team.save()
    other_holder = officer(Role.SERVICE_OFFICER, "COLLECTION", "bm_collect")
    # A second PS Team Leader (another PS team): a restricted service the PS Team Leader proposes is decided by a PS
    # Team Leader other than them (issue 11, PS-ORM-3), so the proposal needs someone who can decide it.
    officer(Role.PS_TEAM_LEADER, "PS", "bm_pstl2",
            f.TeamFactory(business_area=f.area("PS"), office=office, name="BM PS team 2"))
    # Issue 11: a transfer by agreement is accepted by a Team Leader of the receiving area (LITIGATION in the
    # transfer cells), so one exists — never a matrix actor.
    officer(Role.TEAM_LEADER, "LITIGATION", "bm_lit_tl")
    vacant = f.PositionFactory(code="bm-vacant", business_area=f.area("SERVICES"), office=office)
    plain, ps = _subject(), _subject()
    # The PS customer: referred by the Service Officer (PS-REF-1), allocated by the PS Team Leader (PS-REF-2).
    referral = ps_services.ps_referral_create(
        actor=officers[Role.SERVICE_OFFICER.value].user, customer=ps.customer, type_code="crg_referral_to_ps",
        reason="Repeated escalations about the assessment")
    ps_services.ps_referral_action(
        actor=officers[Role.PS_TEAM_LEADER.value].user, customer=ps.customer,
        case_manager=officers[Role.PS_CASE_MANAGER.value], referral_source="crg",
        main_referral_reason="Persistent complaints about the assessment", referral_intray=referral.intray,
        review={"reviewed_items": ["case records", "notepads"], "crg_record": "CRG: 3 escalations"})
    return World(officers=officers, other_holder=other_holder, plain=plain, ps=ps, office=office,
                 position_code=vacant.code, team=team)


# The groups of operations added after the first pass, each in its own module: request bodies, extra states (name ->
# (description, setter(world, actor))) and the operations not in the matrix yet (casework/testing/bypass_matrix.py).
GROUPS = (bypass_contacts, bypass_facts, bypass_ps)
GROUP_STATES: dict[str, tuple[str, Callable[[Any, Any], None]]] = {}
for _group in GROUPS:
    assert not (set(_group.STATES) & (set(bm.STATES) | set(GROUP_STATES))), f"{_group.__name__}: a state twice"
    GROUP_STATES.update(_group.STATES)


def set_state(w: World, state: str, actor) -> None:
    """Put the world in ``state`` (inside the cell's savepoint) and choose the cell's subject customer."""
    w.target = w.ps if state == "ps" else w.plain
    w.dispute = w.intray = None
    w.extra = {}
    if state in GROUP_STATES:
        GROUP_STATES[state][1](w, actor)
        return
    if state in ("-", "unlocked", "ps"):
        return
    if state.startswith("intray_"):
        from casework.intrays import services as intray_services

        assignee = actor if state == "intray_actor" else w.other_holder
        w.intray = intray_services.intray_create(
            actor=w.other_holder.user, type_code="general_follow_up", customer=w.customer,
            subject="Call back about income", assignee_officer=assignee)
        return
    holder = actor if state == "locked_actor" else w.other_holder
    lock = Lock.objects.create(customer=w.customer, area=holder.position.business_area, position=holder.position,
                               officer=holder, reason="Working it", started_at=clock.now(), started_by=holder.user)
    if state.startswith("dispute_"):
        # CMA-1.6: escalated from the holder's area (COLLECTION) to SERVICES (the matrix Team Leader's area) or to
        # LITIGATION (no area of any matrix Team Leader), raised by the COLLECTION officer.
        to_area = f.area("SERVICES" if state == "dispute_services" else "LITIGATION")
        w.dispute = OwnershipTransfer.objects.create(
            customer=w.customer, from_area=lock.area, to_area=to_area, from_lock=lock,
            status=TransferStatus.ESCALATED, expected_contact_volume="Weekly calls", time_to_resolve="A month",
            reason="Both areas say the other owns it", raised_at=clock.now(), raised_by=w.other_holder.user)
        # Issue 11: the dispute is decided as its request for approval (Team Leaders of the two areas).
        from casework.approvals.models import ApprovalRequest

        ApprovalRequest.objects.create(
            kind="ownership_dispute", customer=w.customer, subject_type="ownership.ownershiptransfer",
            subject_id=str(w.dispute.pk), summary="Ownership dispute", reason=w.dispute.reason,
            requested_by=w.other_holder.user, requested_at=clock.now(), eligible_role=Role.TEAM_LEADER.value,
            eligibility={"role": Role.TEAM_LEADER.value, "label": "a Team Leader of the areas",
                         "area_codes": [lock.area.code, to_area.code]}, step_ids=["CMA-1.6"])


# ------------------------------------------------------------------------------------------- one body per operation
Request = tuple[str, dict[str, Any]]  # (path, body)


CONSIDERATIONS = {"expected_contact_volume": "Weekly calls", "time_to_resolve": "About a month"}  # CMA-1.6


def _c(w: World) -> str:
    return f"/api/v1/customers/{w.customer.csid}"


def _job_failure(w: World) -> int:  # noqa: ARG001
    """An open failed job item (issue 13) for the operator's "retry now"."""
    from casework.core.models import JobItemFailure

    now = clock.now()
    return JobItemFailure.objects.create(job="auto_unlock", item_type="autounlock", item_id="1",
                                         error_class="RuntimeError", attempts=1, first_failed_at=now,
                                         last_failed_at=now, next_attempt_at=now + dt.timedelta(minutes=5)).pk


BODIES: dict[str, Callable[[World], Request]] = {
    # operations (issue 13)
    "ops_failures_retry_create": lambda w: (f"/api/v1/ops/failures/{_job_failure(w)}/retry/", {}),
    # customers
    "customers_create": lambda w: ("/api/v1/customers/", {
        "csid": make_csid(321654987), "given_names": "Grace", "family_name": "Hopper", "date_of_birth": "1976-12-09",
        "residence": "VIC"}),
    "customers_update": lambda w: (f"{_c(w)}/", {"phone_mobile": "0411 111 111", "reason": "Customer rang"}),
    "customers_notes_add": lambda w: (f"{_c(w)}/notes/", {"subject": "Call", "body": "Discussed income."}),
    "customers_income_add": lambda w: (f"{_c(w)}/income/", {
        "amount": "70000.00", "source": "ato_issued", "tax_year": 2026, "effective_from": "2026-07-01",
        "reason": "ATO notice"}),
    "customers_debts_add": lambda w: (f"{_c(w)}/debts/", {
        "case_number": w.case.case_number, "kind": "child_support_debt", "amount": "1200.00", "as_at": "2026-11-01"}),
    "customers_dpos_add": lambda w: (f"{_c(w)}/dpos/", {
        "status": "considered", "case_number": w.case.case_number, "reason": "Arrears over a year"}),
    "customers_issues_add": lambda w: (f"{_c(w)}/issues/", {"issue_type": "payment_enquiry"}),
    "customers_issues_close": lambda w: (f"{_c(w)}/issues/{w.issue.pk}/close/", {
        "status": "finalised", "outcome": "Explained the payment."}),
    "customers_representatives_add": lambda w: (f"{_c(w)}/representatives/", {
        "name": "Ann Smith", "scope": "enquire", "relationship": "Sister"}),
    "customers_restrictions_propose": lambda w: (f"{_c(w)}/restrictions/", {
        "conditions": "Written contact only", "case_review": "Abusive calls on three occasions",
        "recommendation": "Restrict to written contact", "review_date": "2027-05-01", "channels": ["post"]}),
    # ownership
    "customers_ownership_lock_create": lambda w: (f"{_c(w)}/ownership/lock/", {"reason": "Working it"}),
    "customers_ownership_unlock_create": lambda w: (f"{_c(w)}/ownership/unlock/", {
        "reason": "Resolved", "decision_explained": True, "contact_attempted": True}),
    "customers_ownership_take_over_create": lambda w: (f"{_c(w)}/ownership/take-over/", {"reason": "Urgent call"}),
    "customers_ownership_apply_rules_create": lambda w: (f"{_c(w)}/ownership/apply-rules/", {"reason": "Re-check"}),
    "customers_ownership_disputes_create": lambda w: (f"{_c(w)}/ownership/disputes/", {
        "reason": "Wrong owner", "to_area": "SERVICES", **CONSIDERATIONS}),
    "customers_ownership_errors_create": lambda w: (f"{_c(w)}/ownership/errors/", {
        "reason": "Wrong assessment", "description": "Wrong assessment", "resolvable_in_real_time": True}),
    "customers_ownership_refer_create": lambda w: (f"{_c(w)}/ownership/refer/", {
        "reason": "Needs follow-up", "subject": "Call back", "details": "Ring about the new income."}),
    "customers_ownership_transfer_create": lambda w: (f"{_c(w)}/ownership/transfer/", {
        "reason": "Another area", "to_area": "LITIGATION", "agreed_with": "Services Team Leader",
        **CONSIDERATIONS}),
    "ownership_disputes_decide_create": lambda w: (f"/api/v1/ownership/disputes/{w.dispute.pk}/decide/", {
        "decision": "keep", "reason": "Collection keeps it: the debt is the main issue"}),
    "customers_ownership_reassign_create": lambda w: (f"{_c(w)}/ownership/reassign/", {"reason": "Leave", "to_officer": "bm_so"}),
    "customers_ownership_lock_parents_create": lambda w: (f"{_c(w)}/ownership/lock-parents/", {
        "reason": "Both parents", "associated_csid": w.payee.csid}),
    # cases, letters, contacts, intrays
    "cases_create": lambda w: ("/api/v1/cases/", {
        "payer_csid": w.payee.csid, "payee_csid": w.customer.csid, "collection_type": "private"}),
    "letters_create": lambda w: ("/api/v1/letters/", {"csid": w.customer.csid, "template_code": "decision_letter"}),
    "letters_preview": lambda w: ("/api/v1/letters/preview/", {
        "csid": w.customer.csid, "template_code": "decision_letter"}),
    "contacts_create": lambda w: ("/api/v1/contacts/", {"csid": w.customer.csid, "channel": "phone"}),
    "intrays_create": lambda w: ("/api/v1/intrays/", {
        "type_code": "general_follow_up", "customer": w.customer.csid, "subject": "Call back about income",
        "assignee_position": "bm-bm_so"}),
    "intrays_start_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/start/", {}),
    "intrays_complete_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/complete/", {"outcome": "Rang back"}),
    "intrays_delete_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/delete/", {"reason": "Duplicate"}),
    "intrays_reassign_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/reassign/", {
        "to_position": "bm-bm_so", "reason": "Back to Services"}),
    "correspondence_create": lambda w: ("/api/v1/correspondence/", {
        "customer": w.customer.csid, "channel": "post", "category": "income", "subject": "New payslips",
        "received_at": "2026-11-30T09:00:00Z", "assignee_position": "bm-bm_so"}),
    # organisation administration
    "org_officers_create": lambda w: ("/api/v1/org/officers/", {
        "username": "bm_new", "password": "A-long-pass-phrase-99", "role": "service_officer"}),
    "org_officers_partial_update": lambda w: ("/api/v1/org/officers/bm_collect/", {
        "position": w.position_code, "reason": "Moved to Services"}),
    "org_offices_create": lambda w: ("/api/v1/org/offices/", {"code": "bm-perth", "name": "Perth", "state": "WA"}),
    "org_offices_partial_update": lambda w: (f"/api/v1/org/offices/{w.office.code}/", {
        "name": "Sydney CBD", "reason": "Renamed"}),
    "org_positions_create": lambda w: ("/api/v1/org/positions/", {
        "code": "bm-new-pos", "title": "Service Officer 9", "business_area": "SERVICES", "office": w.office.code}),
    "org_positions_partial_update": lambda w: (f"/api/v1/org/positions/{w.position_code}/", {
        "title": "Service Officer 10", "reason": "Retitled"}),
    "org_teams_create": lambda w: ("/api/v1/org/teams/", {
        "name": "BM new team", "business_area": "SERVICES", "office": w.office.code}),
    "org_teams_partial_update": lambda w: (f"/api/v1/org/teams/{w.team.pk}/", {"name": "Renamed", "reason": "Rename"}),
}


for _group in GROUPS:
    assert not (set(_group.BODIES) & set(BODIES)), f"{_group.__name__}: a body twice"
    BODIES.update(_group.BODIES)


# ------------------------------------------------------------------------------------------------------ running
def outcome(status: int) -> str:
    return "allow" if 200 <= status < 300 else f"refuse:{status}"


def matches(expected: str, status: int) -> bool:
    if expected == "allow":
        return 200 <= status < 300
    return expected == f"refuse:{status}"


def run_cell(w: World, ops: dict[str, tuple[str, str]], cell: bm.Cell) -> tuple[int, str]:
    method, _ = ops[cell.operation]
    actor = None if cell.role == "anonymous" else w.officers[cell.role]
    client = APIClient()
    if actor is not None:
        client.force_authenticate(actor.user)
    with transaction.atomic():
        set_state(w, cell.state, actor)
        path, body = BODIES[cell.operation](w)
        response = getattr(client, method.lower())(path, body, format="json")
        transaction.set_rollback(True)
    return response.status_code, response.content[:300].decode(errors="replace")


def test_every_write_operation_of_the_schema_has_a_row_and_every_row_an_operation():
    ops = set(schema_write_operations())
    in_table = {c.operation for c in bm.load()}
    missing = ops - in_table - bm.NOT_YET_IN_MATRIX
    assert not missing, f"write operations with no row in casework/testing/bypass_matrix.tsv: {sorted(missing)}"
    assert not (in_table - ops), f"rows naming operations not in the schema: {sorted(in_table - ops)}"
    assert not (bm.NOT_YET_IN_MATRIX - ops), sorted(bm.NOT_YET_IN_MATRIX - ops)
    assert not (bm.NOT_YET_IN_MATRIX & in_table), sorted(bm.NOT_YET_IN_MATRIX & in_table)


def test_table_is_well_formed():
    cells = bm.load()
    keys = [(c.operation, c.state, c.role) for c in cells]
    assert len(keys) == len(set(keys)), "a cell appears twice"
    for c in cells:
        assert c.role in bm.ROLES, c
        assert c.state in bm.STATES or c.state in GROUP_STATES, c
        assert c.expected == "allow" or c.expected.startswith("refuse:"), c
        assert c.operation in BODIES, f"{c.operation}: no request body in test_bypass_matrix.BODIES"
    for key in bm.KNOWN_BYPASSES:
        assert key in set(keys), f"known bypass {key} is not a cell of the table"
    assert {r.value for r in Role} | {"anonymous"} == set(bm.ROLES)
    for group in GROUPS:
        name = group.__name__.rsplit("_", 1)[-1]
        assert group.NOT_YET == bm.NOT_YET_BY_GROUP[name], f"{name}: NOT_YET differs from bypass_matrix.py"


def test_bypass_matrix(reference, capsys):
    ops = schema_write_operations()
    cells = bm.load()
    with clock.freeze(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)):
        w = build_world()
        unexpected, known, observed = [], [], []
        for cell in cells:
            status, content = run_cell(w, ops, cell)
            observed.append((cell, status))
            if (cell.operation, cell.state, cell.role) in bm.KNOWN_BYPASSES:
                known.append((cell, status))
                continue
            if not matches(cell.expected, status):
                unexpected.append(f"{cell.operation} [{cell.state}] {cell.role}: expected {cell.expected}, "
                                  f"got {status} {content}")
    if os.environ.get("BYPASS_MATRIX_OBSERVED"):  # a maintainer's aid when adding rows: write what the code does
        with open(os.environ["BYPASS_MATRIX_OBSERVED"], "w") as fh:
            for cell, status in observed:
                fh.write("\t".join([cell.operation, cell.state, cell.role, outcome(status), cell.why]) + "\n")
    with capsys.disabled():
        print(f"\nbypass matrix: {len(cells)} cells, {len(unexpected)} unexpected ({len(known)} known bypasses)")
        for (cell, status) in known:
            print(f"  known bypass: {cell.operation} [{cell.state}] {cell.role} -> {status}: "
                  f"{bm.KNOWN_BYPASSES[(cell.operation, cell.state, cell.role)]}")
        for line in unexpected:
            print("  UNEXPECTED " + line)
    assert not unexpected, "\n".join(unexpected)

"""Issue 10 "done when": a hypothesis *stateful* property test. Random sequences of API actions by random officers
(lock, take-over, apply-rules, unlock, transfer, disputes, presenting issues, guided contacts, PS referral and
allocation, PS finalisation request and decision, the automatic unlock and its job with the clock moved forward)
over a small world, with the procedures' invariants checked from the database after every step:

1. at most one active lock per customer (CMA-2.10);
2. a customer with an active PS record is locked to Personalised Services (CMA-1.7, PS-ACT-5);
3. no presenting issue is closed outside its scope (CMA-1.2, CMA-1.4, CMA-3.2): a 2xx close only when
   ``issue_change_scope`` allowed it just before the call;
4. no approval is decided by its requester (CMA-1.6 disputes, PS-FIN-3 finalisation, PS-ORM-3 restrictions);
5. routing equals ownership (CMA-1.7, CMA-2.10): ``GET /api/v1/routing/<csid>/`` names the holder that
   ``GET /api/v1/customers/<csid>/ownership/`` names;
6. the routing table equals the full computation (issue 15): ``route_call`` (one lookup in ``CustomerRoute``,
   maintained by the services) gives exactly what ``route_call_computed`` computes from the locks.

Every response is 2xx or 4xx, never 5xx, and the auto-unlock job reports no failed item. Each hypothesis example runs
inside a savepoint rolled back at teardown, so examples never see each other's rows. More examples:
``STATEFUL_EXAMPLES=200 STATEFUL_STEPS=40 pytest casework/ownership/tests/test_invariants_stateful.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.errors import DomainError
from casework.customers import scope as customer_scope
from casework.customers.models import PresentingIssue
from casework.customers.services import CLOSING_STATUSES
from casework.org.models import Office, Position
from casework.org.reference import intake_code
from casework.org.roles import Role
from casework.ownership.models import Lock, OwnershipTransfer, TransferStatus
from casework.testing.factories import CaseFactory, IncomeFactory, OfficerFactory, TeamFactory, area

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "15"))
T0 = dt.datetime(2026, 11, 3, 0, 30, tzinfo=dt.UTC)  # a Tuesday, 11:30 in Sydney
ISSUE_TYPES = ["payment_enquiry", "collection_enquiry", "objection", "litigation", "dpo", "complaint",
               "personalised_services"]
AREAS = ["SERVICES", "GENERAL_OBJECTIONS", "LITIGATION", "DPO", "PS"]
OWN = "/api/v1/customers/{}/ownership/{}"
STATS = {"examples": 0, "steps": 0, "violations": 0, "responses": {}, "rules": {}}


# ---------------------------------------------------------------- the world (built once per test)


class World:
    """2 cases, 3 customers (one payer pays on both cases), officers of several roles, areas and offices."""

    def __init__(self):
        syd, per = Office.objects.get(code="sydney"), Office.objects.get(code="perth")
        mel = Office.objects.get(code="melbourne")

        def officer(username, role, area_code, office, team=None):
            return OfficerFactory(user__username=username, role=role, position__code=f"{username}-pos",
                                  position__business_area=area(area_code), position__office=office,
                                  position__team=team)

        def led_team(name, area_code, office, leader_username, leader_role):
            team = TeamFactory(name=name, business_area=area(area_code), office=office)
            tl = officer(leader_username, leader_role, area_code, office, team)
            team.leader = tl
            team.save()
            return team, tl

        obj_team, self.tl_obj = led_team("Objections", "GENERAL_OBJECTIONS", syd, "st_tl_obj", Role.TEAM_LEADER)
        lit_team, self.tl_lit = led_team("Litigation", "LITIGATION", syd, "st_tl_lit", Role.TEAM_LEADER)
        ps_team, self.ps_tl = led_team("PS", "PS", mel, "st_ps_tl", Role.PS_TEAM_LEADER)
        self.so_syd = officer("st_so_syd", Role.SERVICE_OFFICER, "SERVICES", syd)
        self.so_per = officer("st_so_per", Role.SERVICE_OFFICER, "SERVICES", per)
        self.spec_obj = officer("st_spec_obj", Role.SPECIALIST_OFFICER, "GENERAL_OBJECTIONS", syd, obj_team)
        self.spec_lit = officer("st_spec_lit", Role.SPECIALIST_OFFICER, "LITIGATION", syd, lit_team)
        self.ps_cm = officer("st_ps_cm", Role.PS_CASE_MANAGER, "PS", mel, ps_team)
        self.officers = [self.so_syd, self.so_per, self.spec_obj, self.spec_lit, self.tl_obj, self.tl_lit,
                         self.ps_cm, self.ps_tl]
        case1 = CaseFactory()
        case2 = CaseFactory(payer=case1.payer)
        self.customers = [case1.payer, case1.payee, case2.payee]
        for c in self.customers:
            IncomeFactory(customer=c)
        self.positions = [Position.objects.get(code=intake_code(a, "sydney")) for a in AREAS[:3]]


# ---------------------------------------------------------------- invariant checks (pure reads; reused by the meta-test)


def violations_one_lock() -> list[str]:
    """1. At most one active lock per customer (CMA-2.10)."""
    from django.db.models import Count

    rows = (Lock.objects.filter(is_active=True).values("customer__csid").annotate(n=Count("id")).filter(n__gt=1))
    return [f"{r['customer__csid']} has {r['n']} active locks" for r in rows]


def violations_ps_locked() -> list[str]:
    """2. A customer with an active PS record is locked to Personalised Services (CMA-1.7, PS-ACT-5)."""
    from casework.ps.models import PsRecord

    out = []
    for rec in PsRecord.objects.filter(is_active=True).select_related("customer"):
        lock = Lock.objects.filter(customer=rec.customer, is_active=True).select_related("area").first()
        if lock is None or lock.area.code != "PS":
            out.append(f"{rec.customer.csid} has an active PS record but is locked to "
                       f"{lock.area.code if lock else 'nobody'}")
    return out


def violations_requester_decides() -> list[str]:
    """4. No approval decided by its requester (CMA-1.6, PS-FIN-3, PS-ORM-3)."""
    from casework.customers.models import ContactRestriction
    from casework.ps.models import FinalisationRequest

    out = [f"dispute {t.pk} decided by its raiser" for t in
           OwnershipTransfer.objects.filter(status=TransferStatus.DECIDED, decided_by_id__isnull=False)
           if t.decided_by_id == t.raised_by_id]
    out += [f"PS finalisation {f.pk} decided by its submitter" for f in
            FinalisationRequest.objects.filter(decided_by_id__isnull=False) if f.decided_by_id == f.submitted_by_id]
    out += [f"restriction {r.pk} approved by its requester" for r in
            ContactRestriction.objects.filter(approved_by_id__isnull=False, requested_by_id__isnull=False)
            if r.approved_by_id == r.requested_by_id]
    return out


def violations_routing(customers) -> list[str]:
    """5. Routing equals ownership (CMA-1.7, CMA-2.10): the routing selector behind ``GET /api/v1/routing/<csid>/``
    (``route_call``) names the holder that the ownership selector behind ``GET .../ownership/`` names."""
    from casework.ownership import selectors

    out = []
    for c in customers:
        own = selectors.ownership_get(customer=c)
        route = selectors.route_call(csid=c.csid)
        if bool(own.is_locked) != bool(route.is_owned):
            out.append(f"{c.csid}: ownership locked={own.is_locked} but routing owned={route.is_owned}")
        elif own.is_locked:
            holder_o = (own.area.code if own.area else None, own.officer.user.username if own.officer else None)
            holder_r = (route.area_code, route.officer_username)
            if holder_o != holder_r:
                out.append(f"{c.csid}: ownership names {holder_o}, routing {holder_r}")
    return out


def violations_routing_table(customers) -> list[str]:
    """6. The routing table (``CustomerRoute``) always equals the full computation from the locks (issue 15)."""
    from casework.ownership import selectors

    out = []
    for c in customers:
        table, computed = selectors.route_call(csid=c.csid), selectors.route_call_computed(csid=c.csid)
        if table != computed:
            out.append(f"{c.csid}: routing table {table} but computed {computed}")
    return out


# ---------------------------------------------------------------- the state machine


class CaseworkMachine(RuleBasedStateMachine):
    world: World  # set by the test before running

    def __init__(self):
        super().__init__()
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(transaction.atomic())  # the example's savepoint, rolled back at teardown
        self.now = T0
        self._stack.enter_context(clock.freeze(self.now))
        self.w = self.world
        self.scope_violations: list[str] = []
        self.server_errors: list[str] = []
        self.referral_intrays: dict[int, int] = {}  # customer pk -> PS referral intray id
        STATS["examples"] += 1

    def teardown(self):
        transaction.set_rollback(True)
        self._stack.close()

    # -- helpers

    def call(self, officer, method: str, url: str, data: dict | None = None):
        client = APIClient()
        client.force_authenticate(officer.user)
        STATS["steps"] += 1
        try:
            r = getattr(client, method)(url, data or {}, format="json")
        except Exception as exc:  # an unhandled exception is a 500 too
            self.server_errors.append(f"{method.upper()} {url} as {officer.user.username}: {exc!r}")
            return None
        STATS["responses"][r.status_code // 100] = STATS["responses"].get(r.status_code // 100, 0) + 1
        per_rule = STATS["rules"].setdefault(sys._getframe(1).f_code.co_name.lstrip("_"), {})
        per_rule[r.status_code] = per_rule.get(r.status_code, 0) + 1
        if r.status_code >= 500:
            self.server_errors.append(f"{method.upper()} {url} as {officer.user.username}: {r.status_code}")
        return r

    def _advance(self, delta: dt.timedelta) -> None:
        self.now = self.now + delta
        self._stack.enter_context(clock.freeze(self.now))

    # -- ownership rules

    officers = st.integers(0, 7)
    customers = st.integers(0, 2)

    @rule(o=officers, c=customers, target_kind=st.sampled_from(["self", "position", "officer"]),
          t=st.integers(0, 7), p=st.integers(0, 2))
    def lock(self, o, c, target_kind, t, p):
        body = {"reason": "Working the customer"}
        if target_kind == "position":
            body["to_position"] = self.w.positions[p].code
        elif target_kind == "officer":
            body["to_officer"] = self.w.officers[t].user.username
        self.call(self.w.officers[o], "post", OWN.format(self.w.customers[c].csid, "lock/"), body)

    @rule(o=officers, c=customers)
    def take_over(self, o, c):
        self.call(self.w.officers[o], "post", OWN.format(self.w.customers[c].csid, "take-over/"),
                  {"reason": "Customer on the phone now"})

    @rule(o=officers, c=customers)
    def apply_rules(self, o, c):
        self.call(self.w.officers[o], "post", OWN.format(self.w.customers[c].csid, "apply-rules/"),
                  {"reason": "Ownership rules again"})

    @rule(o=officers, c=customers, explained=st.booleans(), attempted=st.booleans())
    def unlock(self, o, c, explained, attempted):
        self.call(self.w.officers[o], "post", OWN.format(self.w.customers[c].csid, "unlock/"),
                  {"reason": "Done", "decision_explained": explained, "contact_attempted": attempted})

    @rule(o=officers, c=customers, to=st.sampled_from(AREAS[1:]), t=st.none() | st.integers(0, 7))
    def transfer(self, o, c, to, t):
        body = {"to_area": to, "expected_contact_volume": "Low", "time_to_resolve": "Two weeks",
                "agreed_with": "The other area's Team Leader", "reason": "Agreed between the areas"}
        if t is not None:
            body["to_officer"] = self.w.officers[t].user.username
        self.call(self.w.officers[o], "post", OWN.format(self.w.customers[c].csid, "transfer/"), body)

    @rule(o=st.integers(2, 5), c=customers, to=st.sampled_from(AREAS[1:]))
    def dispute_raise(self, o, c, to):
        self.call(self.w.officers[o], "post", OWN.format(self.w.customers[c].csid, "disputes/"),
                  {"to_area": to, "expected_contact_volume": "High", "time_to_resolve": "Months",
                   "reason": "No agreement"})

    @precondition(lambda self: OwnershipTransfer.objects.filter(status=TransferStatus.ESCALATED).exists())
    @rule(o=officers, decision=st.sampled_from(["transfer", "keep"]), raiser=st.booleans())
    def dispute_decide(self, o, decision, raiser):
        dispute = OwnershipTransfer.objects.filter(status=TransferStatus.ESCALATED).order_by("id").first()
        officer = self.w.officers[o]
        if raiser:  # the requester tries to decide their own dispute
            officer = next((x for x in self.w.officers if x.user_id == dispute.raised_by_id), officer)
        self.call(officer, "post", f"/api/v1/ownership/disputes/{dispute.pk}/decide/",
                  {"decision": decision, "reason": "Team Leader decision"})

    # -- presenting issues

    @rule(o=officers, c=customers, issue_type=st.sampled_from(ISSUE_TYPES))
    def issue_add(self, o, c, issue_type):
        self.call(self.w.officers[o], "post", f"/api/v1/customers/{self.w.customers[c].csid}/issues/",
                  {"issue_type": issue_type})

    def _close_checked(self, officer, issue: PresentingIssue, status: str, method: str, url: str, body: dict):
        """Invariant 3: record the scope decision computed just before the call; a 2xx close must have been allowed."""
        decision = customer_scope.issue_change_check(actor=officer.user, customer=issue.customer,
                                                     action=customer_scope.ISSUE_CLOSE, issue=issue, status=status)
        r = self.call(officer, method, url, body)
        if r is not None and r.status_code < 300:
            issue.refresh_from_db()
            if issue.status in [s.value for s in CLOSING_STATUSES] and not decision.allowed:
                self.scope_violations.append(
                    f"issue {issue.pk} ({issue.issue_type.code}) closed {issue.status} by {officer.user.username} "
                    f"outside its scope: {decision.explain()}")

    @precondition(lambda self: PresentingIssue.objects.filter(status__in=["open", "referred"]).exists())
    @rule(o=officers, i=st.integers(0, 20), status=st.sampled_from(["finalised", "withdrawn", "referred"]))
    def issue_close(self, o, i, status):
        issues = list(PresentingIssue.objects.filter(status__in=["open", "referred"]).order_by("id"))
        issue = issues[i % len(issues)]
        self._close_checked(self.w.officers[o], issue, status, "post",
                            f"/api/v1/customers/{issue.customer.csid}/issues/{issue.pk}/close/",
                            {"status": status, "outcome": "Dealt with"})

    # -- the guided contact

    @rule(o=officers, c=customers)
    def contact_start(self, o, c):
        self.call(self.w.officers[o], "post", "/api/v1/contacts/", {"csid": self.w.customers[c].csid,
                                                                   "channel": "phone"})

    def _open_contacts(self):
        from casework.contacts.models import Contact

        return list(Contact.objects.filter(status="open").select_related("officer").order_by("id"))

    @precondition(lambda self: bool(self._open_contacts()))
    @rule(k=st.integers(0, 5), issue_type=st.sampled_from(ISSUE_TYPES))
    def contact_issue_add(self, k, issue_type):
        contacts = self._open_contacts()
        contact = contacts[k % len(contacts)]
        self.call(contact.officer, "post", f"/api/v1/contacts/{contact.pk}/issues/", {"issue_type": issue_type})

    @precondition(lambda self: bool(self._open_contacts()))
    @rule(k=st.integers(0, 5), i=st.integers(0, 10), status=st.sampled_from(["finalised", "withdrawn", "referred"]))
    def contact_issue_close(self, k, i, status):
        from casework.contacts.models import ContactIssue

        contact = self._open_contacts()[k % len(self._open_contacts())]
        links = list(ContactIssue.objects.filter(contact=contact, presenting_issue__status__in=["open", "referred"])
                     .select_related("presenting_issue__customer", "presenting_issue__issue_type").order_by("id"))
        if not links:
            return
        link = links[i % len(links)]
        self._close_checked(contact.officer, link.presenting_issue, status, "post",
                            f"/api/v1/contacts/{contact.pk}/issues/{link.pk}/close/",
                            {"status": status, "outcome": "Dealt with in the contact"})

    @precondition(lambda self: bool(self._open_contacts()))
    @rule(k=st.integers(0, 5))
    def contact_finalise(self, k):
        contacts = self._open_contacts()
        contact = contacts[k % len(contacts)]
        self.call(contact.officer, "post", f"/api/v1/contacts/{contact.pk}/finalise/", {})

    # -- Personalised Services

    @rule(o=officers, c=customers)
    def ps_referral(self, o, c):
        r = self.call(self.w.officers[o], "post", "/api/v1/ps/referrals/",
                      {"csid": self.w.customers[c].csid, "type_code": "crg_referral_to_ps",
                       "reason": "Repeated escalations"})
        if r is not None and r.status_code == 201:
            self.referral_intrays[self.w.customers[c].pk] = r.json()["intray_id"]

    @precondition(lambda self: bool(self.referral_intrays))
    @rule(o=st.sampled_from([7, 7, 6, 0]), c=customers, cm=st.sampled_from(["st_ps_cm", "st_ps_tl", "st_so_syd"]))
    def ps_allocate(self, o, c, cm):
        customer = self.w.customers[c]
        self.call(self.w.officers[o], "post", "/api/v1/ps/records/",
                  {"csid": customer.csid, "case_manager": cm, "referral_source": "crg",
                   "main_referral_reason": "Persistent complaints",
                   "referral_intray_id": self.referral_intrays.get(customer.pk),
                   "review": {"reviewed_items": ["case records", "notepads"], "crg_record": "CRG: 3 escalations"}})

    def _active_records(self, status="active"):
        from casework.ps.models import PsRecord

        return list(PsRecord.objects.filter(is_active=True, status=status).select_related("case_manager__user")
                    .order_by("id"))

    @precondition(lambda self: bool(self._active_records()))
    @rule(k=st.integers(0, 3))
    def ps_prepare_ready(self, k):
        """Set-up shortcut (services, as the record's Case Manager): first contact, plan issues resolved, customer
        told, intrays completed, so that a finalisation request can pass PS-FIN-1 readiness."""
        from casework.intrays import services as intray_services
        from casework.intrays.models import Intray
        from casework.ps import policy as ps_policy
        from casework.ps import services as ps_services

        recs = self._active_records()
        rec = recs[k % len(recs)]
        cm = rec.case_manager.user
        with contextlib.suppress(DomainError):
            ps_services.contact_record(actor=cm, ps_record=rec, kind="first", summary="Discussed all issues",
                                       checklist={x: True for x in ps_policy.FIRST_CONTACT_POINTS},
                                       mandatory_gathered={x: True for x in ps_policy.MANDATORY_KEYS},
                                       acknowledged=True, follow_up_type="client_call_back")
        for issue in rec.plan.issues.all():
            with contextlib.suppress(DomainError):
                if issue.status == "recorded":
                    issue = ps_services.plan_issue_transition(actor=cm, issue=issue, status="confirmed")
                if issue.status == "confirmed":
                    ps_services.plan_issue_transition(actor=cm, issue=issue, status="resolved", comment="Done")
        with contextlib.suppress(DomainError):
            ps_services.customer_told_record(actor=cm, ps_record=rec, summary="Told by phone")
        for intray in Intray.objects.filter(customer=rec.customer, status__in=("open", "in_progress")):
            with contextlib.suppress(DomainError):
                intray_services.intray_complete(actor=cm, intray=intray, outcome="done")

    @precondition(lambda self: bool(self._active_records()))
    @rule(o=officers, k=st.integers(0, 3), as_cm=st.booleans())
    def ps_finalisation_request(self, o, k, as_cm):
        from casework.ps import services as ps_services

        recs = self._active_records()
        rec = recs[k % len(recs)]
        officer = rec.case_manager if as_cm else self.w.officers[o]
        self.call(officer, "post", f"/api/v1/ps/records/{rec.pk}/finalisation/",
                  {"summary": "All issues resolved", "attestations": {a: True for a in ps_services.ATTESTATIONS}})

    @precondition(lambda self: __import__("casework.ps.models", fromlist=["x"]).FinalisationRequest.objects
                  .filter(status="pending").exists())
    @rule(o=officers, approve=st.booleans(), requester=st.booleans())
    def ps_finalisation_decide(self, o, approve, requester):
        from casework.ps.models import FinalisationRequest

        req = FinalisationRequest.objects.filter(status="pending").order_by("id").first()
        officer = self.w.officers[o]
        if requester:  # the submitter tries to approve their own request
            officer = next((x for x in self.w.officers if x.user_id == req.submitted_by_id), officer)
        self.call(officer, "post", f"/api/v1/ps/finalisations/{req.pk}/decision/",
                  {"approve": approve, "reason": "issues_addressed", "comments": "Reviewed"})

    # -- automatic unlock (CMA-3.4) and its job

    @rule(o=officers, c=customers, attempted=st.booleans(), hours=st.sampled_from([None, 1, 48]))
    def auto_unlock_schedule(self, o, c, attempted, hours):
        from casework.letters.models import Letter

        officer, customer = self.w.officers[o], self.w.customers[c]
        letters = [Letter.objects.create(customer=x, template_code="decision_letter", title="Decision",
                                         html="<p>Decision</p>", issued_at=clock.now(), issued_by=officer.user).pk
                   for x in {customer, *self.w.customers[:2]}]
        body = {"reason": "Could not reach the customer", "letters": letters, "contact_attempted": attempted}
        if hours is not None:
            body["after_hours"] = hours
        self.call(officer, "post", OWN.format(customer.csid, "auto-unlock/"), body)

    @rule(hours=st.sampled_from([1, 24, 72, 24 * 8]))
    def run_auto_unlock_job(self, hours):
        from casework.ownership import jobs

        self._advance(dt.timedelta(hours=hours))
        STATS["steps"] += 1
        report = jobs.auto_unlock_due_report()
        if report["failed"]:
            self.server_errors.append(f"auto_unlock job failed items: {report['failed']}")

    # -- invariants, read from the database after every step

    @invariant()
    def never_5xx(self):
        self._check("no 5xx / no failed job item", self.server_errors)

    @invariant()
    def at_most_one_active_lock(self):
        self._check("1. one active lock per customer (CMA-2.10)", violations_one_lock())

    @invariant()
    def ps_record_means_ps_lock(self):
        self._check("2. active PS record => locked to PS (PS-ACT-5)", violations_ps_locked())

    @invariant()
    def issues_closed_in_scope(self):
        self._check("3. issue closed within its scope (CMA-3.2)", self.scope_violations)

    @invariant()
    def requester_never_decides(self):
        self._check("4. approval not decided by its requester (CMA-1.6, PS-FIN-3)", violations_requester_decides())

    @invariant()
    def routing_equals_ownership(self):
        self._check("5. routing equals ownership (CMA-1.7)", violations_routing(self.w.customers))

    @invariant()
    def routing_table_equals_computation(self):
        self._check("6. routing table equals the full computation (issue 15)", violations_routing_table(self.w.customers))

    def _check(self, name: str, found: list[str]) -> None:
        if found:
            STATS["violations"] += 1
        assert not found, f"invariant {name} violated: {found}"


STATEFUL_SETTINGS = settings(
    max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture
def world(reference, short_auto_unlock_wait):
    # The CMA-3.4 waiting period configured to one hour, so the scheduled automatic unlocks (after 1 or 48 hours, or
    # the default) are accepted and fall due within the job runs' time steps.
    return World()


def test_issue_10_invariants_hold_on_random_api_sequences(world, capsys):
    """CMA-2.10, CMA-1.7, PS-ACT-5, CMA-3.2, CMA-1.6, PS-FIN-3: the five invariants of issue 10 hold after every step
    of random API sequences by random officers (and no response is a 5xx)."""
    STATS.update(examples=0, steps=0, violations=0, responses={}, rules={})
    CaseworkMachine.world = world
    try:
        run_state_machine_as_test(CaseworkMachine, settings=STATEFUL_SETTINGS)
    finally:
        with capsys.disabled():
            print(f"\nstateful: {STATS['examples']} examples, {STATS['steps']} steps, "
                  f"{STATS['violations']} invariant violations (responses by class: {STATS['responses']})")
            if os.environ.get("STATEFUL_VERBOSE"):
                for name, codes in sorted(STATS["rules"].items()):
                    print(f"  {name}: {dict(sorted(codes.items()))}")
    assert STATS["violations"] == 0
    assert STATS["responses"].get(2, 0) > 0, "no action ever succeeded: the machine explored nothing"


# ---------------------------------------------------------------- the checks can fail (meta-tests)


def test_meta_second_active_lock_through_the_orm_is_refused_by_the_database(world):
    """CMA-2.10: invariant 1 is enforced twice: a second active lock written through the ORM (bypassing services)
    is refused by the database's partial unique index, and the check reads no violation with one lock."""
    from django.db import IntegrityError

    customer = world.customers[0]
    Lock.objects.create(customer=customer, area=area("SERVICES"), officer=world.so_syd, reason="first",
                        started_at=clock.now(), started_by=world.so_syd.user)
    assert violations_one_lock() == []
    with pytest.raises(IntegrityError), transaction.atomic():
        Lock.objects.create(customer=customer, area=area("LITIGATION"), officer=world.spec_lit, reason="second",
                            started_at=clock.now(), started_by=world.spec_lit.user)


def test_meta_ps_record_locked_elsewhere_is_caught(world):
    """PS-ACT-5: an active PS record with the customer locked to Litigation (written through the ORM, bypassing
    the services) is caught by invariant 2."""
    from casework.ps.models import PsRecord

    customer = world.customers[1]
    Lock.objects.create(customer=customer, area=area("LITIGATION"), officer=world.spec_lit, reason="litigation",
                        started_at=clock.now(), started_by=world.spec_lit.user)
    assert violations_ps_locked() == []
    PsRecord.objects.create(customer=customer, case_manager=world.ps_cm, referral_type_code="crg_referral_to_ps",
                            referral_source="crg", main_referral_reason="Complex", referred_at=clock.now(),
                            allocated_at=clock.now())
    assert violations_ps_locked() == [f"{customer.csid} has an active PS record but is locked to LITIGATION"]


def test_meta_routing_that_ignores_the_lock_is_caught(world, monkeypatch):
    """CMA-1.7: a routing selector that ignores the lock (always the front line) is caught by invariant 5."""
    from casework.ownership import selectors

    customer = world.customers[2]
    Lock.objects.create(customer=customer, area=area("LITIGATION"), officer=world.spec_lit, reason="litigation",
                        started_at=clock.now(), started_by=world.spec_lit.user)
    assert violations_routing(world.customers) == []
    monkeypatch.setattr(selectors, "route_call", lambda *, csid: selectors.RouteView(
        csid, "SERVICES", "Customer Services", None, None, False, "broken on purpose", ("CMA-1.1",)))
    assert violations_routing(world.customers) == [
        f"{customer.csid}: ownership locked=True but routing owned=False"]


def _drive(world, steps):
    """Run a fixed sequence of the machine's own rules, then its invariants; returns the first failure or None."""
    CaseworkMachine.world = world
    machine = CaseworkMachine()
    try:
        for name, kwargs in steps:
            getattr(machine, name)(**kwargs)
        for check in ("never_5xx", "at_most_one_active_lock", "ps_record_means_ps_lock", "issues_closed_in_scope",
                      "requester_never_decides", "routing_equals_ownership"):
            getattr(machine, check)()
    except AssertionError as exc:
        return str(exc)
    finally:
        machine.teardown()
    return None


SO_CLOSES_AN_OBJECTION = [("issue_add", {"o": 0, "c": 0, "issue_type": "objection"}),
                          ("issue_close", {"o": 0, "i": 0, "status": "finalised"})]
TL_DECIDES_OWN_DISPUTE = [("lock", {"o": 4, "c": 0, "target_kind": "self", "t": 0, "p": 0}),
                          ("dispute_raise", {"o": 4, "c": 0, "to": "LITIGATION"}),
                          ("dispute_decide", {"o": 5, "decision": "keep", "raiser": True})]


def test_meta_issue_scope_guard_always_allowing_is_caught(world, monkeypatch):
    """CMA-3.2 / CMA-1.2: with the presenting-issue scope guard monkeypatched to always allow, a Service Officer
    finalising an objection (General Objections' issue) is caught by invariant 3; with the guard, it is refused."""
    from casework.customers import services as customer_services

    assert _drive(world, SO_CLOSES_AN_OBJECTION) is None
    monkeypatch.setattr(customer_services, "_scope_guard", lambda decision: None)
    found = _drive(world, SO_CLOSES_AN_OBJECTION)
    assert found and "invariant 3" in found and "outside its scope" in found


def test_meta_dispute_decided_by_its_raiser_is_caught(world, monkeypatch):
    """CMA-1.6: a Team Leader raising a dispute and deciding it themselves is caught by invariant 4 when the guard
    ignores the raiser (as it did before the stateful test found it); with the guard, it is refused (403)."""
    from casework.approvals import policy as approvals_policy

    assert _drive(world, TL_DECIDES_OWN_DISPUTE) is None
    # Issue 11: the dispute is decided as a request for approval; its guard is the approvals policy.
    original = approvals_policy.may_decide
    monkeypatch.setattr(approvals_policy, "may_decide", lambda **kw: original(**{**kw, "requester_id": None}))
    found = _drive(world, TL_DECIDES_OWN_DISPUTE)
    assert found and "invariant 4" in found and "decided by its raiser" in found

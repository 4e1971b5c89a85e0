"""Review 11 (issue 11 "Work that moves between people", issue 10 "the procedure cannot be walked around"):
paths that reached an approval kind's EFFECT without an eligible second person's approval, now refused at the
ownership services. Moved from the reviewer's failing tests (/work/prompts/review11/test_bypass.py); each asserts
the SAFE behaviour and failed on the old code.

- Finding 1: a plain lock (CMA-1.5 "priority" move) undid agreed transfers / dispute decisions and took a customer
  out of PS (bypass of ownership_transfer, ownership_dispute, ps_finalisation).
- Finding 2: take-over had the same gaps and worked between PS Case Managers (bypass of ownership_transfer,
  ownership_dispute, ps_finalisation, ps_reallocation).
- Finding 3: POST .../ownership/reassign/ reallocated PS customers with no request; any Team Leader could
  reallocate (or unlock) another area's lock.
- Finding 7: the Team Leader holding the customer could decide the ownership dispute about them (no worked_by).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.approvals.models import ApprovalRequest
from casework.core.errors import NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.org.roles import Role
from casework.ownership import selectors as own_sel
from casework.ownership import services as own
from casework.ownership.tests.conftest import add_issue
from casework.ps.tests.conftest import ps_org  # noqa: F401
from casework.ps.tests.helpers import allocate
from casework.testing.factories import OfficerFactory, PositionFactory, area

pytestmark = pytest.mark.django_db
CONSIDER = {"expected_contact_volume": "DPO will generate most calls", "time_to_resolve": "weeks"}


def api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def holder(customer):
    return own_sel.active_lock(customer=customer)


def _lock_events(customer) -> int:
    return AuditEvent.objects.filter(customer_id=customer.pk,
                                     action__in=("ownership.lock", "ownership.take_over", "ownership.reassign")).count()


# ---------------------------------------------------------------- PS: reallocation without ps_reallocation(_assign)


def test_ps_case_manager_takes_over_another_cms_ps_customer_without_reallocation_approval(ps_org):
    """Finding 2: a PS Case Manager took over another Case Manager's PS customer (bypass of ps_reallocation)."""
    rec = allocate(ps_org)
    assert holder(ps_org.customer).officer == ps_org.cm
    before = _lock_events(ps_org.customer)
    r = api(ps_org.cm2).post(f"/api/v1/customers/{ps_org.customer.csid}/ownership/take-over/",
                             {"reason": "I will take this one"}, format="json")
    assert r.status_code == 409, "a PS customer moved between Case Managers without PS-REV-2/3 approval"
    assert "PS-REV-3" in r.json()["step_ids"] and "reallocation request" in r.json()["detail"]
    rec.refresh_from_db()
    assert holder(ps_org.customer).officer == ps_org.cm and rec.case_manager == ps_org.cm
    assert _lock_events(ps_org.customer) == before


def test_front_line_team_leader_reassigns_ps_lock_to_another_cm_without_approval(ps_org):
    """Finding 3: a Services Team Leader reallocated a PS customer's lock through /ownership/reassign/."""
    rec = allocate(ps_org)
    r = api(ps_org.tl_front).post(f"/api/v1/customers/{ps_org.customer.csid}/ownership/reassign/",
                                  {"to_officer": ps_org.cm2.pk, "reason": "Workload"}, format="json")
    assert r.status_code in (403, 409), "front-line TL reallocated a PS customer (no approval, no PS-SPE-1)"
    rec.refresh_from_db()
    assert holder(ps_org.customer).officer == ps_org.cm and rec.case_manager == ps_org.cm


def test_ps_case_manager_reassigns_own_ps_customer_to_another_cm_without_approval(ps_org):
    """Finding 3: the Case Manager handed the PS customer to another Case Manager without a reallocation request."""
    allocate(ps_org)
    before = _lock_events(ps_org.customer)
    r = api(ps_org.cm).post(f"/api/v1/customers/{ps_org.customer.csid}/ownership/reassign/",
                            {"to_officer": ps_org.cm2.pk, "reason": "Workload"}, format="json")
    assert r.status_code == 409, "CM handed the PS customer to another CM without a Reallocation request"
    assert {"PS-REV-2", "PS-REV-3"} <= set(r.json()["step_ids"])
    assert holder(ps_org.customer).officer == ps_org.cm
    assert _lock_events(ps_org.customer) == before


def test_ps_team_leader_reassign_is_refused_too_the_reallocation_request_is_the_way(ps_org):
    """Finding 3: not even the PS Team Leader reallocates a PS customer by reassign; the approved reallocation
    (ps.integration.lock_to, the PS procedure's own move) is the only path."""
    allocate(ps_org)
    with pytest.raises(TransitionRefused) as e:
        own.lock_reassign(actor=ps_org.tl.user, customer=ps_org.customer, to_officer=ps_org.cm2, reason="Workload")
    assert "PS-REV-3" in e.value.step_ids
    assert holder(ps_org.customer).officer == ps_org.cm


# ---------------------------------------------------------------- PS: leaving PS without an approved finalisation


def test_higher_priority_area_locks_ps_customer_out_of_ps_without_finalisation(ps_org):
    """Finding 1: a plain lock by a higher-priority area took the customer out of PS (bypass of ps_finalisation)."""
    rec = allocate(ps_org)
    dec = OfficerFactory(user__username="deceased_so", role=Role.SPECIALIST_OFFICER,
                         position=PositionFactory(code="dec-1", business_area=area("DECEASED"), office=ps_org.syd))
    add_issue(ps_org.customer, "deceased_customer")
    # apply-rules refuses (the PS exit guard) ...
    r0 = api(dec).post(f"/api/v1/customers/{ps_org.customer.csid}/ownership/apply-rules/", {"reason": "rules"},
                       format="json")
    assert r0.status_code in (403, 409)
    # ... and so does a plain lock (CMA-1.5 'priority' outcome) now: the same PS exit guard
    r = api(dec).post(f"/api/v1/customers/{ps_org.customer.csid}/ownership/lock/", {"reason": "Deceased"},
                      format="json")
    assert r.status_code == 409, "customer left PS while the PS record is active, no ps_finalisation"
    assert {"PS-FIN-3", "PS-ACT-5"} <= set(r.json()["step_ids"])
    rec.refresh_from_db()
    assert holder(ps_org.customer).area.code == "PS" and rec.is_active


def test_higher_priority_area_takes_over_ps_customer_without_finalisation(ps_org):
    """Finding 2: take-over by a higher-priority area took the customer out of PS (bypass of ps_finalisation)."""
    rec = allocate(ps_org)
    dec = OfficerFactory(user__username="deceased_so2", role=Role.SPECIALIST_OFFICER,
                         position=PositionFactory(code="dec-2", business_area=area("DECEASED"), office=ps_org.syd))
    add_issue(ps_org.customer, "deceased_customer")
    own.specialist_consultation_record(actor=dec.user, customer=ps_org.customer, ps_case_manager=ps_org.cm,
                                       summary="Discussed", communication_approach="phone", who_communicates="CM")
    r = api(dec).post(f"/api/v1/customers/{ps_org.customer.csid}/ownership/take-over/", {"reason": "Deceased"},
                      format="json")
    assert r.status_code == 409, "customer left PS while the PS record is active, no ps_finalisation"
    assert "PS-FIN-3" in r.json()["step_ids"]
    rec.refresh_from_db()
    assert holder(ps_org.customer).area.code == "PS" and rec.is_active


# ---------------------------------------------------------------- CMA-1.6: the binding decision undone


@pytest.fixture
def cma(org, payer):
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    tls = {code: org.team_leader(code) for code in ("GENERAL_OBJECTIONS", "DPO", "SERVICES")}
    org.intake("DPO")
    own.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    return payer, obj, dpo, tls


def _agreed_transfer_to_dpo(payer, obj, dpo, tls):
    add_issue(payer, "objection", minutes=1)
    r = api(obj).post(f"/api/v1/customers/{payer.csid}/ownership/transfer/",
                      {"to_officer": dpo.pk, **CONSIDER, "reason": "Better outcome"}, format="json")
    assert r.status_code == 202, r.json()
    a = r.json()["approval"]
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Agreed"}, format="json")
    assert r.status_code == 200, r.json()
    assert own_sel.agreed_area(customer=payer) == "DPO" and holder(payer).officer == dpo


def test_accepted_transfer_undone_by_a_plain_lock_of_the_rules_area(org, cma):
    """Finding 1: an accepted CMA-1.6 transfer undone by a plain lock of the area the rules name."""
    payer, obj, dpo, tls = cma
    _agreed_transfer_to_dpo(payer, obj, dpo, tls)
    obj2 = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    before = _lock_events(payer)
    r = api(obj2).post(f"/api/v1/customers/{payer.csid}/ownership/lock/", {"reason": "Rules say ours"},
                       format="json")
    assert r.status_code == 409 and "CMA-1.6" in r.json()["step_ids"]
    assert "transfer" in r.json()["detail"] and "dispute" in r.json()["detail"]
    assert holder(payer).area.code == "DPO", "binding CMA-1.6 agreement undone by customer_lock 'priority'"
    assert _lock_events(payer) == before


def test_accepted_transfer_undone_by_take_over_of_the_rules_area(org, cma):
    """Finding 2: an accepted CMA-1.6 transfer undone by take-over (by the requester, even)."""
    payer, obj, dpo, tls = cma
    _agreed_transfer_to_dpo(payer, obj, dpo, tls)
    r = api(obj).post(f"/api/v1/customers/{payer.csid}/ownership/take-over/", {"reason": "Mine again"},
                      format="json")
    assert r.status_code == 409 and "CMA-1.6" in r.json()["step_ids"]
    assert holder(payer).area.code == "DPO", "binding CMA-1.6 agreement undone by take-over (the requester, even)"


def test_dispute_keep_undone_by_take_over(org, cma):
    """Finding 2: dispute decided 'keep' with the owner (binding) — the losing area took it anyway when the rules
    named it."""
    payer, obj, dpo, tls = cma
    add_issue(payer, "objection", minutes=1)
    r = api(obj).post(f"/api/v1/customers/{payer.csid}/ownership/disputes/",
                      {"to_area": "DPO", **CONSIDER, "reason": "No agreement"}, format="json")
    assert r.status_code == 202, r.json()
    a = r.json()["approval"]
    # now a DPO issue arrives so the rules name DPO (priority 4, payer retained)
    add_issue(payer, "dpo", minutes=2)
    r = api(tls["GENERAL_OBJECTIONS"]).post(f"/api/v1/approvals/{a}/decide/",
                                            {"approve": True, "reason": "Objection first",
                                             "data": {"decision": "keep"}}, format="json")
    assert r.status_code == 200, r.json()
    assert own_sel.agreed_area(customer=payer) == "GENERAL_OBJECTIONS"
    r = api(dpo).post(f"/api/v1/customers/{payer.csid}/ownership/take-over/", {"reason": "Rules"}, format="json")
    assert r.status_code == 409
    r = api(dpo).post(f"/api/v1/customers/{payer.csid}/ownership/lock/", {"reason": "Rules"}, format="json")
    assert r.status_code == 409
    assert holder(payer).area.code == "GENERAL_OBJECTIONS", "binding 'keep' decision undone by take-over"


def test_team_leader_of_a_third_area_moves_an_agreed_customer_to_another_areas_officer(org, cma):
    """Finding 1: customer_lock's 'priority' path was 'apply the rules again' without apply-rules' guards: not of
    the owning area, no agreed-area check, no PS exit guard."""
    payer, obj, dpo, tls = cma
    _agreed_transfer_to_dpo(payer, obj, dpo, tls)
    obj2 = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    r0 = api(tls["SERVICES"]).post(f"/api/v1/customers/{payer.csid}/ownership/apply-rules/", {"reason": "rules"},
                                   format="json")
    assert r0.status_code == 403
    r = api(tls["SERVICES"]).post(f"/api/v1/customers/{payer.csid}/ownership/lock/",
                                  {"to_officer": obj2.pk, "reason": "Objection first"}, format="json")
    assert r.status_code in (403, 409)
    assert holder(payer).area.code == "DPO" and holder(payer).officer == dpo


def test_team_leader_of_a_third_area_cannot_make_the_rules_move_even_without_an_agreement(org, payer):
    """Finding 1 (no agreement): the CMA-1.5 move by a plain lock is made by an officer or Team Leader of an area
    concerned (the rules' owner or the holder's area), like apply-rules; a third area's Team Leader is refused and
    nothing is audited as a lock; an officer of the rules' area still moves it (audited, previous holder told)."""
    obj, dpo = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER), org.officer("DPO", Role.SPECIALIST_OFFICER)
    services_tl = org.team_leader("SERVICES")
    add_issue(payer, "objection", minutes=1)
    own.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    add_issue(payer, "dpo", minutes=2)
    before = _lock_events(payer)
    with pytest.raises(NotPermitted) as e:
        own.customer_lock(actor=services_tl.user, customer=payer, to_officer=dpo, reason="DPO ranks first")
    assert "CMA-1.5" in e.value.step_ids
    assert holder(payer).officer == obj and _lock_events(payer) == before
    lock = own.customer_lock(actor=dpo.user, customer=payer, reason="DPO ranks first")
    assert lock.area.code == "DPO" and lock.kind == "priority"
    ev = AuditEvent.objects.filter(action="ownership.lock", customer_id=payer.pk).order_by("-id").first()
    assert "CMA-1.5" in ev.step_ids and ev.after["area"] == "DPO"


def test_team_leader_of_another_area_no_longer_unlocks_or_reallocates_a_lock(org, payer):
    """Finding 3 (issue-10 leftover): _may_unlock let a Team Leader of ANY area unlock or reallocate another area's
    lock; now only a Team Leader of the lock's area (or the holder, or the area for a position's lock)."""
    dpo, dpo2 = org.officer("DPO", Role.SPECIALIST_OFFICER), org.officer("DPO", Role.SPECIALIST_OFFICER)
    services_tl, dpo_tl = org.team_leader("SERVICES"), org.team_leader("DPO")
    own.customer_lock(actor=dpo.user, customer=payer, reason="DPO")
    with pytest.raises(NotPermitted):
        own.customer_unlock(actor=services_tl.user, customer=payer, reason="Done", decision_explained=True,
                            contact_attempted=True)
    r = api(services_tl).post(f"/api/v1/customers/{payer.csid}/ownership/reassign/",
                              {"to_officer": dpo2.pk, "reason": "Workload"}, format="json")
    assert r.status_code == 403
    assert holder(payer).officer == dpo
    lock = own.lock_reassign(actor=dpo_tl.user, customer=payer, to_officer=dpo2, reason="Workload")
    assert lock.officer == dpo2
    assert AuditEvent.objects.filter(action="ownership.reassign", customer_id=payer.pk).count() == 1


# ---------------------------------------------------------------- who worked a CMA-1.6 request


def test_the_team_leader_holding_the_customer_decides_the_dispute_about_them(org, payer):
    """Finding 7: the Team Leader holding the customer worked it, so does not decide the dispute about them; the
    other area's Team Leader decides it from their queue, the requester is told."""
    go_tl = org.team_leader("GENERAL_OBJECTIONS")
    dpo_tl = org.team_leader("DPO")
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    org.intake("DPO")
    own.customer_lock(actor=go_tl.user, customer=payer, reason="Objection")
    r = api(dpo).post(f"/api/v1/customers/{payer.csid}/ownership/disputes/",
                      {"to_area": "DPO", **CONSIDER, "reason": "No agreement"}, format="json")
    assert r.status_code == 202, r.json()
    a = r.json()["approval"]
    assert ApprovalRequest.objects.get(pk=a).worked_by == [go_tl.user_id]
    assert api(go_tl).get("/api/v1/approvals/?queue=to_decide").json() == []
    r = api(go_tl).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Mine",
                                                           "data": {"decision": "keep"}}, format="json")
    assert r.status_code == 403
    assert own_sel.agreed_area(customer=payer) is None
    assert [q["id"] for q in api(dpo_tl).get("/api/v1/approvals/?queue=to_decide").json()] == [a]
    r = api(dpo_tl).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Objection first",
                                                            "data": {"decision": "keep"}}, format="json")
    assert r.status_code == 200, r.json()
    assert own_sel.agreed_area(customer=payer) == "GENERAL_OBJECTIONS"
    assert AuditEvent.objects.filter(action="approval.approve").exists()
    notes = api(dpo).get("/api/v1/notifications/?unread=true").json()
    assert any(n["kind"] == "approval_decided" for n in notes["results"])


def test_transfer_is_not_accepted_by_the_holder_or_the_officer_named_to_receive_it(org, payer):
    """Finding 7 (transfer): the officer holding the lock and the officer named to receive the customer both worked
    the ownership_transfer request, so neither accepts it, even as a Team Leader of the accepting area."""
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    dpo_tl_receiving, dpo_tl = org.team_leader("DPO"), org.team_leader("DPO")
    add_issue(payer, "objection", minutes=1)
    own.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    approval = own.ownership_transfer(actor=obj.user, customer=payer, to_officer=dpo_tl_receiving,
                                      reason="Better outcome", **CONSIDER)
    assert approval.worked_by == sorted([dpo_tl_receiving.user_id])  # the holder is the requester
    r = api(dpo_tl_receiving).post(f"/api/v1/approvals/{approval.pk}/decide/",
                                   {"approve": True, "reason": "Me"}, format="json")
    assert r.status_code == 403
    assert holder(payer).officer == obj
    r = api(dpo_tl).post(f"/api/v1/approvals/{approval.pk}/decide/", {"approve": True, "reason": "Agreed"},
                         format="json")
    assert r.status_code == 200, r.json()
    assert holder(payer).officer == dpo_tl_receiving
    assert AuditEvent.objects.filter(action="ownership.transfer", customer_id=payer.pk).exists()


def test_transfer_asked_by_another_officer_excludes_the_holder(org, payer):
    """Finding 7 (transfer): asked by a Team Leader of the holding area, the officer who holds the lock worked the
    customer and is recorded in worked_by."""
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    go_tl = org.team_leader("GENERAL_OBJECTIONS")
    org.team_leader("DPO")
    org.intake("DPO")
    add_issue(payer, "objection", minutes=1)
    own.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    approval = own.ownership_transfer(actor=go_tl.user, customer=payer, to_area=area("DPO"), reason="Better",
                                      **CONSIDER)
    assert approval.worked_by == [obj.user_id]
    ev = AuditEvent.objects.filter(action="approval.request").order_by("-id").first()
    assert ev is not None and ev.after["worked_by"] == [obj.user_id]

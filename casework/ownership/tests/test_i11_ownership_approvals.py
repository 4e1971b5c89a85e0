"""Issue 11 ("Work that moves between people") in ownership: the CMA-1.6 ownership dispute and the transfer by
agreement are requests for approval — a second person (a Team Leader of the right area, never the requester) decides
them from their own queue, and nothing moves before — and every lock change tells the officer who gains or loses the
customer (never the officer who acted), once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.approvals.models import ApprovalRequest
from casework.core import clock
from casework.core.errors import Conflict
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.notifications.models import Notification
from casework.org.roles import Role
from casework.ownership import jobs, selectors, services
from casework.ownership.models import Lock, LockKind, OwnershipTransfer, TransferStatus
from casework.testing.factories import OfficerFactory, area

from .conftest import add_issue

pytestmark = pytest.mark.django_db
OWN = "/api/v1/customers/{}/ownership/{}"
CONSIDER = {"expected_contact_volume": "DPO will generate most calls", "time_to_resolve": "Objection weeks, DPO months"}
OPEN = ("open", "in_progress")


def api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def web(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


def actions(customer) -> list[str]:
    return list(AuditEvent.objects.filter(customer_id=customer.pk).order_by("id").values_list("action", flat=True))


def to_decide(officer) -> list[int]:
    r = api(officer).get("/api/v1/approvals/?queue=to_decide")
    assert r.status_code == 200
    return [row["id"] for row in r.json()]


def notes(officer, kind: str | None = None) -> list[dict]:
    rows = api(officer).get("/api/v1/notifications/").json()["results"]
    return [n for n in rows if kind is None or n["kind"] == kind]


def holder(customer) -> Lock | None:
    return selectors.active_lock(customer=customer)


@pytest.fixture
def cma(org, payer):
    """The payer locked to a General Objections officer; Team Leaders of General Objections, DPO and Services."""
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    tls = {code: org.team_leader(code) for code in ("GENERAL_OBJECTIONS", "DPO", "SERVICES")}
    org.intake("DPO")
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    return payer, obj, dpo, tls


# ---------------------------------------------------------------- ownership dispute (CMA-1.6)


def _raise_dispute(payer, obj) -> dict:
    r = api(obj).post(OWN.format(payer.csid, "disputes/"), {"to_area": "DPO", **CONSIDER, "reason": "No agreement"},
                      format="json")
    assert r.status_code == 202, r.json()
    return r.json()


def test_i11_dispute_is_a_request_only_a_team_leader_of_an_area_concerned_decides(cma):
    """CMA-1.6 (kind ``ownership_dispute``): raising a dispute is a request (202 with its reference); the lock does
    not move before the decision; the raiser and a Team Leader of another area cannot decide it (403); a Team Leader
    of the proposed area decides it from their queue; the lock moves then; the raiser is notified."""
    payer, obj, _dpo, tls = cma
    body = _raise_dispute(payer, obj)
    a = body["approval"]
    assert body["kind"] == "ownership_dispute" and body["status"] == "pending"
    assert body["transfer"]["status"] == "escalated"
    assert "Departure Prohibition Order" in body["who_decides"] and "General Objections" in body["who_decides"]
    assert holder(payer).officer == obj, "nothing moves before the decision"
    for who in (obj, tls["SERVICES"]):
        r = api(who).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "mine",
                                                               "data": {"decision": "transfer"}}, format="json")
        assert r.status_code == 403 and r.json()["step_ids"] == ["CMA-1.6"], r.json()
    assert to_decide(tls["SERVICES"]) == [] and a in to_decide(tls["DPO"]) and a in to_decide(tls["GENERAL_OBJECTIONS"])
    assert holder(payer).officer == obj
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "DPO has the bigger issue",
                                                                 "data": {"decision": "transfer"}}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved", r.json()
    lock = holder(payer)
    assert lock.area.code == "DPO" and lock.kind == LockKind.DISPUTE_DECISION
    dispute = OwnershipTransfer.objects.get(pk=body["id"])
    assert dispute.status == TransferStatus.DECIDED and dispute.decided_by == tls["DPO"].user
    assert dispute.decision == "transfer" and dispute.decision_reason == "DPO has the bigger issue"
    assert [n["link"] for n in notes(obj, "approval_decided")] == [f"/approvals/{a}/"]
    acts = actions(payer)
    for action in ("ownership.dispute_raise", "approval.request", "ownership.dispute_decide", "approval.approve"):
        assert action in acts
    assert acts.index("approval.request") < acts.index("ownership.dispute_decide") < acts.index("approval.approve")
    ev = AuditEvent.objects.get(action="ownership.dispute_decide")
    assert ev.actor == tls["DPO"].user and ev.step_ids == ["CMA-1.6"] and ev.after["approval"] == a


def test_i11_measured_a_disputes_intray_is_closed_by_the_decision(cma):
    """Measured case "A dispute's intray stays open after the decision": the old ``ownership_dispute`` intray stayed
    open once the Team Leader decided. Now the dispute lands as a *Decision requested* intray in the queue of each
    Team Leader of the two areas (none of type ``ownership_dispute``), and the decision closes every one."""
    payer, obj, _dpo, tls = cma
    a = _raise_dispute(payer, obj)["approval"]
    queue = Intray.objects.filter(customer=payer, type__code="approval_decision", status__in=OPEN)
    assert {i.assignee_officer_id for i in queue} == {tls["GENERAL_OBJECTIONS"].pk, tls["DPO"].pk}
    assert all(i.due_date is not None for i in queue)
    assert not Intray.objects.filter(customer=payer, type__code="ownership_dispute").exists()
    r = api(tls["GENERAL_OBJECTIONS"]).post(
        f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Objection first", "data": {"decision": "keep"}},
        format="json")
    assert r.status_code == 200
    assert not Intray.objects.filter(customer=payer, status__in=OPEN).filter(
        type__code__in=("approval_decision", "ownership_dispute")).exists()
    assert holder(payer).officer == obj


def test_i11_dispute_decision_needs_a_reason_and_a_choice(cma):
    """CMA-1.6: the Team Leader says which area owns (a choice) and why (required); without either, 400 and nothing
    is decided."""
    payer, obj, _dpo, tls = cma
    a = _raise_dispute(payer, obj)["approval"]
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "",
                                                                 "data": {"decision": "transfer"}}, format="json")
    assert r.status_code == 400 and "reason" in r.json(), r.json()
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "why"}, format="json")
    assert r.status_code == 400 and "decision" in r.json()
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "why",
                                                                 "data": {"decision": "mine"}}, format="json")
    assert r.status_code == 400
    assert ApprovalRequest.objects.get(pk=a).status == "pending" and holder(payer).officer == obj
    assert OwnershipTransfer.objects.get(customer=payer).status == TransferStatus.ESCALATED


def test_i11_dispute_not_approved_keeps_the_owner_and_binds(cma, org):
    """CMA-1.6: a Team Leader who does not approve the move (with a reason) decides ``keep``: the customer stays,
    the decision is recorded and binding — the CMA-1.5 rules applied again do not undo it."""
    payer, obj, _dpo, tls = cma
    add_issue(payer, "dpo", minutes=5)  # by the rules, DPO now outranks General Objections
    a = _raise_dispute(payer, obj)["approval"]
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": False, "reason": "Objection nearly done"},
                             format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    dispute = OwnershipTransfer.objects.get(customer=payer)
    assert dispute.status == TransferStatus.DECIDED and dispute.decision == "keep"
    assert selectors.agreed_area(customer=payer) == "GENERAL_OBJECTIONS"
    r = api(obj).post(OWN.format(payer.csid, "apply-rules/"), {"reason": "rules"}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-1.6"]
    assert holder(payer).officer == obj


def test_i11_dispute_withdrawn_by_its_raiser(cma):
    """The raiser withdraws the dispute before a decision: nothing moves, the queue items close, the row says
    withdrawn (audited)."""
    payer, obj, _dpo, tls = cma
    body = _raise_dispute(payer, obj)
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{body['approval']}/withdraw/", {"reason": "x"}, format="json")
    assert r.status_code == 403
    r = api(obj).post(f"/api/v1/approvals/{body['approval']}/withdraw/", {"reason": "Agreed by phone after all"},
                      format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert OwnershipTransfer.objects.get(pk=body["id"]).status == TransferStatus.WITHDRAWN
    assert not Intray.objects.filter(customer=payer, type__code="approval_decision", status__in=OPEN).exists()
    assert "ownership.transfer_withdraw" in actions(payer) and holder(payer).officer == obj


def test_i11_dispute_web_queue_leads_to_the_approval_and_old_decide_url_decides_nothing(cma):
    """Web: the Team Leader's dispute queue links each dispute to /approvals/<id>/; the old decide address only
    redirects there (a POST decides nothing); the decision form on /approvals/<id>/ decides it."""
    payer, obj, _dpo, tls = cma
    r = web(obj).post(f"/customers/{payer.csid}/ownership/dispute/",
                      {"to_area": "DPO", **CONSIDER, "reason": "No agreement"}, follow=True)
    assert "sent for a decision" in r.content.decode()
    a = ApprovalRequest.objects.get(kind="ownership_dispute")
    dispute = OwnershipTransfer.objects.get(customer=payer)
    html = web(tls["DPO"]).get("/team/ownership-disputes/").content.decode()
    assert f"/approvals/{a.pk}/" in html and payer.csid in html
    r = web(tls["DPO"]).post(f"/team/ownership-disputes/{dispute.pk}/decide/", {"decision": "transfer", "reason": "x"})
    assert r.status_code == 302 and r["Location"] == f"/approvals/{a.pk}/"
    dispute.refresh_from_db()
    assert dispute.status == TransferStatus.ESCALATED and holder(payer).officer == obj
    page = web(tls["DPO"]).get(f"/approvals/{a.pk}/").content.decode()
    assert "Which area owns the customer" in page
    r = web(tls["DPO"]).post(f"/approvals/{a.pk}/decide/", {"approve": "yes", "reason": "DPO owns",
                                                            "decision": "transfer", "version": a.version})
    assert r.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == TransferStatus.DECIDED and holder(payer).area.code == "DPO"


def test_i11_dispute_decide_api_is_the_same_decision(cma):
    """Every path goes through ``approval_decide``: the old /api/v1/ownership/disputes/<id>/decide/ endpoint decides
    the dispute's request (same eligibility: 403 for the raiser and another area's Team Leader), closing its queue."""
    payer, obj, _dpo, tls = cma
    body = _raise_dispute(payer, obj)
    url = f"/api/v1/ownership/disputes/{body['id']}/decide/"
    for who in (obj, tls["SERVICES"]):
        assert api(who).post(url, {"decision": "keep", "reason": "x"}, format="json").status_code == 403
    r = api(tls["GENERAL_OBJECTIONS"]).post(url, {"decision": "keep", "reason": "Stay"}, format="json")
    assert r.status_code == 200 and r.json()["decision"] == "keep" and r.json()["approval"] == body["approval"]
    assert ApprovalRequest.objects.get(pk=body["approval"]).status == "approved"
    assert not Intray.objects.filter(customer=payer, type__code="approval_decision", status__in=OPEN).exists()
    assert api(tls["DPO"]).post(url, {"decision": "keep", "reason": "x"}, format="json").status_code == 409


# ---------------------------------------------------------------- transfer by agreement (CMA-1.6)


def _ask_transfer(payer, obj, dpo, **extra) -> dict:
    r = api(obj).post(OWN.format(payer.csid, "transfer/"),
                      {"to_officer": dpo.user.username, **CONSIDER, "reason": "Better outcome", **extra},
                      format="json")
    assert r.status_code == 202, r.json()
    return r.json()


def test_i11_transfer_by_agreement_is_accepted_by_the_receiving_areas_team_leader(cma):
    """CMA-1.6 (kind ``ownership_transfer``): the sending area asks (202); the lock does not move before; the
    requester, the sending area's own Team Leader and another area's Team Leader cannot accept it (403); a Team
    Leader of the receiving area accepts it from their queue; then the lock moves, the agreement is recorded (who
    accepted) and the requester is notified."""
    payer, obj, dpo, tls = cma
    body = _ask_transfer(payer, obj, dpo, agreed_with="DPO TL by phone")
    a = body["approval"]
    assert body["kind"] == "ownership_transfer" and body["transfer"]["status"] == "proposed"
    assert body["who_decides"] == "a Team Leader of Departure Prohibition Order Team"
    assert holder(payer).officer == obj, "nothing moves before the receiving area accepts"
    for who in (obj, tls["GENERAL_OBJECTIONS"], tls["SERVICES"]):
        r = api(who).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "ok"}, format="json")
        assert r.status_code == 403 and r.json()["step_ids"] == ["CMA-1.6"]
    assert to_decide(tls["GENERAL_OBJECTIONS"]) == [] and to_decide(tls["DPO"]) == [a]
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Agreed"}, format="json")
    assert r.status_code == 200
    lock = holder(payer)
    assert lock.officer == dpo and lock.kind == LockKind.TRANSFER
    t = OwnershipTransfer.objects.get(pk=body["id"])
    assert t.status == TransferStatus.AGREED and t.to_lock == lock and t.decided_by == tls["DPO"].user
    assert tls["DPO"].display_name in t.agreed_with
    assert notes(obj, "approval_decided")
    acts = actions(payer)
    assert acts.index("ownership.transfer_request") < acts.index("approval.request") < acts.index(
        "ownership.transfer") < acts.index("approval.approve")
    ev = AuditEvent.objects.get(action="ownership.transfer")
    assert ev.actor == tls["DPO"].user and ev.after["requested_by"] == obj.user_id and ev.step_ids == ["CMA-1.6"]
    assert not Intray.objects.filter(customer=payer, type__code="approval_decision", status__in=OPEN).exists()


def test_i11_measured_a_typed_agreement_no_longer_moves_the_lock(cma):
    """Measured (issue 11, transfer by agreement): the sending officer typed ``agreed_with`` and the lock moved at
    once (201, ``agreed``) with nobody in the receiving area acting. Now the same request is only a request."""
    payer, obj, dpo, _tls = cma
    body = _ask_transfer(payer, obj, dpo, agreed_with="DPO Team Leader")
    assert body["status"] == "pending" and holder(payer).officer == obj
    assert OwnershipTransfer.objects.get(customer=payer).status == TransferStatus.PROPOSED
    assert selectors.agreed_area(customer=payer) is None


def test_i11_transfer_not_accepted_moves_nothing(cma):
    """CMA-1.6: the receiving Team Leader does not accept — a reason is required (400 without); then nothing moves,
    the transfer is ``not_agreed`` (audited) and the requester is told."""
    payer, obj, dpo, tls = cma
    body = _ask_transfer(payer, obj, dpo)
    a = body["approval"]
    assert api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": False}, format="json").status_code == 400
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": False, "reason": "No capacity"},
                             format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert holder(payer).officer == obj
    t = OwnershipTransfer.objects.get(pk=body["id"])
    assert t.status == TransferStatus.NOT_AGREED and t.decision_reason == "No capacity"
    assert "ownership.transfer_decline" in actions(payer) and "ownership.transfer" not in actions(payer)
    assert notes(obj, "approval_decided") and selectors.agreed_area(customer=payer) is None


def test_i11_accepted_transfer_is_binding(cma):
    """CMA-1.6: once the receiving area accepted, the CMA-1.5 rules applied again do not take the customer back."""
    payer, obj, dpo, tls = cma
    add_issue(payer, "objection", minutes=1)
    a = _ask_transfer(payer, obj, dpo)["approval"]
    api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Agreed"}, format="json")
    assert selectors.agreed_area(customer=payer) == "DPO"
    add_issue(payer, "objection", minutes=3)
    r = api(dpo).post(OWN.format(payer.csid, "apply-rules/"), {"reason": "rules"}, format="json")
    assert r.status_code in (200, 409) and holder(payer).officer == dpo


def test_i11_transfer_accept_refused_when_the_lock_changed_meanwhile(cma, org):
    """Another path changed the lock after the request (a take-over): accepting is refused (409) and nothing
    happens — the request stays pending, the new holder keeps the customer."""
    payer, obj, dpo, tls = cma
    a = _ask_transfer(payer, obj, dpo)["approval"]
    other = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    services.lock_take_over(actor=other.user, customer=payer, reason="New information")
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "ok"}, format="json")
    assert r.status_code == 409 and "CMA-1.6" in r.json()["step_ids"]
    assert ApprovalRequest.objects.get(pk=a).status == "pending" and holder(payer).officer == other


def test_i11_one_transfer_or_dispute_waiting_at_a_time(cma):
    """A second transfer or a dispute while one is waiting: 409 (the first is with a Team Leader)."""
    payer, obj, dpo, _tls = cma
    _ask_transfer(payer, obj, dpo)
    r = api(obj).post(OWN.format(payer.csid, "transfer/"), {"to_area": "DPO", **CONSIDER, "reason": "again"},
                      format="json")
    assert r.status_code == 409
    with pytest.raises(Conflict):
        services.ownership_dispute_raise(actor=obj.user, customer=payer, to_area=area("DPO"), reason="x", **CONSIDER)


def test_i11_transfer_web_form_sends_for_approval(cma):
    """Web: the transfer form says "send for approval" and the customer does not move until accepted."""
    payer, obj, _dpo, tls = cma
    page = web(obj).get(f"/customers/{payer.csid}/").content.decode()
    assert "Send transfer for approval" in page and 'name="agreed_with" required' not in page
    r = web(obj).post(f"/customers/{payer.csid}/ownership/transfer/",
                      {"to_area": "DPO", **CONSIDER, "reason": "Better outcome"}, follow=True)
    assert "Transfer sent for approval" in r.content.decode()
    assert holder(payer).officer == obj and to_decide(tls["DPO"]) == [ApprovalRequest.objects.get().pk]


# ---------------------------------------------------------------- lock notifications


def lock_notes(officer) -> list[str]:
    return [n["kind"] for n in notes(officer) if n["kind"] in ("lock_gained", "lock_lost")]


def test_i11_lock_and_take_over_tell_the_holders_not_the_actor(org, payer):
    """A customer locked to someone else tells them (lock_gained); a take-over tells the previous holder
    (lock_lost); the officer who acted is never told about their own act; nothing twice."""
    tl = org.team_leader("SERVICES")
    a, b = org.officer(), org.officer()
    services.customer_lock(actor=tl.user, customer=payer, to_officer=a, reason="Work this")
    assert lock_notes(a) == ["lock_gained"] and lock_notes(tl) == []
    services.lock_take_over(actor=b.user, customer=payer, reason="Better outcome")
    assert sorted(lock_notes(a)) == ["lock_gained", "lock_lost"] and lock_notes(b) == []
    lost = Notification.objects.get(recipient=a.user, kind="lock_lost")
    assert payer.csid in lost.text and lost.link == f"/customers/{payer.csid}/" and "CMA-2.10" in lost.step_ids
    assert lock_notes(tl) == []


def test_i11_lock_to_a_position_tells_its_officers(org, payer):
    """A lock to a position tells the officers in it (lock_gained), not the officer who locked."""
    so = org.officer()
    intake = org.intake("SERVICES")
    in_pos = [OfficerFactory(position=intake, role=Role.SERVICE_OFFICER) for _ in range(2)]
    services.customer_lock(actor=so.user, customer=payer, to_position=intake, reason="For the team")
    assert all(lock_notes(o) == ["lock_gained"] for o in in_pos) and lock_notes(so) == []


def test_i11_transfer_and_reallocation_tell_both_holders(cma, org):
    """Transfer accepted (the Team Leader acted): the receiving officer gains, the sending officer loses, the Team
    Leader is not told. Reallocation in the area: the same, once each."""
    payer, obj, dpo, tls = cma
    a = _ask_transfer(payer, obj, dpo)["approval"]
    assert lock_notes(dpo) == [] and lock_notes(obj) == []
    api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Agreed"}, format="json")
    assert lock_notes(dpo) == ["lock_gained"] and lock_notes(obj) == ["lock_lost"] and lock_notes(tls["DPO"]) == []
    dpo2 = org.officer("DPO", Role.SPECIALIST_OFFICER)
    services.lock_reassign(actor=tls["DPO"].user, customer=payer, to_officer=dpo2, reason="Leave cover")
    assert sorted(lock_notes(dpo)) == ["lock_gained", "lock_lost"] and lock_notes(dpo2) == ["lock_gained"]
    assert lock_notes(tls["DPO"]) == []


def test_i11_dispute_decision_tells_the_holders(cma):
    """A dispute decided ``transfer`` to an officer: they gain it, the previous holder loses it; the deciding Team
    Leader is not told."""
    payer, obj, dpo, tls = cma
    a = _raise_dispute(payer, obj)["approval"]
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{a}/decide/",
                             {"approve": True, "reason": "DPO", "data": {"decision": "transfer",
                                                                         "to_officer": dpo.user.username}},
                             format="json")
    assert r.status_code == 200, r.json()
    assert holder(payer).officer == dpo
    assert lock_notes(dpo) == ["lock_gained"] and lock_notes(obj) == ["lock_lost"] and lock_notes(tls["DPO"]) == []


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_i11_unlock_tells_the_holder_unless_they_unlocked(org, payer, payee):
    """Unlock by a Team Leader tells the holder (lock_lost); the holder unlocking their own customer is not told;
    the automatic unlock (the job acting) tells the holder."""
    tl = org.team_leader("SERVICES")
    a = org.officer()
    services.customer_lock(actor=a.user, customer=payer, reason="x")
    services.customer_unlock(actor=tl.user, customer=payer, reason="Explained", decision_explained=True,
                             contact_attempted=True)
    assert lock_notes(a) == ["lock_lost"] and lock_notes(tl) == []
    services.customer_lock(actor=a.user, customer=payer, reason="again")
    services.customer_unlock(actor=a.user, customer=payer, reason="Explained", decision_explained=True,
                             contact_attempted=True)
    assert lock_notes(a) == ["lock_lost"]
    from casework.letters.models import Letter

    lock = services.customer_lock(actor=a.user, customer=payer, reason="third")
    letters = [Letter.objects.create(customer=c, template_code="decision_letter", title="Decision", html="<p>x</p>",
                                     issued_at=clock.now(), issued_by=a.user)
               for c in (payer, payee)]
    auto = services.auto_unlock_schedule(actor=a.user, customer=payer, letters=letters, reason="Not reached",
                                         after_hours=1, contact_attempted=True)
    with clock.freeze(auto.due_at + dt.timedelta(minutes=1)):
        assert jobs.auto_unlock_due() == 1
    lost = Notification.objects.filter(recipient=a.user, kind="lock_lost").order_by("id")
    assert lost.count() == 2 and lost.last().key == f"lock:{lock.pk}:lost"
    assert "automatically" in lost.last().text


def test_i11_lock_notifications_are_once_per_lock_change(org, payer):
    """The key is the lock row and the event: locking again to the same holder (a no-op) or sending again adds
    nothing."""
    tl = org.team_leader("SERVICES")
    a = org.officer()
    lock = services.customer_lock(actor=tl.user, customer=payer, to_officer=a, reason="x")
    services.customer_lock(actor=tl.user, customer=payer, to_officer=a, reason="x again")
    services._notify_lock_holders(actor=tl.user, lock=lock, gained=True)
    assert Notification.objects.filter(recipient=a.user, key=f"lock:{lock.pk}:gained").count() == 1
    assert lock_notes(a) == ["lock_gained"]


def test_i11_a_dispute_escalated_before_issue_11_becomes_a_request_and_its_intray_closes(cma):
    """Migration 0006: an open dispute from before (an ``ownership_dispute`` intray, no request) becomes a pending
    request a Team Leader of the areas concerned decides from their queue; the decision closes the old intray."""
    import importlib

    from django.apps import apps

    from casework.intrays.services import intray_create

    payer, obj, _dpo, tls = cma
    dispute = OwnershipTransfer.objects.create(
        customer=payer, from_area=area("GENERAL_OBJECTIONS"), to_area=area("DPO"), from_lock=holder(payer),
        status=TransferStatus.ESCALATED, expected_contact_volume="high", time_to_resolve="long", reason="Old",
        raised_at=clock.now(), raised_by=obj.user)
    old = intray_create(actor=obj.user, type_code="ownership_dispute", customer=payer, subject="Ownership dispute",
                        assignee_officer=tls["DPO"], details="Old dispute", reason="Old", step_ids=("CMA-1.6",))
    migration = importlib.import_module("casework.ownership.migrations.0006_i11_open_disputes_become_requests")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # idempotent
    [req] = ApprovalRequest.objects.filter(kind="ownership_dispute", subject_id=str(dispute.pk))
    assert req.status == "pending" and req.requested_by == obj.user and req.eligible.area_codes == (
        "GENERAL_OBJECTIONS", "DPO")
    assert req.pk in to_decide(tls["DPO"]) and to_decide(tls["SERVICES"]) == []
    r = api(tls["DPO"]).post(f"/api/v1/approvals/{req.pk}/decide/",
                             {"approve": True, "reason": "DPO", "data": {"decision": "transfer"}}, format="json")
    assert r.status_code == 200, r.json()
    old.refresh_from_db()
    assert old.status == "done" and holder(payer).area.code == "DPO"


def test_i11_transfer_asked_by_the_receiving_area_is_accepted_by_the_owning_area(cma):
    """CMA-1.6: the agreement is always the *other* area's — when the DPO officer asks to take the customer, a Team
    Leader of General Objections (the owner) accepts, not DPO's."""
    payer, obj, dpo, tls = cma
    r = api(dpo).post(OWN.format(payer.csid, "transfer/"), {"to_officer": dpo.user.username, **CONSIDER,
                                                            "reason": "DPO has the bigger issue"}, format="json")
    assert r.status_code == 202 and r.json()["who_decides"] == "a Team Leader of General Objections"
    a = r.json()["approval"]
    assert to_decide(tls["DPO"]) == [] and to_decide(tls["GENERAL_OBJECTIONS"]) == [a]
    r = api(tls["GENERAL_OBJECTIONS"]).post(f"/api/v1/approvals/{a}/decide/", {"approve": True, "reason": "Agreed"},
                                            format="json")
    assert r.status_code == 200 and holder(payer).officer == dpo


def test_i11_a_referral_that_locks_tells_the_new_holder(org, case):
    """Any path: a follow-up referral that locks this parent to the other parent's officer (CMA-2.10) tells that
    officer (lock_gained), not the referring officer."""
    a, referrer = org.officer(), org.officer()
    services.customer_lock(actor=a.user, customer=case.payee, reason="Payee call")
    services.follow_up_refer(actor=referrer.user, customer=case.payer, subject="Call back", details="About income",
                             associated_customer=case.payee)
    assert holder(case.payer).officer == a
    gained = Notification.objects.filter(recipient=a.user, kind="lock_gained", customer=case.payer)
    assert gained.count() == 1 and lock_notes(referrer) == []

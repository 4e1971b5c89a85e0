"""Service tests: every write is guarded, audited with its step IDs, and refusals name the rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.core import clock
from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.intrays.models import Intray
from casework.org.roles import Role
from casework.ownership import selectors, services
from casework.ownership.jobs import auto_unlock_due
from casework.ownership.models import AutoUnlockStatus, EndKind, Lock, LockKind, TransferStatus
from casework.testing.factories import CaseFactory, area

from .conftest import add_issue

pytestmark = pytest.mark.django_db


def events(customer, action):
    return list(AuditEvent.objects.filter(customer_id=customer.pk, action=action).order_by("id"))


def letter(customer, officer, template_code="decision_letter"):
    from casework.letters.models import Letter

    return Letter.objects.create(customer=customer, template_code=template_code, title="Decision", html="<p>x</p>",
                                 issued_at=clock.now(), issued_by=officer.user)


# ---------------------------------------------------------------- lock (CMA-2.10)


def test_cma_2_10_lock_to_self_is_audited(org, payer):
    so = org.officer("SERVICES")
    lock = services.customer_lock(actor=so.user, customer=payer, reason="Debt follow-up", step_ids=("CMA-2.5",))
    assert (lock.officer, lock.area.code, lock.is_active) == (so, "SERVICES", True)
    [ev] = events(payer, "ownership.lock")
    assert ev.actor == so.user and ev.reason == "Debt follow-up"
    assert "CMA-2.10" in ev.step_ids and "CMA-2.5" in ev.step_ids


def test_cma_2_10_second_locker_gets_conflict_naming_the_holder(org, payer):
    first, second = org.officer("SERVICES"), org.officer("SERVICES")
    services.customer_lock(actor=first.user, customer=payer, reason="mine")
    with pytest.raises(Conflict) as exc:
        services.customer_lock(actor=second.user, customer=payer, reason="mine too")
    assert first.display_name in exc.value.message
    assert exc.value.extra["holder"]["officer"] == first.user.username
    assert "CMA-2.10" in exc.value.step_ids
    assert Lock.objects.filter(customer=payer).count() == 1
    assert len(events(payer, "ownership.lock")) == 1


def test_cma_2_10_locking_again_to_the_same_holder_is_a_no_op(org, payer):
    so = org.officer()
    a = services.customer_lock(actor=so.user, customer=payer, reason="x")
    b = services.customer_lock(actor=so.user, customer=payer, reason="again")
    assert a.pk == b.pk and Lock.objects.filter(customer=payer).count() == 1


def test_cma_2_10_only_a_team_leader_locks_to_another_officer(org, payer):
    so, other, tl = org.officer(), org.officer(), org.team_leader()
    with pytest.raises(NotPermitted) as exc:
        services.customer_lock(actor=so.user, customer=payer, to_officer=other, reason="for you")
    assert "Team Leader" in exc.value.message
    lock = services.customer_lock(actor=tl.user, customer=payer, to_officer=other, reason="allocated")
    assert lock.officer == other and lock.started_by == tl.user


def test_cma_2_10_lock_to_a_position(org, payer):
    so = org.officer()
    pos = org.intake("DPO")
    lock = services.customer_lock(actor=so.user, customer=payer, to_position=pos, reason="DPO intake")
    assert lock.officer is None and lock.position == pos and lock.area.code == "DPO"


def test_lock_refused_for_auditor_and_requires_reason(org, payer):
    auditor = org.officer("SERVICES", role=Role.AUDITOR)
    with pytest.raises(NotPermitted):
        services.customer_lock(actor=auditor.user, customer=payer, reason="x")
    with pytest.raises(InvalidInput) as exc:
        services.customer_lock(actor=org.officer().user, customer=payer, reason=" ")
    assert "reason" in exc.value.fields


def test_cma_1_5_higher_priority_area_takes_the_lock_and_notifies(org, payer):
    """Objection first, then DPO on a payer: DPO ranks above the area of the first specialised issue."""
    obj, dpo = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER), org.officer("DPO", Role.SPECIALIST_OFFICER)
    add_issue(payer, "objection", minutes=1)
    first = services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    dpo_issue = add_issue(payer, "dpo", minutes=2)
    lock = services.customer_lock(actor=dpo.user, customer=payer, reason="DPO considered", issue=dpo_issue)
    first.refresh_from_db()
    assert lock.kind == LockKind.PRIORITY and lock.area.code == "DPO"
    assert (first.is_active, first.end_kind) == (False, EndKind.REPLACED)
    intray = Intray.objects.get(customer=payer, type__code="lock_taken_over")
    assert intray.assignee_officer == obj
    view = selectors.ownership_get(customer=payer)
    assert view.area.code == "DPO" and "CMA-1.5" in view.decision.step_ids
    assert view.decision.facts["area"] == "DPO"


def test_cma_1_5_lower_priority_area_cannot_take_the_lock(org, payer):
    obj, coa = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER), org.officer(
        "CHANGE_OF_ASSESSMENT", Role.SPECIALIST_OFFICER)
    add_issue(payer, "objection", minutes=1)
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    add_issue(payer, "change_of_assessment", minutes=2)
    with pytest.raises(Conflict):
        services.customer_lock(actor=coa.user, customer=payer, reason="CoA")


def test_cma_1_5_apply_rules_moves_the_lock_to_the_owning_area(org, payer):
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    intake = org.intake("DPO")
    add_issue(payer, "objection", minutes=1)
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    add_issue(payer, "dpo", minutes=2)
    lock = services.customer_lock_apply_rules(actor=obj.user, customer=payer, reason="DPO now considered")
    assert lock.area.code == "DPO" and lock.position == intake and lock.officer is None
    assert "CMA-1.5" in lock.step_ids


# ---------------------------------------------------------------- take over (CMA-2.10)


def test_cma_2_10_take_over_notifies_previous_holder(org, payer):
    a, b = org.officer(), org.officer()
    services.customer_lock(actor=a.user, customer=payer, reason="a")
    lock = services.lock_take_over(actor=b.user, customer=payer, reason="Customer on the line, better outcome")
    assert lock.officer == b and lock.kind == LockKind.TAKE_OVER
    intray = Intray.objects.get(customer=payer, type__code="lock_taken_over")
    assert intray.assignee_officer == a
    [ev] = events(payer, "ownership.take_over")
    assert ev.before["officer"] == a.user.username and ev.after["officer"] == b.user.username
    assert [lk.officer for lk in selectors.lock_history(customer=payer)] == [b, a]


def test_cma_2_10_take_over_of_a_specialist_lock_from_outside_is_refused(org, payer):
    obj, so = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER), org.officer()
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    with pytest.raises(TransitionRefused) as exc:
        services.lock_take_over(actor=so.user, customer=payer, reason="mine")
    assert "CMA-1.6" in exc.value.step_ids


def test_cma_2_10_take_over_needs_a_lock(org, payer):
    with pytest.raises(TransitionRefused):
        services.lock_take_over(actor=org.officer().user, customer=payer, reason="x")


# ---------------------------------------------------------------- follow-up referral (CMA-2.10)


def test_cma_2_10_refer_follow_up_to_the_locked_officer(org, payer):
    holder, me = org.officer(), org.officer()
    services.customer_lock(actor=holder.user, customer=payer, reason="x")
    intray = services.follow_up_refer(actor=me.user, customer=payer, subject="Call back re income",
                                      details="New employer given; confirm income")
    assert intray.type.code == "client_contact_required" and intray.assignee_officer == holder
    assert intray.due_date is not None
    assert payer.notes.filter(subject__startswith="Follow-up referred").exists()
    [ev] = events(payer, "ownership.follow_up_refer")
    assert "CMA-2.10" in ev.step_ids


def test_cma_2_10_refer_when_not_locked_is_refused(org, payer):
    with pytest.raises(TransitionRefused):
        services.follow_up_refer(actor=org.officer().user, customer=payer, subject="s", details="d")


def test_cma_2_10_associated_customer_locked_to_officer_locks_this_one_to_them(org, payer, payee):
    ics = org.officer("ICS", Role.SPECIALIST_OFFICER)
    me = org.officer()
    services.customer_lock(actor=ics.user, customer=payer, reason="ICS")
    intray = services.follow_up_refer(actor=me.user, customer=payee, associated_customer=payer,
                                      subject="Collection info", details="Payer's new employer")
    lock = selectors.active_lock(customer=payee)
    assert lock.officer == ics and lock.kind == LockKind.REFERRAL
    assert intray.assignee_officer == ics


def test_cma_2_10_associated_not_locked_goes_to_owning_area_position(org, payer, payee):
    me = org.officer()
    intake = org.intake("COLLECTION")
    intray = services.follow_up_refer(actor=me.user, customer=payee, associated_customer=payer,
                                      to_area=area("COLLECTION"), subject="Collection", details="Follow up")
    assert intray.assignee_position == intake
    lock = selectors.active_lock(customer=payee)
    assert lock.position == intake and lock.officer is None


def test_cma_2_10_associated_not_locked_needs_an_area(org, payer, payee):
    with pytest.raises(InvalidInput) as exc:
        services.follow_up_refer(actor=org.officer().user, customer=payee, associated_customer=payer,
                                 subject="s", details="d")
    assert "to_area" in exc.value.fields


# ---------------------------------------------------------------- unlock (CMA-3.3, CMA-3.4)


def test_cma_3_4_unlock_when_explained(org, payer):
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    assert services.customer_unlock(actor=so.user, customer=payer, reason="Explained", decision_explained=True,
                                    contact_attempted=True) is None
    assert selectors.active_lock(customer=payer) is None
    [ev] = events(payer, "ownership.unlock")
    assert "CMA-3.4" in ev.step_ids
    assert selectors.route_call(csid=payer.csid).area_code == "SERVICES"


def test_cma_3_4_unlock_not_explained_is_refused(org, payer):
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    with pytest.raises(TransitionRefused) as exc:
        services.customer_unlock(actor=so.user, customer=payer, reason="r", decision_explained=False,
                                 contact_attempted=True)
    assert exc.value.step_ids == ("CMA-3.4",)


def test_cma_3_3_other_specialised_issue_relocks_to_its_officer(org, payer):
    obj, dpo = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER), org.officer("DPO", Role.SPECIALIST_OFFICER)
    add_issue(payer, "objection", minutes=1)
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    dpo_issue = add_issue(payer, "dpo", minutes=2)
    services.customer_lock(actor=dpo.user, customer=payer, reason="DPO", issue=dpo_issue)
    dpo_issue.finalise()
    dpo_issue.save()
    relock = services.customer_unlock(actor=dpo.user, customer=payer, reason="DPO finalised", decision_explained=True,
                                    contact_attempted=True)
    assert relock.officer == obj and relock.kind == LockKind.RELOCK
    assert "CMA-3.3" in relock.step_ids


def test_cma_3_3_relock_goes_to_area_position_when_no_officer_managed_it(org, payer):
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    intake = org.intake("FOI")
    add_issue(payer, "foi", minutes=1)
    services.customer_lock(actor=dpo.user, customer=payer, reason="DPO")
    relock = services.customer_unlock(actor=dpo.user, customer=payer, reason="done", decision_explained=True,
                                    contact_attempted=True)
    assert relock.position == intake and relock.officer is None


def test_cma_3_1_own_outstanding_issue_blocks_unlock(org, payer):
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    add_issue(payer, "dpo")
    services.customer_lock(actor=dpo.user, customer=payer, reason="DPO")
    with pytest.raises(TransitionRefused) as exc:
        services.customer_unlock(actor=dpo.user, customer=payer, reason="done", decision_explained=True,
                                    contact_attempted=True)
    assert "CMA-3.1" in exc.value.step_ids


def test_cma_3_4_unlock_by_an_unrelated_officer_is_not_permitted(org, payer):
    dpo, so = org.officer("DPO", Role.SPECIALIST_OFFICER), org.officer()
    services.customer_lock(actor=dpo.user, customer=payer, reason="DPO")
    with pytest.raises(NotPermitted):
        services.customer_unlock(actor=so.user, customer=payer, reason="x", decision_explained=True,
                                    contact_attempted=True)


# ---------------------------------------------------------------- automatic unlock (CMA-3.4)


def test_cma_3_4_auto_unlock_needs_a_letter_for_every_impacted_customer(org, payer, payee):
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    only_payer = letter(payer, so)
    with pytest.raises(TransitionRefused) as exc:
        services.auto_unlock_schedule(actor=so.user, customer=payer, letters=[only_payer], reason="No answer",
                                      contact_attempted=True)
    assert exc.value.extra["missing_customer_ids"] == [payee.pk]
    with pytest.raises(InvalidInput):
        services.auto_unlock_schedule(actor=so.user, customer=payer, letters=[letter(payee, so, "mx1_1_request_contact")],
                                      reason="x", contact_attempted=True)


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_cma_3_4_auto_unlock_is_correct_when_read_and_materialised_by_the_job(org, payer, payee):
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    auto = services.auto_unlock_schedule(actor=so.user, customer=payer, letters=[letter(payer, so), letter(payee, so)],
                                         reason="Not reached after three attempts", after_hours=48,
                                         contact_attempted=True)
    assert selectors.ownership_get(customer=payer).is_locked
    later = auto.due_at + dt.timedelta(minutes=1)
    with clock.freeze(later):
        view = selectors.ownership_get(customer=payer)
        assert not view.is_locked and view.decision.outcome == "auto_unlocked"
        assert "CMA-3.4" in view.decision.step_ids
        assert auto_unlock_due() == 1
    auto.refresh_from_db()
    assert auto.status == AutoUnlockStatus.DONE
    lock = Lock.objects.get(customer=payer)
    assert (lock.is_active, lock.end_kind, lock.ended_by, lock.ended_by_label) == (
        False, EndKind.AUTO_UNLOCKED, None, "job:auto_unlock")
    [ev] = events(payer, "ownership.auto_unlock")
    assert ev.actor is None and ev.actor_label == "job:auto_unlock"
    with clock.freeze(later):
        assert auto_unlock_due() == 0


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_cma_3_4_auto_unlock_cancelled_when_the_lock_changes(org, payer, payee):
    a, b = org.officer(), org.officer()
    services.customer_lock(actor=a.user, customer=payer, reason="x")
    auto = services.auto_unlock_schedule(actor=a.user, customer=payer, letters=[letter(payer, a), letter(payee, a)],
                                         reason="r", after_hours=1, contact_attempted=True)
    services.lock_take_over(actor=b.user, customer=payer, reason="New info")
    auto.refresh_from_db()
    assert auto.status == AutoUnlockStatus.CANCELLED
    with clock.freeze(auto.due_at + dt.timedelta(hours=1)):
        assert selectors.ownership_get(customer=payer).officer == b


# ---------------------------------------------------------------- transfer and dispute (CMA-1.6)


def _decide(actor, approval, approve=True, reason="ok", **data):
    from casework.approvals.services import approval_decide

    return approval_decide(actor=actor.user, approval=approval, approve=approve, reason=reason, data=data)


def test_cma_1_6_transfer_by_agreement_records_considerations(org, payer):
    """CMA-1.6 (issue 11): the transfer is asked for, and moves only when the receiving area's Team Leader accepts;
    the considerations and who agreed are recorded."""
    obj, dpo = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER), org.officer("DPO", Role.SPECIALIST_OFFICER)
    dpo_tl = org.team_leader("DPO")
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    req = services.ownership_transfer(actor=obj.user, customer=payer, to_officer=dpo,
                                      expected_contact_volume="DPO will generate most calls",
                                      time_to_resolve="Objection 2 weeks, DPO months", agreed_with="DPO TL by phone",
                                      reason="Better outcome")
    assert req.kind == "ownership_transfer" and selectors.active_lock(customer=payer).officer == obj
    [asked] = events(payer, "ownership.transfer_request")
    assert asked.after["spoke_with"] == "DPO TL by phone" and asked.step_ids == ["CMA-1.6"]
    _decide(dpo_tl, req, reason="Agreed")
    t = payer.ownership_transfers.get()
    assert t.status == TransferStatus.AGREED and t.to_lock.officer == dpo and dpo_tl.display_name in t.agreed_with
    assert selectors.active_lock(customer=payer).kind == LockKind.TRANSFER
    [ev] = events(payer, "ownership.transfer")
    assert ev.after["expected_contact_volume"] and ev.step_ids == ["CMA-1.6"] and ev.actor == dpo_tl.user


def test_cma_1_6_transfer_requires_considerations(org, payer):
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    with pytest.raises(InvalidInput) as exc:
        services.ownership_transfer(actor=obj.user, customer=payer, to_area=area("DPO"), expected_contact_volume="",
                                    time_to_resolve="", agreed_with="x", reason="r")
    assert {"expected_contact_volume", "time_to_resolve"} <= set(exc.value.fields)


def test_cma_1_6_dispute_escalates_to_team_leader_who_decides(org, payer):
    """CMA-1.6 (issue 11): the dispute is a request in the queue of the Team Leaders of the areas concerned (a
    *Decision requested* intray); the raiser cannot decide; the Team Leader's decision moves the lock once."""
    tl = org.team_leader("GENERAL_OBJECTIONS")
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER, team=tl.team)
    intake = org.intake("DPO")
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    req = services.ownership_dispute_raise(actor=obj.user, customer=payer, to_area=area("DPO"),
                                           expected_contact_volume="high", time_to_resolve="long",
                                           reason="No agreement with DPO")
    dispute = payer.ownership_transfers.get()
    assert dispute.status == TransferStatus.ESCALATED and req.subject_id == str(dispute.pk)
    assert Intray.objects.get(customer=payer, type__code="approval_decision").assignee_officer == tl
    assert dispute in selectors.disputes_open()
    with pytest.raises(NotPermitted):
        services.ownership_dispute_decide(actor=obj.user, dispute=dispute, decision="transfer", reason="x")
    decided = services.ownership_dispute_decide(actor=tl.user, dispute=dispute, decision="transfer",
                                                reason="DPO owns")
    assert decided.status == TransferStatus.DECIDED and decided.to_lock.position == intake
    assert selectors.active_lock(customer=payer).kind == LockKind.DISPUTE_DECISION
    with pytest.raises(TransitionRefused):
        services.ownership_dispute_decide(actor=tl.user, dispute=dispute, decision="keep", reason="again")


# ---------------------------------------------------------------- error identified (CMA-1.3)


def test_cma_1_3_not_locked_identifier_locks_and_never_back_to_previous(org, payer):
    prev, me, tl = org.officer(), org.officer(), org.team_leader()
    report = services.error_identified(actor=me.user, customer=payer, description="Wrong income keyed",
                                       resolvable_in_real_time=False, previous_officer=prev,
                                       feedback="Please check the income source")
    assert report.outcome == "locked" and report.lock.officer == me and report.feedback
    with pytest.raises(TransitionRefused) as exc:
        services.lock_take_over(actor=prev.user, customer=payer, reason="mine again")
    assert "CMA-1.3" in exc.value.step_ids


def test_cma_1_3_locked_to_another_officer_refers_the_follow_up(org, payer):
    holder, me = org.officer(), org.officer()
    services.customer_lock(actor=holder.user, customer=payer, reason="x")
    report = services.error_identified(actor=me.user, customer=payer, description="Care % wrong",
                                       resolvable_in_real_time=False)
    assert report.outcome == "referred"
    assert Intray.objects.get(customer=payer, type__code="client_contact_required").assignee_officer == holder


def test_cma_1_3_resolved_in_real_time_changes_no_lock(org, payer):
    me = org.officer()
    report = services.error_identified(actor=me.user, customer=payer, description="Typo", resolvable_in_real_time=True)
    assert report.outcome == "resolved" and selectors.active_lock(customer=payer) is None


def test_cma_1_3_previous_officer_not_relocked_by_team_leader(org, payer):
    prev, me, tl = org.officer(), org.officer(), org.team_leader()
    services.error_identified(actor=me.user, customer=payer, description="x", resolvable_in_real_time=False,
                              previous_officer=prev)
    services.customer_unlock(actor=me.user, customer=payer, reason="corrected", decision_explained=True,
                                    contact_attempted=True)
    # the error is closed with the lock that managed it: the previous officer may hold the customer again later
    assert services.customer_lock(actor=tl.user, customer=payer, to_officer=prev, reason="later").officer == prev


# ---------------------------------------------------------------- PS (PS-SPE-1/2)


def test_ps_spe_1_specialist_action_needs_consultation(org, payer):
    cm = org.officer("PS", Role.PS_CASE_MANAGER)
    spec = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    services.customer_lock(actor=cm.user, customer=payer, reason="PS referral")
    assert selectors.ownership_get(customer=payer).is_ps
    with pytest.raises(TransitionRefused) as exc:
        services.specialist_action_guard(actor=spec.user, customer=payer)
    assert exc.value.step_ids == ("PS-SPE-1",)
    services.specialist_consultation_record(actor=spec.user, customer=payer, ps_case_manager=cm,
                                            summary="Objection decision due", communication_approach="CM calls first",
                                            who_communicates="PS Case Manager", face_to_face=True)
    services.specialist_action_guard(actor=spec.user, customer=payer)
    assert services.specialist_action_allowed(actor=cm.user, customer=payer)
    [ev] = events(payer, "ownership.consultation_record")
    assert ev.step_ids == ["PS-SPE-1", "PS-SPE-2"]


def test_ps_spe_2_consultation_needs_a_ps_case_manager(org, payer):
    spec = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    with pytest.raises(InvalidInput) as exc:
        services.specialist_consultation_record(actor=spec.user, customer=payer, ps_case_manager=spec, summary="s",
                                                communication_approach="c", who_communicates="w")
    assert "ps_case_manager" in exc.value.fields


# ---------------------------------------------------------------- routing (CMA-1.1)


def test_route_call_is_one_query_and_follows_the_lock(org, payer):
    so = org.officer("ICS", Role.SPECIALIST_OFFICER)
    selectors.route_call(csid=payer.csid)  # warm the front-line name cache
    with CaptureQueriesContext(connection) as q:
        route = selectors.route_call(csid=payer.csid)
    assert len(q.captured_queries) == 1
    assert (route.area_code, route.is_owned) == ("SERVICES", False)
    services.customer_lock(actor=so.user, customer=payer, reason="ICS")
    with CaptureQueriesContext(connection) as q:
        route = selectors.route_call(csid=payer.csid)
    assert len(q.captured_queries) == 1
    assert (route.area_code, route.officer_username, route.position_code) == ("ICS", so.user.username,
                                                                               so.position.code)


def test_ownership_history_keeps_every_previous_owner(org):
    case = CaseFactory()
    a, b, c = org.officer(), org.officer(), org.officer()
    services.customer_lock(actor=a.user, customer=case.payer, reason="1")
    services.lock_take_over(actor=b.user, customer=case.payer, reason="2")
    services.lock_take_over(actor=c.user, customer=case.payer, reason="3")
    history = selectors.lock_history(customer=case.payer)
    assert [lk.officer for lk in history] == [c, b, a]
    assert [lk.is_active for lk in history] == [True, False, False]


# ---------------------------------------------------------------- both parents (CMA-2.10) and reallocation


def test_cma_2_10_both_parents_neither_locked_officer_locks_both(org, payer, payee):
    me = org.officer()
    decision, locks = services.parents_lock(actor=me.user, customer=payer, associated_customer=payee, reason="Care")
    assert decision.outcome == "lock_both" and [lk.officer for lk in locks] == [me, me]


def test_cma_2_10_both_parents_one_in_specialist_area_it_manages(org, payer, payee):
    ics, me = org.officer("ICS", Role.SPECIALIST_OFFICER), org.officer()
    services.customer_lock(actor=ics.user, customer=payer, reason="ICS")
    decision, locks = services.parents_lock(actor=me.user, customer=payee, associated_customer=payer, reason="Care")
    assert decision.outcome == "specialist_area" and [lk.officer for lk in locks] == [ics, ics]


def test_cma_2_10_cma_1_4_both_parents_two_specialist_areas_collaborative(org, payer, payee):
    ics, obj = org.officer("ICS", Role.SPECIALIST_OFFICER), org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    services.customer_lock(actor=ics.user, customer=payer, reason="ICS")
    services.customer_lock(actor=obj.user, customer=payee, reason="Objection")
    decision, locks = services.parents_lock(actor=org.officer().user, customer=payer, associated_customer=payee,
                                            reason="Care")
    assert decision.outcome == "collaborative" and "CMA-1.4" in decision.step_ids
    assert [lk.officer for lk in locks] == [ics, obj]


def test_lock_reassign_within_the_area_only(org, payer):
    cm1, cm2 = org.officer("PS", Role.PS_CASE_MANAGER), org.officer("PS", Role.PS_CASE_MANAGER)
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    services.customer_lock(actor=cm1.user, customer=payer, reason="PS")
    lock = services.lock_reassign(actor=cm1.user, customer=payer, to_officer=cm2, reason="Workload")
    assert lock.officer == cm2 and Intray.objects.get(customer=payer, type__code="lock_taken_over").assignee_officer == cm1
    with pytest.raises(TransitionRefused):
        services.lock_reassign(actor=cm2.user, customer=payer, to_officer=dpo, reason="x")
    with pytest.raises(NotPermitted):
        services.lock_reassign(actor=dpo.user, customer=payer, to_officer=cm1, reason="x")


def test_lock_reassign_planned_hand_over_writes_no_notification_ps_fin_2(org, payer):
    """PS-FIN-2: the Case Manager's own hand-over to the Team Leader is audited but raises no notification intray."""
    cm, tl = org.officer("PS", Role.PS_CASE_MANAGER), org.officer("PS", Role.PS_TEAM_LEADER)
    services.customer_lock(actor=cm.user, customer=payer, reason="PS")
    lock = services.lock_reassign(actor=cm.user, customer=payer, to_officer=tl, reason="Finalisation request",
                                  step_ids=("PS-FIN-2",), notify=False)
    assert lock.officer == tl
    assert not Intray.objects.filter(customer=payer, type__code="lock_taken_over").exists()
    assert AuditEvent.objects.filter(action="ownership.reassign", customer_id=payer.pk).count() == 1


def test_ps_spe_1_take_over_or_transfer_of_a_ps_customer_needs_consultation(org, payer):
    cm = org.officer("PS", Role.PS_CASE_MANAGER)
    tl = org.team_leader("GENERAL_OBJECTIONS")
    services.customer_lock(actor=cm.user, customer=payer, reason="PS")
    with pytest.raises(TransitionRefused) as exc:
        # CMA-1.6: a Team Leader of another area never takes over the PS lock (consulted or not)
        services.lock_take_over(actor=tl.user, customer=payer, reason="Objection decision")
    assert "CMA-1.6" in exc.value.step_ids
    with pytest.raises(TransitionRefused) as exc:
        services.ownership_transfer(actor=tl.user, customer=payer, to_area=area("GENERAL_OBJECTIONS"),
                                    expected_contact_volume="low", time_to_resolve="short", agreed_with="CM",
                                    reason="r")
    assert exc.value.step_ids == ("PS-SPE-1",)
    services.specialist_consultation_record(actor=tl.user, customer=payer, ps_case_manager=cm, summary="s",
                                            communication_approach="CM first", who_communicates="CM")
    ps_tl = org.officer("PS", Role.PS_TEAM_LEADER)
    req = services.ownership_transfer(actor=tl.user, customer=payer, to_area=area("GENERAL_OBJECTIONS"),
                                      expected_contact_volume="low", time_to_resolve="short", agreed_with="CM",
                                      reason="Agreed with CM")
    # Asked by the receiving area: the other area (PS, the owner) accepts — its PS Team Leader (issue 11).
    assert req.payload["to_area"] == "GENERAL_OBJECTIONS" and req.eligible.area_codes == ("PS",)
    _decide(ps_tl, req, reason="Agreed")
    assert selectors.active_lock(customer=payer).area.code == "GENERAL_OBJECTIONS"


# ---------------------------------------------------------------- CMA-3.4: the letters of THIS decision (issue 10)


def test_cma_3_4_auto_unlock_refuses_decision_letters_from_before_the_lock(org, payer, payee):
    """Bypass found by the matrix (group contacts): decision letters sent before the customer was locked are about an
    earlier decision; they do not let this lock be unlocked automatically. Refused naming who has no letter; nothing
    is scheduled. Letters of this lock (issued after it started) still schedule it."""
    from casework.letters.models import Letter

    so = org.officer()
    with clock.freeze(clock.now() - dt.timedelta(days=30)):
        old = [letter(payer, so), letter(payee, so)]
    services.customer_lock(actor=so.user, customer=payer, reason="New decision")
    with pytest.raises(TransitionRefused) as refused:
        services.auto_unlock_schedule(actor=so.user, customer=payer, letters=old, reason="Not reached",
                                      contact_attempted=True)
    assert refused.value.step_ids == ("CMA-3.4",)
    assert {payer.pk, payee.pk} == set(refused.value.extra["missing_customer_ids"])
    assert not selectors.active_lock(customer=payer).auto_unlocks.exists()
    new = [letter(payer, so), letter(payee, so)]
    auto = services.auto_unlock_schedule(actor=so.user, customer=payer, letters=[old[0], *new], reason="Not reached",
                                         contact_attempted=True)
    assert auto.status == AutoUnlockStatus.SCHEDULED
    assert Letter.objects.filter(pk__in=auto.letter_ids).count() == 3


def test_cma_3_4_the_automatic_unlock_never_waits_less_than_the_configured_period(org, payer, payee, settings):
    """Bypass found with the matrix (group contacts): ``after_hours=0`` unlocked the customer at once (a due automatic
    unlock counts as done when read), with no time for customers to call about the letters. Shorter than the
    configured period -> 400 on ``after_hours``, nothing scheduled; longer is the officer's choice."""
    settings.CASEWORK = {**settings.CASEWORK, "AUTO_UNLOCK_AFTER_HOURS": 24 * 14}
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="New decision")
    letters = [letter(payer, so), letter(payee, so)]
    for hours in (0, 1, 24 * 14 - 1):
        with pytest.raises(InvalidInput) as refused:
            services.auto_unlock_schedule(actor=so.user, customer=payer, letters=letters, reason="Not reached",
                                          contact_attempted=True, after_hours=hours)
        assert "after_hours" in refused.value.fields and refused.value.step_ids == ("CMA-3.4",)
    assert not selectors.active_lock(customer=payer).auto_unlocks.exists()
    assert selectors.ownership_get(customer=payer).lock is not None
    with clock.freeze(clock.now()):
        auto = services.auto_unlock_schedule(actor=so.user, customer=payer, letters=letters, reason="Not reached",
                                             contact_attempted=True, after_hours=24 * 20)
        assert auto.due_at == clock.now() + dt.timedelta(hours=24 * 20)

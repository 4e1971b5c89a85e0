"""The approval mechanism (issue 11): asking, the decider's queue, deciding, withdrawing, notifying, auditing."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.approvals import selectors, services
from casework.approvals.models import ApprovalEvent, ApprovalIntray, ApprovalRequest
from casework.approvals.policy import Eligibility
from casework.core import clock
from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.intrays import services as intray_services
from casework.intrays.models import Intray
from casework.notifications.models import Notification

# Monday 23:00 UTC is Tuesday 10:00 in Melbourne (the decider's office): 2 working days later is Thursday.
TUESDAY_MEL = dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)


def _open_decision_intrays(row):
    return Intray.objects.filter(approval_link__request=row, status__in=["open", "in_progress"])


def test_asking_queues_the_decision_for_the_eligible_officer_with_a_due_date_and_tells_them(world, ask):
    with clock.freeze(TUESDAY_MEL):
        row = ask()
    assert row.status == "pending" and row.eligible_role == "ps_team_leader"
    intrays = list(_open_decision_intrays(row))
    assert [i.assignee_officer_id for i in intrays] == [world.tl.pk]
    assert intrays[0].type.code == "approval_decision" and intrays[0].due_date == dt.date(2026, 11, 26)
    assert row.due_date == dt.date(2026, 11, 26)
    assert list(ApprovalEvent.objects.filter(request=row).values_list("action", flat=True)) == ["requested"]
    note = Notification.objects.get(recipient=world.tl.user)
    assert note.kind == "approval_requested" and note.link == f"/approvals/{row.pk}/"
    assert not Notification.objects.filter(recipient=world.cm.user).exists()
    ev = AuditEvent.objects.get(action="approval.request")
    assert ev.after["deciders"] == [world.tl.pk] and "PS-ORM-1" in ev.step_ids and ev.customer_id == world.customer.pk
    assert selectors.approvals_to_decide(user=world.tl.user) == [row]
    assert selectors.approvals_to_decide(user=world.tl_wa.user) == []
    assert selectors.approvals_to_decide(user=world.cm.user) == []


def test_the_same_thing_cannot_wait_twice(world, ask):
    ask()
    with pytest.raises(Conflict):
        ask()


def test_nobody_eligible_is_refused_naming_who_is_needed(world, ask):
    with pytest.raises(TransitionRefused) as refused:
        ask(by=world.tl)  # the team's only leader asks: nobody else in scope
    assert "the PS Team Leader of PS Melbourne" in refused.value.message
    assert not ApprovalRequest.objects.exists()


def test_asking_needs_a_reason_and_an_officer(world, ask):
    with pytest.raises(InvalidInput) as bad:
        ask(reason="  ")
    assert "reason" in bad.value.fields


def test_requester_worker_and_out_of_scope_officers_cannot_decide_and_nothing_happens(world, ask, effects):
    row = ask(worked_by=[world.cm2.user.pk])
    for who in (world.cm, world.cm2, world.tl_wa, world.so):
        with pytest.raises(NotPermitted) as refused:
            services.approval_decide(actor=who.user, approval=row, approve=True, data={"note": "x"})
        assert "the PS Team Leader of PS Melbourne" in refused.value.message and refused.value.step_ids
    row.refresh_from_db()
    assert row.status == "pending" and effects.approved == [] and _open_decision_intrays(row).count() == 1


def test_the_eligible_decider_approves_and_the_effect_happens_then_with_queue_closed_and_requester_told(
        world, ask, effects):
    row = ask()
    assert effects.approved == []
    row = services.approval_decide(actor=world.tl.user, approval=row, approve=True, reason="Agreed",
                                   data={"note": "on file"}, version=row.version)
    assert row.status == "approved" and row.decided_by == world.tl.user and row.decision_data == {"note": "on file"}
    assert effects.approved == [(row.pk, world.tl.user.pk, {"note": "on file"})]
    assert _open_decision_intrays(row).count() == 0
    closed = Intray.objects.get(approval_link__request=row)
    assert closed.status == "done" and closed.closed_by == world.tl.user
    told = Notification.objects.get(recipient=world.cm.user)
    assert told.kind == "approval_decided" and "approved" in told.text
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "approval.request", "approval.approve", "intray.create", "intray.resolve"}
    assert list(row.events.values_list("action", flat=True)) == ["requested", "approved"]
    with pytest.raises(TransitionRefused):
        services.approval_decide(actor=world.tl.user, approval=row, approve=False, reason="changed my mind")


def test_an_effect_that_refuses_leaves_the_request_pending(world, ask, effects):
    row = ask()
    effects.fail_with = TransitionRefused("The record moved on.", step_ids=("PS-ORM-1",))
    with pytest.raises(TransitionRefused):
        services.approval_decide(actor=world.tl.user, approval=row, approve=True, data={"note": "x"})
    row.refresh_from_db()
    assert row.status == "pending" and _open_decision_intrays(row).count() == 1
    assert not AuditEvent.objects.filter(action="approval.approve").exists()
    assert not Notification.objects.filter(recipient=world.cm.user).exists()


def test_decision_fields_and_a_reason_to_reject_are_required(world, ask, effects):
    row = ask()
    with pytest.raises(InvalidInput) as bad:
        services.approval_decide(actor=world.tl.user, approval=row, approve=True)
    assert "note" in bad.value.fields
    with pytest.raises(InvalidInput) as bad:
        services.approval_decide(actor=world.tl.user, approval=row, approve=False, reason="")
    assert "reason" in bad.value.fields
    row = services.approval_decide(actor=world.tl.user, approval=row, approve=False, reason="Not warranted")
    assert row.status == "rejected" and effects.rejected == [(row.pk, world.tl.user.pk)] and effects.approved == []
    assert "not approved" in Notification.objects.get(recipient=world.cm.user).text


def test_a_stale_decision_is_a_conflict(world, ask):
    row = ask()
    with pytest.raises(Conflict):
        services.approval_decide(actor=world.tl.user, approval=row, approve=True, data={"note": "x"},
                                 version=row.version + 1)


def test_only_the_requester_withdraws_and_the_queue_closes(world, ask, effects):
    row = ask()
    with pytest.raises(NotPermitted):
        services.approval_withdraw(actor=world.tl.user, approval=row, reason="not mine")
    row = services.approval_withdraw(actor=world.cm.user, approval=row, reason="Sorted out by phone")
    assert row.status == "withdrawn" and effects.withdrawn == [(row.pk, world.cm.user.pk)]
    assert _open_decision_intrays(row).count() == 0
    assert AuditEvent.objects.filter(action="approval.withdraw").exists()


def test_a_decision_intray_cannot_be_completed_or_deleted_by_hand(world, ask):
    row = ask()
    intray = _open_decision_intrays(row).get()
    with pytest.raises((NotPermitted, TransitionRefused)) as refused:
        intray_services.intray_complete(actor=world.tl.user, intray=intray, outcome="done")
    assert "decided" in refused.value.message
    with pytest.raises((NotPermitted, TransitionRefused)):
        intray_services.intray_delete(actor=world.tl.user, intray=intray, reason="tidy")
    assert _open_decision_intrays(row).count() == 1


def test_area_scope_queues_every_officer_of_the_areas_but_not_the_requester(world, effects):
    from casework.org.roles import Role
    from casework.testing.factories import OfficerFactory, PositionFactory, area

    a = OfficerFactory(role=Role.TEAM_LEADER, position=PositionFactory(business_area=area("LITIGATION")))
    b = OfficerFactory(role=Role.TEAM_LEADER, position=PositionFactory(business_area=area("GENERAL_OBJECTIONS")))
    c = OfficerFactory(role=Role.TEAM_LEADER, position=PositionFactory(business_area=area("SERVICES")))
    row = services.approval_request_create(
        actor=a.user, kind="test_kind", customer=world.customer, subject=world.customer, summary="Dispute",
        reason="Both areas claim", eligibility=Eligibility(role="team_leader", label="a Team Leader of the two areas",
                                                           area_codes=("LITIGATION", "GENERAL_OBJECTIONS")))
    assert {i.assignee_officer_id for i in _open_decision_intrays(row)} == {b.pk}
    with pytest.raises(NotPermitted):
        services.approval_decide(actor=c.user, approval=row, approve=False, reason="mine")
    services.approval_decide(actor=b.user, approval=row, approve=False, reason="Stays")


def test_picked_officers_come_from_the_fields_options_and_a_reason_can_be_required_to_approve(
        world, ask, effects, monkeypatch):
    from casework.approvals import kinds

    k = kinds.REGISTRY["test_kind"]
    monkeypatch.setitem(kinds.REGISTRY, "test_kind", kinds.Kind(
        code=k.code, step_ids=k.step_ids, who_asks=k.who_asks, who_decides=k.who_decides,
        takes_effect=k.takes_effect, on_approve=k.on_approve, reason_required_to_approve=True,
        decision_fields=(kinds.DecisionField("who", "Officer who takes it", kind="officer", required_on="approve",
                                             options=lambda p: {"position__business_area__code": p["area"]}),)))
    row = services.approval_request_create(
        actor=world.cm.user, kind="test_kind", customer=world.customer, subject=world.customer, summary="s",
        reason="r", eligibility=world.eligibility, payload={"area": "PS"})
    with pytest.raises(InvalidInput) as bad:
        services.approval_decide(actor=world.tl.user, approval=row, approve=True, data={"who": world.cm2.pk})
    assert "reason" in bad.value.fields
    with pytest.raises(InvalidInput) as bad:
        services.approval_decide(actor=world.tl.user, approval=row, approve=True, reason="ok",
                                 data={"who": world.so.user.username})  # a Service Officer: not in the options
    assert "not one of the officers" in bad.value.fields["who"][0]
    row = services.approval_decide(actor=world.tl.user, approval=row, approve=True, reason="ok",
                                   data={"who": world.cm2.user.username})
    assert effects.approved[-1][2]["who"] == world.cm2

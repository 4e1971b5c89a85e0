"""Issue 15: the automatic-unlock chunk reads its locks, their holders and its customers as plain values
(``selectors.LockHolder``, ``core.audit.AuditTarget``), not as model instances with their related rows. What it
records must stay exactly what the one-row path (``services.auto_unlock_run``) records for the same cases: the audit
events (before/after snapshots, target type/id/repr/version, reason, step IDs, customer), the holders' notifications
and the routing rows, for locks held by an officer, by a position with several officers (one of them inactive, one
with an inactive user), by an area's intake position, next to a refusal, with a not-yet-due automatic unlock of an
ended lock cancelled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models.signals import pre_init

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers.models import Customer
from casework.notifications.models import Notification
from casework.org.models import BusinessArea, Officer, Position
from casework.org.roles import Role
from casework.ownership import services
from casework.ownership.models import AutoUnlock, CustomerRoute, Lock
from casework.testing.factories import CaseFactory, IncomeFactory, OfficerFactory, PresentingIssueFactory

from .test_i10_paths import letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_auto_unlock_wait")]

EVENT_FIELDS = ("actor_id", "actor_label", "action", "target_type", "target_id", "target_repr", "target_version",
                "customer_id", "before", "after", "reason", "step_ids")
NOTE_FIELDS = ("recipient_id", "kind", "text", "key", "link", "customer_id", "step_ids")


def _cases(org):
    """Due automatic unlocks on customers locked to: an officer (twice), a position with two active officers, an
    inactive officer and an officer whose user is inactive, an area's intake position (no officer); one refused
    (an outstanding issue in scope); a second one on the first lock, not due, cancelled when that lock ends."""
    tl = org.team_leader("SERVICES")
    so = org.officer("SERVICES")
    shared = org.officer("SERVICES").position
    for k, (officer_active, user_active) in enumerate(((True, True), (True, True), (False, True), (True, False))):
        OfficerFactory(user__username=f"shared_{k}", user__first_name=f"Sam{k}", user__last_name="Shared",
                       user__is_active=user_active, role=Role.SERVICE_OFFICER, position=shared,
                       is_active=officer_active)
    intake = org.intake("SERVICES")
    holders = [dict(), dict(to_officer=so), dict(to_position=shared), dict(to_position=intake), dict()]
    autos, cases = [], []
    for kw in holders:
        case = CaseFactory()
        cases.append(case)
        for c in (case.payer, case.payee):
            IncomeFactory(customer=c)
        services.customer_lock(actor=tl.user, customer=case.payer, reason="Working the objection", **kw)
        autos.append(services.auto_unlock_schedule(
            actor=tl.user, customer=case.payer, letters=[letter(case.payer, tl), letter(case.payee, tl)],
            reason="No answer", contact_attempted=True, after_hours=1))
    PresentingIssueFactory(customer=autos[4].customer)  # refused: an issue in scope again
    # A second automatic unlock on the first lock, not due (the service schedules one per lock; older data or a
    # race can hold two): cancelled, audited, when the lock ends.
    first = autos[0]
    AutoUnlock.objects.create(customer_id=first.customer_id, lock_id=first.lock_id, reason="Later",
                              due_at=first.due_at + dt.timedelta(hours=5), created_at=clock.now(),
                              created_by=tl.user)
    return autos


def _recorded(since_event: int, since_note: int, customers):
    events = sorted(tuple(repr(e[f]) for f in EVENT_FIELDS) for e in map(
        _new_rows_unnamed, AuditEvent.objects.filter(pk__gt=since_event).values(*EVENT_FIELDS)))
    notes = sorted(tuple(repr(n[f]) for f in NOTE_FIELDS) for n in
                   Notification.objects.filter(pk__gt=since_note).values(*NOTE_FIELDS))
    routes = sorted(CustomerRoute.objects.filter(customer_id__in=customers).values_list(
        "customer_id", "lock_id", "auto_unlock_due_at"))
    return events, notes, routes


def _new_rows_unnamed(event: dict) -> dict:
    """A row the run creates (the refusal's follow-up intray) has a new id each run on PostgreSQL (its sequence is
    not rolled back): compared without it."""
    if event["target_type"] == "intray":
        event["target_id"] = "(new)"
    return event


class _Rollback(Exception):
    pass


def test_the_chunk_records_exactly_what_the_one_row_path_records(org):
    """The same cases swept by ``auto_unlocks_run`` (one chunk) and by ``auto_unlock_run`` (one row at a time, the
    path of the web, API and a failing item): the same events, notifications and routing rows."""
    autos = _cases(org)
    t0 = max(a.due_at for a in autos) + dt.timedelta(minutes=1)
    ids = [a.pk for a in autos]
    customers = [a.customer_id for a in autos]
    mark_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    mark_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    runs = {}
    for name in ("chunk", "one_by_one"):
        try:
            with transaction.atomic(), clock.freeze(t0):
                if name == "chunk":
                    out = services.auto_unlocks_run(ids=ids)
                    assert (len(out["unlocked"]), len(out["refused"]), len(out["cancelled"])) == (4, 1, 0), out
                else:
                    for auto in AutoUnlock.objects.filter(pk__in=ids).order_by("due_at", "id"):
                        services.auto_unlock_run(auto=auto)
                runs[name] = _recorded(mark_event, mark_note, customers)
                raise _Rollback
        except _Rollback:
            pass
    chunk, one = runs["chunk"], runs["one_by_one"]
    assert chunk[0] == one[0]  # audit events, field by field
    assert chunk[1] == one[1]  # notifications
    assert chunk[2] == one[2]  # routing rows
    actions = [e[2] for e in chunk[0]]
    assert actions.count(repr("ownership.auto_unlock")) == 4 and repr("ownership.auto_unlock_refused") in actions
    assert repr("ownership.auto_unlock_cancel") in actions
    # Told: the two officers, the position's three active officers with active users (not the inactive officer nor
    # the inactive user), nobody for the intake position.
    lost = [n for n in chunk[1] if n[1] == repr("lock_lost")]
    assert len(lost) == 1 + 1 + 3 + 0, lost


def test_the_chunk_builds_no_customer_area_position_officer_or_user_instance(org):
    """Fails on the chunk that read its due rows with their customers and its locks with their area, position,
    officer and user (``select_related``): about nine model instances per row, read as values now."""
    from django.contrib.auth import get_user_model

    autos = _cases(org)
    t0 = max(a.due_at for a in autos) + dt.timedelta(minutes=1)
    made: dict[str, int] = {}

    def count(sender, **kwargs):
        made[sender.__name__] = made.get(sender.__name__, 0) + 1

    pre_init.connect(count)
    try:
        with clock.freeze(t0):
            out = services.auto_unlocks_run(ids=[a.pk for a in autos[:4]])  # the bulk rows only
    finally:
        pre_init.disconnect(count)
    assert len(out["unlocked"]) == 4
    for model in (Customer, BusinessArea, Position, Officer, get_user_model()):
        assert made.get(model.__name__, 0) == 0, made
    assert made.get(Lock.__name__) == 4 and made.get(AutoUnlock.__name__) == 4 + 1, made  # + the cancelled one


def test_notices_sent_many_skip_an_event_already_sent(org):
    """``notification_send_many`` (the sweep's notices; one ``INSERT … FROM UNNEST`` on PostgreSQL): the same
    event is never sent twice to one officer, the others are sent, with the values given."""
    from casework.notifications.services import notification_send, notification_send_many

    a, b = org.officer("SERVICES"), org.officer("SERVICES")
    customer = CaseFactory().payer
    notification_send(recipients=[a], kind="lock_lost", text="already", key="lock:1:lost", customer=customer)
    now = clock.now()
    with transaction.atomic():
        notification_send_many(rows=[(a.user_id, "lock_lost", "again", "/x/", customer.pk, "lock:1:lost", ["CMA-3.4"],
                                      now),
                                     (b.user_id, "lock_lost", "new", "/x/", customer.pk, "lock:1:lost", ["CMA-3.4"],
                                      now)])
    got = sorted(Notification.objects.filter(key="lock:1:lost").values_list("recipient_id", "text", "step_ids",
                                                                             "link", "customer_id"))
    assert got == sorted([(a.user_id, "already", [], "", customer.pk),
                          (b.user_id, "new", ["CMA-3.4"], "/x/", customer.pk)])
    assert Notification.objects.get(recipient_id=b.user_id, key="lock:1:lost").created_at == now

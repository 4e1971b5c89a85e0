"""Issue 10 (protected transitions) in ownership: automatic unlocks and disputes change only through transitions."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.core import clock
from casework.core.errors import TransitionRefused
from casework.core.models import AuditEvent
from casework.ownership import services
from casework.ownership.jobs import auto_unlock_due
from casework.ownership.models import AutoUnlock, AutoUnlockStatus


def _events(customer, action):
    return list(AuditEvent.objects.filter(customer_id=customer.pk, action=action).order_by("id"))


def _letter(customer, officer):
    from casework.letters.models import Letter

    return Letter.objects.create(customer=customer, template_code="decision_letter", title="Decision", html="<p>x</p>",
                                 issued_at=clock.now(), issued_by=officer.user)


def _schedule(org, payer, payee):
    a = org.officer()
    services.customer_lock(actor=a.user, customer=payer, reason="x")
    auto = services.auto_unlock_schedule(actor=a.user, customer=payer, letters=[_letter(payer, a), _letter(payee, a)],
                                         reason="Not reached", after_hours=1, contact_attempted=True)
    return a, auto


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_cma_3_4_lock_change_cancels_the_auto_unlock_through_an_audited_transition(org, payer, payee):
    """CMA-3.4: a take-over ends the lock; the scheduled automatic unlock is cancelled by its transition, one audit
    event per row naming the actor and CMA-3.4 (before issue 10 a queryset .update() cancelled it unaudited)."""
    _a, auto = _schedule(org, payer, payee)
    b = org.officer()
    services.lock_take_over(actor=b.user, customer=payer, reason="New info")
    auto.refresh_from_db()
    assert auto.status == AutoUnlockStatus.CANCELLED and auto.completed_at is not None
    [ev] = _events(payer, "ownership.auto_unlock_cancel")
    assert ev.actor == b.user and ev.step_ids == ["CMA-3.4"]
    assert (ev.before, ev.after) == ({"status": "scheduled"}, {"status": "cancelled"})


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_cma_3_4_job_carries_out_without_cancelling_itself(org, payer, payee):
    """CMA-3.4: the job's unlock ends the lock, but its own row is carried out (done), not also cancelled."""
    _a, auto = _schedule(org, payer, payee)
    with clock.freeze(auto.due_at + dt.timedelta(minutes=1)):
        assert auto_unlock_due() == 1
    auto.refresh_from_db()
    assert auto.status == AutoUnlockStatus.DONE
    assert _events(payer, "ownership.auto_unlock_cancel") == []


def test_cma_3_4_a_done_auto_unlock_cannot_be_cancelled():
    """CMA-3.4: cancel is only possible while scheduled; refused in the officer's words with the step ID."""
    with pytest.raises(TransitionRefused) as refused:
        AutoUnlock(status=AutoUnlockStatus.DONE).cancel()
    assert refused.value.step_ids == ("CMA-3.4",) and "only possible while scheduled" in refused.value.message


# ---------------------------------------------------------------- Lock.is_active: active -> ended only by `end`


def test_a_lock_cannot_be_ended_by_assigning_is_active(org, payer):
    """Issue 10: the lock's active/ended state is protected: assigning it raises and nothing changes."""
    from casework.ownership.models import Lock

    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="Working it")
    lock = Lock.objects.get(customer=payer)
    with pytest.raises(AttributeError, match="modification is not allowed"):
        lock.is_active = False
    assert lock.is_active is True
    lock.refresh_from_db()  # a protected row still reloads (ProtectedStateModel)
    assert Lock.objects.get(pk=lock.pk).is_active is True


def test_every_lock_end_goes_through_the_end_transition(org, payer):
    """The unlock (CMA-3.4) and a take-over (CMA-2.10) end the lock through ``Lock.end``; an ended lock cannot be
    ended again (409 in the officer's words, with step IDs)."""
    from casework.org.roles import Role
    from casework.ownership.models import EndKind, Lock

    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    services.lock_take_over(actor=org.officer().user, customer=payer, reason="Urgent call")
    first, second = Lock.objects.filter(customer=payer).order_by("id")
    assert (first.is_active, first.end_kind, first.ended_at is not None) == (False, EndKind.REPLACED, True)
    assert second.is_active is True
    with pytest.raises(TransitionRefused) as refused:
        first.end()
    assert "You cannot end this lock: it is ended" in refused.value.message
    assert refused.value.step_ids == ("CMA-2.10", "CMA-3.4")
    holder = second.officer
    assert holder.role == Role.SERVICE_OFFICER
    services.customer_unlock(actor=holder.user, customer=payer, reason="Explained", decision_explained=True,
                             contact_attempted=True)
    second.refresh_from_db()
    assert (second.is_active, second.end_kind) == (False, EndKind.UNLOCKED)
    assert not Lock.objects.filter(customer=payer, is_active=True).exists()

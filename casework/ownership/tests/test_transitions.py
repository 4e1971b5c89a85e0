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
                                 pdf=b"%PDF", sha256="0" * 64, issued_at=clock.now(), issued_by=officer.user)


def _schedule(org, payer, payee):
    a = org.officer()
    services.customer_lock(actor=a.user, customer=payer, reason="x")
    auto = services.auto_unlock_schedule(actor=a.user, customer=payer, letters=[_letter(payer, a), _letter(payee, a)],
                                         reason="Not reached", after_hours=1, contact_attempted=True)
    return a, auto


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

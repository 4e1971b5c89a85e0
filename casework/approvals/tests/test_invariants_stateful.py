"""Property test (hypothesis, stateful) of the approval mechanism: random officers ask, decide (approve or reject),
withdraw and read notifications in random order. After every step, from the database:

1. no request was decided by its requester or by anyone who worked the item, and only by someone in scope;
2. the effect happened exactly once for each approved request and never for any other;
3. a request's queue items are open exactly while it is pending;
4. the requester of each decided request has exactly one "decided" notification; nobody is notified twice of one
   event.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from casework.approvals import policy, services
from casework.approvals.models import ApprovalRequest
from casework.approvals.selectors import decider_facts
from casework.core.errors import DomainError
from casework.intrays.models import Intray
from casework.notifications.models import Notification
from casework.testing.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_approval_invariants_hold_under_random_sequences(world, effects):
    officers = [world.tl, world.tl_wa, world.cm, world.cm2, world.so]
    customers = [CustomerFactory() for _ in range(3)]

    class Machine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.sid = transaction.savepoint()
            effects.approved.clear()

        def teardown(self):
            transaction.savepoint_rollback(self.sid)

        @rule(who=st.sampled_from(officers), c=st.sampled_from(customers), worker=st.sampled_from([None, *officers]))
        def ask(self, who, c, worker):
            try:
                services.approval_request_create(
                    actor=who.user, kind="test_kind", customer=c, subject=c, summary="s", reason="r",
                    eligibility=world.eligibility, worked_by=[worker.user.pk] if worker else [])
            except DomainError:
                pass

        @rule(who=st.sampled_from(officers), approve=st.booleans(), pick=st.integers(0, 5))
        def decide(self, who, approve, pick):
            rows = list(ApprovalRequest.objects.order_by("pk"))
            if not rows:
                return
            row = rows[pick % len(rows)]
            try:
                services.approval_decide(actor=who.user, approval=row, approve=approve, reason="because",
                                         data={"note": "n"})
            except DomainError:
                pass

        @rule(who=st.sampled_from(officers), pick=st.integers(0, 5))
        def withdraw(self, who, pick):
            rows = list(ApprovalRequest.objects.order_by("pk"))
            if rows:
                try:
                    services.approval_withdraw(actor=who.user, approval=rows[pick % len(rows)], reason="done")
                except DomainError:
                    pass

        @invariant()
        def deciders_were_eligible(self):
            for row in ApprovalRequest.objects.filter(status__in=["approved", "rejected"]):
                assert row.decided_by_id != row.requested_by_id and row.decided_by_id not in row.worked_by
                assert policy.in_scope(row.eligible, decider_facts(row.decided_by))

        @invariant()
        def effect_once_per_approval(self):
            approved = set(ApprovalRequest.objects.filter(status="approved").values_list("pk", flat=True))
            done = [pk for pk, _, _ in effects.approved]
            assert sorted(done) == sorted(approved)

        @invariant()
        def queue_open_only_while_pending(self):
            for row in ApprovalRequest.objects.all():
                open_items = Intray.objects.filter(approval_link__request=row,
                                                   status__in=["open", "in_progress"]).count()
                assert (open_items > 0) == (row.status == "pending")

        @invariant()
        def notified_once(self):
            assert not Notification.objects.values("recipient", "key").annotate(n=Count("id")).filter(n__gt=1)
            for row in ApprovalRequest.objects.filter(status__in=["approved", "rejected"]):
                assert Notification.objects.filter(recipient=row.requested_by, key=f"approval:{row.pk}:decided").count() == 1

    run_state_machine_as_test(Machine, settings=settings(max_examples=12, stateful_step_count=10, deadline=None,
                                                         suppress_health_check=list(HealthCheck), database=None))

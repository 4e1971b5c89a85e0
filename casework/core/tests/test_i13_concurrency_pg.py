"""Real concurrency on PostgreSQL (issue 13): two writes from the same version race, exactly one wins and the other
is a stale-version 409; concurrent audited transactions chain the audit trail without forking it."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from casework.core.audit import audit_record
from casework.core.errors import Conflict
from casework.core.models import AuditChainLink, AuditEvent
from casework.customers import services as cs
from casework.customers.models import Customer
from casework.testing import factories as f


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        try:
            barrier.wait()
            results.append(("ok", fn(i)))
        except Conflict as exc:
            results.append(("conflict", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_updates_from_the_same_version_one_wins_one_is_409(reference):
    a, b = f.OfficerFactory(), f.OfficerFactory()
    customer = f.CustomerFactory(phone_home="0200000000")
    actors = [a.user, b.user]
    results = _race(lambda i: cs.customer_update(actor=actors[i], customer=Customer.objects.get(pk=customer.pk),
                                                 reason="Race", version=1, phone_home=f"021111111{i}"))
    assert sorted(r[0] for r in results) == ["conflict", "ok"]
    assert Customer.objects.get(pk=customer.pk).version == 2
    assert AuditEvent.objects.filter(action="customer.update", customer_id=customer.pk).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_audited_transactions_chain_without_forking(settings):
    settings.AUDIT_SEAL_AFTER_COMMIT = True  # four processes' seals after commit racing (off by default, issue 15)
    def write(i):
        for j in range(5):
            with transaction.atomic():
                audit_record(actor=None, action="test.race", target=("thing", f"{i}-{j}"))
        return i

    results = _race(write, n=4)
    assert [r[0] for r in results] == ["ok"] * 4
    call_command("audit_verify")  # raises CommandError on a fork, a gap or an unchained event
    prevs = list(AuditChainLink.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs)) == AuditEvent.objects.count()  # no two links share a predecessor

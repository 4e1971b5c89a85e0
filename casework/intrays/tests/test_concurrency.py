"""Real concurrency on PostgreSQL: row locks serialise transitions and the SLA record."""

import datetime as dt
import threading

import pytest
from django.db import connection

from casework.core import clock
from casework.core.errors import DomainError
from casework.intrays import services
from casework.intrays.models import Intray


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(("ok", fn()))
        except DomainError as exc:
            results.append(("refused", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_complete_the_same_intray_once(org):
    with clock.freeze(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)):
        intray = services.intray_create(actor=org.tl.user, type_code="client_contact_required",
                                        customer=org.customer, subject="Race", assignee_officer=org.so)
    results = _race(lambda: services.intray_complete(actor=org.so.user, intray=intray, outcome="done"))
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    refused = next(r[1] for r in results if r[0] == "refused")
    assert "already done" in refused.message
    assert Intray.objects.get(pk=intray.pk).version == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_sla_records_notify_once(org):
    with clock.freeze(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)):
        intray = services.intray_create(actor=org.tl.user, type_code="client_contact_required",
                                        customer=org.customer, subject="Late", assignee_officer=org.so)
    with clock.freeze(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)):
        results = _race(lambda: services.intray_sla_breach_record(intray=intray))
    assert sorted(r[1][0] for r in results) == [False, True]
    assert Intray.objects.filter(type__code="sla_breach").count() == 1

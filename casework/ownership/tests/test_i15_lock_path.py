"""Issue 15: the lock write path collapsed to what the rule needs. The customer row locked with the facts of the
rule in ONE query, the current lock read once, one insert (or update), one audit row, the routing row; the
ownership rule evaluated once on the data read once. Query counts asserted on both databases (savepoints count)."""

from __future__ import annotations

import pytest

from casework.core.models import AuditEvent
from casework.ownership import selectors, services

pytestmark = pytest.mark.django_db

# customer row lock + facts, active lock, presenting issues, savepoint + insert + release, routing row, audit, and the
# outer savepoint pair of the test's transaction.
LOCK_QUERIES = 10
# customer row lock + facts, active lock, the CMA-2.1 status for the MCA clause (contacts.selectors.
# customer_mca_statuses for this one customer: cases, role history, income, open debts and a payer's overpaid debts;
# the contacts only when MCA is required; 13 reads through customer_summary before), presenting issues, lock update,
# routing row, audit, and the outer savepoint pair. Before issue 15: 15 (lock) and 29 (unlock); 21 (unlock) with the
# MCA status read from the whole record.
UNLOCK_QUERIES = 13


def test_lock_and_unlock_query_counts(org, payer, django_assert_max_num_queries):
    so = org.officer()
    selectors.area_facts()  # the business areas are cached per process (core.refcache)
    with django_assert_max_num_queries(LOCK_QUERIES):
        lock = services.customer_lock(actor=so.user, customer=payer, reason="Debt follow-up")
    with django_assert_max_num_queries(UNLOCK_QUERIES):
        assert services.customer_unlock(actor=so.user, customer=payer, reason="Explained", decision_explained=True,
                                        contact_attempted=True) is None
    lock.refresh_from_db()
    assert not lock.is_active
    assert [e.action for e in AuditEvent.objects.filter(customer_id=payer.pk, action__startswith="ownership.")
            .order_by("id")] == ["ownership.lock", "ownership.unlock"]
    assert not selectors.route_call(csid=payer.csid).is_owned


def test_the_rule_reads_the_presenting_issues_once(org, payer, monkeypatch):
    so = org.officer()
    calls = []
    real = selectors.issue_rows
    monkeypatch.setattr(selectors, "issue_rows", lambda **kw: calls.append(1) or real(**kw))
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    assert len(calls) == 1
    calls.clear()
    services.customer_unlock(actor=so.user, customer=payer, reason="x", decision_explained=True, contact_attempted=True)
    assert len(calls) == 1


def test_reference_cache_sees_a_change_on_the_next_read(reference):
    from casework.core import refcache
    from casework.org.models import BusinessArea
    from casework.org.services import reference_upsert

    before = selectors.area_facts()["LITIGATION"]
    BusinessArea.objects.filter(code="LITIGATION").update(name="Changed behind the cache")
    assert selectors.area_facts()["LITIGATION"] == before  # cached: no read
    reference_upsert(actor=None, model=BusinessArea, lookup={"code": "LITIGATION"}, values={"name": "Litigation 2"})
    assert selectors.area_facts()["LITIGATION"].name == "Litigation 2"  # invalidated by the service
    refcache.clear()

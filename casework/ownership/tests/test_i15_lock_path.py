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
# the contacts only when MCA is required; 12 reads through customer_summary before), presenting issues, lock update,
# routing row, audit, and the outer savepoint pair. Before issue 15: 15 (lock) and 29 (unlock); 20 (unlock) with the
# MCA status read from the whole record. Exact counts: one more query fails.
UNLOCK_QUERIES = 13


def test_lock_and_unlock_query_counts(org, payer, django_assert_num_queries):
    so = org.officer()
    selectors.area_facts()  # the business areas are cached per process (core.refcache)
    with django_assert_num_queries(LOCK_QUERIES):
        lock = services.customer_lock(actor=so.user, customer=payer, reason="Debt follow-up")
    with django_assert_num_queries(UNLOCK_QUERIES):
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


def test_the_row_lock_statement_is_compiled_once(org, payer, monkeypatch):
    """Issue 15: the customer row lock with the rule's facts (five EXISTS) is compiled by the ORM once per process,
    not on every lock and unlock (profile: ORM compilation was a third of the cycle's time)."""
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")  # compiled here (or earlier in this process)

    def compiled_again(*args, **kwargs):
        raise AssertionError("the row-lock statement was compiled again")

    monkeypatch.setattr(selectors.Customer.objects, "select_for_update", compiled_again)
    services.customer_unlock(actor=so.user, customer=payer, reason="x", decision_explained=True, contact_attempted=True)
    assert services.customer_lock(actor=so.user, customer=payer, reason="again").is_active


def test_lock_facts_match_the_rows(org, payer, payee):
    """The compiled statement reads the same facts as the ORM query it replaces: roles, open error report,
    agreement, active PS record; a missing customer is DoesNotExist."""
    from django.db import transaction

    from casework.customers.models import Customer

    with transaction.atomic():
        facts = selectors.lock_facts(customer=payer)
        assert facts.roles == selectors.customer_roles(customer=payer)
        assert (facts.errors_open, facts.agreement, facts.ps_active) == (False, False, False)
        assert selectors.lock_facts(customer=payee).roles == selectors.customer_roles(customer=payee)
        with pytest.raises(Customer.DoesNotExist):
            selectors.lock_facts(customer=Customer(pk=10**9))


@pytest.mark.postgres_only
def test_the_lock_path_statements_are_prepared_on_postgresql(org, payer):
    """Issue 15: on PostgreSQL the row lock, the current lock and the presenting issues are prepared statements after
    ``PREPARE_THRESHOLD`` runs on the connection (parsed and planned once, as ``pgbench -M prepared``); Django's
    other queries keep client-side binding."""
    from django.db import connection

    so = org.officer()
    for _ in range(selectors.PREPARE_THRESHOLD + 1):
        services.customer_lock(actor=so.user, customer=payer, reason="x")
        services.customer_unlock(actor=so.user, customer=payer, reason="x", decision_explained=True,
                                 contact_attempted=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("FOR UPDATE" in sql and "customers_customer" in sql for sql in prepared), prepared
    assert any(sql.startswith('SELECT "ownership_lock"."id"') for sql in prepared), prepared
    assert any(sql.startswith('SELECT "customers_presentingissue"."id"') for sql in prepared), prepared
    assert not any(sql.startswith("INSERT") for sql in prepared)  # writes keep Django's defaults

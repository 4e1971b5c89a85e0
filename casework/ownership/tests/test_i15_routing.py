"""Issue 15: call routing as one index lookup. The routing table (``CustomerRoute``) is written by the ownership
services in the same transaction as every lock change, equals the full computation (``route_call_computed``), and
``manage.py routing_rebuild`` recomputes it. (The hypothesis property over random sequences of lock, take-over,
unlock, transfer, disputes, PS and automatic unlocks is invariant 6 of ``test_invariants_stateful.py``.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from casework.core import clock
from casework.ownership import selectors, services
from casework.ownership.models import CustomerRoute

from .test_services import letter

pytestmark = pytest.mark.django_db


def same(customer) -> selectors.RouteView:
    table, computed = selectors.route_call(csid=customer.csid), selectors.route_call_computed(csid=customer.csid)
    assert table == computed
    return table


def test_route_is_one_query_and_follows_lock_take_over_and_unlock(org, payer, django_assert_max_num_queries):
    a, b = org.officer(), org.officer()
    selectors.route_call(csid=payer.csid)  # the front line's name is read once per process
    with django_assert_max_num_queries(1):
        assert not selectors.route_call(csid=payer.csid).is_owned
    services.customer_lock(actor=a.user, customer=payer, reason="x")
    with django_assert_max_num_queries(1):
        route = selectors.route_call(csid=payer.csid)
    assert (route.is_owned, route.officer_username, route.position_code) == (True, a.user.username, a.position.code)
    assert same(payer) == route
    services.lock_take_over(actor=b.user, customer=payer, reason="Better outcome")
    assert same(payer).officer_username == b.user.username
    services.customer_unlock(actor=b.user, customer=payer, reason="Explained", decision_explained=True,
                             contact_attempted=True)
    route = same(payer)
    assert not route.is_owned and route.step_ids == ("CMA-1.1",)
    assert CustomerRoute.objects.get(customer=payer).lock_id is None


def test_route_to_a_position(org, payer):
    tl = org.team_leader()
    services.customer_lock(actor=tl.user, customer=payer, to_position=org.intake("SERVICES"), reason="x")
    route = same(payer)
    assert route.position_code == org.intake("SERVICES").code and route.officer_username is None


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_route_follows_the_automatic_unlock_when_due_and_when_done(org, payer, payee):
    from casework.ownership.jobs import auto_unlock_due

    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    auto = services.auto_unlock_schedule(actor=so.user, customer=payer, letters=[letter(payer, so), letter(payee, so)],
                                         reason="Not reached", after_hours=48, contact_attempted=True)
    assert CustomerRoute.objects.get(customer=payer).auto_unlock_due_at == auto.due_at
    assert same(payer).is_owned
    with clock.freeze(auto.due_at + dt.timedelta(minutes=1)):
        assert not same(payer).is_owned  # due, not yet materialised: the full rule
        assert auto_unlock_due() == 1
        assert not same(payer).is_owned
    assert CustomerRoute.objects.get(customer=payer).lock_id is None


def test_routing_rebuild_command_repairs_the_table(org, payer, payee):
    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    CustomerRoute.objects.filter(customer=payer).delete()  # a derived table lost (e.g. a partial restore)
    CustomerRoute.objects.create(customer=payee, lock=None, area_code="X", updated_at=clock.now())
    assert not selectors.route_call(csid=payer.csid).is_owned
    call_command("routing_rebuild")
    assert same(payer).officer_username == so.user.username
    assert not same(payee).is_owned


def test_route_names_the_front_line_area_from_the_cached_areas(org, payer):
    """Issue 15: an unowned customer's call goes to the front-line area named from the cached business areas
    (``core.refcache``), so a renamed area is seen on the next call (it was kept per process, never reloaded)."""
    from django.conf import settings

    from casework.org.models import BusinessArea
    from casework.org.services import reference_upsert

    code = settings.CASEWORK["DEFAULT_FRONT_LINE_AREA"]
    assert selectors.route_call(csid=payer.csid).area_name == BusinessArea.objects.get(code=code).name
    reference_upsert(actor=None, model=BusinessArea, lookup={"code": code}, values={"name": "Front line (renamed)"})
    route = selectors.route_call(csid=payer.csid)
    assert (route.area_code, route.area_name, route.is_owned) == (code, "Front line (renamed)", False)
    assert route == selectors.route_call_computed(csid=payer.csid)


@pytest.mark.postgres_only
def test_route_is_a_prepared_statement_on_postgresql(org, payer, django_assert_num_queries):
    """Issue 15: on PostgreSQL the routing lookup runs as a prepared statement once it has run ``PREPARE_THRESHOLD``
    times on the connection (parsed and planned once: the profile showed the server's parse and plan, not Python,
    dominating a call), still one query, still logged with its SQL."""
    from django.db import connection

    for _ in range(selectors.PREPARE_THRESHOLD + 1):
        selectors.route_call(csid=payer.csid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("ownership_customerroute" in sql for sql in prepared), prepared
    with django_assert_num_queries(1) as captured:
        assert not selectors.route_call(csid=payer.csid).is_owned
    assert "ownership_customerroute" in captured.captured_queries[0]["sql"]


def test_route_call_honours_prepared_statements_off(org, payer, settings):
    """``DB_PREPARED_STATEMENTS = False`` (PgBouncer in transaction mode before 1.21): Django's ordinary cursor."""
    settings.DB_PREPARED_STATEMENTS = False
    assert not selectors._prepared_on()
    assert not selectors.route_call(csid=payer.csid).is_owned


def test_route_is_a_named_tuple_and_one_statement_per_call(org, payer):
    """Issue 15: the answer is a light named tuple (was a frozen dataclass), one statement per call, owned or not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    so = org.officer()
    selectors.route_call(csid=payer.csid)
    with CaptureQueriesContext(connection) as ctx:
        unowned = selectors.route_call(csid=payer.csid)
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    with CaptureQueriesContext(connection) as ctx2:
        owned = selectors.route_call(csid=payer.csid)
    assert len(ctx.captured_queries) == len(ctx2.captured_queries) == 1
    assert isinstance(owned, tuple) and owned._fields[0] == "csid"
    assert (unowned.is_owned, owned.is_owned, owned.officer_username) == (False, True, so.user.username)
    assert owned == selectors.route_call_computed(csid=payer.csid)


def test_route_rechecks_the_cached_areas_at_most_once_a_second(org, payer, monkeypatch):
    """The front line's name comes from ``core.refcache`` with a cheap recheck: the areas' version is read from the
    shared cache at most once per ``ROUTE_RECHECK_SECONDS``, not on every call (a rename in this process is seen at
    once: ``test_route_names_the_front_line_area_from_the_cached_areas``)."""
    from django.core.cache import cache

    from casework.core import refcache

    refcache.clear()
    selectors.route_call(csid=payer.csid)
    reads = []
    real = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: reads.append(key) or real(key, *a, **kw))
    for _ in range(20):
        selectors.route_call(csid=payer.csid)
    assert len([k for k in reads if selectors.AREAS_CACHE_KEY in k]) <= 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_route_unlogged_fast_path_answers_as_the_logged_one(reference):
    """On PostgreSQL, when nothing records queries, ``route_call`` runs its statement straight on a server-binding
    psycopg cursor (prepared after ``PREPARE_THRESHOLD`` runs): the same answers as through Django's logged cursor,
    for an unowned, an owned and an unknown CSID."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.core.errors import NotFound
    from casework.customers.csid import make_csid

    from .conftest import Org, reliable_income
    from casework.testing.factories import CaseFactory

    org = Org()
    case = CaseFactory()
    reliable_income(case.payer, case.payee)
    so = org.officer()
    services.customer_lock(actor=so.user, customer=case.payer, reason="x")
    assert not connection.queries_logged
    for customer in (case.payer, case.payee):
        fast = [selectors.route_call(csid=customer.csid) for _ in range(selectors.PREPARE_THRESHOLD + 2)]
        with CaptureQueriesContext(connection):
            logged = selectors.route_call(csid=customer.csid)
        assert set(fast) == {logged} and logged == selectors.route_call_computed(csid=customer.csid)
    with pytest.raises(NotFound):
        selectors.route_call(csid=make_csid(999999998))

"""Issue 15: the worklist pages by position (keyset on due date, id) with Next / Previous links, never by offset
with a COUNT of the whole queue; the bucket counts read at most ``COUNT_CAP + 1`` rows and show "1,000+" beyond."""

import datetime as dt

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.intrays import selectors, services
from casework.intrays.models import Intray
from casework.testing.factories import OfficerFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 11, 16)


def _template(org, officer=None):
    return services.intray_create(actor=org.tl.user, customer=org.customer, assignee_officer=officer or org.so,
                                  type_code="client_contact_required", subject="Call the payer")


def _clone(template, dues):
    """Rows like ``template`` with the given due dates (None = no due date): scenario data, not a write path."""
    fields = {f.attname: getattr(template, f.attname) for f in Intray._meta.concrete_fields if f.name != "id"}
    return Intray.objects.bulk_create([Intray(**{**fields, "due_date": d}) for d in dues])


def _walk_forward(user, size, *, between=None):
    f = selectors.WorklistFilter()
    seen, after, pages = [], None, 0
    while True:
        page = selectors.keyset_page(selectors.worklist(user=user, f=f), size=size, after=after)
        seen += [r.pk for r in page.rows]
        pages += 1
        if between:
            between(pages)
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


due_dates = st.one_of(st.none(), st.integers(min_value=0, max_value=20).map(lambda n: START + dt.timedelta(days=n)))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dues=st.lists(due_dates, min_size=0, max_size=30), added=st.lists(due_dates, max_size=8),
       size=st.integers(min_value=1, max_value=7))
def test_paging_loses_and_repeats_no_row_while_rows_are_added(org, frozen, dues, added, size):
    officer = OfficerFactory(position__office=org.sydney)  # each example works its own, new queue
    template = _template(org, officer)
    existing = [template.pk] + [i.pk for i in _clone(template, dues)]
    to_add = list(added)

    def add_one(_page):
        if to_add:
            _clone(template, [to_add.pop()])

    seen = _walk_forward(officer.user, size, between=add_one)
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert set(existing) <= set(seen), "a row that was there all along was never shown"
    # The order is the worklist's: due date (no due date last), then id.
    rows = {i.pk: i for i in Intray.objects.filter(pk__in=seen)}
    keys = [(rows[pk].due_date is None, rows[pk].due_date or START, pk) for pk in seen]
    assert keys == sorted(keys)


def test_previous_pages_are_the_pages_read_forward(org, frozen):
    template = _template(org)
    _clone(template, [START + dt.timedelta(days=n % 5) for n in range(11)] + [None, None])
    qs = selectors.worklist(user=org.so.user, f=selectors.WorklistFilter())
    forward, after = [], None
    while True:
        page = selectors.keyset_page(qs, size=4, after=after)
        forward.append([r.pk for r in page.rows])
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert len(forward) == 4 and sum(map(len, forward)) == 14
    back, before = [forward[-1]], selectors.keyset_page(qs, size=4, after=after).previous_cursor
    while before is not None:
        page = selectors.keyset_page(qs, size=4, before=before)
        back.insert(0, [r.pk for r in page.rows])
        before = page.previous_cursor
    assert back == forward


def test_counts_are_capped_and_exact_below_the_cap(org, frozen):
    template = _template(org)  # due in the future by its SLA
    today = selectors.today_for(org.so.user)
    _clone(template, [today - dt.timedelta(days=3)] * 4 + [today] * 2)
    exact = selectors.worklist_counts(user=org.so.user, scope="mine")
    assert exact["total"] == 7 and exact["overdue"] == 4 and exact["due_today"] == 2
    small = selectors.worklist_counts(user=org.so.user, scope="mine", cap=5)
    assert str(small["total"]) == "5+" and small["total"].is_capped
    assert small["overdue"] == 4 and not small["overdue"].is_capped  # a later row was read: overdue is whole
    assert str(small["due_today"]) == "2+"  # the rows read end with those due today: at least two
    tiny = selectors.worklist_counts(user=org.so.user, scope="mine", cap=3)
    # Only overdue rows were read: today's bucket is "at least 0", not a count.
    assert str(tiny["overdue"]) == "3+" and str(tiny["due_today"]) == "0+" and tiny["due_today"].is_capped
    roomy = selectors.worklist_counts(user=org.so.user, scope="mine", cap=100)
    assert {k: int(v) for k, v in roomy.items()} == exact and not any(v.is_capped for v in roomy.values())


def test_worklist_page_links_by_position_and_counts_no_whole_queue(org, frozen, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.intrays.views import PAGE_SIZE

    template = _template(org)
    _clone(template, [START + dt.timedelta(days=n % 9) for n in range(PAGE_SIZE + 5)])
    c = Client()
    c.force_login(org.so.user)
    c.get("/work/")
    with CaptureQueriesContext(connection) as ctx:
        r = c.get("/work/")
    html = r.content.decode()
    assert r.status_code == 200 and 'rel="next"' in html and 'rel="prev"' not in html
    assert not [q for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "intrays_intray" in q["sql"]
                and "LIMIT" not in q["sql"]], "a count of the whole queue"
    first = [i.pk for i in selectors.keyset_page(
        selectors.worklist(user=org.so.user, f=selectors.WorklistFilter()), size=PAGE_SIZE).rows]
    cursor = selectors.Cursor.of(Intray.objects.get(pk=first[-1])).encode()
    with django_assert_max_num_queries(8):
        r = c.get(f"/work/?after={cursor}")
    html = r.content.decode()
    assert r.status_code == 200 and 'rel="prev"' in html and 'rel="next"' not in html
    assert html.count("data-intray=") == 6 and f'data-intray="{first[-1]}"' not in html


def test_a_bad_page_link_is_a_400_naming_it(org, frozen):
    c = Client()
    c.force_login(org.so.user)
    r = c.get("/work/?after=yesterday")
    assert r.status_code == 400 and "page link is not valid" in r.content.decode()

"""Issue 15: ``core.batch`` reads many querysets in ONE statement and gives what the ORM gives for each, on SQLite
and PostgreSQL: dates, aware datetimes, decimals, booleans, JSON, NULLs, annotations, ``select_related``, DISTINCT
with ORDER BY, slices and empty querysets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from casework.core import batch
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.tests.test_selectors import build_payer
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


def _book():
    case, debt = build_payer()
    payer = case.payer
    cm.PaymentReceived.objects.create(case=case, payer=payer, debt=debt, amount=Decimal("25.50"),
                                      received_on=dt.date(2026, 2, 1))
    cm.PaymentReceived.objects.create(case=case, payer=payer, debt=debt, amount=40, received_on=dt.date(2026, 3, 1))
    AuditEvent.objects.create(actor_label="t", action="x.y", target_type="t", target_id="1",
                              before={"a": [1, 2.5, "é"], "n": None}, after=None, step_ids=["CMA-1.5"])
    return case, payer


def _querysets(case, payer):
    return {
        "cases": cm.Case.objects.filter(Q(payer=payer) | Q(payee=payer)).select_related("payer", "payee")
        .order_by("case_number"),
        "debts": cm.Debt.objects.filter(Q(debtor=payer) | Q(case__payer=payer)).select_related(
            "case__payer", "debtor", "superseded_by").distinct().order_by("-as_at", "-id"),
        "payments": cm.PaymentReceived.objects.filter(case=case).order_by("-received_on", "-id"),
        "children": cm.Child.objects.filter(case__payer=payer).order_by("date_of_birth", "id"),
        "first_income": cm.IncomeRecord.objects.filter(customer=payer).order_by("-effective_from", "id")[:1],
        "counted": cm.Case.objects.filter(pk=case.pk).annotate(
            n_children=Count("children"),
            has_debt=Exists(cm.Debt.objects.filter(case=OuterRef("pk")))).order_by("pk"),
        "audit": AuditEvent.objects.order_by("id"),
        "nothing": cm.Debt.objects.none(),
        "empty": cm.Debt.objects.filter(pk__in=[]),
        "values": cm.Debt.objects.filter(case=case).values("id", "case__case_number", "amount", "as_at")
        .order_by("id"),
    }


def test_fetch_is_one_statement_and_equals_values(reference):
    case, payer = _book()
    querysets = _querysets(case, payer)
    expected = {name: list(qs.values()) if name != "values" else list(qs) for name, qs in querysets.items()}
    with CaptureQueriesContext(connection) as ctx:
        got = batch.fetch(named=querysets)
    assert len(ctx.captured_queries) == 1
    assert got == expected
    assert got["payments"] and all(type(a) is type(b) for row, orm in zip(got["payments"], expected["payments"])
                                   for a, b in zip(row.values(), orm.values()))
    assert got["audit"][-1]["before"] == {"a": [1, 2.5, "é"], "n": None}
    assert got["payments"][0]["amount"] == Decimal("40.00")
    assert isinstance(got["payments"][0]["received_on"], dt.date)
    assert got["audit"][0]["occurred_at"].utcoffset() == dt.timedelta(0)


def _fields(instance):
    return {k: (type(v), v) for k, v in vars(instance).items() if not k.startswith("_")}


def test_evaluate_gives_the_model_instances_with_their_select_related(reference):
    case, payer = _book()
    querysets = _querysets(case, payer)
    expected = {name: list(qs) for name, qs in querysets.items()}
    with CaptureQueriesContext(connection) as ctx:
        got = batch.evaluate(*querysets.values())
    assert len(ctx.captured_queries) == 1
    for (name, orm), rows in zip(expected.items(), got):
        assert rows == orm, name
        if name != "values":  # every field and annotation, with the same value and type
            assert [_fields(r) for r in rows] == [_fields(r) for r in orm], name
    with CaptureQueriesContext(connection) as ctx:  # select_related rows came with them
        names = [(c.payer.family_name, c.payee.family_name) for c in got[0]]
        debts = [(d.case.payer.csid, d.debtor.csid if d.debtor_id else None) for d in got[1]]
        counted = [(c.n_children, c.has_debt) for c in got[5]]
    assert len(ctx.captured_queries) == 0
    assert names == [(c.payer.family_name, c.payee.family_name) for c in expected["cases"]]
    assert debts == [(d.case.payer.csid, d.debtor.csid if d.debtor_id else None) for d in expected["debts"]]
    assert counted == [(1, True)]


def test_attach_answers_the_related_manager_without_a_query(reference):
    case, payer = _book()
    f.CaseFactory(payer=payer)
    cases, children = batch.evaluate(
        cm.Case.objects.filter(payer=payer).order_by("pk"),
        cm.Child.objects.filter(case__payer=payer).order_by("date_of_birth", "id"))
    batch.attach(cases, children, fk="case", cache_name="children", reverse="case")
    with CaptureQueriesContext(connection) as ctx:
        got = [[(ch.pk, ch.case.pk) for ch in c.children.all()] for c in cases]
    assert len(ctx.captured_queries) == 0
    assert got == [[(ch.pk, c.pk) for ch in c.children.order_by("date_of_birth", "id")] for c in cases]

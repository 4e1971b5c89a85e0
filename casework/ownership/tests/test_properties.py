"""Hypothesis property tests: over generated customers and issue sets, the owner is always the one CMA-1.5 names,
and there are never two owners (CMA-2.10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.core import clock
from casework.core.errors import Conflict
from casework.org.reference import BUSINESS_AREAS, ISSUE_TYPES
from casework.org.roles import Role
from casework.ownership import policy as p
from casework.ownership import selectors, services
from casework.ownership.models import Lock
from casework.testing.factories import CaseFactory

from .conftest import add_issue

AREAS = {code: p.AreaFact(code, name, str(kind), prio, str(parties))
         for code, name, kind, prio, parties, _f in BUSINESS_AREAS}
KIND_AREA = {code: (str(kind), area) for code, _n, kind, area, _c, _i in ISSUE_TYPES}
ISSUE_CODES = sorted(KIND_AREA)
SPECIALISED_CODES = sorted(c for c, (k, _a) in KIND_AREA.items() if k == "specialised")
T0 = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)

roles_st = st.sampled_from([frozenset({"payer"}), frozenset({"payee"}), frozenset({"payer", "payee"}), frozenset()])
issues_st = st.lists(st.tuples(st.sampled_from(ISSUE_CODES), st.booleans()), max_size=8)


def facts(raw):
    return [p.IssueFact(i, code, KIND_AREA[code][0], KIND_AREA[code][1], KIND_AREA[code][1],
                        T0 + dt.timedelta(minutes=i), outstanding) for i, (code, outstanding) in enumerate(raw)]


def reference_owner(roles, issues):
    """CMA-1.5 restated independently: the highest-priority retaining area among the outstanding specialised
    issues' areas whose retained parties include this customer; else the first specialised issue's area."""
    spec = [i for i in issues if i.outstanding and i.kind == "specialised"]
    if not spec:
        return None
    keeps = {"both": roles or {"x"}, "either": roles or {"x"}, "payer": {"payer"}, "payee": {"payee"}}
    retaining = [AREAS[i.handling_area] for i in spec if AREAS[i.handling_area].retention_priority is not None
                 and (keeps.get(AREAS[i.handling_area].retains_parties, set()) & (roles or {"x"}))]
    if retaining:
        return min(retaining, key=lambda a: a.retention_priority).code
    return spec[0].handling_area


@given(roles=roles_st, raw=issues_st)
def test_cma_1_5_owner_is_the_one_the_rule_names(roles, raw):
    issues = facts(raw)
    d = p.determine_owner(roles=roles, issues=issues, areas=AREAS)
    assert d.facts["area"] == reference_owner(roles, issues)
    assert "CMA-1.5" in d.step_ids


@given(roles=roles_st, raw=issues_st, data=st.data())
def test_cma_1_5_owner_does_not_depend_on_input_order(roles, raw, data):
    issues = facts(raw)
    shuffled = data.draw(st.permutations(issues))
    assert (p.determine_owner(roles=roles, issues=issues, areas=AREAS).facts["area"]
            == p.determine_owner(roles=roles, issues=shuffled, areas=AREAS).facts["area"])


@given(raw=issues_st)
def test_cma_1_2_every_outstanding_issue_has_exactly_one_handler(raw):
    issues = facts(raw)
    ds = p.issue_handling(issues=issues, point_of_entry="SERVICES", locked_area=None)
    assert sorted(d.facts["issue_id"] for d in ds) == sorted(i.id for i in issues if i.outstanding)
    assert all(d.facts["handled_by"] and "CMA-1.2" in d.step_ids for d in ds)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(as_payer=st.booleans(), codes=st.lists(st.sampled_from(SPECIALISED_CODES), min_size=1, max_size=5))
def test_cma_1_5_locking_as_issues_arrive_never_two_owners_and_owner_is_cma_1_5s(org_officers, as_payer, codes):
    """Issues arrive one by one; after each, an officer of the issue's area locks the customer. Whatever the order,
    exactly one active lock, held by the area CMA-1.5 names."""
    with transaction.atomic():
        case = CaseFactory()
        customer = case.payer if as_payer else case.payee
        with clock.freeze(T0):
            for n, code in enumerate(codes):
                issue = add_issue(customer, code, minutes=n)
                officer = org_officers[issue.issue_type.handling_area.code]
                try:
                    services.customer_lock(actor=officer.user, customer=customer, reason=f"issue {code}",
                                           issue=issue)
                except Conflict:
                    pass
                assert Lock.objects.filter(customer=customer, is_active=True).count() == 1
        view = selectors.ownership_get(customer=customer)
        assert view.area.code == selectors.rule_owner(customer=customer).facts["area"]
        transaction.set_rollback(True)


@pytest.fixture
def org_officers(org):
    return {code: org.officer(code, Role.PS_CASE_MANAGER if code == "PS" else Role.SPECIALIST_OFFICER)
            for code in sorted({area for _kind, area in KIND_AREA.values()})}

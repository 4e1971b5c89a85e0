"""Table-driven tests of the customers policy: one case per rule clause, named by its step ID."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.customers import policy
from casework.customers.policy import RolePeriod

D = dt.date


@pytest.mark.parametrize(
    "source, reliable",
    [
        ("ato_issued", True),
        ("estimate", False),
        ("provisional", False),
        ("customer_advised", False),
        ("default", False),
        ("determined", False),
    ],
    ids=lambda v: f"CMA-2.2-{v}",
)
def test_income_reliable_only_when_ato_issued(source, reliable):
    assert policy.income_is_reliable(source) is reliable


A, B = 1, 2
EARLIER_A_PAYEE = RolePeriod(payer_id=B, payee_id=A, from_date=D(2018, 1, 1), to_date=D(2021, 6, 30))
NOW_A_PAYER = RolePeriod(payer_id=A, payee_id=B, from_date=D(2021, 7, 1), to_date=None)


@pytest.mark.parametrize(
    "role, history, expected",
    [
        ("payer", [EARLIER_A_PAYEE, NOW_A_PAYER], True),
        ("payer", [NOW_A_PAYER], False),
        ("payee", [RolePeriod(A, B, D(2018, 1, 1), D(2020, 1, 1)), RolePeriod(B, A, D(2020, 1, 2), None)], True),
        ("payee", [RolePeriod(B, A, D(2018, 1, 1), None)], False),
        ("payer", [], False),
    ],
    ids=[
        "CMA-2.4-payer-was-payee-before",
        "CMA-2.4-payer-always-payer",
        "CMA-2.4-payee-was-payer-before",
        "CMA-2.4-payee-always-payee",
        "CMA-2.4-no-history",
    ],
)
def test_past_role_reversal(role, history, expected):
    assert policy.had_role_reversal(A, role, history) is expected


@pytest.mark.parametrize(
    "imposed, review, allowed",
    [
        (D(2026, 1, 15), D(2026, 4, 14), False),
        (D(2026, 1, 15), D(2026, 4, 15), True),
        (D(2026, 1, 15), D(2026, 7, 15), True),
        (D(2026, 1, 15), D(2026, 7, 16), False),
        (D(2026, 8, 31), D(2026, 11, 30), True),  # month end: 3 months after 31 Aug is 30 Nov
        (D(2026, 8, 31), D(2027, 2, 28), True),  # 6 months after 31 Aug is 28 Feb
        (D(2026, 8, 31), D(2027, 3, 1), False),
    ],
    ids=[
        "PS-ORM-3-review-before-3-months",
        "PS-ORM-3-review-at-3-months",
        "PS-ORM-3-review-at-6-months",
        "PS-ORM-3-review-after-6-months",
        "PS-ORM-3-month-end-3-months",
        "PS-ORM-3-month-end-6-months",
        "PS-ORM-3-month-end-too-late",
    ],
)
def test_restricted_service_review_window(imposed, review, allowed):
    decision = policy.restriction_review_date_check(imposed, review)
    assert decision.allowed is allowed
    assert decision.step_ids == ("PS-ORM-3",)


@pytest.mark.parametrize(
    "scope, matters, allowed",
    [("full", [], True), ("enquire", [], True), ("specified", [], False), ("specified", ["income"], True),
     ("specified", ["objections"], False), ("full", ["income"], False)],
    ids=["CMA-1.1-full", "CMA-1.1-enquire", "CMA-1.1-specified-without-matters", "CMA-1.1-specified-with-matters",
         "CMA-1.1-unknown-matter", "CMA-1.1-matters-only-for-specified"],
)
def test_representative_scope(scope, matters, allowed):
    decision = policy.representative_scope_check(scope, "", matters)
    assert decision.allowed is allowed and decision.step_ids == ("CMA-1.1",)


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([], "none"),
        (["ended"], "none"),
        (["active"], "active"),
        (["ended", "active"], "active"),
        (["defaulted", "ended"], "defaulted"),
        (["ended", "defaulted"], "none"),
    ],
    ids=[
        "CMA-2.3-no-arrangement",
        "CMA-2.3-only-ended",
        "CMA-2.3-active",
        "CMA-2.3-any-active",
        "CMA-2.3-latest-defaulted",
        "CMA-2.3-older-defaulted-then-ended",
    ],
)
def test_arrangement_status(statuses, expected):
    assert policy.arrangement_status(statuses) == expected

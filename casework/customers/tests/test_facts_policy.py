"""Policy tables for the sense checks on case financial and care facts (docs/facts.md). One case per rule clause,
the step ID in the test id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from casework.customers import policy

TODAY = dt.date(2026, 11, 30)
D = Decimal


@pytest.mark.parametrize(
    "instalment, frequency, start, field",
    [
        (D("99999999"), "weekly", dt.date(2026, 12, 1), "instalment"),  # measured: more than the debt
        (D("0.01"), "weekly", dt.date(1999, 1, 1), "start_date"),  # measured: before the debt
        (D("0.01"), "weekly", dt.date(2026, 12, 1), "instalment"),  # takes centuries
        (D("0"), "weekly", dt.date(2026, 12, 1), "instalment"),
        (D("-5"), "weekly", dt.date(2026, 12, 1), "instalment"),
        (D("100"), "weekly", dt.date(2028, 1, 1), "start_date"),  # more than a year ahead
        (D("100"), "yearly", dt.date(2026, 12, 1), "frequency"),
        (D("18.69"), "weekly", dt.date(2026, 12, 1), "instalment"),  # 261 weeks > 60 months
    ],
    ids=["CMA-2.6-instalment-more-than-debt", "CMA-2.6-start-before-debt", "CMA-2.6-term-too-long",
         "CMA-2.6-zero-instalment", "CMA-2.6-negative-instalment", "CMA-2.6-start-over-a-year-ahead",
         "CMA-2.6-unknown-frequency", "CMA-2.6-just-over-max-term"],
)
def test_arrangement_refused(instalment, frequency, start, field):
    d = policy.arrangement_sense_check(debt_amount=D("4860.55"), debt_as_at=dt.date(2026, 11, 27),
                                       instalment=instalment, frequency=frequency, start_date=start, today=TODAY)
    assert not d.allowed and field in d.facts["fields"] and d.step_ids == ("CMA-2.3", "CMA-2.6")


@pytest.mark.parametrize(
    "instalment, frequency, start",
    [(D("4860.55"), "monthly", dt.date(2026, 11, 27)), (D("18.70"), "weekly", dt.date(2026, 12, 1)),
     (D("81.01"), "monthly", dt.date(2027, 11, 30))],
    ids=["CMA-2.6-one-instalment-on-debt-date", "CMA-2.6-exactly-max-term", "CMA-2.6-start-a-year-ahead"],
)
def test_arrangement_accepted(instalment, frequency, start):
    d = policy.arrangement_sense_check(debt_amount=D("4860.55"), debt_as_at=dt.date(2026, 11, 27),
                                       instalment=instalment, frequency=frequency, start_date=start, today=TODAY)
    assert d.allowed, d.facts
    assert d.facts["term_months"] <= policy.ARRANGEMENT_MAX_TERM_MONTHS


def test_arrangement_refusal_names_the_least_instalment_cma_2_6():
    d = policy.arrangement_sense_check(debt_amount=D("4860.55"), debt_as_at=dt.date(2026, 11, 1),
                                       instalment=D("1"), frequency="monthly", start_date=TODAY, today=TODAY)
    assert "$81.01 monthly" in d.facts["fields"]["instalment"][0]


@pytest.mark.parametrize(
    "amount, as_at, field",
    [(D("0"), TODAY, "amount"), (D("-1"), TODAY, "amount"), (D("10000000.01"), TODAY, "amount"),
     (D("10"), TODAY + dt.timedelta(days=1), "as_at"), (D("10"), dt.date(1988, 5, 31), "as_at")],
    ids=["CMA-2.3-zero", "CMA-2.3-negative", "CMA-2.3-implausibly-large", "CMA-2.3-as-at-future",
         "CMA-2.3-as-at-before-scheme"],
)
def test_debt_refused(amount, as_at, field):
    d = policy.debt_sense_check(amount=amount, as_at=as_at, today=TODAY)
    assert not d.allowed and field in d.facts["fields"] and "CMA-2.3" in d.step_ids


def test_debt_accepted_cma_2_3():
    assert policy.debt_sense_check(amount=D("4860.55"), as_at=TODAY, today=TODAY).allowed


@pytest.mark.parametrize(
    "amount, received_on, outstanding, allowed",
    [(D("50"), TODAY, D("100"), True), (D("100.01"), TODAY, D("100"), False), (D("0"), TODAY, None, False),
     (D("50"), TODAY + dt.timedelta(days=1), None, False), (D("50"), dt.date(1980, 1, 1), None, False)],
    ids=["CMA-2.3-payment-ok", "CMA-2.3-payment-more-than-outstanding", "CMA-2.3-payment-zero",
         "CMA-2.3-payment-future", "CMA-2.3-payment-before-scheme"],
)
def test_payment(amount, received_on, outstanding, allowed):
    d = policy.payment_sense_check(amount=amount, received_on=received_on, today=TODAY, outstanding=outstanding)
    assert d.allowed is allowed


@pytest.mark.parametrize(
    "dob, child, allowed",
    [(dt.date(1980, 1, 1), False, True), (TODAY + dt.timedelta(days=1), False, False),
     (dt.date(1906, 11, 29), False, False), (dt.date(2000, 1, 1), True, False), (dt.date(2015, 1, 1), True, True)],
    ids=["CMA-2.1-dob-ok", "CMA-2.1-dob-future", "CMA-2.1-dob-over-120-years", "CMA-2.1-child-over-25",
         "CMA-2.1-child-ok"],
)
def test_date_of_birth(dob, child, allowed):
    assert policy.date_of_birth_check(date_of_birth=dob, today=TODAY, child=child).allowed is allowed


@pytest.mark.parametrize(
    "percentages, allowed",
    [([65, 35], True), ([65, 36], False), ([100], True), ([0, 100], True)],
    ids=["CMA-2.1-care-100", "CMA-2.1-care-over-100", "CMA-2.1-care-one-parent", "CMA-2.1-care-zero-and-full"],
)
def test_care_total(percentages, allowed):
    assert policy.care_total_check(percentages=percentages).allowed is allowed


@pytest.mark.parametrize(
    "terms, channel, local_now, outcome",
    [
        (policy.RestrictionTerms(("post",), (), None, None), "phone", dt.datetime(2026, 12, 1, 10), "outside"),
        (policy.RestrictionTerms(("phone",), (1,), dt.time(9), dt.time(11)), "phone", dt.datetime(2026, 12, 1, 10),
         "within"),
        (policy.RestrictionTerms(("phone",), (1,), None, None), "phone", dt.datetime(2026, 12, 2, 10), "outside"),
        (policy.RestrictionTerms((), (), dt.time(9), dt.time(11)), "phone", dt.datetime(2026, 12, 1, 11), "outside"),
        (policy.RestrictionTerms((), (), None, None), "email", dt.datetime(2026, 12, 6, 23), "within"),
    ],
    ids=["PS-ORM-3-channel-not-allowed", "PS-ORM-3-within-tuesday-window", "PS-ORM-3-wrong-day",
         "PS-ORM-3-window-end-exclusive", "PS-ORM-3-no-limits"],
)
def test_restriction_contact_check(terms, channel, local_now, outcome):
    d = policy.restriction_contact_check(terms, channel=channel, local_now=local_now)
    assert d.outcome == outcome and d.step_ids == ("PS-ORM-3",)


@pytest.mark.parametrize(
    "requested_by, approver, is_ps_tl, allowed",
    [(1, 1, True, False), (1, 2, False, False), (1, 2, True, True)],
    ids=["PS-ORM-3-maker-cannot-check", "PS-ORM-3-approver-not-ps-team-leader", "PS-ORM-3-second-ps-team-leader"],
)
def test_restriction_approval(requested_by, approver, is_ps_tl, allowed):
    d = policy.restriction_approval_check(requested_by_id=requested_by, approver_id=approver,
                                          approver_is_ps_team_leader=is_ps_tl)
    assert d.allowed is allowed

"""Fixtures of the ownership tests: officers in named areas, intake positions, customers with cases and issues."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from casework.core import clock
from casework.customers.models import PresentingIssue
from casework.org.roles import Role
from casework.testing.factories import (
    CaseFactory,
    CustomerFactory,
    IncomeFactory,
    OfficeFactory,
    OfficerFactory,
    PositionFactory,
    TeamFactory,
    area,
    issue_type,
)

_seq = itertools.count(1)


class Org:
    """Builds officers and positions on demand: ``org.officer("DPO")``, ``org.intake("DPO")``."""

    def __init__(self):
        self.office = OfficeFactory(code="own-sydney", state="NSW")
        self._intakes = {}

    def officer(self, area_code: str = "SERVICES", role: str = Role.SERVICE_OFFICER, username: str | None = None,
                team=None):
        n = next(_seq)
        return OfficerFactory(
            user__username=username or f"{area_code.lower()}_{role}_{n}",
            role=role,
            position__code=f"own-{area_code.lower()}-{n}",
            position__business_area=area(area_code),
            position__office=self.office,
            position__team=team,
        )

    def team_leader(self, area_code: str = "SERVICES", username: str | None = None):
        team = TeamFactory(business_area=area(area_code), office=self.office)
        tl = self.officer(area_code, Role.TEAM_LEADER, username=username, team=team)
        team.leader = tl
        team.save()
        return tl

    def intake(self, area_code: str):
        if area_code not in self._intakes:
            self._intakes[area_code] = PositionFactory(
                code=f"{area_code}-own-sydney-intake", title=f"{area_code} intake", business_area=area(area_code),
                office=self.office,
            )
        return self._intakes[area_code]


@pytest.fixture
def org(reference):
    return Org()


def reliable_income(*customers):
    """An ATO-issued income: the customer's record needs no Minimum Collection Activity (CMA-2.1), so the unlock
    readiness (CMA-3.4) turns on the other clauses. Tests of the MCA clause use a customer without it."""
    for c in customers:
        IncomeFactory(customer=c)
    return customers


@pytest.fixture
def case(reference):
    c = CaseFactory()
    reliable_income(c.payer, c.payee)
    return c


@pytest.fixture
def payer(case):
    return case.payer


@pytest.fixture
def payee(case):
    return case.payee


def add_issue(customer, type_code: str, received_area: str | None = None, minutes: int = 0) -> PresentingIssue:
    t = issue_type(type_code)
    return PresentingIssue.objects.create(
        customer=customer,
        issue_type=t,
        received_area=area(received_area) if received_area else t.handling_area,
        received_at=clock.now() + dt.timedelta(minutes=minutes),
    )


@pytest.fixture
def customer(reference):
    c = CustomerFactory()
    reliable_income(c)
    return c


@pytest.fixture
def short_auto_unlock_wait(settings):
    """The agency's CMA-3.4 waiting period configured to one hour (``AUTO_UNLOCK_AFTER_HOURS``), so that a test can
    schedule an automatic unlock an hour or more after the letters and run the job soon after."""
    settings.CASEWORK = {**settings.CASEWORK, "AUTO_UNLOCK_AFTER_HOURS": 1}

import datetime as dt
from decimal import Decimal

import pytest

from casework.customers.models import IncomeSource
from casework.org.roles import Role
from casework.testing.factories import (
    CaseFactory,
    CustomerFactory,
    DebtFactory,
    IncomeFactory,
    OfficerFactory,
    OfficeFactory,
    PositionFactory,
)


@pytest.fixture
def so(reference):
    """A Service Officer in the front-line SERVICES area (Sydney)."""
    office = OfficeFactory(code="sydney", state="NSW")
    return OfficerFactory(role=Role.SERVICE_OFFICER, position__office=office, user__username="so1")


@pytest.fixture
def payer_call(reference):
    """A payer with ATO-issued income and a child support debt without a payment arrangement."""
    payer = CustomerFactory(given_names="Paul", family_name="Payer", postal_address="1 George St\nSydney NSW 2000")
    payee = CustomerFactory(given_names="Pia", family_name="Payee")
    case = CaseFactory(payer=payer, payee=payee)
    IncomeFactory(customer=payer, source=IncomeSource.ATO_ISSUED)
    IncomeFactory(customer=payee, source=IncomeSource.ATO_ISSUED)
    debt = DebtFactory(case=case, debtor=payer, amount=Decimal("2400.00"))
    return {"payer": payer, "payee": payee, "case": case, "debt": debt}


@pytest.fixture
def payee_call(reference):
    payer = CustomerFactory(given_names="Pete", family_name="Payer")
    payee = CustomerFactory(given_names="Pam", family_name="Payee")
    case = CaseFactory(payer=payer, payee=payee)
    IncomeFactory(customer=payee, source=IncomeSource.ESTIMATE)
    DebtFactory(case=case, debtor=payer)
    return {"payer": payer, "payee": payee, "case": case}


START = dt.date(2026, 12, 1)

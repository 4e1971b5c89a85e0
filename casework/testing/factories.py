"""factory-boy factories shared by every app's tests. Reference data (areas, issue types) comes from
``load_reference`` via the ``reference`` fixture; these factories build on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.customers import models as cm
from casework.customers.csid import make_csid
from casework.org import models as om
from casework.org.roles import Role


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = om.Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} office")
    state = "NSW"


def area(code: str) -> om.BusinessArea:
    return om.BusinessArea.objects.get(code=code)


def issue_type(code: str) -> om.IssueType:
    return om.IssueType.objects.get(code=code)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = om.Position

    code = factory.Sequence(lambda n: f"pos-{n}")
    title = factory.Sequence(lambda n: f"Position {n}")
    business_area = factory.LazyFunction(lambda: area("SERVICES"))
    office = factory.SubFactory(OfficeFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    first_name = factory.Sequence(lambda n: f"Officer{n}")
    last_name = "Test"
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OfficerFactory(factory.django.DjangoModelFactory):
    """An officer with a role and a position. ``OfficerFactory(role=Role.TEAM_LEADER, position__business_area=...)``."""

    class Meta:
        model = om.Officer

    user = factory.SubFactory(UserFactory)
    role = Role.SERVICE_OFFICER
    position = factory.SubFactory(PositionFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = om.Team

    name = factory.Sequence(lambda n: f"Team {n}")
    business_area = factory.LazyFunction(lambda: area("SERVICES"))
    office = factory.SubFactory(OfficeFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Customer

    csid = factory.Sequence(lambda n: make_csid(100000000 + n))
    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = dt.date(1985, 3, 14)
    residence = "NSW"
    phone_mobile = "0400 000 000"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Case

    case_number = factory.Sequence(lambda n: f"C{n:08d}")
    payer = factory.SubFactory(CustomerFactory)
    payee = factory.SubFactory(CustomerFactory)
    annual_liability = Decimal("5200.00")


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.IncomeRecord

    customer = factory.SubFactory(CustomerFactory)
    amount = Decimal("65000.00")
    source = cm.IncomeSource.ATO_ISSUED
    tax_year = 2026
    effective_from = dt.date(2026, 7, 1)


class DebtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Debt

    case = factory.SubFactory(CaseFactory)
    debtor = factory.LazyAttribute(lambda o: o.case.payer)
    kind = cm.DebtKind.CHILD_SUPPORT_DEBT
    amount = Decimal("2400.00")
    as_at = dt.date(2026, 11, 1)


class PresentingIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.PresentingIssue

    customer = factory.SubFactory(CustomerFactory)
    issue_type = factory.LazyFunction(lambda: issue_type("payment_enquiry"))
    received_area = factory.LazyAttribute(lambda o: o.issue_type.handling_area)
    received_at = factory.LazyFunction(timezone.now)

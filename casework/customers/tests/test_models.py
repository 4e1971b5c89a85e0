"""Model-level guarantees: search name, derived facts, constraints, append-only notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from casework.customers import models as cm
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


def test_search_name_is_family_then_given_lower_case():
    c = f.CustomerFactory(given_names="Mary Jo", family_name="O'Brien")
    assert c.search_name == "o'brien mary jo"
    assert c.full_name == "Mary Jo O'Brien"


def test_is_deceased_follows_date_of_death():
    assert not f.CustomerFactory().is_deceased
    assert f.CustomerFactory(date_of_death=dt.date(2026, 1, 1)).is_deceased


def test_case_parties_must_differ():
    c = f.CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        cm.Case.objects.create(case_number="C1", payer=c, payee=c)


def test_care_percentage_at_most_100():
    case = f.CaseFactory()
    child = cm.Child.objects.create(case=case, given_names="a", family_name="b", date_of_birth=dt.date(2015, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        cm.CareArrangement.objects.create(case=case, child=child, carer=case.payee, care_percentage=101,
                                          effective_from=dt.date(2025, 1, 1))


def test_case_role_helpers():
    case = f.CaseFactory()
    assert case.role_of(case.payer) == "payer" and case.other_party(case.payer) == case.payee
    assert case.role_of(f.CustomerFactory()) == ""


@pytest.mark.parametrize("source, reliable", [("ato_issued", True), ("estimate", False)], ids=["CMA-2.2-ato", "CMA-2.2-estimate"])
def test_income_reliability_is_derived_cma_2_2(source, reliable):
    assert f.IncomeFactory(source=source).is_reliable is reliable


def test_note_is_append_only(officer):
    note = cm.Note.objects.create(
        customer=f.CustomerFactory(), subject="s", body="b", author=officer.user, created_at=dt.datetime.now(dt.UTC)
    )
    with pytest.raises(PermissionError):
        note.save()
    with pytest.raises(PermissionError):
        note.delete()
    with pytest.raises(PermissionError):
        cm.Note.objects.all().update(body="x")

"""Intake coverage (CMA-1.3, CMA-2.10, CMA-3.3): every business area has an intake position in every state and
territory. Policy table, the shipped reference data (0 gaps), ``manage.py org_coverage`` and the system check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.core.management.commands.load_reference import load_all
from casework.org import checks, policy, selectors
from casework.org.models import BusinessArea, Office, Position
from casework.org.reference import BUSINESS_AREAS, OFFICES
from casework.org.roles import State

AREAS = [("FOI", "Freedom of Information"), ("PRIVACY", "Privacy")]


def test_policy_no_intake_anywhere_is_a_gap_in_every_state_cma_2_10():
    gaps = policy.coverage_gaps(areas=AREAS, intakes=[])
    assert len(gaps) == 2 * 8
    assert {g.state for g in gaps} == set(State.values)
    decision = policy.coverage_decision(gaps)
    assert not decision.allowed and decision.step_ids == ("CMA-1.3", "CMA-2.10", "CMA-3.3")


def test_policy_an_intake_covers_its_own_area_and_state_only_cma_3_3():
    gaps = policy.coverage_gaps(areas=AREAS, intakes=[policy.IntakeFact("FOI", "SA")])
    assert ("FOI", "SA") not in {(g.area_code, g.state) for g in gaps}
    assert ("PRIVACY", "SA") in {(g.area_code, g.state) for g in gaps}
    assert ("FOI", "TAS") in {(g.area_code, g.state) for g in gaps}


def test_policy_full_coverage_is_allowed_cma_1_3():
    intakes = [policy.IntakeFact(code, s) for code, _ in AREAS for s in State.values]
    gaps = policy.coverage_gaps(areas=AREAS, intakes=intakes)
    assert gaps == ()
    assert policy.coverage_decision(gaps).allowed


@pytest.mark.django_db
def test_reference_data_has_no_gap_in_any_state_or_territory():
    """Measured case: the shipped data left New Customers, Deceased, FOI, Privacy… without an intake position in SA,
    TAS, ACT, NT. After ``load_reference`` alone there are 0 gaps."""
    load_all()
    assert {state for _, _, state in OFFICES} == set(State.values)
    assert selectors.coverage_gaps() == ()
    for code, *_ in BUSINESS_AREAS:
        for state in ("SA", "TAS", "ACT", "NT"):
            assert selectors.intake_positions().filter(business_area__code=code, office__state=state).exists()
    out = io.StringIO()
    call_command("org_coverage", stdout=out)
    assert "Every business area has an intake position" in out.getvalue()
    assert checks.intake_coverage(databases=["default"]) == []


@pytest.mark.django_db
def test_reference_load_of_intake_positions_is_idempotent():
    load_all()
    count = Position.objects.count()
    assert count == len(BUSINESS_AREAS) * len(OFFICES)
    assert Office.objects.filter(code="adelaide", state="SA", timezone="Australia/Adelaide").exists()
    load_all()
    assert Position.objects.count() == count


@pytest.mark.django_db
def test_org_coverage_exits_non_zero_on_a_gap_and_names_it():
    load_all()
    Position.objects.filter(code="FOI-darwin-intake").update(is_active=False)
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("org_coverage", stdout=out)
    assert "CMA-2.10" in str(exc.value)
    assert "FOI\tNT" in out.getvalue()
    warnings = checks.intake_coverage(databases=["default"])
    assert [w.id for w in warnings] == ["org.W001"] and "Northern Territory" not in warnings[0].msg
    assert "NT" in warnings[0].msg


@pytest.mark.django_db
def test_an_inactive_area_is_not_a_gap_and_an_inactive_office_does_not_cover():
    load_all()
    BusinessArea.objects.filter(code="FOI").update(is_active=False)
    Office.objects.filter(code="hobart").update(is_active=False)
    gaps = {(g.area_code, g.state) for g in selectors.coverage_gaps()}
    assert not any(code == "FOI" for code, _ in gaps)
    assert ("PRIVACY", "TAS") in gaps


def test_check_does_nothing_without_a_database():
    assert checks.intake_coverage(databases=None) == []

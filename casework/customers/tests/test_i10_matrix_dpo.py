"""Issue 10 bypass matrix, measured case: a Departure Prohibition Order on a customer managed by Personalised
Services was recorded by any caseworker (API ``customers_dpos_add``, the customer page form, ``dpo_record``) without
the consultation with the PS Case Manager that PS-SPE-1 requires before any specialised activity (DPO is one). The
guard is in ``customers.services.dpo_record``, so every path that records a DPO is covered."""

from __future__ import annotations

import pytest

from casework.core.errors import TransitionRefused
from casework.core.models import AuditEvent
from casework.customers import services
from casework.customers.models import DepartureProhibitionOrder
from casework.org.roles import Role
from casework.ownership import services as ownership_services
from casework.ps import services as ps_services
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ps_world(reference):
    office = f.OfficeFactory(code="dpo-sydney", state="NSW")
    team = f.TeamFactory(business_area=f.area("PS"), office=office)

    def officer(username, role, area_code, team=None):
        return f.OfficerFactory(user__username=username, role=role, position__code=f"{username}-pos",
                                position__business_area=f.area(area_code), position__office=office,
                                position__team=team)

    so = officer("dpo_so", Role.SERVICE_OFFICER, "SERVICES")
    spec = officer("dpo_spec", Role.SPECIALIST_OFFICER, "DPO")
    tl = officer("dpo_pstl", Role.PS_TEAM_LEADER, "PS", team)
    team.leader = tl
    team.save()
    cm = officer("dpo_pscm", Role.PS_CASE_MANAGER, "PS", team)
    case = f.CaseFactory()
    referral = ps_services.ps_referral_create(actor=so.user, customer=case.payer, type_code="crg_referral_to_ps",
                                              reason="Repeated escalations about the assessment")
    ps_services.ps_referral_action(
        actor=tl.user, customer=case.payer, case_manager=cm, referral_source="crg",
        main_referral_reason="Persistent complaints", referral_intray=referral.intray,
        review={"reviewed_items": ["case records"], "crg_record": "CRG: 3 escalations"})
    return type("W", (), dict(so=so, spec=spec, cm=cm, case=case, customer=case.payer))


def test_dpo_on_ps_customer_refused_to_specialist_without_consultation_ps_spe_1(ps_world):
    """PS-SPE-1: the DPO specialist must consult the PS Case Manager before recording a DPO (was: recorded, 201)."""
    with pytest.raises(TransitionRefused) as exc:
        services.dpo_record(actor=ps_world.spec.user, customer=ps_world.customer, status="considered",
                            case=ps_world.case, reason="Arrears over a year")
    assert "PS-SPE-1" in exc.value.step_ids
    assert not DepartureProhibitionOrder.objects.filter(customer=ps_world.customer).exists()
    assert not AuditEvent.objects.filter(action="dpo.record").exists()


def test_dpo_on_ps_customer_refused_on_the_web_form_ps_spe_1(ps_world, client):
    """Bypass test: the customer page form goes through the same service and shows the refusal."""
    url = f"/customers/{ps_world.customer.csid}/facts/dpo/"
    body = {"status": "considered", "case_number": ps_world.case.case_number, "reason": "Arrears"}
    client.force_login(ps_world.so.user)
    response = client.post(url, body)
    assert response.status_code < 500
    assert "PS Case Manager" in response.content.decode() or response.status_code == 302
    assert not DepartureProhibitionOrder.objects.filter(customer=ps_world.customer).exists()
    client.force_login(ps_world.cm.user)  # the same form and body are valid for the Case Manager
    client.post(url, body)
    assert DepartureProhibitionOrder.objects.filter(customer=ps_world.customer).count() == 1


def test_dpo_on_ps_customer_allowed_after_consultation_ps_spe_1_ps_spe_2(ps_world):
    ownership_services.specialist_consultation_record(
        actor=ps_world.spec.user, customer=ps_world.customer, ps_case_manager=ps_world.cm,
        summary="DPO being considered", communication_approach="CM rings first", who_communicates="PS Case Manager")
    row = services.dpo_record(actor=ps_world.spec.user, customer=ps_world.customer, status="considered",
                              case=ps_world.case, reason="Arrears over a year")
    assert AuditEvent.objects.filter(action="dpo.record", target_id=str(row.pk)).count() == 1


def test_dpo_on_ps_customer_allowed_to_the_case_manager_ps_spe_1(ps_world):
    """PS-SPE-1: the Case Manager controls activity on the case."""
    row = services.dpo_record(actor=ps_world.cm.user, customer=ps_world.customer, status="considered",
                              case=ps_world.case, reason="Arrears over a year")
    assert row.pk and AuditEvent.objects.filter(action="dpo.record").count() == 1

"""Review of issue 11 (findings 6 and 14): the generic intray screen and API (an officer creating an intray by hand)
could put a PS referral intray marked URGENT in the PS queue with no referral and no urgent-referral request, and a
'Decision requested' intray with no request behind it (which then could never close). Those types come only from
their procedure (intrays.policy.SERVICE_ONLY_TYPES)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.intrays.models import Intray
from casework.intrays.policy import SERVICE_ONLY_TYPES

pytestmark = pytest.mark.django_db


def api(o):
    c = APIClient()
    c.force_authenticate(o.user)
    return c


@pytest.mark.parametrize("type_code", ["crg_referral_to_ps", "ps_referral_tl_only", "complaints_referral_to_ps",
                                       "approval_decision", "lock_taken_over", "sla_breach"])
def test_procedure_intrays_cannot_be_raised_by_hand_over_the_api(ps_org, type_code):
    who = ps_org.tl_front if type_code == "ps_referral_tl_only" else ps_org.so
    r = api(who).post("/api/v1/intrays/", {
        "type_code": type_code, "customer": ps_org.customer.csid, "subject": "URGENT — PS referral: threats",
        "assignee_position": ps_org.intake.code}, format="json")
    assert r.status_code == 403 and "comes only from" in r.json()["detail"], r.json()
    assert not Intray.objects.filter(type__code=type_code).exists()


def test_procedure_intrays_are_not_offered_on_the_create_screen_and_a_posted_one_is_refused(client, ps_org):
    client.force_login(ps_org.so.user)
    page = client.get(f"/work/new/?csid={ps_org.customer.csid}").content.decode()
    assert 'value="general_follow_up"' in page
    assert not any(f'value="{code}"' in page for code in SERVICE_ONLY_TYPES)
    r = client.post("/work/new/", {"csid": ps_org.customer.csid, "type_code": "approval_decision",
                                   "subject": "Decide", "assignee_position": ps_org.intake.code})
    assert r.status_code == 403 and not Intray.objects.filter(type__code="approval_decision").exists()


def test_a_hand_made_intray_of_an_ordinary_type_is_still_created(ps_org):
    r = api(ps_org.so).post("/api/v1/intrays/", {
        "type_code": "general_follow_up", "customer": ps_org.customer.csid, "subject": "Check the payment",
        "assignee_position": ps_org.intake.code}, format="json")
    assert r.status_code == 201


def test_a_restricted_service_row_is_not_in_force_until_approved(ps_org):
    """Review of issue 11 (finding 15): a ContactRestriction made any other way than the proposal and its approval
    (an import, a script, a test) was in force by default. Now it starts proposed and not active (PS-ORM-3)."""
    import datetime as dt

    from casework.customers.models import ContactRestriction

    row = ContactRestriction.objects.create(customer=ps_org.customer, conditions="Written only",
                                            imposed_on=dt.date(2026, 1, 1), review_date=dt.date(2026, 4, 1))
    assert (row.status, row.is_active) == ("proposed", False)

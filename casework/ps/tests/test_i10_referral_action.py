"""Issue 10 (bypass matrix, group ps): a customer comes into Personalised Services only through a referral intray
(PS-REF-1), actioned by whoever may work it (PS-REF-2). A PS Case Manager could put any customer into PS by
``POST /api/v1/ps/records/`` with no referral at all — locking them to PS and taking them from another area, recorded
as a CRG referral that never happened; only a PS Team Leader may allocate a customer without an intray (recorded as
a *PS Referral (TL only)*)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.core.errors import NotPermitted
from casework.ownership.models import Lock
from casework.ps import policy, services
from casework.ps.models import PsRecord

from .helpers import refer

pytestmark = pytest.mark.django_db

BODY = {"referral_source": "crg", "main_referral_reason": "Persistent complaints",
        "review": {"reviewed_items": ["case records"], "crg_record": "CRG: 3 escalations"}}


def _post(officer, data):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c.post("/api/v1/ps/records/", data, format="json")


def test_case_manager_cannot_put_a_customer_into_ps_without_a_referral_ps_ref_1(ps_org):
    """Was 201: the customer locked to the Case Manager with no referral."""
    r = _post(ps_org.cm, {"csid": ps_org.customer.csid, "case_manager": "ps_cm", **BODY})
    assert r.status_code == 403, r.content
    assert set(r.json()["step_ids"]) == {"PS-REF-1", "PS-REF-2"}
    assert not PsRecord.objects.exists()
    assert not Lock.objects.filter(customer=ps_org.customer, is_active=True).exists()


def test_case_manager_cannot_reuse_a_closed_referral_intray_ps_ref_1(ps_org):
    """A referral intray already worked (done) is no referral: the service refuses it for a Case Manager."""
    from casework.intrays import services as intrays

    ref = refer(ps_org, to_officer=ps_org.cm)
    intrays.intray_complete(actor=ps_org.cm.user, intray=ref.intray, outcome="Dealt with")
    ref.intray.refresh_from_db()
    with pytest.raises(NotPermitted) as exc:
        services.ps_referral_action(actor=ps_org.cm.user, customer=ps_org.customer, case_manager=ps_org.cm,
                                    referral_source="crg", main_referral_reason="Again", referral_intray=ref.intray,
                                    review=BODY["review"])
    assert "PS-REF-1" in exc.value.step_ids
    assert not PsRecord.objects.exists()


def test_case_manager_actions_their_own_open_referral_intray_ps_ref_2(ps_org):
    ref = refer(ps_org, to_officer=ps_org.cm)
    r = _post(ps_org.cm, {"csid": ps_org.customer.csid, "case_manager": "ps_cm",
                          "referral_intray_id": ref.intray_id, **BODY})
    assert r.status_code == 201, r.content
    assert PsRecord.objects.get(is_active=True).case_manager == ps_org.cm


def test_ps_team_leader_still_allocates_without_an_intray_as_tl_only_referral(ps_org):
    r = _post(ps_org.tl, {"csid": ps_org.customer.csid, "case_manager": "ps_cm", **BODY})
    assert r.status_code == 201, r.content
    assert PsRecord.objects.get(is_active=True).referral_type_code == "ps_referral_tl_only"


def test_referral_action_check_policy():
    ok = policy.referral_action_check
    assert ok(actor_is_ps_team_leader=True, assigns_self=False, open_referral_intray=False).allowed
    assert ok(actor_is_ps_team_leader=False, assigns_self=True, open_referral_intray=True).allowed
    assert not ok(actor_is_ps_team_leader=False, assigns_self=False, open_referral_intray=True).allowed
    refused = ok(actor_is_ps_team_leader=False, assigns_self=True, open_referral_intray=False)
    assert not refused.allowed and set(refused.step_ids) == {"PS-REF-1", "PS-REF-2"}

"""Issue 10 (protected transitions) in PS: options, records and requests change status only through transitions."""

from __future__ import annotations

import pytest

from casework.core.errors import TransitionRefused
from casework.ps import services
from casework.ps.models import OptionStatus, PlanOption, PsRecord, RecordStatus

from .test_api import allocate_api, post


@pytest.fixture
def rec(ps_org):
    data, _ = allocate_api(ps_org)
    return data


def _option(ps_org, rec):
    post(ps_org.cm, f"ps/records/{rec['id']}/segment/", {"segment": 2, "reason": "CRG"}, 200)
    post(ps_org.cm, f"ps/records/{rec['id']}/plan/approve/", {}, 200)
    return post(ps_org.cm, f"ps/records/{rec['id']}/options/", {"kind": "external_organisation", "detail": "Referral"},
                201)


def test_PS_RES_3_an_answered_option_cannot_go_back_to_offered_api(ps_org, rec):
    """PS-RES-3: accepted/declined is the customer's answer; the API refuses 'offered' again with 409 + step ID
    (before issue 10 the status was assigned directly and silently went back to offered)."""
    o = _option(ps_org, rec).json()
    post(ps_org.cm, f"ps/options/{o['id']}/", {"status": "accepted"}, 200)
    r = post(ps_org.cm, f"ps/options/{o['id']}/", {"status": "offered"})
    assert r.status_code == 409 and r.json()["step_ids"] == ["PS-RES-3"]
    assert PlanOption.objects.get(pk=o["id"]).status == OptionStatus.ACCEPTED


def test_PS_RES_3_changed_answer_and_same_answer_through_the_service(ps_org, rec):
    """PS-RES-3 / PS-SPE-5: accepted -> declined is the decline transition; repeating the same answer while
    updating the timeframe is no transition at all."""
    opt = PlanOption.objects.get(pk=_option(ps_org, rec).json()["id"])
    opt = services.plan_option_update(actor=ps_org.cm.user, option=opt, status="accepted")
    opt = services.plan_option_update(actor=ps_org.cm.user, option=opt, status="accepted", timeframe="2 weeks")
    assert (opt.status, opt.timeframe) == (OptionStatus.ACCEPTED, "2 weeks")
    opt = services.plan_option_update(actor=ps_org.cm.user, option=opt, status="declined")
    assert opt.status == OptionStatus.DECLINED
    with pytest.raises(TransitionRefused):
        services.plan_option_update(actor=ps_org.cm.user, option=opt, status="offered")


def test_PS_REF_3_a_loaded_record_refuses_direct_assignment_but_refreshes(ps_org, rec):
    """Issue 10: a PS record read from the database cannot be given a status by assignment; refresh_from_db and
    deferred loading still work (ProtectedStateModel)."""
    row = PsRecord.objects.get(pk=rec["id"])
    with pytest.raises(AttributeError):
        row.status = RecordStatus.FINALISED
    row.refresh_from_db()
    assert row.status == RecordStatus.ACTIVE
    deferred = PsRecord.objects.only("id").get(pk=rec["id"])
    assert deferred.status == RecordStatus.ACTIVE


def test_PS_FIN_3_finalise_transition_ends_the_record():
    """PS-FIN-3 / PS-ACT-5: finalising is one transition that also ends the record (is_active=False)."""
    row = PsRecord(status=RecordStatus.FINALISATION)
    row.finalise()
    assert (row.status, row.is_active) == (RecordStatus.FINALISED, False)
    with pytest.raises(TransitionRefused) as refused:
        PsRecord(status=RecordStatus.ACTIVE).finalise()
    assert refused.value.step_ids == ("PS-FIN-3", "PS-ACT-5")

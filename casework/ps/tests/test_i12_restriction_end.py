"""Issue 12, PS-ORM-3: ending a restricted service in force is a review outcome approved by the National Manager
Quality and Customer Complaints (kind ``restricted_service_end``). A Team Leader or PS Team Leader asks (API 202 with
the request, the customer page says it was sent to the National Manager); the requester cannot decide it, nobody but
the NMQCC can; the restriction stays in force until the NMQCC approves it from their queue; then it ends with the
NMQCC as approver, audited, and the requester is told. The requester can withdraw it (it stays in force)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client

from casework.approvals.models import ApprovalRequest
from casework.core import clock
from casework.core.errors import NotPermitted
from casework.customers import services as cs
from casework.customers.models import ContactRestriction

from .test_api import client, post
from .test_i11_ps_approvals import _audit, _queue, _refused, _told

pytestmark = pytest.mark.django_db


@pytest.fixture
def restriction(ps_org):
    today = clock.local_today(ps_org.tl)
    return ContactRestriction.objects.create(customer=ps_org.customer, conditions="Written only", imposed_on=today,
                                             review_date=today + dt.timedelta(days=90), status="active",
                                             is_active=True)


def _ask(who, restriction, code=202, **extra):
    return post(who, f"restrictions/{restriction.pk}/end/", {"reason": "Reviewed: conduct improved", **extra}, code)


def test_end_is_a_request_only_the_national_manager_decides_effect_only_then(ps_org, restriction):
    r = _ask(ps_org.tl, restriction).json()
    a = r["id"]
    assert (r["kind"], r["status"]) == ("restricted_service_end", "pending")
    restriction.refresh_from_db()
    assert (restriction.status, restriction.is_active, restriction.ended_on) == ("active", True, None)
    _refused(ps_org.tl, a, says="You asked for this", step="PS-ORM-3")
    for who in (ps_org.tl_wa, ps_org.tl_front, ps_org.cm):
        _refused(who, a, says="Only the National Manager Quality and Customer Complaints", step="PS-ORM-3")
    restriction.refresh_from_db()
    assert restriction.is_active
    assert a not in _queue(ps_org.tl_wa) and a in _queue(ps_org.nmqcc)
    # A second ask while one waits is a conflict, not a second request.
    assert _ask(ps_org.tl_front, restriction, 409)
    post(ps_org.nmqcc, f"approvals/{a}/decide/", {"approve": True, "reason": "Agreed at review"}, 200)
    restriction.refresh_from_db()
    assert (restriction.status, restriction.is_active) == ("ended", False)
    assert restriction.ended_on == clock.local_today(ps_org.nmqcc)
    assert (restriction.end_approved_by_id, restriction.end_requested_by_id, restriction.end_reason) == (
        ps_org.nmqcc.user.pk, ps_org.tl.user.pk, "Reviewed: conduct improved")
    ev = _audit("contact_restriction.end")
    assert ev.actor_id == ps_org.nmqcc.user.pk and ev.after["end_approved_by"] == ps_org.nmqcc.user.pk
    assert ev.after["approval"] == a and ev.reason == "Reviewed: conduct improved"
    assert _told(ps_org.tl, a)
    row = next(x for x in client(ps_org.tl).get(f"/api/v1/customers/{ps_org.customer.csid}/restrictions/").json()
               if x["id"] == restriction.pk)
    assert (row["status"], row["end_approved_by"], row["end_requested_by"]) == ("ended", "nmqcc", "ps_tl")


def test_not_approved_or_withdrawn_it_stays_in_force(ps_org, restriction):
    a = _ask(ps_org.tl_front, restriction).json()["id"]
    post(ps_org.nmqcc, f"approvals/{a}/decide/", {"approve": False, "reason": "Conduct continues"}, 200)
    restriction.refresh_from_db()
    assert restriction.is_active and restriction.status == "active"
    assert _told(ps_org.tl_front, a)
    b = _ask(ps_org.tl, restriction).json()["id"]
    assert post(ps_org.tl_front, f"approvals/{b}/withdraw/", {"reason": "Not mine"}).status_code == 403
    post(ps_org.tl, f"approvals/{b}/withdraw/", {"reason": "Raised too early"}, 200)
    restriction.refresh_from_db()
    assert restriction.is_active and ApprovalRequest.objects.get(pk=b).status == "withdrawn"
    assert b not in _queue(ps_org.nmqcc)


def test_who_may_ask_team_leaders_only_not_the_national_manager_nor_a_case_manager(ps_org, restriction):
    for who in (ps_org.nmqcc, ps_org.cm, ps_org.so):
        r = _ask(who, restriction, 403).json()
        assert "PS-ORM-3" in r["step_ids"]
    assert not ApprovalRequest.objects.filter(kind="restricted_service_end").exists()


def test_stale_version_is_409_and_asks_nothing(ps_org, restriction):
    read = restriction.version
    ContactRestriction.objects.filter(pk=restriction.pk).update(version=F("version") + 1)
    r = _ask(ps_org.tl, restriction, 409, version=read)
    assert r.json()["code"] == "conflict"
    assert not ApprovalRequest.objects.filter(kind="restricted_service_end").exists()


def test_the_effect_service_refuses_anyone_but_the_national_manager(ps_org, restriction):
    """Every path: the effect cannot be reached around the request by a Team Leader (nor by the requester)."""
    with pytest.raises(NotPermitted):
        cs.contact_restriction_end_apply(actor=ps_org.tl.user, restriction_id=restriction.pk, reason="x",
                                         requested_by=ps_org.tl_front.user)
    restriction.refresh_from_db()
    assert restriction.is_active


def test_customer_page_form_says_sent_to_the_national_manager(ps_org, restriction):
    web = Client()
    web.force_login(ps_org.tl.user)
    page = web.get(f"/customers/{ps_org.customer.csid}/").content.decode()
    assert "restriction-end" in page and "Ask the National Manager to end it" in page
    r = web.post(f"/customers/{ps_org.customer.csid}/facts/restriction-end/",
                 {"row_id": restriction.pk, "version": restriction.version, "reason": "Behaviour improved"},
                 follow=True)
    assert "sent to the National Manager for approval" in r.content.decode()
    restriction.refresh_from_db()
    assert restriction.is_active
    assert ApprovalRequest.objects.get(kind="restricted_service_end").requested_by_id == ps_org.tl.user.pk
    nm = Client()
    nm.force_login(ps_org.nmqcc.user)
    assert "restriction-end" not in nm.get(f"/customers/{ps_org.customer.csid}/").content.decode()

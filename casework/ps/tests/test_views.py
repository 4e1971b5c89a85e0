"""UI tests (Django test client): dashboard, referral actioning, record page actions and refusals shown with steps."""

import pytest
from django.test import Client

from casework.ps import policy
from casework.ps.models import PsRecord

from .helpers import allocate, refer

pytestmark = pytest.mark.django_db


def login(officer):
    c = Client()
    c.force_login(officer.user)
    return c


def test_dashboard_lists_referrals_and_customers(ps_org):
    ref = refer(ps_org)
    r = login(ps_org.tl).get("/ps/")
    assert r.status_code == 200 and b"CRG Referral to PS" in r.content
    assert f"/ps/referrals/{ref.intray_id}/action/".encode() in r.content
    assert login(ps_org.so).get(f"/ps/referrals/{ref.intray_id}/action/").status_code == 403
    assert login(ps_org.cm).get("/ps/export.csv").status_code == 200
    assert login(ps_org.so).get("/ps/export.csv").status_code == 403


def test_action_referral_form(ps_org):
    ref = refer(ps_org)
    c = login(ps_org.tl)
    assert c.get(f"/ps/referrals/{ref.intray_id}/action/").status_code == 200
    r = c.post(f"/ps/referrals/{ref.intray_id}/action/", {
        "case_manager": "ps_cm", "referral_source": "crg", "main_referral_reason": "Escalations",
        "reviewed_items": ["Case and customer records"], "crg_record": "CRG record read"})
    rec = PsRecord.objects.get(customer=ps_org.customer)
    assert r.status_code == 302 and r.url == f"/ps/records/{rec.pk}/"
    assert b"Referral actioned" in c.get(r.url).content  # the task list, with the confirmation
    notepads, plan = c.get(r.url + "tasks/notepad/"), c.get(r.url + "tasks/plan/")
    assert b"PS referral" in notepads.content and b"Income Correct" in plan.content


def test_record_actions_and_refusal_message(ps_org):
    rec = allocate(ps_org)
    c = login(ps_org.cm)
    r = c.post(f"/ps/records/{rec.pk}/segment/", {"segment": "3", "reason": "Aggression"}, follow=True)
    assert b"PS-ORM-1" in r.content
    post = {"kind": "first", "summary": "First call", "acknowledged": "on",
            **{f"cp_{k}": "on" for k in policy.FIRST_CONTACT_POINTS},
            **{f"mi_{k}": "on" for k in policy.MANDATORY_KEYS}}
    r = c.post(f"/ps/records/{rec.pk}/contact/", post, follow=True)
    assert b"Contact recorded" in r.content
    r = c.post(f"/ps/records/{rec.pk}/note/", {"subject": "note", "body": "x"}, follow=True)
    assert b"PS-DOC-2" in r.content
    assert login(ps_org.so).post(f"/ps/records/{rec.pk}/note/", {"subject": "Call about estimate",
                                                                "body": "x"}).status_code == 403  # issue 14: was a 302
    assert not rec.contacts.filter(kind="follow_up").exists()


def test_customer_panel_shows_ps_case_manager(ps_org):
    allocate(ps_org)
    from casework.ps.panels import customer_panel
    from django.test import RequestFactory

    req = RequestFactory().get("/")
    req.user = ps_org.so.user
    ctx = customer_panel(req, ps_org.customer)
    assert ctx["ps_record"].case_manager == ps_org.cm

"""Officer UI: the ownership banner on the customer page offers only the permitted actions; the views report
refusals with their reason; the Team Leader queue lists disputes (CMA-1.6)."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.core.management.commands.load_reference import load_all
from casework.org.roles import Role
from casework.ownership import reference as own_reference
from casework.ownership import services
from casework.ownership.models import Lock, TransferStatus

pytestmark = pytest.mark.django_db


def client_for(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


def page(c, customer) -> str:
    r = c.get(f"/customers/{customer.csid}/")
    assert r.status_code == 200
    return r.content.decode()


def test_banner_unlocked_offers_lock_only(org, payer):
    html = page(client_for(org.officer()), payer)
    assert "Not locked." in html and "Lock customer" in html
    assert "Take over lock" not in html and "Unlock customer" not in html and "Transfer ownership" not in html


def test_banner_shows_owner_why_and_step_and_holder_may_unlock(org, payer):
    from .conftest import add_issue

    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    add_issue(payer, "dpo")
    services.customer_lock(actor=dpo.user, customer=payer, reason="DPO considered")
    html = page(client_for(dpo), payer)
    assert f"Locked to {dpo.display_name}" in html and "CMA-1.5" in html
    assert "Unlock customer" in html and "Transfer ownership" in html and "Lock customer" not in html
    other = page(client_for(org.officer()), payer)
    assert "Refer follow-up" in other
    assert "Take over lock" not in other and "Unlock customer" not in other  # not offered: refused by the rules


def test_ps_banner_says_contact_the_case_manager_first(org, payer):
    cm = org.officer("PS", Role.PS_CASE_MANAGER)
    services.customer_lock(actor=cm.user, customer=payer, reason="PS")
    html = page(client_for(org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)), payer)
    assert "contact the PS Case Manager" in html and "PS-SPE-1" in html and "Record consultation" in html


def test_lock_view_and_refusal_message(org, payer):
    a, b = org.officer(), org.officer()
    r = client_for(a).post(f"/customers/{payer.csid}/ownership/lock/", {"reason": "Mine"})
    assert r.status_code == 302 and Lock.objects.get(customer=payer).officer == a
    r = client_for(b).post(f"/customers/{payer.csid}/ownership/lock/", {"reason": "Mine"}, follow=True)
    assert f"Already locked to {a.display_name}" in r.content.decode()


def test_take_over_refer_unlock_views(org, payer):
    a, b = org.officer(), org.officer()
    client_for(a).post(f"/customers/{payer.csid}/ownership/lock/", {"reason": "Mine"})
    client_for(b).post(f"/customers/{payer.csid}/ownership/refer/", {"subject": "Call", "details": "Income"})
    assert payer.intrays.filter(type__code="client_contact_required").exists()
    client_for(b).post(f"/customers/{payer.csid}/ownership/take-over/", {"reason": "Better outcome"})
    assert Lock.objects.get(customer=payer, is_active=True).officer == b
    r = client_for(b).post(f"/customers/{payer.csid}/ownership/unlock/", {"reason": "done"}, follow=True)
    assert "CMA-3.4" in r.content.decode() and Lock.objects.filter(customer=payer, is_active=True).exists()
    r = client_for(b).post(f"/customers/{payer.csid}/ownership/unlock/", {"reason": "done", "decision_explained": "yes"},
                           follow=True)
    assert "Answer yes or no" in r.content.decode() and Lock.objects.filter(customer=payer, is_active=True).exists()
    client_for(b).post(f"/customers/{payer.csid}/ownership/unlock/",
                       {"reason": "done", "decision_explained": "yes", "contact_attempted": "yes"})
    assert not Lock.objects.filter(customer=payer, is_active=True).exists()


def test_team_queue_lists_and_decides_disputes(org, payer):
    tl = org.team_leader("GENERAL_OBJECTIONS")
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER, team=tl.team)
    org.intake("DPO")
    services.customer_lock(actor=obj.user, customer=payer, reason="Objection")
    client_for(obj).post(f"/customers/{payer.csid}/ownership/dispute/", {
        "to_area": "DPO", "expected_contact_volume": "high", "time_to_resolve": "long", "reason": "No agreement"})
    assert client_for(obj).get("/team/ownership-disputes/").status_code == 403
    html = client_for(tl).get("/team/ownership-disputes/").content.decode()
    assert payer.csid in html and "No agreement" in html
    dispute = payer.ownership_transfers.get()
    # Issue 11: the queue leads to the dispute's request for approval, decided there.
    from casework.approvals.models import ApprovalRequest

    approval = ApprovalRequest.objects.get(kind="ownership_dispute", subject_id=str(dispute.pk))
    assert f"/approvals/{approval.pk}/" in html
    r = client_for(tl).post(f"/team/ownership-disputes/{dispute.pk}/decide/", {"decision": "transfer", "reason": "DPO"})
    assert r.status_code == 302 and r["Location"] == f"/approvals/{approval.pk}/"
    client_for(tl).post(f"/approvals/{approval.pk}/decide/", {"approve": "yes", "decision": "transfer",
                                                             "reason": "DPO", "version": approval.version})
    dispute.refresh_from_db()
    assert dispute.status == TransferStatus.DECIDED
    assert Lock.objects.get(customer=payer, is_active=True).area.code == "DPO"


def test_reference_schedule_is_idempotent(reference):
    from django_q.models import Schedule

    assert Schedule.objects.filter(name=own_reference.AUTO_UNLOCK_SCHEDULE).count() == 1
    assert own_reference.load() == 0
    load_all()
    s = Schedule.objects.get(name=own_reference.AUTO_UNLOCK_SCHEDULE)
    assert s.func == "casework.ownership.jobs.auto_unlock_due" and s.repeats == -1


def test_auto_unlock_form_lists_decision_letters_and_schedules(org, payer, payee):
    from casework.core import clock
    from casework.letters.models import Letter
    from casework.ownership.models import AutoUnlock

    so = org.officer()
    services.customer_lock(actor=so.user, customer=payer, reason="x")
    letters = [Letter.objects.create(customer=c, template_code="decision_letter", title="Decision letter", html="x",
                                     issued_at=clock.now(), issued_by=so.user)
               for c in (payer, payee)]
    html = page(client_for(so), payer)
    assert "Schedule automatic unlock" in html and payee.full_name in html
    r = client_for(so).post(f"/customers/{payer.csid}/ownership/auto-unlock/",
                            {"letters": [letters[0].pk], "contact_attempted": "yes", "reason": "No answer"}, follow=True)
    assert "every impacted customer" in r.content.decode() and not AutoUnlock.objects.exists()
    client_for(so).post(f"/customers/{payer.csid}/ownership/auto-unlock/",
                        {"letters": [lt.pk for lt in letters], "contact_attempted": "yes", "reason": "No answer"})
    assert AutoUnlock.objects.get().customer == payer
    assert "Automatic unlock scheduled" in page(client_for(so), payer)

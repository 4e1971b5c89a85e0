"""Issue 14 "Correct, abandon, resume": an officer's second start resumes the contact in progress (web and API), a
contact is abandoned with a reason (the officer or their Team Leader, never after it ended; issues stay open, the
lock is untouched), a failed identity check is recorded and stops everything about the case (CMA-1.1), and the
sensitive indicator is shown before identity (PS-CON-4)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from casework.contacts import policy, services
from casework.contacts.models import Contact, ContactStatus
from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers.models import IssueStatus, PresentingIssue, SensitiveIssueIndicator, SensitiveReason
from casework.org.roles import Role
from casework.ownership.models import Lock
from casework.testing.factories import OfficerFactory, TeamFactory

BASE = "/api/v1/contacts/"


def _api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def _web(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


@pytest.fixture
def team_leader(so):
    """The Team Leader of the Service Officer's team."""
    tl = OfficerFactory(role=Role.TEAM_LEADER, position__office=so.position.office,
                        position__business_area=so.position.business_area, user__username="tl1")
    team = TeamFactory(business_area=so.position.business_area, office=so.position.office, leader=tl)
    so.position.team = team
    so.position.save(update_fields=["team"])
    tl.position.team = team
    tl.position.save(update_fields=["team"])
    return tl


def _start(officer, customer, **kw) -> Contact:
    return services.contact_start(actor=officer.user, customer=customer, channel="phone", **kw)


# --- 1. idempotent start / resume -----------------------------------------------------------------------------


def test_api_second_start_resumes_the_officers_contact_with_200(so, payer_call):
    client = _api(so)
    body = {"csid": payer_call["payer"].csid, "channel": "phone"}
    first = client.post(BASE, body, format="json")
    again = client.post(BASE, body, format="json")
    assert first.status_code == 201 and first.json()["resumed"] is False
    assert again.status_code == 200 and again.json()["resumed"] is True
    assert again.json()["id"] == first.json()["id"] and Contact.objects.count() == 1
    event = AuditEvent.objects.get(action="contact.resume")
    assert event.step_ids == ["CMA-1.1"] and event.customer_id == payer_call["payer"].pk


def test_another_officers_contact_does_not_block_but_is_shown(so, payer_call):
    other = OfficerFactory(role=Role.SERVICE_OFFICER, position__office=so.position.office, user__username="so2")
    theirs = _start(other, payer_call["payer"])
    r = _api(so).post(BASE, {"csid": payer_call["payer"].csid, "channel": "phone"}, format="json")
    assert r.status_code == 201 and r.json()["id"] != theirs.pk
    assert [o["id"] for o in r.json()["others_in_progress"]] == [theirs.pk]
    page = _web(so).get(reverse("contacts:start", args=[payer_call["payer"].csid])).content.decode()
    assert "has a contact in progress with this customer" in page and other.display_name in page
    customer_page = _web(so).get(reverse("web:customer", args=[payer_call["payer"].csid])).content.decode()
    assert 'data-testid="other-in-progress"' in customer_page


def test_ended_contact_is_not_resumed(so, payer_call):
    first = _start(so, payer_call["payer"])
    services.contact_abandon(actor=so.user, contact=first, reason="call_dropped")
    second = _start(so, payer_call["payer"])
    assert second.pk != first.pk and second.resumed is False


def test_web_back_button_start_redirects_to_the_contact_in_progress_with_a_banner(so, payer_call):
    web = _web(so)
    url = reverse("contacts:start", args=[payer_call["payer"].csid])
    r1 = web.post(url, {"channel": "phone", "speaker": "customer"})
    assert "You already have a contact in progress" in web.get(url).content.decode()  # the start page says so
    r2 = web.post(url, {"channel": "phone", "speaker": "customer"}, follow=True)
    contact = Contact.objects.get()
    assert r1["Location"] == reverse("contacts:contact", args=[contact.pk])
    assert r2.redirect_chain[-1][0] == reverse("contacts:contact", args=[contact.pk])
    assert "You already have a contact in progress with this customer: resumed." in r2.content.decode()
    # "Your day" lists it to resume
    assert reverse("contacts:contact", args=[contact.pk]) in web.get("/").content.decode()


def test_start_or_resume_policy():
    assert policy.start_or_resume(own_open_contact_ids=[]).outcome == "start"
    d = policy.start_or_resume(own_open_contact_ids=[7, 3])
    assert d.outcome == "resume" and d.facts["contact_id"] == 3 and d.step_ids == ("CMA-1.1",)


# --- 2. abandon -------------------------------------------------------------------------------------------------


def test_abandon_keeps_issues_open_and_the_lock_untouched(so, payer_call):
    from casework.ownership.services import customer_lock

    contact = _start(so, payer_call["payer"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    link = services.contact_issue_add(actor=so.user, contact=contact, issue_type="payment_enquiry")
    lock = customer_lock(actor=so.user, customer=payer_call["payer"], to_officer=so, reason="Working it")
    r = _api(so).post(f"{BASE}{contact.pk}/abandon/", {"reason": "customer_hung_up", "note": "Line went dead"},
                      format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "abandoned" and body["abandoned"]["reason"] == "customer_hung_up"
    assert PresentingIssue.objects.get(pk=link.presenting_issue_id).status == IssueStatus.OPEN
    assert Lock.objects.get(pk=lock.pk).is_active and Lock.objects.filter(is_active=True).count() == 1
    event = AuditEvent.objects.get(action="contact.abandon")
    assert event.after["issues_left_open"] == [link.presenting_issue_id] and event.step_ids == ["CMA-1.1"]
    # ended: nothing more, not even abandoning again
    again = _api(so).post(f"{BASE}{contact.pk}/abandon/", {"reason": "call_dropped"}, format="json")
    assert again.status_code == 409 and "CMA-1.1" in again.json()["step_ids"]
    page = _web(so).get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert 'data-testid="abandoned"' in page and "stay open" in page


def test_team_leader_may_abandon_their_officers_contact_others_may_not(so, team_leader, payer_call):
    contact = _start(so, payer_call["payer"])
    stranger = OfficerFactory(role=Role.TEAM_LEADER, position__office=so.position.office, user__username="tl9")
    with pytest.raises(NotPermitted):
        services.contact_abandon(actor=stranger.user, contact=contact, reason="call_dropped")
    with pytest.raises(NotPermitted):  # a colleague of the same team is not the Team Leader
        colleague = OfficerFactory(role=Role.SERVICE_OFFICER, position__team=so.position.team, user__username="so3")
        services.contact_abandon(actor=colleague.user, contact=contact, reason="call_dropped")
    page = _web(team_leader).get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert "Abandon contact" in page
    done = services.contact_abandon(actor=team_leader.user, contact=contact, reason="started_in_error")
    assert done.status == ContactStatus.ABANDONED
    assert AuditEvent.objects.get(action="contact.abandon").after["by_team_leader"] is True


def test_abandon_refused_after_finalise_and_bad_reasons(so, payer_call):
    contact = _start(so, payer_call["payer"])
    client = _api(so)
    r = client.post(f"{BASE}{contact.pk}/abandon/", {"reason": "bored"}, format="json")
    assert r.status_code == 400 and "reason" in r.json(), r.json()  # the serializer: field messages
    r = client.post(f"{BASE}{contact.pk}/abandon/", {"reason": "other"}, format="json")
    assert r.status_code == 400 and "note" in r.json()["fields"]
    contact.refresh_from_db()
    assert contact.status == ContactStatus.OPEN
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.FINALISED)
    with pytest.raises(TransitionRefused):
        services.contact_abandon(actor=so.user, contact=contact, reason="call_dropped")


def test_web_abandon_form(so, payer_call):
    contact = _start(so, payer_call["payer"])
    web = _web(so)
    url = reverse("contacts:action", args=[contact.pk, "abandon"])
    bad = web.post(url, {"reason": ""})
    assert bad.status_code == 400 and "Choose why the contact is abandoned." in bad.content.decode()
    ok = web.post(url, {"reason": "wrong_customer"}, follow=True)
    assert "Contact abandoned (wrong customer selected)" in ok.content.decode()
    contact.refresh_from_db()
    assert contact.status == ContactStatus.ABANDONED and contact.abandon_reason == "wrong_customer"


# --- 3. failed identity check -----------------------------------------------------------------------------------


def test_failed_poi_recorded_then_nothing_about_the_case(so, payer_call):
    contact = _start(so, payer_call["payer"])
    client = _api(so)
    r = client.post(f"{BASE}{contact.pk}/poi/failed/", {"checks": ["date_of_birth", "address"],
                                                        "note": "Gave the wrong date of birth"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["poi_failed"]["checks"] == ["date_of_birth", "address"] and r.json()["summary"] is None
    event = AuditEvent.objects.get(action="contact.poi_failed")
    assert event.step_ids == ["CMA-1.1"] and event.after["checks"] == ["date_of_birth", "address"]
    # the existing POI guard refuses every later step; POI cannot be confirmed on this contact any more
    r = client.post(f"{BASE}{contact.pk}/issues/", {"issue_type": "payment_enquiry"}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-1.1"]
    r = client.post(f"{BASE}{contact.pk}/poi/", {"method": "Now they know"}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-1.1"]
    r = client.post(f"{BASE}{contact.pk}/poi/failed/", {"checks": ["name"]}, format="json")
    assert r.status_code == 409
    # it can be abandoned; the customer page shows the failed attempt
    assert client.post(f"{BASE}{contact.pk}/abandon/", {"reason": "poi_failed"}, format="json").status_code == 200
    page = _web(so).get(reverse("web:customer", args=[payer_call["payer"].csid])).content.decode()
    assert 'data-testid="poi-failed"' in page and "Identity check failed" in page


def test_failed_poi_bad_input_and_after_confirmation(so, payer_call):
    contact = _start(so, payer_call["payer"])
    client = _api(so)
    r = client.post(f"{BASE}{contact.pk}/poi/failed/", {}, format="json")
    assert r.status_code == 400 and "checks" in r.json()["fields"]
    r = client.post(f"{BASE}{contact.pk}/poi/failed/", {"checks": ["shoe_size"]}, format="json")
    assert r.status_code == 400
    r = client.post(f"{BASE}{contact.pk}/poi/failed/", {"checks": ["other"]}, format="json")
    assert r.status_code == 400 and "note" in r.json()["fields"]
    contact.refresh_from_db()
    assert contact.poi_failed_at is None
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(TransitionRefused):
        services.contact_poi_fail(actor=so.user, contact=contact, checks=["name"])
    other = OfficerFactory(role=Role.SERVICE_OFFICER, position__office=so.position.office, user__username="so4")
    with pytest.raises(NotPermitted):
        services.contact_poi_fail(actor=other.user, contact=_start(so, payer_call["payee"]), checks=["name"])
    with pytest.raises(InvalidInput):
        services.contact_poi_fail(actor=so.user, contact=_start(so, payer_call["payee"]), checks=[], note=" ")


def test_web_failed_poi_form(so, payer_call):
    contact = _start(so, payer_call["payer"])
    web = _web(so)
    page = web.get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert "Record failed identity check" in page
    r = web.post(reverse("contacts:action", args=[contact.pk, "poi-failed"]), {"checks": ["csid"]}, follow=True)
    body = r.content.decode()
    assert "Identity check failed: recorded" in body and 'data-testid="poi-failed"' in body
    assert "Record failed identity check" not in body and "Confirm POI" not in body


# --- 4. safety before identity ----------------------------------------------------------------------------------


def test_sensitive_indicator_shown_before_poi_to_officers_only(so, payer_call):
    SensitiveIssueIndicator.objects.create(customer=payer_call["payer"], reason=SensitiveReason.FAMILY_VIOLENCE,
                                           conditions="Never give the payee's address")
    contact = _start(so, payer_call["payer"])
    page = _web(so).get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert not contact.poi_confirmed
    assert 'data-testid="sensitive"' in page and "Family violence" in page and "Never disclose" in page
    assert page.index('data-testid="sensitive"') < page.index('id="poi"')
    body = _api(so).get(f"{BASE}{contact.pk}/").json()  # the API's contact carries no sensitive indicator
    assert "Family violence" not in str(body) and "family_violence" not in str(body)

"""Issue 14: correcting what was recorded on a contact with a reason (CMA-1.1): the policy table, the service
(correction rows, audit, version check, after finalisation too, never the outcomes other rules hang on), the API and
the contact page's form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from casework.contacts import policy, services
from casework.contacts.models import Contact, ContactCorrection, ContactStatus
from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.org.roles import Role
from casework.testing.factories import OfficerFactory, TeamFactory

BASE = "/api/v1/contacts/"
OK = dict(is_contact_officer=True, is_their_team_leader=False, changed=("channel",), reason="Was face-to-face")


@pytest.mark.parametrize("kw,allowed,words,step", [
    pytest.param({}, True, "may be corrected", "CMA-1.1", id="CMA-1.1-officer-who-took-it"),
    pytest.param({"is_contact_officer": False, "is_their_team_leader": True}, True, "may be corrected", "CMA-1.1",
                 id="CMA-1.1-their-team-leader"),
    pytest.param({"is_contact_officer": False}, False, "Only the officer who took", "CMA-1.1",
                 id="CMA-1.1-anyone-else"),
    pytest.param({"changed": ("mca_ticked",)}, False, "Minimum Collection Activity", "CMA-2.8",
                 id="CMA-2.8-mca-documented-protected"),
    pytest.param({"changed": ("status",)}, False, "status cannot be corrected", "CMA-3.2",
                 id="CMA-3.2-finalisation-protected"),
    pytest.param({"changed": ("realtime_resolved",)}, False, "cannot be corrected", "CMA-2.9",
                 id="CMA-2.9-real-time-outcome-protected"),
    pytest.param({"changed": ("customer",)}, False, "Only what was typed", "CMA-1.1", id="CMA-1.1-unknown-field"),
    pytest.param({"changed": ()}, False, "Change at least one", "CMA-1.1", id="CMA-1.1-nothing-changed"),
    pytest.param({"reason": "  "}, False, "Give a reason", "CMA-1.1", id="CMA-1.1-no-reason"),
])
def test_contact_correct_check(kw, allowed, words, step):
    d = policy.contact_correct_check(**{**OK, **kw})
    assert d.allowed is allowed
    assert words in d.reason
    assert d.step_ids == (step,)


@pytest.fixture
def team_leader(so):
    tl = OfficerFactory(role=Role.TEAM_LEADER, position__office=so.position.office,
                        position__business_area=so.position.business_area, user__username="tl1")
    team = TeamFactory(business_area=so.position.business_area, office=so.position.office, leader=tl)
    so.position.team = team
    so.position.save(update_fields=["team"])
    return tl


def _start(officer, customer) -> Contact:
    c = services.contact_start(actor=officer.user, customer=customer, channel="phone")
    return services.contact_poi_confirm(actor=officer.user, contact=c, method="Date of birth and address")


def test_correct_a_finalised_contact_keeps_the_original_and_audits(so, payer_call):
    contact = _start(so, payer_call["payer"])
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.FINALISED)
    contact.refresh_from_db()
    out = services.contact_correct(actor=so.user, contact=contact, reason="It was a visit to the office",
                                   version=contact.version, channel="face_to_face",
                                   poi_method="Driver licence sighted")
    out.refresh_from_db()
    assert (out.channel, out.poi_method, out.status) == ("face_to_face", "Driver licence sighted", "finalised")
    assert out.version == contact.version + 1
    rows = {r.field: r for r in ContactCorrection.objects.filter(contact=out)}
    assert (rows["channel"].old_value, rows["channel"].new_value) == ("Phone", "Face-to-face")
    assert rows["poi_method"].old_value == "Date of birth and address"
    assert rows["channel"].reason == "It was a visit to the office" and rows["channel"].corrected_by == so.user
    event = AuditEvent.objects.get(action="contact.correct")
    assert event.step_ids == ["CMA-1.1"] and event.after["channel"] == "face_to_face"
    assert event.before["channel"] == "phone" and event.customer_id == payer_call["payer"].pk


def test_team_leader_may_correct_others_may_not(so, team_leader, payer_call):
    contact = _start(so, payer_call["payer"])
    other = OfficerFactory(role=Role.SERVICE_OFFICER, position__office=so.position.office, user__username="so9")
    with pytest.raises(NotPermitted):
        services.contact_correct(actor=other.user, contact=contact, reason="x", channel="email")
    services.contact_correct(actor=team_leader.user, contact=contact, reason="Keyed wrongly", channel="email")
    assert ContactCorrection.objects.get().corrected_by == team_leader.user


def test_refusals_protected_stale_and_bad_input(so, payer_call):
    contact = _start(so, payer_call["payer"])
    with pytest.raises(TransitionRefused) as e:
        services.contact_correct(actor=so.user, contact=contact, reason="x", mca_ticked=["income_confirmed"])
    assert e.value.step_ids == ("CMA-2.8",)
    with pytest.raises(InvalidInput) as e:
        services.contact_correct(actor=so.user, contact=contact, reason="", channel="email")
    assert "reason" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.contact_correct(actor=so.user, contact=contact, reason="x", channel="pigeon")
    assert "channel" in e.value.fields
    with pytest.raises(InvalidInput):
        services.contact_correct(actor=so.user, contact=contact, reason="x", channel="phone")  # no change
    with pytest.raises(Conflict):
        services.contact_correct(actor=so.user, contact=contact, reason="x", channel="email",
                                 version=contact.version + 3)
    assert not ContactCorrection.objects.exists()


# --- API -----------------------------------------------------------------------------------------------------------


def _api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def test_api_correct_200_400_403_409(so, payer_call):
    contact = _start(so, payer_call["payer"])
    url = f"{BASE}{contact.pk}/correct/"
    r = _api(so).post(url, {"channel": "email", "reason": "Came in by email", "version": contact.version},
                      format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["channel"] == "email" and r.json()["corrections"][0]["old"] == "Phone"
    r = _api(so).post(url, {"channel": "pigeon", "reason": "x"}, format="json")
    assert r.status_code == 400 and "channel" in r.json()
    r = _api(so).post(url, {"channel": "post"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = _api(so).post(url, {"channel": "post", "reason": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 409
    other = OfficerFactory(role=Role.SERVICE_OFFICER, position__office=so.position.office, user__username="so8")
    assert _api(other).post(url, {"channel": "post", "reason": "x"}, format="json").status_code == 403


# --- the contact page ----------------------------------------------------------------------------------------------


def test_page_form_corrects_a_finalised_contact_and_keeps_typed_values_on_error(so, payer_call):
    contact = _start(so, payer_call["payer"])
    Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.FINALISED)
    web = Client()
    web.force_login(so.user)
    page = web.get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert "Correct what was recorded" in page and 'value="Date of birth and address"' in page
    url = reverse("contacts:action", args=[contact.pk, "correct"])
    typed = {"version": contact.version, "channel": "phone", "poi_method": "Passport sighted", "reason": ""}
    bad = web.post(url, typed)
    html = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in html and 'value="Passport sighted"' in html
    assert not ContactCorrection.objects.exists()
    ok = web.post(url, {**typed, "reason": "Wrong document noted"}, follow=True)
    html = ok.content.decode()
    assert "Contact corrected" in html
    assert "proof of identity method Date of birth and address → Passport sighted — Wrong document noted" in html
    stale = web.post(url, {**typed, "poi_method": "Licence", "reason": "again"})
    assert stale.status_code == 409

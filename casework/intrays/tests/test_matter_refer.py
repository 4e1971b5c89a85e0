"""Referring one matter of correspondence to another team (CMA-1.1, CMA-3.5, CMA-2.10): the policy table, the
service (transition, new intray with its queue and due date, notification, audit), the close guard, the API and the
intray page's form."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.intrays import policy as p
from casework.intrays import services
from casework.intrays.models import CorrespondenceMatter, Intray, MatterStatus
from casework.notifications.models import Notification

pytestmark = pytest.mark.django_db

CORR = p.TypeFacts(code="correspondence_received", name="Correspondence received", is_correspondence=True,
                   step_ids=("CMA-1.1", "CMA-3.5"))
CCR = p.TypeFacts(code="client_contact_required", name="Client Contact Required", sla_working_days=2)
SO = p.ActorFacts(role="service_officer", officer_id=1, position_id=10)
SO2 = p.ActorFacts(role="service_officer", officer_id=2, position_id=20)
OPEN_CORR = p.IntrayFacts(status="open", type=CORR, assignee_officer_id=1)
OK = dict(matter_status="outstanding", has_receiver=True, same_receiver=False, reason="Collection to update arrears")


@pytest.mark.parametrize("intray,actor,kw,allowed,words", [
    pytest.param(OPEN_CORR, SO, {}, True, "may be referred", id="CMA-3.5-open-matter-other-team"),
    pytest.param(p.IntrayFacts(status="in_progress", type=CORR, assignee_officer_id=1), SO, {}, True,
                 "may be referred", id="CMA-3.5-in-progress"),
    pytest.param(p.IntrayFacts(status="open", type=CCR, assignee_officer_id=1), SO, {}, False, "Only a matter",
                 id="CMA-1.1-not-correspondence"),
    pytest.param(p.IntrayFacts(status="done", type=CORR, assignee_officer_id=1), SO, {}, False, "closed",
                 id="CMA-1.1-intray-closed"),
    pytest.param(OPEN_CORR, SO2, {}, False, "belongs to another", id="CMA-1.1-not-the-actors"),
    pytest.param(OPEN_CORR, SO, {"matter_status": "addressed"}, False, "already addressed",
                 id="CMA-3.5-matter-addressed"),
    pytest.param(OPEN_CORR, SO, {"matter_status": "referred"}, False, "already referred",
                 id="CMA-3.5-matter-referred"),
    pytest.param(OPEN_CORR, SO, {"has_receiver": False}, False, "Choose the officer", id="CMA-2.10-no-receiver"),
    pytest.param(OPEN_CORR, SO, {"same_receiver": True}, False, "same officer", id="CMA-2.10-same-receiver"),
    pytest.param(OPEN_CORR, SO, {"reason": "  "}, False, "Give a reason", id="CMA-3.5-no-reason"),
])
def test_may_refer_matter(intray, actor, kw, allowed, words):
    d = p.may_refer_matter(intray, actor, **{**OK, **kw})
    assert d.allowed is allowed
    assert words in d.reason
    assert d.step_ids == ("CMA-1.1", "CMA-3.5", "CMA-2.10")


def correspondence(org, matters=("Asks for a change of assessment", "Says the arrears are wrong")):
    return services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 20),
        category="general", subject="Letter from payer", assignee_officer=org.so, matters=list(matters))


def matters_of(intray):
    return list(CorrespondenceMatter.objects.filter(correspondence__intray=intray).order_by("id"))


def test_refer_creates_the_receivers_intray_due_in_their_calendar_tells_them_and_audits(org, frozen):
    intray = correspondence(org)
    _, arrears = matters_of(intray)
    referral = services.correspondence_matter_refer(actor=org.so.user, matter=arrears, to_officer=org.other,
                                                    reason="Collection to check the arrears")
    arrears.refresh_from_db()
    assert arrears.status == MatterStatus.REFERRED
    assert arrears.referred_intray == referral and arrears.refer_reason == "Collection to check the arrears"
    # The receiving officer's queue, in their office's working-day calendar: Monday + 2 working days (Melbourne).
    assert referral.type.code == "client_contact_required"
    assert (referral.assignee_officer, referral.office) == (org.other, org.melbourne)
    assert referral.due_date == dt.date(2026, 11, 25)
    assert referral.customer == org.customer and referral.related_intray_id == intray.pk
    assert "Says the arrears are wrong" in referral.details and "Collection to check the arrears" in referral.details
    assert set(referral.step_ids) >= {"CMA-3.5", "CMA-2.10"}
    note = Notification.objects.get(recipient=org.other.user)
    assert note.kind == "work_received" and f"/work/intrays/{referral.pk}/" == note.link and "25/11/2026" in note.text
    assert not Notification.objects.filter(recipient=org.so.user).exists()
    event = AuditEvent.objects.get(action="correspondence.matter_refer")
    assert event.after["status"] == "referred" and event.after["intray"] == referral.pk
    assert event.reason == "Collection to check the arrears"
    assert list(event.step_ids) == ["CMA-1.1", "CMA-3.5", "CMA-2.10"]
    assert Intray.objects.get(pk=intray.pk).version == intray.version + 1


def test_refer_to_a_position_tells_every_active_officer_in_it(org, frozen):
    intray = correspondence(org)
    referral = services.correspondence_matter_refer(actor=org.so.user, matter=matters_of(intray)[0],
                                                    to_position=org.ps_pos, reason="PS manages this customer")
    assert referral.assignee_position == org.ps_pos and referral.team == org.ps_team
    org.ps_cm.position = org.ps_pos
    org.ps_cm.save()
    intray2 = correspondence(org, matters=("Another",))
    services.correspondence_matter_refer(actor=org.so.user, matter=matters_of(intray2)[0], to_position=org.ps_pos,
                                         reason="PS again")
    assert Notification.objects.filter(recipient=org.ps_cm.user).count() == 1


def test_close_guard_passes_with_a_referred_matter_and_refuses_with_an_outstanding_one(org, frozen):
    intray = correspondence(org)
    coa, arrears = matters_of(intray)
    services.correspondence_matter_refer(actor=org.so.user, matter=arrears, to_officer=org.other,
                                         reason="Collection to check the arrears")
    assert services.unaddressed_matters(Intray.objects.get(pk=intray.pk)) == ("Asks for a change of assessment",)
    with pytest.raises(TransitionRefused) as refused:
        services.intray_complete(actor=org.so.user, intray=intray, outcome="Done")
    assert "Asks for a change of assessment" in str(refused.value) and "arrears" not in str(refused.value)
    services.correspondence_matter_address(actor=org.so.user, matter=coa, outcome="Form sent", communicated=True)
    done = services.intray_complete(actor=org.so.user, intray=intray, outcome="Answered; arrears referred")
    assert done.status == "done"
    assert Intray.objects.filter(related_intray=intray, status="open").count() == 1  # handed on, not forgotten


def test_refer_refusals(org, frozen):
    intray = correspondence(org)
    matter = matters_of(intray)[0]
    with pytest.raises(InvalidInput) as e:
        services.correspondence_matter_refer(actor=org.so.user, matter=matter, to_officer=org.other, reason=" ")
    assert "reason" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.correspondence_matter_refer(actor=org.so.user, matter=matter, reason="x")
    assert "to_officer" in e.value.fields
    with pytest.raises(InvalidInput):
        services.correspondence_matter_refer(actor=org.so.user, matter=matter, to_officer=org.so, reason="x")
    with pytest.raises(NotPermitted):
        services.correspondence_matter_refer(actor=org.so2.user, matter=matter, to_officer=org.other, reason="x")
    with pytest.raises(Conflict):
        services.correspondence_matter_refer(actor=org.so.user, matter=matter, to_officer=org.other, reason="x",
                                             version=intray.version + 5)
    services.correspondence_matter_refer(actor=org.so.user, matter=matter, to_officer=org.other, reason="x")
    with pytest.raises(TransitionRefused):
        services.correspondence_matter_refer(actor=org.so.user, matter=matter, to_officer=org.other, reason="x")
    assert Intray.objects.filter(type__code="client_contact_required").count() == 1


def _api(officer):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def test_api_refer_201_400_403_409(org, frozen):
    intray = correspondence(org)
    matter = matters_of(intray)[0]
    url = f"/api/v1/intrays/{intray.pk}/matters/{matter.pk}/refer/"
    r = _api(org.so).post(url, {"to_officer": org.other.pk, "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"], r.json()
    r = _api(org.so2).post(url, {"to_officer": org.other.pk, "reason": "x"}, format="json")
    assert r.status_code == 403
    r = _api(org.so).post(url, {"to_officer": org.other.pk, "reason": "x", "version": intray.version + 3},
                          format="json")
    assert r.status_code == 409
    r = _api(org.so).post(url, {"to_position": org.ps_pos.code, "reason": "PS manages this",
                                "version": intray.version}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["assignee_position"] == org.ps_pos.code and r.json()["due_date"] == "2026-11-25"
    r = _api(org.so).post(url, {"to_officer": org.other.pk, "reason": "again"}, format="json")
    assert r.status_code == 409


def test_web_form_refers_and_keeps_what_was_typed_on_error(client, org, frozen):
    intray = correspondence(org)
    matter = matters_of(intray)[1]
    client.force_login(org.so.user)
    url = f"/work/intrays/{intray.pk}/matter_refer/"
    r = client.post(url, {"version": intray.version, "matter": matter.pk, "to_officer": org.other.user.username,
                          "reason": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert f'value="{org.other.user.username}"' in html and "Give a reason for referring the matter" in html
    assert f'id="id_r{matter.pk}_reason"' in html
    r = client.post(url, {"version": intray.version, "matter": matter.pk, "to_officer": org.other.user.username,
                          "reason": "Collection to check the arrears"})
    assert r.status_code == 302
    matter.refresh_from_db()
    assert matter.status == "referred"
    page = client.get(f"/work/intrays/{intray.pk}/").content.decode()
    assert f'data-testid="matter-referred-{matter.pk}"' in page and "Referred to another team" in page

"""Correcting an intray's recorded facts with a reason (issue 14, CMA-1.1): the policy table, the service (correction
rows, due date recomputed by the creation rule in the office calendar, audit, version check), the API and the page."""

import datetime as dt
import zoneinfo

import pytest

from casework.core.errors import Conflict, InvalidInput, TransitionRefused
from casework.core.models import AuditEvent
from casework.intrays import policy as p
from casework.intrays import services
from casework.intrays.models import Correspondence, IntrayCorrection
from casework.testing.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

SYD = zoneinfo.ZoneInfo("Australia/Sydney")
CCR = p.TypeFacts(code="client_contact_required", name="Client Contact Required", sla_working_days=2)
SO = p.ActorFacts(role="service_officer", officer_id=1, position_id=10)
SO2 = p.ActorFacts(role="service_officer", officer_id=2, position_id=20)
TL = p.ActorFacts(role="team_leader", officer_id=3, position_id=30, team_ids_led=frozenset({7}))
OPEN = p.IntrayFacts(status="open", type=CCR, assignee_officer_id=1, team_id=7)
OK = dict(changed=("received_at",), reason="Keyed the wrong day")


@pytest.mark.parametrize("intray,actor,kw,allowed,words", [
    pytest.param(OPEN, SO, {}, True, "may be corrected", id="CMA-1.1-assignee-corrects"),
    pytest.param(p.IntrayFacts(status="in_progress", type=CCR, assignee_officer_id=1), SO, {}, True,
                 "may be corrected", id="CMA-1.1-in-progress"),
    pytest.param(OPEN, TL, {}, True, "may be corrected", id="CMA-1.1-team-leader"),
    pytest.param(p.IntrayFacts(status="done", type=CCR, assignee_officer_id=1), SO, {}, False, "closed intray",
                 id="CMA-1.1-done-refused"),
    pytest.param(p.IntrayFacts(status="deleted", type=CCR, assignee_officer_id=1), SO, {}, False, "deleted",
                 id="CMA-1.1-deleted-refused"),
    pytest.param(OPEN, SO2, {}, False, "belongs to another", id="CMA-1.1-not-the-actors"),
    pytest.param(OPEN, SO, {"changed": ("status",)}, False, "Only the subject", id="CMA-1.1-not-a-correctable-field"),
    pytest.param(OPEN, SO, {"changed": ()}, False, "Change the", id="CMA-1.1-nothing-changed"),
    pytest.param(OPEN, SO, {"reason": " "}, False, "Give a reason", id="CMA-1.1-no-reason"),
])
def test_may_correct(intray, actor, kw, allowed, words):
    d = p.may_correct(intray, actor, **{**OK, **kw})
    assert d.allowed is allowed
    assert words in d.reason
    assert d.step_ids == ("CMA-1.1",)


def make(org, **kw):
    return services.intray_create(actor=org.so.user, type_code="client_contact_required", customer=org.customer,
                                  subject="Call back re income", assignee_officer=org.so, details="Follow up", **kw)


def test_received_date_corrected_recomputes_due_date_keeps_original_and_audits(org, frozen):
    intray = make(org)
    assert intray.due_date == dt.date(2026, 11, 25)
    fri = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SYD)
    out = services.intray_correct(actor=org.so.user, intray=intray, reason="Letter was stamped Friday",
                                  version=intray.version, received_at=fri)
    out.refresh_from_db()
    assert out.received_at == fri and out.due_date == dt.date(2026, 11, 24)  # Fri + 2 working days (Sydney)
    rows = {r.field: r for r in IntrayCorrection.objects.filter(intray=out)}
    assert set(rows) == {"received_at", "due_date"}
    assert rows["received_at"].old_value.startswith("23/11/2026 09:00")
    assert rows["received_at"].new_value.startswith("20/11/2026 10:00")
    assert (rows["due_date"].old_value, rows["due_date"].new_value) == ("25/11/2026", "24/11/2026")
    assert rows["received_at"].reason == "Letter was stamped Friday" and rows["received_at"].corrected_by == org.so.user
    event = AuditEvent.objects.get(action="intray.correct")
    assert event.reason == "Letter was stamped Friday" and "CMA-1.1" in event.step_ids
    assert out.version == intray.version + 1


def test_subject_details_and_case_corrected_one_row_each(org, frozen):
    case = CaseFactory(payer=org.customer)
    intray = make(org)
    services.intray_correct(actor=org.so.user, intray=intray, reason="Wrong case picked", subject="Call back re debt",
                            details="Arrears query", case=case)
    intray.refresh_from_db()
    assert (intray.subject, intray.details, intray.case) == ("Call back re debt", "Arrears query", case)
    assert sorted(IntrayCorrection.objects.filter(intray=intray).values_list("field", flat=True)) == [
        "case", "details", "subject"]


def test_correspondence_received_date_follows(org, frozen):
    intray = services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 20),
        category="general", subject="Letter", assignee_officer=org.so)
    services.intray_correct(actor=org.so.user, intray=intray, reason="Date stamp misread",
                            received_at=dt.datetime(2026, 11, 19, 0, 0, tzinfo=SYD))
    assert Correspondence.objects.get(intray=intray).received_on == dt.date(2026, 11, 19)


def test_refusals(org, frozen):
    intray = make(org)
    other_case = CaseFactory(payer=CustomerFactory())
    with pytest.raises(InvalidInput) as e:
        services.intray_correct(actor=org.so.user, intray=intray, reason="", subject="New subject")
    assert "reason" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.intray_correct(actor=org.so.user, intray=intray, reason="x", case=other_case)
    assert "case" in e.value.fields
    with pytest.raises(InvalidInput) as e:
        services.intray_correct(actor=org.so.user, intray=intray, reason="x",
                                received_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=SYD))
    assert "received_at" in e.value.fields
    with pytest.raises(Conflict):
        services.intray_correct(actor=org.so.user, intray=intray, reason="x", subject="New", version=intray.version + 5)
    done = services.intray_complete(actor=org.so.user, intray=intray, outcome="Called back")
    with pytest.raises(TransitionRefused) as e:
        services.intray_correct(actor=org.so.user, intray=done, reason="x", subject="New")
    assert "CMA-1.1" in e.value.step_ids
    assert not IntrayCorrection.objects.exists()


# --- API -----------------------------------------------------------------------------------------------------------


def _api(officer):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def test_api_correct_200_400_403_409(org, frozen):
    intray = make(org)
    url = f"/api/v1/intrays/{intray.pk}/correct/"
    r = _api(org.so).post(url, {"received_at": "2026-11-20T10:00:00+11:00", "reason": "Stamped Friday",
                                "version": intray.version}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["due_date"] == "2026-11-24"
    assert [c["field"] for c in r.json()["corrections"]] == ["received_at", "due_date"]
    r = _api(org.so).post(url, {"subject": "Again", "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = _api(org.so).post(url, {"case": "NOPE", "reason": "x"}, format="json")
    assert r.status_code == 400 and "case" in r.json()["fields"]
    r = _api(org.so).post(url, {"subject": "Again", "reason": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert r.status_code == 409
    r = _api(org.so2).post(url, {"subject": "Again", "reason": "x"}, format="json")
    assert r.status_code == 403


# --- the intray page -----------------------------------------------------------------------------------------------


def test_page_form_corrects_shows_the_correction_and_keeps_typed_values_on_error(org, frozen):
    from django.test import Client

    intray = make(org)
    web = Client()
    web.force_login(org.so.user)
    url = f"/work/intrays/{intray.pk}/correct/"
    page = web.get(f"/work/intrays/{intray.pk}/").content.decode()
    assert "Correct what was recorded" in page and 'value="Call back re income"' in page
    bad = web.post(url, {"version": intray.version, "subject": "Call back re arrears", "details": "Follow up",
                         "received_at": "2026-11-23T09:00", "case": "", "reason": ""})
    html = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in html and 'value="Call back re arrears"' in html
    assert not IntrayCorrection.objects.exists()
    ok = web.post(url, {"version": intray.version, "subject": "Call back re income", "details": "Follow up",
                        "received_at": "2026-11-20T10:00", "case": "", "reason": "Stamped Friday"}, follow=True)
    html = ok.content.decode()
    assert "Intray corrected" in html
    assert "received date" in html and "Stamped Friday" in html and "25/11/2026 → 24/11/2026" in html
    stale = web.post(url, {"version": intray.version, "subject": "X", "details": "", "received_at": "",
                           "case": "", "reason": "y"})
    assert stale.status_code == 409

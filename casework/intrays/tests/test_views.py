import datetime as dt

import pytest
from django.test import Client

from casework.intrays import services
from casework.intrays.models import Intray, IntrayStatus

pytestmark = pytest.mark.django_db



def v(intray, **data):
    """An intray action's form as the page sends it: the fields and the intray's current version (issue 13)."""
    return {"version": Intray.objects.get(pk=intray.pk).version, **data}

def client_for(officer):
    c = Client()
    c.force_login(officer.user)
    return c


def make(org, **kw):
    kw.setdefault("assignee_officer", org.so)
    kw.setdefault("type_code", "client_contact_required")
    kw.setdefault("subject", "Call the payer")
    return services.intray_create(actor=org.tl.user, customer=org.customer, **kw)


def test_worklist_page_and_htmx_partial(org, frozen):
    intray = make(org)
    make(org, type_code="general_follow_up", subject="Follow-up thing")
    c = client_for(org.so)
    r = c.get("/work/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Call the payer" in html and "<html" in html and 'data-bucket="overdue"' in html
    r = c.get("/work/?type=client_contact_required", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "<html" not in html and "Call the payer" in html and "Follow-up thing" not in html
    assert f'data-intray="{intray.pk}"' in html


def test_worklist_team_tab_only_for_team_leader(org, frozen):
    make(org)
    assert "My team" not in client_for(org.so).get("/work/").content.decode()
    html = client_for(org.tl).get("/work/?scope=team").content.decode()
    assert "My team" in html and "Call the payer" in html
    r = client_for(org.so).get("/work/?scope=team")
    assert r.status_code == 403 and "Team Leader" in r.content.decode()


def test_worklist_requires_login(org):
    assert Client().get("/work/").status_code == 302


def test_detail_and_actions(org, frozen):
    intray = make(org)
    c = client_for(org.so)
    assert "Work this intray" in c.get(f"/work/intrays/{intray.pk}/").content.decode()
    c.post(f"/work/intrays/{intray.pk}/start/", v(intray))
    assert Intray.objects.get(pk=intray.pk).status == IntrayStatus.IN_PROGRESS
    r = c.post(f"/work/intrays/{intray.pk}/delete/", v(intray, **{"reason": ""}), follow=True)
    assert "Give a reason" in r.content.decode()
    r = c.post(f"/work/intrays/{intray.pk}/complete/", v(intray, **{"outcome": "Done"}), follow=True)
    assert Intray.objects.get(pk=intray.pk).status == IntrayStatus.DONE
    assert "Intray done." in r.content.decode()
    r = c.post(f"/work/intrays/{intray.pk}/frobnicate/")
    assert r.status_code == 404


def test_other_officer_refused_with_reason(org, frozen):
    intray = make(org)
    r = client_for(org.other).post(f"/work/intrays/{intray.pk}/complete/", v(intray), follow=True)
    assert "another officer" in r.content.decode()
    assert Intray.objects.get(pk=intray.pk).status == IntrayStatus.OPEN
    assert client_for(org.so).get("/work/intrays/999999/").status_code == 404


def test_reassign_via_ui(org, frozen):
    intray = make(org)
    client_for(org.so).post(f"/work/intrays/{intray.pk}/reassign/", v(intray, **{"to_officer": "so2", "reason": "Leave"}))
    assert Intray.objects.get(pk=intray.pk).assignee_officer == org.so2
    r = client_for(org.so2).post(f"/work/intrays/{intray.pk}/reassign/", v(intray, **{"to_officer": "ghost", "reason": "x"}),
                                 follow=True)
    assert "No officer" in r.content.decode()


def test_CMA_1_1_correspondence_ui_flow(org, frozen):
    intray = services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 20),
        category="general", subject="Letter", assignee_officer=org.so,
        documents=[("l.pdf", b"%PDF", "application/pdf")], matters=["Wants a CoA"])
    c = client_for(org.so)
    html = c.get(f"/work/intrays/{intray.pk}/").content.decode()
    assert "Wants a CoA" in html and "l.pdf" in html and "Not yet: 1 matter" in html
    doc = intray.correspondence.documents.get()
    r = c.get(f"/work/intrays/{intray.pk}/documents/{doc.pk}/")
    assert r.status_code == 200 and r.getvalue() == b"%PDF"
    r = c.post(f"/work/intrays/{intray.pk}/delete/", v(intray, **{"reason": "done"}), follow=True)
    assert "CMA-3.5" in r.content.decode()
    r = c.post(f"/work/intrays/{intray.pk}/recategorise/", v(intray, **{"category": "income", "reason": "About income"}),
               follow=True)
    assert "General enquiry → Income" in r.content.decode()
    matter = intray.correspondence.matters.get()
    c.post(f"/work/intrays/{intray.pk}/matter_address/", v(intray, matter=matter.pk, outcome="Form sent",
                                                             communicated="on"))
    c.post(f"/work/intrays/{intray.pk}/matter_add/", v(intray, **{"description": "Second matter"}))
    assert intray.correspondence.matters.count() == 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    c.post(f"/work/intrays/{intray.pk}/document_add/", {"file": SimpleUploadedFile("p2.txt", b"two")})
    assert intray.correspondence.documents.count() == 2


def test_create_form(org, frozen):
    c = client_for(org.so)
    r = c.get(f"/work/new/?csid={org.customer.csid}")
    assert r.status_code == 200 and org.customer.full_name in r.content.decode()
    r = c.post("/work/new/", {"csid": org.customer.csid, "type_code": "client_contact_required", "subject": "Ring",
                              "to_officer": "so2"})
    assert r.status_code == 302
    assert Intray.objects.get().assignee_officer == org.so2
    r = c.post("/work/new/", {"csid": org.customer.csid, "type_code": "client_contact_required", "subject": "Ring"})
    assert r.status_code == 400 and "CMA-2.10" in r.content.decode()
    r = c.post("/work/new/", {"csid": org.customer.csid, "type_code": "correspondence_received", "subject": "Fax",
                              "to_officer": "so", "channel": "fax", "received_on": "2026-11-20", "category": "care",
                              "matters": "One\nTwo"})
    assert r.status_code == 302
    assert Intray.objects.get(type__code="correspondence_received").correspondence.matters.count() == 2
    assert client_for(org.auditor).get("/work/new/").status_code == 403


def test_customer_panel_lists_open_intrays(org, frozen):
    from django.test import RequestFactory

    from casework.intrays.panels import customer_panel

    open_one = make(org)
    done = make(org, subject="Old one")
    services.intray_complete(actor=org.so.user, intray=done)
    request = RequestFactory().get("/")
    request.user = org.so.user
    ctx = customer_panel(request, org.customer)
    assert [r["intray"] for r in ctx["intrays"]] == [open_one]
    from django.template.loader import render_to_string

    html = render_to_string("intrays/_customer_panel.html", ctx)
    assert "Call the payer" in html and "Old one" not in html


def test_customer_page_shows_open_intrays(org, frozen):
    make(org, subject="Visible on the customer page")
    r = client_for(org.so).get(f"/customers/{org.customer.csid}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Open intrays" in html and "Visible on the customer page" in html

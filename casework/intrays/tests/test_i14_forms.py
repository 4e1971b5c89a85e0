"""Issue 14: the new-intray form and the intray page's forms, posted with an invalid value, come back as the same
page with status 400: what was typed is still there (received date and time, matters...), the error summary links
to the field, and nothing was written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from casework.intrays import services
from casework.intrays.models import Intray

pytestmark = pytest.mark.django_db


def client_for(officer):
    c = Client()
    c.force_login(officer.user)
    return c


def _check(r, field_id: str, typed: list[str]) -> str:
    html = r.content.decode()
    assert r.status_code == 400
    assert "There is a problem" in html and f'<a href="#{field_id}">' in html
    assert f'id="{field_id}"' in html and 'aria-invalid="true"' in html
    for value in typed:
        assert value in html, value
    return html


NEW = [
    # posted, the field the summary links to, what must come back
    ({"type_code": "correspondence_received", "subject": "Fax from the payer", "to_officer": "so", "channel": "fax",
      "received_on": "2026-11-20", "category": "care", "matters": "Wants a CoA\nAsks about arrears",
      "received_at": "yesterday"},
     "id_received_at", ['value="Fax from the payer"', 'value="2026-11-20"', "Wants a CoA\nAsks about arrears</textarea>",
                        'value="yesterday"', 'value="fax" selected', 'value="care" selected']),
    ({"type_code": "correspondence_received", "subject": "Letter", "to_officer": "so", "channel": "post",
      "received_on": "20 Nov", "matters": "One matter", "received_at": "2026-11-20T10:00", "details": "Long letter"},
     "id_received_on", ['value="20 Nov"', "One matter</textarea>", 'value="2026-11-20T10:00"',
                        "Long letter</textarea>"]),
    ({"type_code": "client_contact_required", "subject": "Ring back", "to_officer": "nobody",
      "received_at": "2026-11-20T10:00"},
     "to_officer", ['value="Ring back"', 'value="nobody"', 'value="2026-11-20T10:00"']),
]


@pytest.mark.parametrize(("data", "field_id", "typed"), NEW, ids=["received_at", "received_on", "to_officer"])
def test_new_intray_form_keeps_everything_typed(org, frozen, data, field_id, typed):
    r = client_for(org.so).post("/work/new/", {"csid": org.customer.csid, **data})
    _check(r, field_id, [f'value="{org.customer.csid}"', *typed])
    assert not Intray.objects.exists()


def test_a_service_refusal_lands_on_its_field(org, frozen):
    """The received time in the future is refused by the service (CMA-1.1), not the form: still on the field."""
    r = client_for(org.so).post("/work/new/", {"csid": org.customer.csid, "type_code": "client_contact_required",
                                               "subject": "Ring", "to_officer": "so2",
                                               "received_at": "2026-11-30T10:00"})
    html = _check(r, "id_received_at", ['value="2026-11-30T10:00"', 'value="Ring"'])
    assert "CMA-1.1" in html and not Intray.objects.exists()


DETAIL = [
    ("reassign", {"to_officer": "nobody", "reason": "Going on leave"}, "id_reassign_to_officer",
     ['value="nobody"', 'value="Going on leave"']),
    ("recategorise", {"category": "no_such_category", "reason": "About income"}, "id_recategorise_category",
     ['value="About income"']),
    ("matter_address", {"outcome": "o" * 2001, "communicated": "on"}, "id_m{matter}_outcome",
     ['value="' + "o" * 2001 + '"', 'name="communicated" id="id_m{matter}_communicated" checked']),
]


@pytest.mark.parametrize(("name", "data", "field_id", "typed"), DETAIL, ids=[d[0] for d in DETAIL])
def test_intray_page_forms_keep_what_was_typed(org, frozen, name, data, field_id, typed):
    intray = services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 20),
        category="general", subject="Letter", assignee_officer=org.so, matters=["Wants a CoA"])
    matter = intray.correspondence.matters.get()
    data = {**data, "matter": matter.pk} if name == "matter_address" else data
    field_id = field_id.format(matter=matter.pk)
    typed = [t.format(matter=matter.pk) for t in typed]
    before = (intray.assignee_officer_id, intray.correspondence.category, matter.status)
    r = client_for(org.so).post(f"/work/intrays/{intray.pk}/{name}/", {**data, "version": intray.version})
    html = r.content.decode()
    assert r.status_code == 400 and "There is a problem" in html and f'<a href="#{field_id}">' in html
    for value in typed:
        assert value in html, value
    intray.refresh_from_db()
    matter.refresh_from_db()
    assert (intray.assignee_officer_id, intray.correspondence.category, matter.status) == before


def test_an_action_from_a_stale_intray_page_is_refused_with_what_changed(org, frozen):
    """Issue 13: the intray page posts the version it showed. Someone referred the intray since: completing it from the
    old page is 409, the page says what changed, and the intray is neither done nor written to."""
    intray = services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                                    subject="Call back", assignee_officer=org.so)
    page_version = intray.version
    services.intray_reassign(actor=org.so.user, intray=intray, to_officer=org.so2, reason="Leave")
    r = client_for(org.so2).post(f"/work/intrays/{intray.pk}/complete/",
                                 {"outcome": "Rang back", "version": page_version})
    html = r.content.decode()
    assert r.status_code == 409 and "There is a problem" in html and "Rang back</textarea>" in html
    assert "changed" in html
    intray.refresh_from_db()
    assert intray.status != "done" and intray.assignee_officer_id == org.so2.pk


@pytest.mark.parametrize("version", ["", "abc", "0", "99999999999"])
def test_an_intray_action_without_a_usable_version_is_a_400_asking_to_reload(org, frozen, version):
    intray = services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                                    subject="Call back", assignee_officer=org.so)
    r = client_for(org.so).post(f"/work/intrays/{intray.pk}/start/", {"version": version})
    assert r.status_code == 400 and "Reload the page" in r.content.decode()
    assert Intray.objects.get(pk=intray.pk).status == "open"

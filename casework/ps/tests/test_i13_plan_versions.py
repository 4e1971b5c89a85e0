"""Issue 13 for the PS plan: the version may come as If-Match (the shared core.api rule), a stale save is 409 saying
who changed what, a malformed If-Match is 400; the record page's forms refuse a missing or malformed version with a
message (it was ``int(p.get("version") or 0)``: "abc" was a server error)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.ps.models import PsRecord

from .helpers import allocate

pytestmark = pytest.mark.django_db


def _api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def test_plan_if_match_stale_is_409_with_what_changed_and_malformed_is_400(ps_org):
    rec = allocate(ps_org)
    url = f"/api/v1/ps/records/{rec.pk}/plan/"
    v = PsRecord.objects.get(pk=rec.pk).plan.version
    ok = _api(ps_org.cm).patch(url, {"agreed_contact_times": "Weekdays 9-11"}, format="json", HTTP_IF_MATCH=f'"{v}"')
    assert ok.status_code == 200, ok.json()
    events = AuditEvent.objects.count()
    stale = _api(ps_org.tl).patch(url, {"agreed_contact_times": "Evenings"}, format="json", HTTP_IF_MATCH=f'"{v}"')
    assert stale.status_code == 409, stale.json()
    body = stale.json()
    assert body["current_version"] == v + 1 and body["changed"][0]["fields"]["agreed_contact_times"] == "Weekdays 9-11"
    assert "ps_cm" in body["detail"] and "agreed contact times" in body["detail"]
    assert AuditEvent.objects.count() == events
    bad = _api(ps_org.tl).patch(url, {"agreed_contact_times": "Evenings"}, format="json", HTTP_IF_MATCH="abc")
    assert bad.status_code == 400 and "If-Match" in bad.json()
    assert PsRecord.objects.get(pk=rec.pk).plan.agreed_contact_times == "Weekdays 9-11"


@pytest.mark.parametrize("version", ["", "abc", "99999999999"])
def test_record_page_plan_form_with_a_missing_or_malformed_version_is_refused_not_a_server_error(ps_org, version):
    rec = allocate(ps_org)
    web = Client()
    web.force_login(ps_org.cm.user)
    r = web.post(f"/ps/records/{rec.pk}/plan/", {"version": version, "agreed_contact_times": "Mornings"})
    assert r.status_code == 400  # the page again, with what was typed and the reason (issue 14)
    assert b"Reload the page" in r.content
    assert PsRecord.objects.get(pk=rec.pk).plan.agreed_contact_times != "Mornings"

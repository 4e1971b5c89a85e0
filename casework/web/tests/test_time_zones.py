"""Issue 14: a Brisbane and a Sydney officer looking at the same event each see it in their own office's time, with
the zone named, on the audit page and in its CSV export (the export says which zone its times are in)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import transaction
from django.test import Client

from casework.core import clock
from casework.core.audit import audit_record
from casework.org.roles import Role
from casework.testing.factories import CustomerFactory, OfficeFactory, OfficerFactory

EVENT = dt.datetime(2026, 11, 30, 5, 14, tzinfo=dt.UTC)


@pytest.fixture
def event(org_reference):
    customer = CustomerFactory()
    with clock.freeze(EVENT), transaction.atomic():
        audit_record(actor=OfficerFactory().user, action="note.add", target=("note", 1), customer=customer,
                     after={"subject": "Call"})
    return customer


def _auditor(state: str) -> Client:
    client = Client()
    office = OfficeFactory(code=f"office-{state}", state=state)
    client.force_login(OfficerFactory(role=Role.AUDITOR, position__office=office).user)
    return client


@pytest.mark.parametrize(("state", "seen", "zone"), [
    ("QLD", "30/11/2026 15:14:00 AEST", "Australia/Brisbane"),
    ("NSW", "30/11/2026 16:14:00 AEDT", "Australia/Sydney"),
])
def test_audit_page_and_csv_in_the_officers_zone(event, state, seen, zone):
    client = _auditor(state)
    html = client.get("/audit/", {"csid": event.csid}).content.decode()
    assert seen in html
    assert f"When ({zone} time)" in html
    rows = list(csv.reader(io.StringIO(client.get("/audit/export.csv", {"csid": event.csid}).content.decode())))
    assert rows[0][0] == f"When ({zone} time)"
    assert rows[1][0] == seen

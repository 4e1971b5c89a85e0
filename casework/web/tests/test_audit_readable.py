"""Issue 14, "Readable everywhere": the audit page and its CSV export show human labels for actions, targets and
before/after values, never Python reprs (``{'``, ``object (``, ``None``) or bare codes."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django.test import Client

from casework.core import audit_display
from casework.core.audit import audit_record
from casework.core.models import AuditEvent
from casework.org.roles import Role
from casework.testing.factories import CustomerFactory, OfficerFactory


@pytest.fixture
def events(org_reference):
    so = OfficerFactory(role=Role.SERVICE_OFFICER)
    customer = CustomerFactory(given_names="Daniel", family_name="Archer")
    with transaction.atomic():
        audit_record(actor=so.user, action="letter.issue", target=("letter", 5), customer=customer,
                     after={"template_code": "uq140_01_first_call_confirmation", "dropped_keys": [],
                            "sha256": "ab12"}, step_ids=("PS-CON-8",))
        audit_record(actor=so.user, action="ps_finalisation.submit", target=("finalisationrequest", 2),
                     customer=customer, before={"status": None, "ready": False},
                     after={"status": "pending", "ready": True, "checks": {"exit_letter_sent": True},
                            "due_date": "2026-12-14"}, step_ids=("PS-FIN-2",))
        audit_record(actor=so.user, action="contact.poi_confirm", target=("contact", 9), customer=customer,
                     after={"poi_confirmed": True})
    # An event recorded before issue 14, with the default description of a model that has none of its own.
    AuditEvent.objects.create(actor=so.user, actor_label=so.user.username, action="ps_finalisation.approve",
                              target_type="finalisationrequest", target_id="2",
                              target_repr="FinalisationRequest object (2)", customer_id=customer.pk,
                              after={"status": "approved"})
    return customer


def _auditor_client():
    client = Client()
    client.force_login(OfficerFactory(role=Role.AUDITOR, position=None).user)
    return client


LABELS = ("Letter issued", "Letter 5", "Template code", "What we discussed in our first call",
          "Finalisation request 2", "PS finalisation submitted", "Status", "Awaiting Team Leader decision",
          "14/12/2026", "Contact: POI confirmed", "Exit letter sent: Yes", "PS finalisation approved")


def test_audit_page_shows_labels_not_reprs(events):
    html = _auditor_client().get("/audit/", {"csid": events.csid}).content.decode()
    for bad in ("{'", "{&#x27;", "object (", "None", "uq140_01_first_call_confirmation", "ps_finalisation.submit<"):
        assert bad not in html, bad
    for label in LABELS:
        assert label in html, label
    assert "Download as CSV" in html


def test_audit_csv_export_is_in_words(events):
    response = _auditor_client().get("/audit/export.csv", {"csid": events.csid})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0].startswith("When (") and rows[0][1:4] == ["Who", "Action", "What"] and len(rows) == 5
    for bad in ("{'", "object (", "None", "uq140_01_first_call_confirmation"):
        assert bad not in body, bad
    for label in LABELS:
        assert label in body, label
    submitted = next(r for r in rows if r[2] == "PS finalisation submitted")
    assert submitted[3] == "Finalisation request 2" and submitted[4] == events.csid
    assert "Status: — → Awaiting Team Leader decision" in submitted[5].splitlines()
    assert "Template code: What we discussed in our first call" in body


def test_audit_csv_export_is_for_auditors_only(org_reference):
    client = Client()
    client.force_login(OfficerFactory(role=Role.SERVICE_OFFICER).user)
    assert client.get("/audit/export.csv").status_code == 403


def test_action_labels_for_every_verb_shape():
    assert audit_display.action_label("letter.issue") == "Letter issued"
    assert audit_display.action_label("ownership.dispute_raise") == "Ownership: dispute raised"
    assert audit_display.action_label("auth.sign_in_failed") == "Sign-in failed"
    assert audit_display.value_text({"a_b": None, "c": [True, "2026-01-02"]}) == "A b: —; C: Yes, 02/01/2026"

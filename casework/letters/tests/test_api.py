"""Letters API: issue, list, read, download the PDF; refusals and permissions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.org.roles import Role
from casework.testing.factories import CaseFactory, CustomerFactory, OfficerFactory


@pytest.fixture
def client(officer):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def test_issue_list_read_download(client, reference, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    case = CaseFactory(payer=customer)
    with django_capture_on_commit_callbacks() as queued:
        r = client.post(
            "/api/v1/letters/",
            {"csid": customer.csid, "template_code": "mx1_1_request_contact", "case_number": case.case_number,
             "context": {"matter": "your debt", "sensitive_indicator": "FV"}},
            format="json",
        )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["template_code"] == "mx1_1_request_contact" and "CMA-1.2" in body["step_ids"]
    assert "sensitive_indicator" not in body["source_data"]["fields"]
    # Issue 15: issued now, the PDF rendered after commit (the job queued by the issue).
    assert body["status"] == "preparing" and body["pdf_url"] is None and body["sha256"] is None
    pending = client.get(f"/api/v1/letters/{body['id']}/pdf/")
    assert pending.status_code == 409 and pending.json()["code"] == "pdf_preparing"
    for callback in queued:
        callback()
    listing = client.get("/api/v1/letters/", {"csid": customer.csid}).json()
    assert [x["id"] for x in listing] == [body["id"]] and listing[0]["status"] == "ready"
    detail = client.get(f"/api/v1/letters/{body['id']}/").json()
    assert detail["status"] == "ready" and len(detail["sha256"]) == 64 and detail["size"] > 0
    pdf = client.get(detail["pdf_url"])
    content = b"".join(pdf.streaming_content)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(content).hexdigest() == detail["sha256"] == pdf["X-Content-SHA256"]


def test_refusals(client, reference):
    customer = CustomerFactory()
    assert client.post("/api/v1/letters/", {"csid": customer.csid, "template_code": "nope"}, format="json").status_code == 400
    r = client.post("/api/v1/letters/", {"csid": customer.csid, "template_code": "decision_letter", "case_number": "X"}, format="json")
    assert r.status_code == 400 and "case_number" in r.json()
    assert client.post("/api/v1/letters/", {"csid": "1", "template_code": "decision_letter"}, format="json").status_code == 400
    assert client.get("/api/v1/letters/999/").status_code == 404
    assert client.get("/api/v1/letters/999/pdf/").status_code == 404


def test_auditor_reads_but_cannot_issue(reference):
    customer = CustomerFactory()
    auditor = OfficerFactory(role=Role.AUDITOR)
    c = APIClient()
    c.force_authenticate(auditor.user)
    assert c.post("/api/v1/letters/", {"csid": customer.csid, "template_code": "decision_letter"}, format="json").status_code == 403
    assert c.get("/api/v1/letters/", {"csid": customer.csid}).status_code == 200
    assert APIClient().get("/api/v1/letters/", {"csid": customer.csid}).status_code in (401, 403)

"""Issue 13 (disclosure control): document file names are made safe when stored and when downloaded.

Measured case: a document named "evil\r\nX-Injected: 1.pdf" was accepted and every later download of it was a 500
(CR/LF in the Content-Disposition header). Now the name is stored sanitised and the download is 200 on every path
(API JSON upload, API multipart upload, web upload, web and API download, rows stored before the fix).
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from casework.core.files import content_disposition, safe_content_type, safe_filename
from casework.intrays import services
from casework.intrays.models import CorrespondenceDocument

pytestmark = pytest.mark.django_db

EVIL = "evil\r\nX-Injected: 1.pdf"


def _intray(org):
    return services.correspondence_receive(actor=org.so.user, customer=org.customer, channel="fax",
                                           received_on=dt.date(2026, 11, 20), category="general", subject="Fax",
                                           assignee_officer=org.so)


def _api(org):
    c = APIClient()
    c.force_authenticate(org.so.user)
    return c


def _assert_safe_download(r, content: bytes):
    assert r.status_code == 200
    assert r.getvalue() == content  # streamed from storage
    header = r["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and header.startswith("attachment;")
    assert "X-Injected" not in r.headers or r.headers.get("X-Injected") is None
    assert r.get("X-Injected") is None


@pytest.mark.parametrize(
    "name,expected",
    [
        pytest.param(EVIL, "evil X-Injected_ 1.pdf", id="crlf-header-injection"),
        pytest.param("../../etc/passwd", "passwd", id="path-traversal"),
        pytest.param("C:\\Users\\x\\report.pdf", "report.pdf", id="windows-path"),
        pytest.param('a"b\'c.pdf', "a_b_c.pdf", id="quotes"),
        pytest.param("\x00\x1b.pdf", "pdf", id="control-chars-only"),
        pytest.param("...", "document", id="dots-only"),
        pytest.param("", "document", id="empty"),
        pytest.param("Résumé été.pdf", "Résumé été.pdf", id="unicode-kept"),
        pytest.param("x" * 300 + ".pdf", "x" * 116 + ".pdf", id="long-name-keeps-extension"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_content_disposition_and_type_are_header_safe():
    assert "\n" not in content_disposition(EVIL) and "\r" not in content_disposition(EVIL)
    assert content_disposition("Résumé.pdf").startswith("attachment; filename*=utf-8''")
    assert content_disposition("a.pdf", inline=True) == 'inline; filename="a.pdf"'
    assert safe_content_type("text/plain\r\nX-Injected: 1") == "application/octet-stream"
    assert safe_content_type("application/pdf; charset=binary") == "application/pdf"


def test_measured_crlf_document_name_via_api_json_then_download_200(org, frozen):
    """Measured case (issue 13): upload accepted with a sanitised name, download is 200 (was a 500)."""
    intray = _intray(org)
    c = _api(org)
    r = c.post(f"/api/v1/intrays/{intray.pk}/documents/",
               {"filename": EVIL, "content_base64": base64.b64encode(b"%PDF-evil").decode(),
                "content_type": "application/pdf\r\nX-Injected: 2"}, format="json")
    assert r.status_code == 201, r.json()
    doc = r.json()["correspondence"]["documents"][0]
    assert "\n" not in doc["filename"] and "\r" not in doc["filename"]
    _assert_safe_download(c.get(f"/api/v1/intrays/{intray.pk}/documents/{doc['id']}/"), b"%PDF-evil")
    web = Client()
    web.force_login(org.so.user)
    _assert_safe_download(web.get(f"/work/intrays/{intray.pk}/documents/{doc['id']}/"), b"%PDF-evil")


def test_crlf_document_name_via_multipart_and_web_upload(org, frozen):
    intray = _intray(org)
    r = _api(org).post(f"/api/v1/intrays/{intray.pk}/documents/",
                       {"file": SimpleUploadedFile('fax"\x07.pdf', b"%PDF", content_type="application/pdf")},
                       format="multipart")
    assert r.status_code == 201
    web = Client()
    web.force_login(org.so.user)
    web.post(f"/work/intrays/{intray.pk}/document_add/", {"file": SimpleUploadedFile("a\x1b\"b.txt", b"two")})
    names = list(intray.correspondence.documents.values_list("filename", flat=True))
    assert len(names) == 2
    assert all(n == safe_filename(n) and '"' not in n and "\x07" not in n and "\x1b" not in n for n in names)


def test_documents_received_with_correspondence_are_sanitised(org, frozen):
    intray = services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 20),
        category="general", subject="Letter", assignee_officer=org.so, documents=[(EVIL, b"%PDF", "application/pdf")])
    assert intray.correspondence.documents.get().filename == safe_filename(EVIL)


def test_document_stored_before_the_fix_still_downloads(org, frozen):
    """A row stored with a raw CR/LF name (before sanitising) downloads with a safe header, not a 500."""
    intray = _intray(org)
    services.correspondence_document_add(actor=org.so.user, intray=intray, filename="ok.pdf", content=b"%PDF",
                                         content_type="application/pdf")
    doc = intray.correspondence.documents.get()
    legacy = CorrespondenceDocument.objects.create(
        correspondence=doc.correspondence, filename=EVIL, content_type="text/plain\r\nX-Injected: 3", size=4,
        sha256=doc.sha256, file=doc.file.name, uploaded_at=doc.uploaded_at, uploaded_by=org.so.user)
    _assert_safe_download(_api(org).get(f"/api/v1/intrays/{intray.pk}/documents/{legacy.pk}/"), b"%PDF")


def test_document_too_large_refused_with_field_message(org, frozen, monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 10)
    intray = _intray(org)
    r = _api(org).post(f"/api/v1/intrays/{intray.pk}/documents/",
                       {"filename": "big.pdf", "content_base64": base64.b64encode(b"x" * 11).decode()}, format="json")
    assert r.status_code == 400 and "documents" in r.json()

"""Issue 15: letters rendered outside the issuing transaction, their PDFs in Django's storage API.

The issue commits the letter (HTML, source data) and its audit event; the PDF is rendered by the task queued after
commit into a ``LetterDocument`` (append-only, in ``default_storage``); rendering again is idempotent; a failed
render is recorded, shown and retried; the officer sees "Being prepared", then the link."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client

from casework.core import clock
from casework.core.models import AuditEvent, JobItemFailure
from casework.letters import jobs, selectors, services, storage
from casework.letters.models import Letter, LetterDocument
from casework.org.roles import Role
from casework.testing.factories import CustomerFactory, OfficerFactory


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """A fresh storage per test: a rolled-back test's letter ids are used again by the next test (SQLite)."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def customer(reference):
    return CustomerFactory(given_names="Alex", family_name="Payer", postal_address="1 George St\nSydney NSW 2000")


def _issue(officer, customer) -> Letter:
    return services.letter_issue(actor=officer.user, customer=customer, template_code="unique_letter",
                                 context={"paragraphs": ["Thank you for your letter of 3 November."]})


def _stored(document: LetterDocument) -> bytes:
    with default_storage.open(document.file.name, "rb") as fh:
        return fh.read()


def _files_of(letter: Letter) -> list[str]:
    name = storage.document_name(letter_id=letter.pk, issued_at=letter.issued_at)
    folder, _ = os.path.split(name)
    return [f for f in default_storage.listdir(folder)[1] if f.startswith(os.path.basename(name)[:20])]


def test_issue_commits_letter_and_audit_then_the_job_renders_the_pdf(officer, customer,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        letter = _issue(officer, customer)
        # Inside the transaction: the letter, its HTML and the audit event exist; no PDF was made.
        assert Letter.objects.filter(pk=letter.pk).exists()
        assert AuditEvent.objects.filter(action="letter.issue", target_id=str(letter.pk)).exists()
        assert not LetterDocument.objects.exists()
    assert selectors.letter_get(user=officer.user, letter_id=letter.pk).status == "preparing"
    with mock.patch.object(services, "render_pdf", wraps=services.render_pdf) as render:
        for callback in queued:
            callback()
    assert render.call_count == 1
    document = LetterDocument.objects.get(letter=letter)
    data = _stored(document)
    assert data.startswith(b"%PDF") and document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.file.name == storage.document_name(letter_id=letter.pk, issued_at=letter.issued_at)
    # Not guessable from the letter's id: an HMAC of it under the deployment's SECRET_KEY.
    basename = os.path.basename(document.file.name)
    assert len(basename) == len("x" * 64 + ".pdf") and basename != f"{letter.pk}.pdf"
    with mock.patch("django.conf.settings.SECRET_KEY", "another-deployment-" + "k" * 40):
        assert storage.document_name(letter_id=letter.pk, issued_at=letter.issued_at) != document.file.name
    event = AuditEvent.objects.get(action="letter.render")
    assert event.customer_id == customer.pk and event.after["sha256"] == document.sha256
    issue = AuditEvent.objects.get(action="letter.issue")
    assert issue.after["html_sha256"] == hashlib.sha256(letter.html.encode()).hexdigest()
    assert selectors.letter_get(user=officer.user, letter_id=letter.pk).status == "ready"


def test_no_pdf_is_rendered_inside_the_issuing_transaction(officer, customer, django_capture_on_commit_callbacks):
    """The old ``letter_issue`` ran WeasyPrint in the officer's request, inside callers' transactions (the decision
    letters of ``contact_unlock``, ``ps_letter_send``): now only the job after commit renders."""
    with mock.patch.object(services, "render_pdf", side_effect=AssertionError("rendered in the transaction")):
        with django_capture_on_commit_callbacks() as queued, transaction.atomic():
            _issue(officer, customer)
            _issue(officer, customer)
    assert len(queued) >= 2 and LetterDocument.objects.count() == 0


def test_a_rolled_back_issue_queues_nothing(officer, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            _issue(officer, customer)
            raise RuntimeError("the caller's transaction fails after the letter")
    assert queued == [] and not Letter.objects.exists()


def test_rendering_twice_is_idempotent(officer, customer):
    letter = _issue(officer, customer)
    first = services.letter_render(letter_id=letter.pk)
    with mock.patch.object(services, "render_pdf") as render:
        again = services.letter_render(letter_id=letter.pk)
        assert jobs.letter_render_job(letter.pk) is True
    render.assert_not_called()
    assert again.pk == first.pk and LetterDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action="letter.render").count() == 1
    assert _files_of(letter) == [os.path.basename(first.file.name)]


def test_a_rerun_after_a_crash_makes_no_second_file_or_row(officer, customer):
    """A crash between writing the file and its row leaves a file nobody refers to: the re-run writes the same
    name again (not ``<name>_abc123.pdf``) and one row."""
    letter = _issue(officer, customer)
    name = storage.document_name(letter_id=letter.pk, issued_at=letter.issued_at)
    default_storage.save(name, ContentFile(b"%PDF-half-written"))
    document = services.letter_render(letter_id=letter.pk)
    assert document.file.name == name and LetterDocument.objects.count() == 1
    assert _files_of(letter) == [os.path.basename(name)]
    assert hashlib.sha256(_stored(document)).hexdigest() == document.sha256


def test_a_document_is_append_only(officer, customer):
    letter = _issue(officer, customer)
    document = services.letter_render(letter_id=letter.pk)
    with pytest.raises(PermissionError):
        document.save()
    with pytest.raises(PermissionError):
        document.delete()
    with pytest.raises(PermissionError):
        LetterDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)


def test_a_failed_render_is_recorded_shown_and_retried(officer, customer):
    letter = _issue(officer, customer)
    start = clock.now()
    with clock.freeze(start), mock.patch.object(services, "render_pdf", side_effect=OSError("fonts missing")):
        assert jobs.letter_render_job(letter.pk) is False
    failure = JobItemFailure.objects.get(job="letters.render", item_type="letter", item_id=str(letter.pk))
    assert failure.is_open and failure.customer_id == customer.pk and "fonts missing" in failure.error_message
    assert AuditEvent.objects.filter(action="core.job_item_failed").exists()
    assert selectors.letter_get(user=officer.user, letter_id=letter.pk).status == "failed"
    assert [x.status for x in selectors.letters_for_customer(user=officer.user, customer=customer)] == ["failed"]
    # The sweep leaves it alone until its backoff time, then renders it and resolves the failure.
    with clock.freeze(start + dt.timedelta(seconds=5)), mock.patch.object(services, "render_pdf") as render:
        assert jobs.letters_render_pending() == 0
    render.assert_not_called()
    with clock.freeze(failure.next_attempt_at + dt.timedelta(seconds=1)):
        assert jobs.letters_render_pending() == 1
    failure.refresh_from_db()
    assert not failure.is_open and failure.resolved_how == "succeeded"
    assert selectors.letter_get(user=officer.user, letter_id=letter.pk).status == "ready"


def test_the_sweep_renders_a_letter_whose_task_was_lost(officer, customer):
    letter = _issue(officer, customer)  # the test's transaction never commits: no task ran
    with clock.freeze(letter.issued_at + dt.timedelta(seconds=30)):
        assert jobs.letters_render_pending() == 0  # too new: left to its own task
    with clock.freeze(letter.issued_at + jobs.RENDER_GRACE + dt.timedelta(seconds=1)):
        assert jobs.letters_render_pending() == 1
        assert jobs.letters_render_pending() == 0
    assert LetterDocument.objects.filter(letter=letter).count() == 1


def test_the_sweep_is_scheduled_by_the_reference_data(reference):
    from django_q.models import Schedule

    from casework.letters import reference as letters_reference

    letters_reference.load()
    schedule = Schedule.objects.get(name=letters_reference.RENDER_SCHEDULE_NAME)
    assert schedule.func == "casework.letters.jobs.letters_render_pending" and schedule.minutes == 5
    assert Schedule.objects.filter(name=letters_reference.RENDER_SCHEDULE_NAME).count() == 1


def test_the_officer_sees_being_prepared_then_the_pdf_link(officer, customer):
    letter = _issue(officer, customer)
    client = Client()
    client.force_login(officer.user)
    page = client.get(f"/customers/{customer.csid}/").content.decode()
    assert "Being prepared" in page and f"/api/v1/letters/{letter.pk}/pdf/" not in page
    assert f'hx-get="/letters/{letter.pk}/pdf-link/?link=title"' in page
    fragment = client.get(f"/letters/{letter.pk}/pdf-link/?link=title").content.decode()
    assert "Being prepared" in fragment and "hx-trigger" in fragment
    services.letter_render(letter_id=letter.pk)
    fragment = client.get(f"/letters/{letter.pk}/pdf-link/?link=title").content.decode()
    assert f'href="/api/v1/letters/{letter.pk}/pdf/" target="_blank" rel="noopener"' in fragment
    assert "hx-trigger" not in fragment and "Being prepared" not in fragment
    page = client.get(f"/customers/{customer.csid}/").content.decode()
    assert f'href="/api/v1/letters/{letter.pk}/pdf/"' in page and "Being prepared" not in page
    pdf = client.get(f"/api/v1/letters/{letter.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_pdf_link_fragment_reads_as_asked_and_as_the_title_otherwise(officer, customer):
    letter = _issue(officer, customer)
    client = Client()
    client.force_login(officer.user)
    asked_pdf = client.get(f"/letters/{letter.pk}/pdf-link/?link=pdf").content.decode()
    assert "?link=pdf" in asked_pdf and f"{letter.title}:" not in asked_pdf
    assert "decision letter:" in client.get(f"/letters/{letter.pk}/pdf-link/?link=decision").content.decode()
    for query in ("", "?link=", "?link=<script>"):
        fragment = client.get(f"/letters/{letter.pk}/pdf-link/{query}").content.decode()
        assert "?link=title" in fragment and f"{letter.title}:" in fragment and "<script>" not in fragment


def test_a_failed_render_is_shown_to_the_officer(officer, customer):
    letter = _issue(officer, customer)
    with mock.patch.object(services, "render_pdf", side_effect=OSError("boom")):
        jobs.letter_render_job(letter.pk)
    client = Client()
    client.force_login(officer.user)
    fragment = client.get(f"/letters/{letter.pk}/pdf-link/").content.decode()
    assert "could not be prepared yet" in fragment and 'data-letter-status="failed"' in fragment
    api = client.get(f"/api/v1/letters/{letter.pk}/pdf/")
    assert api.status_code == 409 and api.json()["status"] == "failed"


def test_the_pdf_link_fragment_checks_the_permission(customer, officer):
    letter = _issue(officer, customer)
    anonymous = Client().get(f"/letters/{letter.pk}/pdf-link/")
    assert anonymous.status_code == 302  # to the sign-in page
    # A role without letters.view_letter (none of the caseworkers lacks it: a PS Team Leader with no officer role
    # record would; here an unknown letter) gets a 4xx, never a 500.
    client = Client()
    client.force_login(officer.user)
    assert client.get("/letters/999999/pdf-link/").status_code == 404
    auditor = OfficerFactory(role=Role.AUDITOR)
    client.force_login(auditor.user)
    assert client.get(f"/letters/{letter.pk}/pdf-link/").status_code == 200


def test_the_pdf_is_never_a_public_media_url(officer, customer):
    letter = _issue(officer, customer)
    document = services.letter_render(letter_id=letter.pk)
    assert Client().get("/media/" + document.file.name).status_code == 404
    assert Client().get(f"/api/v1/letters/{letter.pk}/pdf/").status_code in (401, 403)


def test_the_api_status_field_is_in_the_openapi_schema(officer_client):
    schema = officer_client.get("/api/v1/schema/", {"format": "json"}).json()
    letter = schema["components"]["schemas"]["Letter"]
    status = letter["properties"]["status"]
    ref = status.get("$ref") or next((x["$ref"] for x in status.get("allOf", []) if "$ref" in x), None)
    enum = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"] if ref else status["enum"]
    assert set(enum) == {"preparing", "ready", "failed"}
    assert "status" in letter.get("required", []) or status.get("readOnly")

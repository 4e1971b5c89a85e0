"""Issue 10 (scope): a PS customer's issues, stacking document and letters move only through Personalised Services
or a specialist who consulted *that customer's* Case Manager -- on every path (service, generic API, PS API).

Measured cases 2, 4, 6 and 7 of issue 10; each names its step IDs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers import services as customer_services
from casework.customers.models import IssueStatus, Note, NoteKind, PresentingIssue
from casework.intrays.models import Intray
from casework.letters import services as letter_services
from casework.letters.models import Letter
from casework.ownership import services as own
from casework.ps import services
from casework.ps.models import LetterLog

from .helpers import allocate

pytestmark = pytest.mark.django_db


def client_for(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def consult(org, manager):
    return own.specialist_consultation_record(
        actor=org.spec.user, customer=org.customer, ps_case_manager=manager, summary="Objection decision due",
        communication_approach="Case Manager calls the customer first", who_communicates="PS Case Manager")


# --- measured case 2: PS-ACT-5 ----------------------------------------------------------------------------------


def test_PS_ACT_5_case_manager_cannot_close_the_ps_issue_through_the_generic_endpoint(ps_org):
    """Measured case 2 (PS-ACT-5): the PS Case Manager closing the customer's PS presenting issue through the
    generic customer endpoint is refused; the issue stays open and nothing is audited."""
    rec = allocate(ps_org)
    issue = rec.presenting_issue
    response = client_for(ps_org.cm).post(
        f"/api/v1/customers/{ps_org.customer.csid}/issues/{issue.pk}/close/",
        {"status": "finalised", "outcome": "Done"}, format="json")
    assert response.status_code == 403, response.json()
    assert "PS-ACT-5" in response.json()["step_ids"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert not AuditEvent.objects.filter(action="presenting_issue.close").exists()


def test_PS_ACT_5_bypass_service_call_refused_without_the_ps_path(ps_org):
    """Bypass (PS-ACT-5): calling the customers service directly as the Case Manager is refused too."""
    rec = allocate(ps_org)
    with pytest.raises(NotPermitted) as exc:
        customer_services.presenting_issue_close(actor=ps_org.cm.user, issue=rec.presenting_issue,
                                                 status="finalised", outcome="Done")
    assert "PS-ACT-5" in exc.value.step_ids


# --- measured case 4: PS-SPE-1 ----------------------------------------------------------------------------------


def test_PS_SPE_1_specialist_without_consultation_cannot_open_finalise_or_write(ps_org):
    """Measured case 4 (PS-SPE-1): with no consultation, a specialist cannot open an objection on a PS customer,
    finalise one, or issue a decision letter -- through the API or the services."""
    allocate(ps_org)
    c = client_for(ps_org.spec)
    base = f"/api/v1/customers/{ps_org.customer.csid}/issues/"
    opened = c.post(base, {"issue_type": "objection"}, format="json")
    assert opened.status_code == 403 and "PS-SPE-1" in opened.json()["step_ids"]
    # an objection recorded earlier by PS itself is still not the specialist's to finalise without a consultation
    issue = customer_services.presenting_issue_add(actor=ps_org.cm.user, customer=ps_org.customer,
                                                   issue_type="objection", received_area="PS")
    closed = c.post(f"{base}{issue.pk}/close/", {"status": "finalised", "outcome": "Decided"}, format="json")
    assert closed.status_code == 403 and "PS-SPE-1" in closed.json()["step_ids"]
    letter = c.post("/api/v1/letters/", {"csid": ps_org.customer.csid, "template_code": "decision_letter",
                                         "context": {"decision_summary": "Objection disallowed"}}, format="json")
    assert letter.status_code == 409 and "PS-SPE-1" in letter.json()["step_ids"]
    with pytest.raises(TransitionRefused):
        letter_services.letter_issue(actor=ps_org.spec.user, customer=ps_org.customer,
                                     template_code="decision_letter", context={"decision_summary": "x"})
    assert not Letter.objects.filter(customer=ps_org.customer, template_code="decision_letter").exists()


def test_PS_SPE_1_consultation_with_another_case_manager_is_refused(ps_org):
    """Measured case 4 (PS-SPE-1): a consultation with ANY Case Manager does not count -- it must be the
    customer's own Case Manager; recording one with another is refused (service and API)."""
    allocate(ps_org)
    with pytest.raises(InvalidInput) as exc:
        consult(ps_org, ps_org.cm2)
    assert "PS-SPE-1" in exc.value.step_ids and "ps_case_manager" in exc.value.fields
    response = client_for(ps_org.spec).post(
        f"/api/v1/customers/{ps_org.customer.csid}/ownership/consultations/",
        {"ps_case_manager": ps_org.cm2.user.username, "summary": "s", "communication_approach": "a",
         "who_communicates": "w"}, format="json")
    assert response.status_code == 400
    assert not own.specialist_action_allowed(actor=ps_org.spec.user, customer=ps_org.customer)


def test_PS_SPE_1_old_consultation_with_another_manager_does_not_satisfy_the_check(ps_org):
    """PS-SPE-1 (bypass): a consultation row with a different Case Manager (e.g. recorded before a reallocation)
    does not satisfy the guard."""
    from casework.core import clock
    from casework.ownership.models import SpecialistConsultation

    allocate(ps_org)
    SpecialistConsultation.objects.create(customer=ps_org.customer, specialist=ps_org.spec,
                                          ps_case_manager=ps_org.cm2, summary="s", communication_approach="a",
                                          who_communicates="w", recorded_at=clock.now())
    with pytest.raises(TransitionRefused):
        own.specialist_action_guard(actor=ps_org.spec.user, customer=ps_org.customer)
    issue = customer_services.presenting_issue_add(actor=ps_org.cm.user, customer=ps_org.customer,
                                                   issue_type="objection", received_area="PS")
    with pytest.raises(NotPermitted):
        customer_services.presenting_issue_close(actor=ps_org.spec.user, issue=issue, status="finalised",
                                                 outcome="Decided")


def test_PS_SPE_1_valid_consultation_notifies_the_case_manager_and_allows_the_action(ps_org):
    """PS-SPE-1/2: a consultation with the customer's Case Manager is audited, notifies the Case Manager by an
    intray, and then the specialist may open and finalise the objection and send the decision letter."""
    allocate(ps_org)
    consultation = consult(ps_org, ps_org.cm)
    audit = AuditEvent.objects.get(action="ownership.consultation_record")
    assert audit.step_ids == ["PS-SPE-1", "PS-SPE-2"]
    note = Intray.objects.get(customer=ps_org.customer, type__code="general_follow_up")
    assert note.assignee_officer_id == ps_org.cm.pk and consultation.summary in note.details
    c = client_for(ps_org.spec)
    base = f"/api/v1/customers/{ps_org.customer.csid}/issues/"
    opened = c.post(base, {"issue_type": "objection"}, format="json")
    assert opened.status_code == 201, opened.json()
    closed = c.post(f"{base}{opened.json()['id']}/close/", {"status": "finalised", "outcome": "Decided"},
                    format="json")
    assert closed.status_code == 200, closed.json()
    assert AuditEvent.objects.filter(action="presenting_issue.close", customer_id=ps_org.customer.pk).exists()
    letter = c.post("/api/v1/letters/", {"csid": ps_org.customer.csid, "template_code": "decision_letter",
                                         "context": {"decision_summary": "Objection disallowed"}}, format="json")
    assert letter.status_code == 201, letter.json()


def test_PS_SPE_1_consulted_specialist_still_cannot_close_the_ps_issue(ps_org):
    """PS-SPE-1/PS-ACT-5: the consultation covers the specialist's own issue, not the PS issue."""
    rec = allocate(ps_org)
    consult(ps_org, ps_org.cm)
    with pytest.raises(NotPermitted):
        customer_services.presenting_issue_close(actor=ps_org.spec.user, issue=rec.presenting_issue,
                                                 status="finalised", outcome="Done")


# --- measured case 6: PS-DOC-2 ----------------------------------------------------------------------------------


def test_PS_DOC_2_generic_notes_endpoint_refuses_stacking_notepads(ps_org):
    """Measured case 6 (PS-DOC-2): a stacking-document notepad posted through the generic notes endpoint before
    the PS referral is refused, so 'PS referral' stays the first notepad."""
    c = client_for(ps_org.cm)
    response = c.post(f"/api/v1/customers/{ps_org.customer.csid}/notes/",
                      {"subject": "Call about estimate", "body": "Discussed", "kind": "ps_stacking"}, format="json")
    assert response.status_code == 409 and "PS-DOC-2" in response.json()["step_ids"]
    with pytest.raises(TransitionRefused):
        customer_services.note_add(actor=ps_org.cm.user, customer=ps_org.customer, subject="Call", body="x",
                                   kind=NoteKind.PS_STACKING)
    rec = allocate(ps_org)
    notes = list(Note.objects.filter(customer=ps_org.customer, kind=NoteKind.PS_STACKING).order_by("created_at", "id"))
    assert notes[0].subject == "PS referral"
    # after the referral the generic path is still refused; the PS service writes the notepad
    assert c.post(f"/api/v1/customers/{ps_org.customer.csid}/notes/",
                  {"subject": "Call", "body": "x", "kind": "ps_stacking"}, format="json").status_code == 409
    services.stacking_note_add(actor=ps_org.cm.user, ps_record=rec, subject="Call about estimate", body="Discussed")
    assert Note.objects.filter(customer=ps_org.customer, kind=NoteKind.PS_STACKING).count() == len(notes) + 1


# --- measured case 7: PS-CON-8 ----------------------------------------------------------------------------------


def test_PS_CON_8_generic_letters_endpoint_refuses_uq140(ps_org):
    """Measured case 7 (PS-CON-8): UQ140.02 through the generic letters endpoint -- signed for the General Manager
    and not counted for the exit-letter wait -- is refused for any caseworker, the Case Manager included."""
    rec = allocate(ps_org)
    for officer in (ps_org.so, ps_org.cm):
        response = client_for(officer).post("/api/v1/letters/", {"csid": ps_org.customer.csid,
                                                                 "template_code": "uq140_02_exit"}, format="json")
        assert response.status_code == 409, response.json()
        assert response.json()["step_ids"] == ["PS-CON-8"]
    with pytest.raises(TransitionRefused):
        letter_services.letter_issue(actor=ps_org.cm.user, customer=ps_org.customer, template_code="uq140_02_exit",
                                     context={}, signed_by=ps_org.cm.user)
    assert not Letter.objects.filter(template_code="uq140_02_exit").exists()
    # the PS service sends it: signed by the Case Manager and counted for the 10-day wait (PS-FIN-1)
    letter = services.ps_letter_send(actor=ps_org.cm.user, ps_record=rec, template_code="uq140_02_exit")
    assert letter.signed_by_id == ps_org.cm.user.pk
    assert LetterLog.objects.filter(ps_record=rec, template_code="uq140_02_exit").count() == 1
    assert AuditEvent.objects.filter(action="ps_letter.send").exists()


def test_PS_SPE_1_so_cannot_write_to_a_ps_customer_through_the_generic_letters_endpoint(ps_org):
    """PS-SPE-1 (bypass): the Case Manager controls communication, so a Service Officer's unique letter to a PS
    customer through the generic endpoint is refused."""
    allocate(ps_org)
    response = client_for(ps_org.so).post(
        "/api/v1/letters/", {"csid": ps_org.customer.csid, "template_code": "unique_letter",
                             "context": {"heading": "Your payments"}}, format="json")
    assert response.status_code == 409 and "PS-SPE-1" in response.json()["step_ids"]
    assert PresentingIssue.objects.filter(customer=ps_org.customer).count() == 1


# --- screens (bypass): the officer web shell goes through the same transitions ----------------------------------


def test_PS_DOC_2_web_notes_screen_refuses_stacking_notepads(ps_org, client):
    """Bypass (PS-DOC-2): the customer page's note form cannot write a stacking-document notepad either."""
    client.force_login(ps_org.cm.user)
    response = client.post(f"/customers/{ps_org.customer.csid}/notes/",
                           {"subject": "Call", "body": "x", "kind": "ps_stacking"})
    assert response.status_code == 409
    assert not Note.objects.filter(customer=ps_org.customer, kind=NoteKind.PS_STACKING).exists()


def test_PS_SPE_1_web_letter_screen_refused_for_a_ps_customer(ps_org, client):
    """Bypass (PS-SPE-1): the contact screen's letter form to a PS customer by a Service Officer is refused."""
    allocate(ps_org)
    client.force_login(ps_org.so.user)
    client.post(f"/customers/{ps_org.customer.csid}/letters/send/",
                {"template_code": "unique_letter", "heading": "Payments", "body": "Hello"})
    assert not Letter.objects.filter(customer=ps_org.customer, template_code="unique_letter").exists()

"""Letters (CMA-1.2 MX1-1, CMA-3.4 decision letter, PS-CON-4 internal-only information never in a letter)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers.models import Note, NoteKind, SensitiveIssueIndicator, SensitiveReason
from casework.customers.scope import VIA_PS
from casework.letters import policy, registry, services
from casework.letters.models import Letter
from casework.org.roles import Role
from casework.testing.factories import CaseFactory, CustomerFactory, OfficerFactory

SECRET_INDICATOR = "Family violence: never disclose the payee's new suburb"
SECRET_NOTE = "Ownership discussion with ICS: they want to keep the payer"


# --- policy: the allow-list (table-driven) ---------------------------------------------------------------------

DECISION = registry.get("decision_letter")


@pytest.mark.parametrize(
    "context,kept,dropped",
    [
        pytest.param({"decision_summary": "Your income is updated"}, {"decision_summary"}, set(), id="PS-CON-4-allowed-key-kept"),
        pytest.param({"sensitive_indicator": "family violence"}, set(), {"sensitive_indicator"}, id="PS-CON-4-unknown-key-dropped"),
        pytest.param({"ownership_discussion": "keep with ICS"}, set(), {"ownership_discussion"}, id="CMA-1.6-ownership-discussion-dropped"),
        pytest.param({"internal_notes": ["x"]}, set(), {"internal_notes"}, id="PS-CON-4-internal-notes-dropped"),
        pytest.param({"decision_summary": object()}, set(), {"decision_summary"}, id="PS-CON-4-non-plain-value-dropped"),
        pytest.param({"options": ["Objection", "Complaint"]}, {"options"}, set(), id="CMA-3.1-options-list-kept"),
        pytest.param({"options": ["Objection", object()]}, set(), {"options"}, id="PS-CON-4-list-with-object-dropped"),
        pytest.param({"decision_date": dt.date(2026, 11, 20)}, {"decision_date"}, set(), id="CMA-3.4-date-kept"),
    ],
)
def test_filter_context_allow_list(context, kept, dropped):
    result = policy.filter_context(DECISION, context)
    assert set(result.fields) == kept
    assert set(result.dropped) == dropped


@pytest.mark.parametrize(
    "fields,internal,allowed",
    [
        pytest.param({"decision_summary": "Income updated"}, [SECRET_INDICATOR], True, id="PS-CON-4-clean-letter"),
        pytest.param({"decision_summary": f"Note: {SECRET_INDICATOR}"}, [SECRET_INDICATOR], False, id="PS-CON-4-indicator-text-refused"),
        pytest.param({"options": ["a", "they want to keep the payer"]}, [SECRET_NOTE], False, id="CMA-1.6-discussion-fragment-refused"),
        pytest.param({"decision_summary": "Your income was updated"}, ["Income"], True, id="PS-CON-4-short-fragment-ignored"),
        pytest.param({"decision_summary": "We know about the FV"}, ["FV risk"], False, id="PS-CON-4-fv-abbreviation-is-family-violence"),
    ],
)
def test_internal_text_check(fields, internal, allowed):
    decision = policy.internal_text_check(fields, internal)
    assert decision.allowed is allowed
    assert "PS-CON-4" in decision.step_ids


def test_url_fetcher_refuses_everything():
    with pytest.raises(services.UrlFetchRefused):
        services.refuse_url_fetcher("file:///etc/passwd")
    with pytest.raises(services.UrlFetchRefused):
        services.refuse_url_fetcher("https://example.com/logo.png")


def test_render_pdf_never_fetches(monkeypatch):
    calls = []

    def spy(url, *args, **kwargs):
        calls.append(url)
        raise services.UrlFetchRefused(url)

    monkeypatch.setattr(services, "refuse_url_fetcher", spy)
    pdf = services.render_pdf('<p>Hi</p><img src="https://example.com/x.png"><img src="file:///etc/hostname">')
    assert pdf.startswith(b"%PDF")
    assert calls  # every URL went to the refusing fetcher, none was fetched


# --- services ------------------------------------------------------------------------------------------------


@pytest.fixture
def customer(reference):
    return CustomerFactory(given_names="Alex", family_name="Payer", postal_address="1 George St\nSydney NSW 2000")


def test_decision_letter_issued_stored_and_audited(officer, customer, django_capture_on_commit_callbacks):
    case = CaseFactory(payer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_issue(
            actor=officer.user,
            customer=customer,
            case=case,
            template_code="decision_letter",
            context={"decision_summary": "Your payment arrangement is $50 a week", "options": ["Objection"]},
            step_ids=("CMA-3.4",),
        )
    with letter.document.file.open("rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert letter.source_data["fields"]["decision_summary"] == "Your payment arrangement is $50 a week"
    assert letter.source_data["customer"]["csid"] == customer.csid
    assert "Your payment arrangement is $50 a week" in letter.html
    assert "CMA-3.4" in letter.step_ids
    event = AuditEvent.objects.get(action="letter.issue")
    assert event.customer_id == customer.pk and "CMA-3.4" in event.step_ids
    assert customer.letters.count() == 1


def test_mx1_1_request_for_contact(officer, customer):
    letter = services.letter_issue(
        actor=officer.user, customer=customer, template_code="mx1_1_request_contact",
        context={"matter": "your child support debt", "contact_by_date": "5 December 2026"},
    )
    assert "CMA-1.2" in letter.step_ids
    assert "have not been able to reach you" in letter.html


def test_internal_only_information_can_never_reach_a_letter(officer, customer):
    """PS-CON-4 / CMA-1.6: sensitive indicator, ownership discussions and internal notes never reach a letter."""
    indicator = SensitiveIssueIndicator.objects.create(
        customer=customer, reason=SensitiveReason.FAMILY_VIOLENCE, conditions=SECRET_INDICATOR
    )
    Note.objects.create(
        customer=customer, kind=NoteKind.INTERNAL, subject="Ownership discussion", body=SECRET_NOTE,
        author=officer.user, created_at=timezone.now(),
    )
    # 1. Passed as extra context keys or objects: dropped by the allow-list, never rendered.
    letter = services.letter_issue(
        actor=officer.user, customer=customer, template_code="decision_letter",
        context={
            "decision_summary": "We updated your income",
            "sensitive_indicator": SECRET_INDICATOR,
            "ownership_discussion": SECRET_NOTE,
            "internal_notes": [SECRET_NOTE],
            "issue_name": indicator,  # an internal model instance in an allowed key
        },
    )
    for secret in (SECRET_INDICATOR, SECRET_NOTE, "Family violence", "ICS"):
        assert secret not in letter.html
        assert secret not in str(letter.source_data)
    event = AuditEvent.objects.get(action="letter.issue")
    assert set(event.after["dropped_keys"]) >= {"sensitive_indicator", "ownership_discussion", "internal_notes", "issue_name"}
    # 2. Copied into an allowed free-text field: refused, nothing stored.
    for leaked in (SECRET_INDICATOR, f"Because: {SECRET_NOTE}."):
        with pytest.raises(InvalidInput) as exc:
            services.letter_issue(
                actor=officer.user, customer=customer, template_code="decision_letter",
                context={"decision_reasons": leaked},
            )
        assert "PS-CON-4" in exc.value.step_ids
    assert Letter.objects.count() == 1


def test_unknown_template_refused(officer, customer):
    with pytest.raises(InvalidInput) as exc:
        services.letter_issue(actor=officer.user, customer=customer, template_code="nope", context={})
    assert "template_code" in exc.value.fields


def test_case_of_another_customer_refused(officer, customer):
    with pytest.raises(InvalidInput):
        services.letter_issue(
            actor=officer.user, customer=customer, case=CaseFactory(), template_code="decision_letter", context={}
        )


def test_auditor_cannot_issue(reference, customer):
    auditor = OfficerFactory(role=Role.AUDITOR)
    with pytest.raises(NotPermitted):
        services.letter_issue(actor=auditor.user, customer=customer, template_code="decision_letter", context={})


def test_ps_letter_signed_by_case_manager(officer, customer):
    """PS-CON-8: PS letters are signed by the Case Manager."""
    cm = OfficerFactory(role=Role.PS_CASE_MANAGER, user__first_name="Casey", user__last_name="Manager")
    letter = services.letter_issue(
        actor=cm.user, customer=customer, template_code="uq140_01_first_call_confirmation",
        context={"issues": ["Income correct"], "case_manager_name": "Casey Manager"}, signed_by=cm.user,
        via=VIA_PS,
    )
    assert "Casey Manager" in letter.html and "PS-CON-8" in letter.step_ids


def test_ps_letter_only_through_the_ps_service_ps_con_8(officer, customer):
    """PS-CON-8: a UQ140 letter on the generic path is refused (the PS service sends it), and even on the PS path
    it must be signed by the Case Manager, not for the General Manager."""
    cm = OfficerFactory(role=Role.PS_CASE_MANAGER)
    with pytest.raises(TransitionRefused) as exc:
        services.letter_issue(actor=cm.user, customer=customer, template_code="uq140_02_exit", context={},
                              signed_by=cm.user)
    assert exc.value.step_ids == ("PS-CON-8",)
    with pytest.raises(InvalidInput):
        services.letter_issue(actor=cm.user, customer=customer, template_code="uq140_02_exit", context={},
                              via=VIA_PS)


def test_letters_are_append_only(officer, customer):
    letter = services.letter_issue(actor=officer.user, customer=customer, template_code="decision_letter", context={})
    with pytest.raises(PermissionError):
        letter.save()
    with pytest.raises(PermissionError):
        letter.delete()


# --- one clock (issue 10): a letter is dated the issuing officer's local day -------------------------------------


@pytest.mark.parametrize("moment,state", [
    pytest.param(dt.datetime(2026, 11, 22, 22, 0, tzinfo=dt.UTC), "NSW", id="CMA-3.4-9am-sydney"),
    pytest.param(dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC), "WA", id="CMA-3.4-7am-perth"),
])
def test_CMA_3_4_letter_is_dated_the_officers_local_day_not_the_utc_date(customer, moment, state):
    """09:00 Monday in Sydney / 07:00 Monday in Perth is Sunday in UTC: the letter says Monday 23 Nov."""
    from casework.core import clock
    from casework.testing.factories import OfficeFactory

    officer = OfficerFactory(position__office=OfficeFactory(code=f"office-{state}", state=state))
    with clock.freeze(moment):
        letter = services.letter_issue(
            actor=officer.user, customer=customer, template_code="decision_letter",
            context={"decision_summary": "We updated your income", "decision_date": clock.now()},
            step_ids=("CMA-3.4",),
        )
    assert letter.source_data["issued_on"] == "2026-11-23"
    assert letter.source_data["fields"]["decision_date"] == "23 November 2026"  # issue 14: printed in words
    assert letter.issued_at == moment

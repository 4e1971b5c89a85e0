"""Contact services: the guided call end to end, every refusal, and the audit events written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casework.contacts import selectors, services
from casework.contacts.models import ContactStatus, ExplanationStatus
from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers.models import IssueStatus, Note, NoteKind, RepresentativeScope
from casework.letters.models import Letter
from casework.org.roles import Role
from casework.ownership.models import AutoUnlock, Lock
from casework.testing.factories import OfficerFactory, area, issue_type

from .conftest import START


def actions(customer=None):
    qs = AuditEvent.objects.order_by("id")
    if customer is not None:
        qs = qs.filter(customer_id=customer.pk)
    return list(qs.values_list("action", flat=True))


def start(so, customer, case=None, **kw):
    return services.contact_start(actor=so.user, customer=customer, channel="phone", case=case, **kw)


def test_whole_payer_call_debt_without_arrangement(so, payer_call):
    """CMA-1.1 -> CMA-1.2 -> CMA-2.1/2.4/2.6/2.8 -> CMA-3.1 -> CMA-3.4, every step audited."""
    payer, case, debt = payer_call["payer"], payer_call["case"], payer_call["debt"]
    contact = start(so, payer, case)
    assert "contact.start" in actions(payer)
    contact = services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB and address")
    link = services.contact_issue_add(actor=so.user, contact=contact, issue_type="debt_enquiry", description="Letter about debt")
    assert link.handling and "CMA-1.2" in link.step_ids
    assessment = selectors.mca_assessment(contact)
    assert assessment.required and assessment.payment_path == "debt_repayment"  # CMA-2.4
    # finalise refused, naming the missing items (CMA-3.1)
    with pytest.raises(TransitionRefused) as exc:
        services.contact_finalise(actor=so.user, contact=contact)
    missing = exc.value.extra["missing"]
    assert any("Payment arrangement" in m for m in missing)
    assert any("Debt or letter about a debt" in m for m in missing)
    assert any("not explained" in m for m in missing)
    assert "CMA-3.1" in exc.value.step_ids
    # MCA: tick the applicable points, record the arrangement, document (CMA-2.8)
    services.contact_mca_tick(actor=so.user, contact=contact, codes=assessment.checklist_codes)
    with pytest.raises(TransitionRefused) as exc:
        services.contact_mca_complete(actor=so.user, contact=contact)
    assert "CMA-2.4" in exc.value.step_ids
    services.contact_payment_arrangement_record(
        actor=so.user, contact=contact, debt=debt, instalment="50.00", frequency="weekly", start_date=START
    )
    contact = services.contact_mca_complete(actor=so.user, contact=contact)
    notes = list(Note.objects.filter(customer=payer).order_by("id"))
    kinds = [n.kind for n in notes]
    assert NoteKind.COLLECTION in kinds and NoteKind.PAYMENT_ARRANGEMENT in kinds
    collection = next(n for n in notes if n.kind == NoteKind.COLLECTION)
    assert "Category: Level 1" in collection.body and "Payer successfully contacted" in collection.body
    assert "CMA-2.8" in collection.step_ids
    assert "$50.00 weekly" in collection.body
    services.contact_issue_close(actor=so.user, contact_issue=link, outcome="Arrangement agreed")
    services.contact_decision_explained(actor=so.user, contact=contact, customer=payer)
    contact = services.contact_finalise(actor=so.user, contact=contact)
    assert contact.status == ContactStatus.FINALISED
    result = services.contact_unlock(actor=so.user, contact=contact, reason="Resolved in real time")
    assert result["outcome"] == "not_locked"
    assert actions(payer)[-1] == "contact.unlock"
    for action in ("contact.poi_confirm", "contact.issue_add", "presenting_issue.add", "contact.mca_tick",
                   "payment_arrangement.create", "contact.payment_arrangement", "note.add", "contact.mca_complete",
                   "contact.issue_close", "contact.decision_explained", "contact.finalise"):
        assert action in actions(payer), action


def test_poi_required_before_case_details(so, payer_call):
    """CMA-1.1: nothing about the case before POI."""
    contact = start(so, payer_call["payer"])
    screen = selectors.contact_screen(user=so.user, contact=contact)
    assert screen.summary is None and screen.mca is None
    with pytest.raises(TransitionRefused) as exc:
        services.contact_issue_add(actor=so.user, contact=contact, issue_type="debt_enquiry")
    assert exc.value.step_ids == ("CMA-1.1",)
    with pytest.raises(TransitionRefused):
        services.contact_mca_tick(actor=so.user, contact=contact, codes=[])
    contact = services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    assert selectors.contact_screen(user=so.user, contact=contact).summary is not None
    with pytest.raises(TransitionRefused):
        services.contact_poi_confirm(actor=so.user, contact=contact, method="again")


def test_poi_method_required(so, payer_call):
    contact = start(so, payer_call["payer"])
    with pytest.raises(InvalidInput) as exc:
        services.contact_poi_confirm(actor=so.user, contact=contact, method=" ")
    assert "method" in exc.value.fields


def test_cold_transfer_carries_poi(so, payer_call, reference):
    """CMA-1.1: cold transfer with POI done carried to the receiving officer's contact."""
    contact = start(so, payer_call["payer"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    contact = services.contact_transfer(actor=so.user, contact=contact, to_area=area("COLLECTION"), kind="cold")
    assert contact.status == ContactStatus.TRANSFERRED
    receiver = OfficerFactory(position__business_area=area("COLLECTION"))
    new = services.contact_start(actor=receiver.user, customer=payer_call["payer"], channel="phone", transferred_from=contact)
    assert new.poi_confirmed and new.poi_carried
    event = AuditEvent.objects.filter(action="contact.transfer").get()
    assert event.after["poi_done"] is True and event.step_ids == ["CMA-1.1"]


def test_warm_transfer_needs_a_reason(so, payer_call):
    contact = start(so, payer_call["payer"])
    with pytest.raises(InvalidInput) as exc:
        services.contact_transfer(actor=so.user, contact=contact, to_area=area("COLLECTION"), kind="warm")
    assert "CMA-1.1" in exc.value.step_ids
    contact = services.contact_transfer(
        actor=so.user, contact=contact, to_area=area("COLLECTION"), kind="warm", reasons=["escalated"]
    )
    assert contact.transfer_reasons == ["escalated"]
    with pytest.raises(TransitionRefused):
        services.contact_issue_add(actor=so.user, contact=contact, issue_type="debt_enquiry")


def test_transfer_to_same_area_refused(so, payer_call):
    contact = start(so, payer_call["payer"])
    with pytest.raises(InvalidInput):
        services.contact_transfer(actor=so.user, contact=contact, to_area=area("SERVICES"), kind="cold")


def test_representative_with_enquire_scope_cannot_make_arrangement(so, payer_call):
    """CMA-1.1: what a representative may do is limited by their authority."""
    from casework.customers.models import AuthorisedRepresentative

    payer = payer_call["payer"]
    rep = AuthorisedRepresentative.objects.create(
        customer=payer, name="Rita Rep", scope=RepresentativeScope.ENQUIRE, valid_from=START
    )
    contact = start(so, payer, payer_call["case"], speaker="representative", representative=rep)
    services.contact_poi_confirm(actor=so.user, contact=contact, method="Representative verified")
    with pytest.raises(NotPermitted) as exc:
        services.contact_payment_arrangement_record(
            actor=so.user, contact=contact, debt=payer_call["debt"], instalment="10", frequency="weekly", start_date=START
        )
    assert "CMA-1.1" in exc.value.step_ids


def test_representative_must_belong_to_customer(so, payer_call):
    from casework.customers.models import AuthorisedRepresentative

    rep = AuthorisedRepresentative.objects.create(
        customer=payer_call["payee"], name="Other", scope=RepresentativeScope.FULL, valid_from=START
    )
    with pytest.raises(InvalidInput):
        start(so, payer_call["payer"], speaker="representative", representative=rep)
    with pytest.raises(InvalidInput):
        start(so, payer_call["payer"], speaker="representative")


def test_channel_validated(so, payer_call):
    with pytest.raises(InvalidInput) as exc:
        services.contact_start(actor=so.user, customer=payer_call["payer"], channel="pigeon")
    assert "channel" in exc.value.fields


def test_only_the_contacts_officer_may_work_it(so, payer_call, reference):
    contact = start(so, payer_call["payer"])
    other = OfficerFactory()
    with pytest.raises(NotPermitted):
        services.contact_poi_confirm(actor=other.user, contact=contact, method="DOB")


def test_auditor_cannot_start_a_contact(payer_call, reference):
    auditor = OfficerFactory(role=Role.AUDITOR)
    with pytest.raises(NotPermitted):
        services.contact_start(actor=auditor.user, customer=payer_call["payer"], channel="phone")


def test_mca_tick_refuses_points_that_do_not_apply(so, payer_call):
    """CMA-2.6/2.7: a payer's checklist has no payee points."""
    contact = start(so, payer_call["payer"], payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(InvalidInput) as exc:
        services.contact_mca_tick(actor=so.user, contact=contact, codes=["payee_commitment_to_collect"])
    assert "codes" in exc.value.fields


def test_mca_complete_refused_when_not_required(so, reference):
    from casework.testing.factories import CaseFactory, IncomeFactory

    case = CaseFactory()
    IncomeFactory(customer=case.payer)
    contact = start(so, case.payer, case)
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(TransitionRefused) as exc:
        services.contact_mca_complete(actor=so.user, contact=contact)
    assert "CMA-2.1" in exc.value.step_ids
    # and finalise is allowed without MCA once explained
    services.contact_decision_explained(actor=so.user, contact=contact, customer=case.payer)
    assert services.contact_finalise(actor=so.user, contact=contact).status == ContactStatus.FINALISED


def test_arrangement_for_someone_elses_debt_refused(so, payer_call):
    from casework.testing.factories import DebtFactory

    contact = start(so, payer_call["payer"], payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    other_debt = DebtFactory()
    with pytest.raises(InvalidInput) as exc:
        services.contact_payment_arrangement_record(
            actor=so.user, contact=contact, debt=other_debt, instalment="10", frequency="weekly", start_date=START
        )
    assert "CMA-2.3" in exc.value.step_ids


def test_payee_collection_information_locks_payer(so, payee_call):
    """CMA-2.5: payer not locked + information likely to lead to collection -> lock the payer to this officer;
    the payee's MCA is documented in the Communication record (CMA-2.8)."""
    payee, payer = payee_call["payee"], payee_call["payer"]
    contact = start(so, payee, payee_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="collection_enquiry")
    assessment = selectors.mca_assessment(contact)
    assert assessment.payment_path == "payee_collection" and assessment.expectations == "payee"
    services.contact_collection_info_record(
        actor=so.user, contact=contact, information="Payer now works at Acme Pty Ltd", likely_collection_outcome=True,
        level1_searches_done=True,
    )
    lock = Lock.objects.get(customer=payer, is_active=True)
    assert lock.officer_id == so.pk and "CMA-2.5" in lock.step_ids
    services.contact_mca_tick(actor=so.user, contact=contact, codes=assessment.checklist_codes)
    services.contact_mca_complete(actor=so.user, contact=contact)
    kinds = set(Note.objects.filter(customer=payee).values_list("kind", flat=True))
    assert {NoteKind.COLLECTION, NoteKind.COMMUNICATION} <= kinds
    assert "contact.collection_info" in actions(payee)


def test_collection_info_only_from_payee(so, payer_call):
    contact = start(so, payer_call["payer"], payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(TransitionRefused) as exc:
        services.contact_collection_info_record(actor=so.user, contact=contact, information="x", likely_collection_outcome=True)
    assert exc.value.step_ids == ("CMA-2.5",)


def test_external_referral_must_be_given_before_finalise(so, reference):
    from casework.testing.factories import CaseFactory, IncomeFactory

    case = CaseFactory()
    IncomeFactory(customer=case.payer)
    contact = start(so, case.payer, case)
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    referral = services.contact_external_referral_add(
        actor=so.user, contact=contact, organisation="Legal Aid NSW", reason="Family law advice", given=False
    )
    services.contact_decision_explained(actor=so.user, contact=contact, customer=case.payer)
    with pytest.raises(TransitionRefused) as exc:
        services.contact_finalise(actor=so.user, contact=contact)
    assert "Legal Aid NSW" in exc.value.message
    services.contact_external_referral_give(actor=so.user, referral=referral)
    with pytest.raises(TransitionRefused):
        services.contact_external_referral_give(actor=so.user, referral=referral)
    services.contact_finalise(actor=so.user, contact=contact)
    assert "contact.external_referral" in actions(case.payer)


def test_disagreement_options_recorded(so, reference):
    from casework.testing.factories import CaseFactory, IncomeFactory

    case = CaseFactory()
    IncomeFactory(customer=case.payer)
    contact = start(so, case.payer, case)
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(InvalidInput):
        services.contact_disagreement_record(actor=so.user, contact=contact, options=["shout"])
    with pytest.raises(InvalidInput):
        services.contact_disagreement_record(actor=so.user, contact=contact, options=[])
    contact = services.contact_disagreement_record(actor=so.user, contact=contact, options=["objection", "complaint"])
    assert contact.disagreement_options == ["objection", "complaint"]


def test_error_identified_apology_and_complaint_offer_required(so, payer_call):
    """CMA-1.3: apologise and offer the complaints process; not resolvable, not locked -> lock to this officer."""
    payer = payer_call["payer"]
    contact = start(so, payer, payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(InvalidInput) as exc:
        services.contact_error_record(actor=so.user, contact=contact, description="Wrong income used",
                                      apology_given=False, complaint_offered=True, resolved_in_real_time=False)
    assert "apology_given" in exc.value.fields
    with pytest.raises(InvalidInput):
        services.contact_error_record(actor=so.user, contact=contact, description="Wrong income used",
                                      apology_given=True, complaint_offered=False, resolved_in_real_time=False)
    contact = services.contact_error_record(
        actor=so.user, contact=contact, description="Wrong income used", apology_given=True, complaint_offered=True,
        resolved_in_real_time=False, complaint_wanted=True,
    )
    assert contact.error_outcome == "locked"
    assert Lock.objects.get(customer=payer, is_active=True).officer_id == so.pk
    assert contact.issues.filter(presenting_issue__issue_type__code="complaint").exists()
    assert "contact.error" in actions(payer)


def test_not_resolved_in_real_time_locks_to_officer(so, payer_call):
    """CMA-2.9 -> CMA-2.10: not locked -> lock the customer to this officer."""
    payer = payer_call["payer"]
    contact = start(so, payer, payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    with pytest.raises(InvalidInput):
        services.contact_not_resolved(actor=so.user, contact=contact, reason="")
    contact = services.contact_not_resolved(actor=so.user, contact=contact, reason="Waiting on payslips")
    assert contact.status == ContactStatus.FOLLOW_UP
    assert Lock.objects.get(customer=payer, is_active=True).officer_id == so.pk
    event = AuditEvent.objects.get(action="contact.not_resolved")
    assert "CMA-2.10" in event.step_ids and event.after["outcome"] == "locked"


def test_not_resolved_locked_elsewhere_refers_follow_up(so, payer_call, reference):
    from casework.intrays.models import Intray
    from casework.ownership.services import customer_lock

    payer = payer_call["payer"]
    holder = OfficerFactory(role=Role.SERVICE_OFFICER)
    customer_lock(actor=holder.user, customer=payer, reason="Working the debt", step_ids=("CMA-2.10",))
    contact = start(so, payer, payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    services.contact_not_resolved(actor=so.user, contact=contact, reason="Needs the holder's decision")
    assert AuditEvent.objects.get(action="contact.not_resolved").after["outcome"] == "referred"
    assert Intray.objects.filter(customer=payer).exists()


def _finalised_locked_contact(so, payer_call, *, explained: bool):
    from casework.ownership.services import customer_lock

    payer, payee, case = payer_call["payer"], payer_call["payee"], payer_call["case"]
    customer_lock(actor=so.user, customer=payer, reason="Working the call", step_ids=("CMA-2.10",))
    contact = start(so, payer, case)
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    assessment = selectors.mca_assessment(contact)
    services.contact_mca_tick(actor=so.user, contact=contact, codes=assessment.checklist_codes)
    services.contact_payment_arrangement_record(
        actor=so.user, contact=contact, debt=payer_call["debt"], instalment=Decimal("40"), frequency="fortnightly", start_date=START
    )
    services.contact_mca_complete(actor=so.user, contact=contact)
    services.contact_impacted_add(actor=so.user, contact=contact, customer=payee)
    services.contact_decision_explained(actor=so.user, contact=contact, customer=payer)
    services.contact_decision_explained(actor=so.user, contact=contact, customer=payee, explained=explained)
    return services.contact_finalise(actor=so.user, contact=contact)


def test_unlock_when_explained_applies_ownership_rules(so, payer_call):
    """CMA-3.4: decision explained -> unlock by the ownership rules."""
    contact = _finalised_locked_contact(so, payer_call, explained=True)
    result = services.contact_unlock(actor=so.user, contact=contact, reason="All explained")
    assert result["outcome"] == "unlocked"
    assert not Lock.objects.filter(customer=payer_call["payer"], is_active=True).exists()
    with pytest.raises(TransitionRefused):
        services.contact_unlock(actor=so.user, contact=contact, reason="again")


def test_unlock_not_explained_sends_letters_then_auto_unlock(so, payer_call):
    """CMA-3.4: not explained -> a decision letter to every impacted customer, then the automatic unlock."""
    contact = _finalised_locked_contact(so, payer_call, explained=False)
    with pytest.raises(InvalidInput) as exc:
        services.contact_unlock(actor=so.user, contact=contact, reason="Payee not reachable")
    assert "decision_summary" in exc.value.fields
    result = services.contact_unlock(
        actor=so.user, contact=contact, reason="Payee not reachable",
        decision_summary="A payment arrangement of $40 a fortnight was agreed for the debt.",
    )
    assert result["outcome"] == "auto_unlock_scheduled"
    letters = Letter.objects.filter(pk__in=result["letters"])
    assert {l.customer_id for l in letters} == {payer_call["payer"].pk, payer_call["payee"].pk}
    assert all(l.template_code == "decision_letter" for l in letters)
    assert AutoUnlock.objects.filter(customer=payer_call["payer"]).exists()
    impacted = {i.customer_id: i for i in contact.impacted.all()}
    assert impacted[payer_call["payee"].pk].status == ExplanationStatus.NOT_CONTACTABLE
    assert all(i.letter_id for i in impacted.values())


def test_unlock_before_finalise_refused(so, payer_call):
    contact = start(so, payer_call["payer"])
    with pytest.raises(TransitionRefused) as exc:
        services.contact_unlock(actor=so.user, contact=contact, reason="x")
    assert "CMA-3.4" in exc.value.step_ids


def test_impacted_must_be_a_party(so, payer_call, reference):
    from casework.testing.factories import CustomerFactory

    contact = start(so, payer_call["payer"], payer_call["case"])
    with pytest.raises(InvalidInput):
        services.contact_impacted_add(actor=so.user, contact=contact, customer=CustomerFactory())


def test_finalised_contact_is_closed(so, reference):
    from casework.testing.factories import CaseFactory, IncomeFactory

    case = CaseFactory()
    IncomeFactory(customer=case.payer)
    contact = start(so, case.payer, case)
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    services.contact_decision_explained(actor=so.user, contact=contact, customer=case.payer)
    services.contact_finalise(actor=so.user, contact=contact)
    with pytest.raises(TransitionRefused):
        services.contact_issue_add(actor=so.user, contact=contact, issue_type="general_enquiry")
    with pytest.raises(TransitionRefused):
        services.contact_finalise(actor=so.user, contact=contact)


def test_specialised_issue_handling_named(so, payer_call):
    """CMA-1.2: a specialised issue raised at the front line is referred to its specialist area."""
    contact = start(so, payer_call["payer"], payer_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    link = services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection")
    assert link.handling == "referral" and link.handled_by == "GENERAL_OBJECTIONS"
    with pytest.raises(InvalidInput):
        services.contact_issue_add(actor=so.user, contact=contact, issue_type="not-an-issue")


def test_income_update_during_contact_ticks_the_point(so, payee_call):
    """CMA-2.2: unreliable income updated during the call; the checklist point is ticked for the officer."""
    payee = payee_call["payee"]
    contact = start(so, payee, payee_call["case"])
    services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB")
    contact = services.contact_income_update(
        actor=so.user, contact=contact, amount="71000", source="ato_issued", tax_year=2026, effective_from=START
    )
    assert "income_updated_or_call_back" in contact.mca_ticked
    assert payee.incomes.order_by("-id").first().source == "ato_issued"
    assert {"income.add", "contact.income_update"} <= set(actions(payee))
    with pytest.raises(InvalidInput):
        services.contact_income_update(actor=so.user, contact=contact, amount="-1", source="ato_issued", tax_year=2026, effective_from=START)


def test_unlock_explicit_flag(so, payer_call):
    """CMA-3.4: claiming 'explained' when an impacted customer was not reached is refused; 'not explained' always
    takes the decision-letter path."""
    contact = _finalised_locked_contact(so, payer_call, explained=False)
    with pytest.raises(TransitionRefused) as exc:
        services.contact_unlock(actor=so.user, contact=contact, reason="x", decision_explained=True)
    assert "CMA-3.4" in exc.value.step_ids


def test_unlock_not_explained_flag_sends_letters(so, payer_call):
    contact = _finalised_locked_contact(so, payer_call, explained=True)
    result = services.contact_unlock(
        actor=so.user, contact=contact, reason="Customer hung up before the explanation", decision_explained=False,
        decision_summary="A payment arrangement was agreed.",
    )
    assert result["outcome"] == "auto_unlock_scheduled" and len(result["letters"]) == 2


def test_cma_3_4_contact_unlock_refused_while_another_issue_in_scope_is_open(so, payer_call):
    """CMA-3.4 / CMA-3.2 (issue 10): the contact's unlock step goes through the same readiness check as every other
    unlock path — an open issue of the customer outside this contact keeps them locked (it used to unlock)."""
    from casework.customers.models import PresentingIssue
    from casework.core import clock

    contact = _finalised_locked_contact(so, payer_call, explained=True)
    PresentingIssue.objects.create(customer=payer_call["payer"], issue_type=issue_type("payment_enquiry"),
                                   received_area=area("SERVICES"), received_at=clock.now())
    with pytest.raises(TransitionRefused) as exc:
        services.contact_unlock(actor=so.user, contact=contact, reason="All explained")
    assert "CMA-3.2" in exc.value.step_ids and "Payment enquiry" in exc.value.message
    assert Lock.objects.filter(customer=payer_call["payer"], is_active=True).exists()
    contact.refresh_from_db()
    assert contact.unlock_outcome == ""


def test_ps_act_5_contact_unlock_refused_for_an_active_ps_record(so, payer_call):
    """PS-FIN-3 / PS-ACT-5 (issue 10): a customer with an active PS record is not unlocked by a contact's unlock
    step, explained or not (no decision letters are left half-issued either)."""
    from casework.core import clock
    from casework.ps.models import PsRecord

    contact = _finalised_locked_contact(so, payer_call, explained=False)
    now = clock.now()
    PsRecord.objects.create(customer=payer_call["payer"], referral_type_code="crg_referral_to_ps",
                            referral_source="crg", main_referral_reason="Complex", referred_at=now, allocated_at=now)
    with pytest.raises(TransitionRefused) as exc:
        services.contact_unlock(actor=so.user, contact=contact, reason="Payee not reachable",
                                decision_summary="Arrangement agreed.")
    assert "PS-ACT-5" in exc.value.step_ids
    assert not Letter.objects.filter(customer=payer_call["payer"]).exists()
    assert not AutoUnlock.objects.filter(customer=payer_call["payer"]).exists()

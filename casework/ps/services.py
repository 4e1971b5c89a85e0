"""Every write of Personalised Services. Keyword-only, one transaction each, guarded by policy, audited.

Refusals raise casework.core.errors with the officer-facing reason and the step IDs of the rule that refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from casework.approvals.models import ApprovalRequest
from casework.approvals.policy import Eligibility
from casework.core import clock
from casework.core.audit import audit_record, snapshot
from casework.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, TransitionRefused
from casework.core.versioning import version_bump, version_check
from casework.customers.models import ContactRestriction, Customer, Note, NoteKind, SensitiveReason
from casework.customers.scope import VIA_PS
from casework.org.models import Officer, Position
from casework.org.roles import Role

from . import integration, policy
from .models import (
    CaseReview,
    Contact,
    ContactKind,
    FaceToFace,
    FinalisationRequest,
    FinalisationStatus,
    IssueStatus,
    LetterLog,
    OptionStatus,
    Plan,
    PlanAction,
    PlanIssue,
    PlanIssueEvent,
    PlanOption,
    PsRecord,
    ReallocationRequest,
    ReallocationStatus,
    RecordStatus,
    Referral,
    RestrictedServiceReview,
    Segment3Review,
    SegmentChange,
    StackingDocument,
)

PS_LETTERS = ("uq140_00_introduction", "uq140_01_first_call_confirmation", "uq140_02_exit")


# --- helpers ----------------------------------------------------------------------------------------------------


def _officer(actor) -> Officer | None:
    return getattr(actor, "officer", None) if actor is not None else None


def _require(actor, perm: str, message: str, step_ids: Iterable[str] = ()) -> None:
    if actor is None or not actor.has_perm(perm):
        raise NotPermitted(message, step_ids=tuple(step_ids))


def _refuse(decision, cls=TransitionRefused, field: str | None = None) -> None:
    if not decision.allowed:
        fields = {field: [decision.reason]} if field else None
        raise cls(decision.reason, step_ids=decision.step_ids, fields=fields,
                  extra={"facts": decision.facts} if decision.facts else None)


def _check_version(obj, expected: int | None, what: str) -> None:
    """A stale plan/issue/record edit is refused with 409 saying what changed (core/versioning.py, issue 13)."""
    version_check(obj, expected, what=what, step_ids=("PS-PSP-2",))


def _bump(obj, fields: list[str]) -> None:
    version_bump(obj)
    obj.save(update_fields=[*fields, "version"])


def _locked_record(ps_record: PsRecord) -> PsRecord:
    rec = PsRecord.objects.select_for_update().filter(pk=ps_record.pk).first()
    if rec is None:
        raise NotFound("No such PS record.")
    return PsRecord.objects.select_related(
        "customer", "associated_customer", "presenting_issue", "associated_issue", "case_manager__user",
        "case_manager__position__office", "plan",
    ).get(pk=rec.pk)


def _require_active(rec: PsRecord, *, allow=(RecordStatus.ACTIVE,), step_ids=("PS-REF-3",)) -> None:
    if not rec.is_active or rec.status not in allow:
        raise TransitionRefused(
            f"The PS record is {rec.get_status_display().lower()}: this action is not available now.",
            step_ids=step_ids,
        )


def _require_case_manager_or_tl(actor, rec: PsRecord, step_ids=("PS-ROLE",)) -> None:
    off = _officer(actor)
    if off is None:
        raise NotPermitted("Only officers work PS customers.", step_ids=step_ids)
    if off.role == Role.PS_TEAM_LEADER or (rec.case_manager_id and off.pk == rec.case_manager_id):
        return
    raise NotPermitted(
        "Only the customer's PS Case Manager (or a PS Team Leader) may do this: the Case Manager is the single "
        "point of contact.",
        step_ids=step_ids,
    )


def _today_for(rec: PsRecord) -> dt.date:
    return integration.local_today(rec.case_manager)


def _stacking_doc(customer: Customer) -> StackingDocument | None:
    return StackingDocument.objects.filter(customer=customer).first()


def _stacking_note(*, actor, rec: PsRecord, subject: str, body: str, step_ids: Iterable[str], ref=None) -> Note:
    """Append a notepad to the stacking document (PS-DOC-1/2). Caller holds the transaction."""
    doc = _stacking_doc(rec.customer)
    if doc is None:
        raise TransitionRefused("The customer has no stacking document yet.", step_ids=("PS-DOC-1",))
    ct = ContentType.objects.get_for_model(StackingDocument)
    is_first = not Note.objects.filter(customer=rec.customer, kind=NoteKind.PS_STACKING, ref_type=ct,
                                       ref_id=str(doc.pk)).exists()
    _refuse(policy.stacking_note_check(is_first=is_first, subject=subject, body=body), InvalidInput, "subject")
    steps = tuple(dict.fromkeys([*step_ids, "PS-DOC-1"]))
    note = integration.note_add(actor=actor, customer=rec.customer, subject=subject.strip(), body=body.strip(),
                                kind=NoteKind.PS_STACKING, ref=ref if ref is not None else doc, step_ids=steps,
                                via=VIA_PS)
    return note


def _issue_event(*, actor, issue: PlanIssue, from_status: str, to_status: str, comment: str, step_ids) -> None:
    PlanIssueEvent.objects.create(issue=issue, from_status=from_status, to_status=to_status, comment=comment,
                                  actor=actor, at=clock.now(), step_ids=list(step_ids))


# --- Referral (PS-REF-1/2) --------------------------------------------------------------------------------------


def _referral_target(to_position: Position | None, to_officer: Officer | None) -> Position | None:
    if to_officer is None and to_position is None:
        to_position = integration.ps_intake_position()
        if to_position is None:
            raise InvalidInput("No Personalised Services position to receive the referral.",
                               fields={"to_position": ["Choose the receiving PS position."]}, step_ids=("PS-REF-1",))
    return to_position


def _referral_intray(*, actor, customer: Customer, type_code: str, reason: str, urgent: bool, tl_call_details: str,
                     to_position: Position | None, to_officer: Officer | None, step_ids):
    subject = ("URGENT — " if urgent else "") + f"PS referral: {reason.strip()[:150]}"
    details = reason.strip()
    if urgent:
        details += f"\n\nPreceded by a Team Leader's call to the PS Team Leader: {tl_call_details.strip()}"
    return integration.intray_create(
        actor=actor, type_code=type_code, customer=customer, subject=subject, details=details,
        assignee_officer=to_officer, assignee_position=to_position if to_officer is None else None,
        reason="Referral to Personalised Services", step_ids=step_ids,
    )


def ps_referral_create(
    *,
    actor,
    customer: Customer,
    type_code: str,
    reason: str,
    to_position: Position | None = None,
    to_officer: Officer | None = None,
    urgent: bool = False,
    tl_call_details: str = "",
    step_ids: Iterable[str] = ("PS-REF-1",),
) -> Referral:
    """Refer a customer to PS by one of the four referral intrays (PS-REF-1); due per PS-REF-2.

    An urgent referral (PS-REF-1) is made only by a Team Leader, who records their call to the PS Team Leader; it is
    an ``urgent_ps_referral`` request for approval in the PS Team Leader's queue (the call is in the request) and the
    referral intray reaches the PS queue only when they accept it. The referral is returned with ``approval`` set
    and no intray yet."""
    from casework.approvals.services import approval_request_create

    _require(actor, "ps.refer_customer", "Your role does not allow you to refer customers to PS.", ("PS-REF-1",))
    off = _officer(actor)
    if not reason.strip():
        raise InvalidInput("Give the referral reason.", fields={"reason": ["Give the referral reason."]},
                           step_ids=("PS-REF-1",))
    decision = policy.referral_check(
        type_code=type_code,
        creator_is_team_leader=off is not None and off.role in (Role.TEAM_LEADER, Role.PS_TEAM_LEADER),
        urgent=urgent,
        tl_contacted_ps_tl=bool(tl_call_details.strip()),
    )
    if not decision.allowed:
        if type_code not in policy.REFERRAL_INTRAY_DAYS:
            _refuse(decision, InvalidInput, "type_code")
        if urgent and not tl_call_details.strip():
            _refuse(decision, InvalidInput, "tl_call_details")
        _refuse(decision, NotPermitted, "tl_call_details" if decision.outcome == "urgent_needs_team_leader" else None)
    to_position = _referral_target(to_position, to_officer)
    steps = tuple(dict.fromkeys([*step_ids, *decision.step_ids]))
    with transaction.atomic():
        intray = None
        if not urgent:
            intray = _referral_intray(actor=actor, customer=customer, type_code=type_code, reason=reason,
                                      urgent=False, tl_call_details="", to_position=to_position,
                                      to_officer=to_officer, step_ids=steps)
        ref = Referral.objects.create(customer=customer, type_code=type_code,
                                      intray_id=intray.pk if intray is not None else None,
                                      reason=reason.strip(), urgent=urgent, tl_call_details=tl_call_details.strip(),
                                      created_by=actor, created_at=clock.now())
        approval = None
        if urgent:
            receiving_team = (to_officer.position.team if to_officer is not None and to_officer.position_id
                              else to_position.team if to_position is not None else None)
            approval = approval_request_create(
                actor=actor, kind="urgent_ps_referral", customer=customer, subject=ref,
                summary=f"Accept an urgent PS referral of {customer.full_name} ({type_code})",
                reason=f"{reason.strip()}\nTeam Leader's call to the PS Team Leader: {tl_call_details.strip()}",
                eligibility=_team_eligibility(receiving_team, exclude_user_ids=[actor.pk]),
                payload={"type_code": type_code, "tl_call_details": tl_call_details.strip(),
                         "to_position": to_position.pk if to_position is not None and to_officer is None else None,
                         "to_officer": to_officer.pk if to_officer is not None else None},
                step_ids=steps)
        audit_record(actor=actor, action="ps_referral.create", target=ref,
                     after={"type_code": type_code, "intray": intray.pk if intray else None, "urgent": urgent,
                            "due_date": intray.due_date if intray else None,
                            "approval": approval.pk if approval else None}, step_ids=steps, customer=customer)
    ref.intray = intray
    ref.approval = approval
    return ref


def urgent_referral_accept(*, request: ApprovalRequest, actor, data: Mapping[str, Any]) -> Referral:
    """The ``urgent_ps_referral`` kind's effect on approval (PS-REF-1): the PS Team Leader accepted the urgent
    referral; its referral intray (URGENT, with the Team Leader's call) goes to the PS queue, due per PS-REF-2."""
    ref = Referral.objects.select_for_update().select_related("customer").get(pk=int(request.subject_id))
    if ref.intray_id is not None:
        raise TransitionRefused("This referral is already in the PS queue.", step_ids=("PS-REF-1",))
    p = request.payload or {}
    to_officer = Officer.objects.filter(pk=p.get("to_officer")).first() if p.get("to_officer") else None
    to_position = Position.objects.filter(pk=p.get("to_position")).first() if p.get("to_position") else None
    steps = ("PS-REF-1", "PS-REF-2")
    intray = _referral_intray(actor=actor, customer=ref.customer, type_code=ref.type_code, reason=ref.reason,
                              urgent=True, tl_call_details=ref.tl_call_details,
                              to_position=_referral_target(to_position, to_officer), to_officer=to_officer,
                              step_ids=steps)
    ref.intray_id = intray.pk
    ref.save(update_fields=["intray_id"])
    audit_record(actor=actor, action="ps_referral.accept", target=ref,
                 after={"intray": intray.pk, "due_date": intray.due_date, "approval": request.pk,
                        "referred_by": request.requested_by_id}, step_ids=steps, customer=ref.customer)
    return ref


def urgent_referral_decline(*, request: ApprovalRequest, actor, data: Mapping[str, Any] | None = None) -> Referral:
    """``urgent_ps_referral`` not accepted (or withdrawn): no referral intray is created; the referring Team Leader
    is told (by the approval) and may refer the customer again, not urgently."""
    ref = Referral.objects.get(pk=int(request.subject_id))
    audit_record(actor=actor, action="ps_referral.decline", target=ref,
                 after={"approval": request.pk, "status": request.status}, reason=request.decision_reason,
                 step_ids=("PS-REF-1",), customer=ref.customer_id)
    return ref


def urgent_referral_withdraw(*, request: ApprovalRequest, actor) -> Referral:
    return urgent_referral_decline(request=request, actor=actor)


def ps_referral_action(
    *,
    actor,
    customer: Customer,
    case_manager: Officer,
    referral_source: str,
    main_referral_reason: str,
    referral_intray=None,
    type_code: str = "",
    associated_customer: Customer | None = None,
    review: Mapping[str, Any] | None = None,
    step_ids: Iterable[str] = ("PS-REF-2",),
) -> PsRecord:
    """Action a referral (PS-REF-2): lock and assign the customer (and the associated customer when required) to a
    Case Manager, record the PS record (PS-REF-3), open the PSP with the five mandatory issues (PS-PSP-1, PS-DOC-3),
    create the stacking document with its first notepad 'PS referral' (PS-DOC-2) and the case review (PS-REV-1)."""
    _require(actor, "ps.action_referral", "Only Personalised Services officers action PS referrals.", ("PS-REF-2",))
    off = _officer(actor)
    if case_manager.role not in (Role.PS_CASE_MANAGER, Role.PS_TEAM_LEADER) or not case_manager.is_active:
        raise InvalidInput("Assign the customer to an active PS Case Manager.",
                           fields={"case_manager": ["Not a PS Case Manager."]}, step_ids=("PS-REF-2",))
    _refuse(policy.referral_action_check(
        actor_is_ps_team_leader=off.role == Role.PS_TEAM_LEADER, assigns_self=case_manager.pk == off.pk,
        open_referral_intray=referral_intray is not None and referral_intray.status in ("open", "in_progress")),
        NotPermitted)
    problems: dict[str, list[str]] = {}
    if referral_source not in policy.REFERRAL_SOURCES:
        problems["referral_source"] = [f"Choose one of: {', '.join(policy.REFERRAL_SOURCES)}."]
    if not main_referral_reason.strip():
        problems["main_referral_reason"] = ["Give the main referral reason."]
    if associated_customer is not None and associated_customer.pk == customer.pk:
        problems["associated_customer"] = ["The associated customer is another person."]
    intray = referral_intray
    referral = None
    if intray is not None:
        if intray.customer_id != customer.pk:
            problems["referral_intray"] = ["That intray is for another customer."]
        elif intray.type.code not in policy.REFERRAL_INTRAY_DAYS:
            problems["referral_intray"] = ["That intray is not a PS referral intray."]
        else:
            type_code = intray.type.code
            referral = Referral.objects.filter(intray_id=intray.pk).first()
    if not type_code:
        type_code = "ps_referral_tl_only" if off.role == Role.PS_TEAM_LEADER else "crg_referral_to_ps"
    if type_code not in policy.REFERRAL_INTRAY_DAYS:
        problems["type_code"] = ["Not a PS referral type."]
    if problems:
        raise InvalidInput("Check the referral details.", fields=problems, step_ids=("PS-REF-2",))
    steps = tuple(dict.fromkeys([*step_ids, "PS-REF-3", "PS-PSP-1", "PS-DOC-2", "PS-DOC-3"]))
    now = clock.now()
    with transaction.atomic():
        if PsRecord.objects.select_for_update().filter(customer=customer, is_active=True).exists():
            raise Conflict("This customer already has an active PS record.", step_ids=("PS-REF-3",))
        lock_reason = f"Personalised Services: assigned to {case_manager.display_name} (PS referral)"
        ps_issue = integration.presenting_issue_add(
            actor=actor, customer=customer, issue_type="personalised_services", received_area="PS",
            description=main_referral_reason.strip()[:500], step_ids=("PS-REF-2", "CMA-1.2"), via=VIA_PS)
        integration.lock_to(actor=actor, customer=customer, officer=case_manager, reason=lock_reason,
                            step_ids=("PS-REF-2",), issue=ps_issue)
        assoc_issue = None
        if associated_customer is not None:
            assoc_issue = integration.presenting_issue_add(
                actor=actor, customer=associated_customer, issue_type="personalised_services", received_area="PS",
                description="Associated customer of a PS referral", step_ids=("PS-REF-2", "CMA-1.2"), via=VIA_PS)
            integration.lock_to(actor=actor, customer=associated_customer, officer=case_manager,
                                reason=lock_reason + " — associated customer", step_ids=("PS-REF-2",),
                                issue=assoc_issue)
        try:
            with transaction.atomic():
                rec = PsRecord.objects.create(
                    customer=customer, associated_customer=associated_customer, case_manager=case_manager,
                    presenting_issue=ps_issue, associated_issue=assoc_issue,
                    referral_type_code=type_code, referral_intray_id=intray.pk if intray is not None else None,
                    referral_source=referral_source, main_referral_reason=main_referral_reason.strip(),
                    urgent=bool(referral and referral.urgent),
                    urgent_tl_call=referral.tl_call_details if referral else "",
                    referred_at=intray.created_at if intray is not None else now, allocated_at=now, created_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict("This customer already has an active PS record.", step_ids=("PS-REF-3",)) from exc
        if intray is not None and intray.status in ("open", "in_progress") and \
                intray.assignee_officer_id != case_manager.pk:
            integration.intray_reassign(actor=actor, intray=intray, to_officer=case_manager,
                                        reason=f"PS referral assigned to Case Manager {case_manager.display_name}")
        doc = _stacking_doc(customer)
        if doc is None:
            doc = StackingDocument.objects.create(customer=customer, created_at=now, created_by=actor)
        plan = Plan.objects.create(ps_record=rec, created_at=now,
                                   due_on=policy.plan_due_on(integration.local_today(case_manager)),
                                   stacking_document_created_at=doc.created_at)
        for title, classification in policy.MANDATORY_ISSUES:
            issue = PlanIssue.objects.create(plan=plan, title=title, classification=classification, is_mandatory=True)
            _issue_event(actor=actor, issue=issue, from_status="", to_status=policy.RECORDED,
                         comment="Mandatory issue recorded on allocation", step_ids=("PS-PSP-1", "PS-DOC-3"))
        ct = ContentType.objects.get_for_model(StackingDocument)
        has_first = Note.objects.filter(customer=customer, kind=NoteKind.PS_STACKING, ref_type=ct,
                                        ref_id=str(doc.pk)).exists()
        subject = policy.PS_REFERRAL_SUBJECT if not has_first else f"{policy.PS_REFERRAL_SUBJECT} (new referral)"
        _stacking_note(
            actor=actor, rec=rec, subject=subject,
            body=f"Referral source: {policy.REFERRAL_SOURCES[referral_source]}.\nReason: {main_referral_reason.strip()}",
            step_ids=("PS-DOC-2", "PS-REF-2"),
        )
        if review:
            _case_review(actor=actor, rec=rec, review=review)
        audit_record(actor=actor, action="ps_record.create", target=rec,
                     after={**snapshot(rec, ["referral_type_code", "referral_intray_id", "referral_source",
                                             "main_referral_reason", "case_manager_id", "associated_customer_id"]),
                            "plan_due_on": plan.due_on},
                     step_ids=steps, customer=customer)
    return rec


def _case_review(*, actor, rec: PsRecord, review: Mapping[str, Any]) -> CaseReview:
    items = review.get("reviewed_items") or []
    if not isinstance(items, list) or not items:
        raise InvalidInput("List what was reviewed (case and customer records, notepads, escalations...).",
                           fields={"reviewed_items": ["List what was reviewed."]}, step_ids=("PS-REV-1",))
    crg = str(review.get("crg_record") or "").strip()
    if rec.referral_source == "crg" and not crg:
        raise InvalidInput("A gateway referral's review includes the CRG Record notepad.",
                           fields={"crg_record": ["Summarise the CRG Record."]}, step_ids=("PS-REV-1",))
    cr = CaseReview.objects.create(ps_record=rec, reviewed_items=[str(i) for i in items],
                                   escalations=str(review.get("escalations") or ""), crg_record=crg,
                                   options_identified=str(review.get("options_identified") or ""),
                                   reviewed_by=actor, reviewed_at=clock.now())
    _stacking_note(actor=actor, rec=rec, subject="PS Case Review",
                   body="Reviewed: " + "; ".join(cr.reviewed_items)
                   + (f"\nEscalations: {cr.escalations}" if cr.escalations else "")
                   + (f"\nCRG Record: {cr.crg_record}" if cr.crg_record else "")
                   + (f"\nOptions identified: {cr.options_identified}" if cr.options_identified else ""),
                   step_ids=("PS-REV-1",), ref=cr)
    audit_record(actor=actor, action="ps_case_review.record", target=cr,
                 after={"reviewed_items": cr.reviewed_items, "crg_record": bool(crg)}, step_ids=("PS-REV-1",),
                 customer=rec.customer_id)
    return cr


def ps_case_review_record(*, actor, ps_record: PsRecord, reviewed_items: list, escalations: str = "",
                          crg_record: str = "", options_identified: str = "") -> CaseReview:
    """PS-REV-1: record the PS Case Review."""
    _require(actor, "ps.manage_plan", "Only PS officers record the case review.", ("PS-REV-1",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-REV-1",))
        _require_active(rec)
        return _case_review(actor=actor, rec=rec, review={"reviewed_items": reviewed_items, "escalations": escalations,
                                                         "crg_record": crg_record,
                                                         "options_identified": options_identified})


# --- Stacking document (PS-DOC-1/2) ----------------------------------------------------------------------------


def stacking_note_add(*, actor, ps_record: PsRecord, subject: str, body: str, pointer_to: Note | None = None) -> Note:
    """Add a notepad to the stacking document; ``pointer_to`` points at a function-specific notepad (PS-DOC-2)."""
    _require(actor, "ps.manage_plan", "Only PS officers write the stacking document.", ("PS-DOC-1",))
    if pointer_to is not None and pointer_to.customer_id != ps_record.customer_id:
        raise InvalidInput("The pointer must be to a notepad of this customer.",
                           fields={"pointer_to": ["Not this customer's notepad."]}, step_ids=("PS-DOC-2",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-DOC-1",))
        return _stacking_note(actor=actor, rec=rec, subject=subject, body=body, step_ids=("PS-DOC-2",),
                              ref=pointer_to)


# --- Plan (PS-PSP) ---------------------------------------------------------------------------------------------


def plan_update(*, actor, plan: Plan, version: int | None, agreed_contact_times: str | None = None,
                special_contact_details: str | None = None) -> Plan:
    """PS-PSP-2: record agreed contact times and special contact details. A stale version is refused (409)."""
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-PSP-2",))
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        rec = _locked_record(locked.ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-PSP-2",))
        _require_active(rec)
        _check_version(locked, version, "plan")
        before = snapshot(locked, ["agreed_contact_times", "special_contact_details"])
        if agreed_contact_times is not None:
            locked.agreed_contact_times = agreed_contact_times.strip()
        if special_contact_details is not None:
            if special_contact_details.strip() and not ContactRestriction.objects.filter(
                customer=rec.customer, is_active=True
            ).exists():
                raise InvalidInput("Special contact details are recorded where contact restrictions are imposed.",
                                   fields={"special_contact_details": ["No contact restriction is in place."]},
                                   step_ids=("PS-PSP-2",))
            locked.special_contact_details = special_contact_details.strip()
        _bump(locked, ["agreed_contact_times", "special_contact_details"])
        audit_record(actor=actor, action="ps_plan.update", target=locked, before=before,
                     after=snapshot(locked, ["agreed_contact_times", "special_contact_details", "version"]),
                     step_ids=("PS-PSP-2",), customer=rec.customer_id)
    return locked


def _plan_for_write(actor, plan: Plan, step_ids) -> tuple[Plan, PsRecord]:
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    rec = _locked_record(locked.ps_record)
    _require_case_manager_or_tl(actor, rec, step_ids)
    _require_active(rec)
    return locked, rec


def plan_issue_add(*, actor, plan: Plan, title: str, classification: str, customer_perspective: str = "",
                   is_specialist_process: bool = False, version: int | None = None) -> PlanIssue:
    """PS-PSP-2: an issue from the customer's perspective, recorded (PS-PSP-4)."""
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-PSP-2",))
    problems = {}
    if not title.strip():
        problems["title"] = ["Name the issue."]
    if classification not in ("financial", "access", "other"):
        problems["classification"] = ["Choose financial, access or other."]
    if problems:
        raise InvalidInput("Check the issue.", fields=problems, step_ids=("PS-PSP-2",))
    with transaction.atomic():
        locked, rec = _plan_for_write(actor, plan, ("PS-PSP-2",))
        _check_version(locked, version, "plan")
        issue = PlanIssue.objects.create(plan=locked, title=title.strip(), classification=classification,
                                         customer_perspective=customer_perspective.strip(),
                                         is_specialist_process=is_specialist_process)
        _issue_event(actor=actor, issue=issue, from_status="", to_status=policy.RECORDED, comment="Issue recorded",
                     step_ids=("PS-PSP-4",))
        _bump(locked, [])
        audit_record(actor=actor, action="ps_plan_issue.add", target=issue,
                     after=snapshot(issue, ["title", "classification", "customer_perspective",
                                            "is_specialist_process", "status"]),
                     step_ids=("PS-PSP-2", "PS-PSP-4"), customer=rec.customer_id)
    return issue


def plan_issue_transition(*, actor, issue: PlanIssue, status: str, comment: str = "",
                          version: int | None = None) -> PlanIssue:
    """PS-PSP-4: recorded → confirmed → resolved, with history and comments. A stale version is refused (409)."""
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-PSP-4",))
    with transaction.atomic():
        locked = PlanIssue.objects.select_for_update().get(pk=issue.pk)
        _plan, rec = _plan_for_write(actor, locked.plan, ("PS-PSP-4",))
        _check_version(locked, version, "issue")
        _refuse(policy.issue_transition(current=locked.status, target=status, comment=comment))
        before = locked.status
        {policy.CONFIRMED: locked.confirm, policy.RESOLVED: locked.resolve}[status]()
        if comment.strip():
            locked.comments = (locked.comments + "\n" if locked.comments else "") + comment.strip()
        _bump(locked, ["status", "comments"])
        _issue_event(actor=actor, issue=locked, from_status=before, to_status=status, comment=comment.strip(),
                     step_ids=("PS-PSP-4",))
        _bump(_plan, [])
        audit_record(actor=actor, action="ps_plan_issue.transition", target=locked, before={"status": before},
                     after={"status": status, "comment": comment.strip()}, step_ids=("PS-PSP-4",),
                     customer=rec.customer_id)
    return locked


def plan_option_add(*, actor, plan: Plan, kind: str, detail: str,
                    timeframe: str = "") -> PlanOption | ApprovalRequest:
    """PS-RES-3: an option provided to the customer, recorded on the plan. A social worker referral is discussed
    with the Team Leader first (PS-CON-6): it is a request (``social_worker_referral``), recorded only on approval.
    A face-to-face option is never recorded here: it is the effect of an approved ``face_to_face`` request
    (``f2f_book``, PS-F2F-1/3)."""
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-RES-3",))
    if kind in policy.OPTION_KINDS_BY_REQUEST:
        raise InvalidInput(
            f"{policy.OPTION_KINDS[kind]} is not recorded on the plan by hand. {policy.OPTION_KINDS_BY_REQUEST[kind]}.",
            fields={"kind": [f"{policy.OPTION_KINDS_BY_REQUEST[kind]}."]},
            step_ids=("PS-F2F-1", "PS-F2F-3", "PS-RES-3"))
    problems = {}
    if kind not in policy.OPTION_KINDS:
        problems["kind"] = [f"Choose one of: {', '.join(policy.RECORDABLE_OPTION_KINDS)}."]
    if not detail.strip():
        problems["detail"] = ["Describe the option."]
    if problems:
        raise InvalidInput("Check the option.", fields=problems, step_ids=("PS-RES-3",))
    if kind == SOCIAL_WORKER:
        return social_worker_referral_request(actor=actor, plan=plan, detail=detail, timeframe=timeframe)
    with transaction.atomic():
        locked, rec = _plan_for_write(actor, plan, ("PS-RES-3",))
        opt = PlanOption.objects.create(plan=locked, kind=kind, detail=detail.strip(), timeframe=timeframe.strip(),
                                        recorded_at=clock.now(), recorded_by=actor)
        _bump(locked, [])
        audit_record(actor=actor, action="ps_plan_option.add", target=opt,
                     after=snapshot(opt, ["kind", "detail", "timeframe", "status"]), step_ids=("PS-RES-3",),
                     customer=rec.customer_id)
    return opt


SOCIAL_WORKER = "social_worker"


def social_worker_referral_request(*, actor, plan: Plan, detail: str, timeframe: str = "") -> ApprovalRequest:
    """PS-CON-6 (issue 11): "A social worker referral is discussed with the Team Leader first" — the Case Manager's
    social worker referral goes to the PS Team Leader of their team as a request; the referral is recorded on the
    plan (PS-RES-3) only when the Team Leader approves it (``social_worker_referral_apply``)."""
    _require(actor, "ps.manage_plan", "Only PS officers refer customers to a social worker.", ("PS-CON-6",))
    if not str(detail or "").strip():
        raise InvalidInput("Describe the referral.", fields={"detail": ["Describe the referral."]},
                           step_ids=("PS-CON-6", "PS-RES-3"))
    from casework.approvals.services import approval_request_create

    with transaction.atomic():
        locked, rec = _plan_for_write(actor, plan, ("PS-CON-6",))
        return approval_request_create(
            actor=actor, kind="social_worker_referral", customer=rec.customer, subject=locked,
            summary=f"Refer {rec.customer.full_name} to a social worker: {detail.strip()[:150]}",
            reason=detail.strip(), payload={"detail": detail.strip(), "timeframe": str(timeframe or "").strip()},
            eligibility=ps_team_leader_eligibility(rec, exclude_user_ids=[actor.pk]),
            step_ids=("PS-CON-6", "PS-RES-3"))


def social_worker_referral_apply(*, request: ApprovalRequest, actor, data) -> PlanOption:
    """The ``social_worker_referral`` kind's effect: the referral is recorded on the plan as an option offered,
    with the Team Leader's approval in the stacking document."""
    locked = Plan.objects.select_for_update().get(pk=int(request.subject_id))
    rec = _locked_record(locked.ps_record)
    _require_active(rec, step_ids=("PS-CON-6",))
    p = request.payload
    opt = PlanOption.objects.create(plan=locked, kind=SOCIAL_WORKER, detail=p["detail"],
                                    timeframe=p.get("timeframe", ""), recorded_at=clock.now(),
                                    recorded_by=request.requested_by)
    _bump(locked, [])
    decider = _officer(actor)
    _stacking_note(actor=actor, rec=rec, subject="Social worker referral",
                   body=f"{p['detail']}\nDiscussed with and approved by "
                   f"{decider.display_name if decider else actor} (PS Team Leader).",
                   step_ids=("PS-CON-6", "PS-RES-3"), ref=opt)
    audit_record(actor=actor, action="ps_plan_option.add", target=opt,
                 after={**snapshot(opt, ["kind", "detail", "timeframe", "status"]),
                        "requested_by": request.requested_by_id, "approved_by": decider.pk if decider else None,
                        "approval": request.pk},
                 step_ids=("PS-CON-6", "PS-RES-3"), customer=rec.customer_id)
    return opt


def plan_option_update(*, actor, option: PlanOption, status: str | None = None,
                       confirmed_in_writing: bool | None = None, timeframe: str | None = None) -> PlanOption:
    """PS-RES-3 / PS-SPE-5: the customer's answer to an option; confirmation in writing (PS-RES-4)."""
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-RES-3",))
    if status is not None and status not in OptionStatus.values:
        raise InvalidInput("Choose offered, accepted or declined.", fields={"status": ["Unknown status."]},
                           step_ids=("PS-RES-3",))
    with transaction.atomic():
        opt = PlanOption.objects.select_for_update().get(pk=option.pk)
        locked, rec = _plan_for_write(actor, opt.plan, ("PS-RES-3",))
        before = snapshot(opt, ["status", "confirmed_in_writing", "timeframe"])
        if status is not None and status != opt.status:
            if status == OptionStatus.OFFERED:
                raise TransitionRefused("The customer has answered: record their new answer (accepted or declined).",
                                        step_ids=("PS-RES-3",))
            {OptionStatus.ACCEPTED: opt.accept, OptionStatus.DECLINED: opt.decline}[status]()
        if confirmed_in_writing is not None:
            opt.confirmed_in_writing = confirmed_in_writing
        if timeframe is not None:
            opt.timeframe = timeframe.strip()
        opt.save(update_fields=["status", "confirmed_in_writing", "timeframe"])
        _bump(locked, [])
        audit_record(actor=actor, action="ps_plan_option.update", target=opt, before=before,
                     after=snapshot(opt, ["status", "confirmed_in_writing", "timeframe"]),
                     step_ids=("PS-RES-3", "PS-SPE-5") if opt.status == OptionStatus.DECLINED else ("PS-RES-3",),
                     customer=rec.customer_id)
    return opt


def plan_action_add(*, actor, plan: Plan, description: str, due_on: dt.date | None = None) -> PlanAction:
    """PS-PSP-2: an agreed action."""
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-PSP-2",))
    if not description.strip():
        raise InvalidInput("Describe the agreed action.", fields={"description": ["Describe the agreed action."]},
                           step_ids=("PS-PSP-2",))
    with transaction.atomic():
        locked, rec = _plan_for_write(actor, plan, ("PS-PSP-2",))
        act = PlanAction.objects.create(plan=locked, description=description.strip(), due_on=due_on)
        _bump(locked, [])
        audit_record(actor=actor, action="ps_plan_action.add", target=act,
                     after={"description": act.description, "due_on": due_on}, step_ids=("PS-PSP-2",),
                     customer=rec.customer_id)
    return act


def plan_action_complete(*, actor, action: PlanAction) -> PlanAction:
    _require(actor, "ps.manage_plan", "Only PS officers change the plan.", ("PS-PSP-2",))
    with transaction.atomic():
        act = PlanAction.objects.select_for_update().get(pk=action.pk)
        locked, rec = _plan_for_write(actor, act.plan, ("PS-PSP-2",))
        if act.completed_at is not None:
            raise TransitionRefused("This action is already completed.", step_ids=("PS-PSP-2",))
        act.completed_at = clock.now()
        act.completed_by = actor
        act.save(update_fields=["completed_at", "completed_by"])
        _bump(locked, [])
        audit_record(actor=actor, action="ps_plan_action.complete", target=act, after={"completed_at": act.completed_at},
                     step_ids=("PS-PSP-2", "PS-FIN-1"), customer=rec.customer_id)
    return act


def plan_approve(*, actor, plan: Plan, version: int | None = None) -> Plan:
    """PS-PSP-3: the Case Manager approves the completed plan."""
    _require(actor, "ps.manage_plan", "Only PS officers approve the plan.", ("PS-PSP-3",))
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        rec = _locked_record(locked.ps_record)
        _require_active(rec)
        off = _officer(actor)
        if off is None or off.pk != rec.case_manager_id:
            raise NotPermitted("The customer's Case Manager approves the plan.", step_ids=("PS-PSP-3",))
        _check_version(locked, version, "plan")
        if locked.approved_at is not None:
            raise TransitionRefused("The plan is already approved.", step_ids=("PS-PSP-3",))
        _refuse(policy.plan_approval_check(
            mandatory_present=locked.issues.filter(is_mandatory=True, is_active=True).count(),
            has_segment=rec.segment is not None, has_referral_source=bool(rec.referral_source),
            has_main_reason=bool(rec.main_referral_reason), has_stacking_document=bool(locked.stacking_document_created_at),
        ))
        locked.approved_at = clock.now()
        locked.approved_by = actor
        _bump(locked, ["approved_at", "approved_by"])
        audit_record(actor=actor, action="ps_plan.approve", target=locked, after={"approved_at": locked.approved_at},
                     step_ids=("PS-PSP-3",), customer=rec.customer_id)
    return locked


# --- Segments (PS-RES-1, PS-SEG, PS-ORM-1) ---------------------------------------------------------------------


def ps_team_leader_eligibility(rec: PsRecord, *, exclude_user_ids=()) -> Eligibility:
    """Who decides a PS request (issue 11): the PS Team Leader of the Case Manager's team; when that team has no
    other PS Team Leader who could (the requester or a worker is its leader), any PS Team Leader."""
    from casework.approvals.services import eligible_officers

    team = rec.case_manager.position.team if rec.case_manager and rec.case_manager.position_id else None
    if team is not None:
        e = Eligibility(role=Role.PS_TEAM_LEADER.value, team_ids=(team.pk,),
                        label=f"the PS Team Leader of {team.name}")
        if eligible_officers(e, exclude_user_ids=exclude_user_ids):
            return e
    return Eligibility(role=Role.PS_TEAM_LEADER.value, area_codes=("PS",), label="a PS Team Leader")


def segment_set(*, actor, ps_record: PsRecord, segment: int, reason: str,
                suggestion: policy.SegmentSuggestion | None = None) -> SegmentChange | ApprovalRequest:
    """PS-RES-1: the Case Manager decides segments 1 and 2 and they are recorded at once. Segment 3 is a request
    (PS-ORM-1): it lands in the PS Team Leader's queue and only their approval applies it (``segment_3`` kind). A
    segment 3 customer leaves segment 3 only through the segment 3 review (PS-ORM-2, the ``segment_3_review`` kind):
    setting segment 1 or 2 on them is refused."""
    _require(actor, "ps.manage_plan", "Only PS officers set the segment.", ("PS-RES-1",))
    try:
        segment = int(segment)
    except (TypeError, ValueError):
        segment = 0
    decision = policy.segment_change_check(new_segment=segment, reason=reason, team_leader_approved=True)
    if not decision.allowed:
        _refuse(decision, InvalidInput, "segment" if "segment must" in decision.reason else "reason")
    if segment == 3:
        return segment_3_request(actor=actor, ps_record=ps_record, reason=reason)
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-RES-1",))
        _require_active(rec)
        _refuse(policy.segment_leave_check(current_segment=rec.segment, new_segment=segment))
        return _segment_apply(actor=actor, rec=rec, segment=segment, reason=reason, suggestion=suggestion,
                              step_ids=decision.step_ids)


def _segment_apply(*, actor, rec: PsRecord, segment: int, reason: str, suggestion=None, approver=None,
                   requested_by=None, step_ids=("PS-RES-1",)) -> SegmentChange:
    if suggestion is None:
        from .selectors import segment_suggestion

        suggestion = segment_suggestion(ps_record=rec)
    before = rec.segment
    approver_officer = _officer(approver) if approver is not None else None
    change = SegmentChange.objects.create(
        ps_record=rec, from_segment=before, to_segment=segment, suggested_segment=suggestion.segment,
        indicators=list(suggestion.indicators), reason=reason.strip(), approved_by=approver,
        actor=requested_by or actor, at=clock.now(),
    )
    rec.segment = segment
    rec.segment_approved_by = approver
    _bump(rec, ["segment", "segment_approved_by"])
    _bump(rec.plan, [])
    _stacking_note(actor=actor, rec=rec, subject=f"Customer segment {segment}",
                   body=f"Segment {before or '-'} → {segment}. Reason: {reason.strip()}\n"
                   f"System suggestion: segment {suggestion.segment} ({'; '.join(suggestion.indicators)})"
                   + (f"\nApproved by {approver_officer.display_name} (PS Team Leader)" if approver_officer else ""),
                   step_ids=step_ids, ref=change)
    audit_record(actor=actor, action="ps_segment.set", target=rec, before={"segment": before},
                 after={"segment": segment, "suggested": suggestion.segment, "indicators": list(suggestion.indicators),
                        "approved_by": approver_officer.pk if approver_officer else None},
                 reason=reason.strip(), step_ids=step_ids, customer=rec.customer_id)
    return change


def segment_3_request(*, actor, ps_record: PsRecord, reason: str) -> ApprovalRequest:
    """PS-ORM-1: ask the PS Team Leader to classify the customer as segment 3. Nothing changes until they approve."""
    from casework.approvals.services import approval_request_create

    _require(actor, "ps.manage_plan", "Only PS officers ask for segment 3.", ("PS-ORM-1",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-ORM-1",))
        _require_active(rec)
        if rec.segment == 3:
            raise TransitionRefused("The customer is already in segment 3.", step_ids=("PS-ORM-1",))
        return approval_request_create(
            actor=actor, kind="segment_3", customer=rec.customer, subject=rec,
            summary=f"Classify {rec.customer.full_name} as segment 3 (now segment {rec.segment or '-'})",
            reason=reason, payload={"segment": 3, "from_segment": rec.segment},
            eligibility=ps_team_leader_eligibility(rec, exclude_user_ids=[actor.pk]),
            step_ids=("PS-ORM-1", "PS-SEG-3", "PS-RES-1"))


def segment_3_apply(*, request: ApprovalRequest, actor, data) -> SegmentChange:
    """The ``segment_3`` kind's effect, run by ``approvals.services.approval_decide`` on approval."""
    rec = _locked_record(PsRecord.objects.get(pk=int(request.subject_id)))
    _require_active(rec, step_ids=("PS-ORM-1",))
    return _segment_apply(actor=actor, rec=rec, segment=3, reason=request.reason, approver=actor,
                          requested_by=request.requested_by, step_ids=("PS-ORM-1", "PS-SEG-3", "PS-RES-1"))


# --- Contacts (PS-CON) -----------------------------------------------------------------------------------------


def contact_record(
    *,
    actor,
    ps_record: PsRecord,
    kind: str,
    summary: str,
    checklist: Mapping[str, bool] | None = None,
    mandatory_gathered: Mapping[str, bool] | None = None,
    acknowledged: bool = False,
    restrictions_reviewed: bool = False,
    products_services: str = "",
    next_contact_at: dt.datetime | None = None,
    follow_up_type: str = "",
    follow_up_subject: str = "",
    close_referral_intray: bool = True,
) -> Contact:
    """Record a PS contact with its checklist (PS-CON-1/2/6/7) and the post-contact actions (PS-CON-3/5): the
    stacking document updated, mandatory issues confirmed, follow-up intray created, referral intray closed."""
    _require(actor, "ps.manage_plan", "Only PS officers record PS contacts.", ("PS-CON-1",))
    if kind not in ContactKind.values:
        raise InvalidInput("A contact is 'first' or 'follow_up'.", fields={"kind": ["Choose first or follow_up."]},
                           step_ids=("PS-CON-1",))
    if not summary.strip():
        raise InvalidInput("Summarise the discussion.", fields={"summary": ["Summarise the discussion."]},
                           step_ids=("PS-CON-1",))
    if follow_up_type and follow_up_type not in ("client_call_back", "estimate_review_required", "general_follow_up"):
        raise InvalidInput("Follow-up intrays are Client Call-back, Estimate Review Required or General Follow-up.",
                           fields={"follow_up_type": ["Unknown follow-up intray type."]}, step_ids=("PS-CON-5",))
    checklist = {str(k): bool(v) for k, v in (checklist or {}).items()}
    mandatory_gathered = {str(k): bool(v) for k, v in (mandatory_gathered or {}).items()}
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-CON-1",))
        _require_active(rec)
        restricted = ContactRestriction.objects.filter(customer=rec.customer, is_active=True).exists()
        if kind == ContactKind.FIRST and rec.contacts.filter(kind=ContactKind.FIRST).exists():
            raise TransitionRefused("The first contact is already recorded; record a follow-up.", step_ids=("PS-CON-6",))
        if kind == ContactKind.FOLLOW_UP and not rec.contacts.filter(kind=ContactKind.FIRST).exists():
            raise TransitionRefused("Record the first contact before follow-ups.", step_ids=("PS-CON-1",))
        decision = policy.contact_check(kind=kind, checklist=checklist, mandatory_gathered=mandatory_gathered,
                                        acknowledged=acknowledged, restrictions_active=restricted,
                                        restrictions_reviewed=restrictions_reviewed)
        _refuse(decision, InvalidInput, "checklist")
        now = clock.now()
        title = "First contact call" if kind == ContactKind.FIRST else "Follow-up contact call"
        note = _stacking_note(actor=actor, rec=rec, subject=title,
                              body=summary.strip() + (f"\nProducts and services provided: {products_services.strip()}"
                                                      if products_services.strip() else ""),
                              step_ids=decision.step_ids)
        contact = Contact.objects.create(
            ps_record=rec, kind=kind, occurred_at=now, checklist=checklist, mandatory_gathered=mandatory_gathered,
            acknowledged=acknowledged, restrictions_reviewed=restrictions_reviewed, summary=summary.strip(),
            products_services=products_services.strip(), next_contact_at=next_contact_at, note=note,
            recorded_by=actor,
        )
        steps = list(decision.step_ids) + ["PS-CON-3"]
        if kind == ContactKind.FIRST:
            # PS-PSP-4: mandatory issues discussed with the customer become confirmed.
            for issue in rec.plan.issues.select_for_update().filter(is_mandatory=True, status=policy.RECORDED):
                issue.confirm()
                _bump(issue, ["status"])
                _issue_event(actor=actor, issue=issue, from_status=policy.RECORDED, to_status=policy.CONFIRMED,
                             comment="Confirmed with the customer at first contact", step_ids=("PS-PSP-4", "PS-CON-2"))
            _bump(rec.plan, [])
        if follow_up_type:
            intray = integration.intray_create(
                actor=actor, type_code=follow_up_type, customer=rec.customer,
                subject=follow_up_subject.strip() or f"PS follow-up: {rec.customer.full_name}",
                assignee_officer=rec.case_manager, details=summary.strip()[:2000],
                reason="PS follow-up after contact", step_ids=("PS-CON-5",),
            )
            contact.follow_up_intray_id = intray.pk
            contact.save(update_fields=["follow_up_intray_id"])
            steps.append("PS-CON-5")
        if close_referral_intray:
            # PS-CON-5: the CRG Referral / Customer Assigned to PS intray is closed once the customer is contacted.
            to_close = [i for i in integration.open_intrays(rec.customer)
                        if i.type.code in policy.REFERRAL_INTRAY_DAYS and i.assignee_officer_id == rec.case_manager_id]
            for ref_intray in to_close:
                integration.intray_complete(actor=actor, intray=ref_intray,
                                            outcome=f"Customer contacted by the PS Case Manager ({title.lower()}).",
                                            step_ids=("PS-CON-3", "PS-CON-5"))
                steps.append("PS-CON-5")
        steps = tuple(dict.fromkeys(steps))
        audit_record(actor=actor, action="ps_contact.record", target=contact,
                     after={"kind": kind, "checklist": checklist, "mandatory_gathered": mandatory_gathered,
                            "acknowledged": acknowledged, "follow_up_intray": contact.follow_up_intray_id},
                     step_ids=steps, customer=rec.customer_id)
    return contact


def customer_told_record(*, actor, ps_record: PsRecord, summary: str) -> PsRecord:
    """PS-FIN-1: the customer was told by phone that their issues are addressed and the case leaves PS."""
    _require(actor, "ps.manage_plan", "Only PS officers record this.", ("PS-FIN-1",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-FIN-1",))
        _require_active(rec)
        rec.customer_told_by_phone = True
        _bump(rec, ["customer_told_by_phone"])
        _stacking_note(actor=actor, rec=rec, subject="Customer told the case leaves PS", body=summary or "Told by phone.",
                       step_ids=("PS-FIN-1",))
        audit_record(actor=actor, action="ps_record.customer_told", target=rec, after={"customer_told_by_phone": True},
                     step_ids=("PS-FIN-1",), customer=rec.customer_id)
    return rec


def no_further_contact_record(*, actor, ps_record: PsRecord, cro: Officer | None, confirmation: str) -> PsRecord:
    """PS-CON-1: MP/Ombudsman referral where no further contact is needed, confirmed with Customer Review."""
    _require(actor, "ps.manage_plan", "Only PS officers record this.", ("PS-CON-1",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-CON-1",))
        _require_active(rec)
        _refuse(policy.no_further_contact_check(
            referral_source=rec.referral_source,
            confirmed_with_cro=cro is not None and cro.role == Role.CUSTOMER_REVIEW_OFFICER and cro.is_active,
            confirmation=confirmation))
        rec.cro_confirmed_by, rec.cro_confirmation = cro, confirmation.strip()
        _bump(rec, ["cro_confirmed_by", "cro_confirmation"])
        _stacking_note(actor=actor, rec=rec, subject="No further contact needed (Customer Review confirmed)",
                       body=f"Confirmed with {cro.display_name}: {confirmation.strip()}", step_ids=("PS-CON-1",))
        audit_record(actor=actor, action="ps_record.no_further_contact", target=rec,
                     after={"cro": cro.pk, "confirmation": rec.cro_confirmation}, step_ids=("PS-CON-1", "PS-FIN-1"),
                     customer=rec.customer_id)
    return rec


def sensitive_indicator_add(*, actor, ps_record: PsRecord, reason: str, conditions: str,
                            review_date: dt.date | None = None):
    """PS-CON-4: internal-only indicator with reason, conditions and review date."""
    _require(actor, "ps.manage_plan", "Only PS officers add this indicator from PS.", ("PS-CON-4",))
    if not conditions.strip():
        raise InvalidInput("Document the specific conditions.", fields={"conditions": ["Document the conditions."]},
                           step_ids=("PS-CON-4",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-CON-4",))
        if reason == SensitiveReason.SEGMENT_3_REVIEW and review_date is not None:
            _refuse(policy.segment3_review_date_check(today=_today_for(rec), review_date=review_date), InvalidInput,
                    "review_date")
        return integration.sensitive_indicator_add(actor=actor, customer=rec.customer, reason=reason,
                                                   conditions=conditions.strip(), review_date=review_date,
                                                   step_ids=("PS-CON-4",))


# --- Letters (PS-CON-8, PS-RES-4, PS-FIN-1) --------------------------------------------------------------------


def _ps_letter_context(rec: PsRecord, template_code: str, context: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a PS letter is made from: the Case Manager's signature, and for UQ140.01 the plan's issues in the
    customer's words and the open commitments; for UQ140.02 the date to respond by."""
    ctx = dict(context or {})
    ctx.setdefault("case_manager_name", rec.case_manager.display_name)
    if template_code == "uq140_01_first_call_confirmation":
        ctx.setdefault("issues", [policy.customer_issue_wording(i.title)
                                  for i in rec.plan.issues.filter(is_active=True)])
        ctx.setdefault("commitments", [a.description for a in rec.plan.actions.filter(completed_at__isnull=True)])
    if template_code == "uq140_02_exit":
        ctx.setdefault("respond_by", _today_for(rec) + dt.timedelta(days=policy.EXIT_LETTER_WAIT_DAYS))
    return ctx


_PS_LETTER_STEPS = {"uq140_00_introduction": ("PS-CON-8",),
                    "uq140_01_first_call_confirmation": ("PS-CON-8", "PS-RES-4"),
                    "uq140_02_exit": ("PS-CON-8", "PS-FIN-1")}


def _ps_letter_allowed(actor, template_code: str) -> None:
    _require(actor, "ps.manage_plan", "Only PS officers send PS letters.", ("PS-CON-8",))
    if template_code not in PS_LETTERS:
        raise InvalidInput("Choose a PS letter (UQ140.00, UQ140.01, UQ140.02).",
                           fields={"template_code": [f"Choose one of: {', '.join(PS_LETTERS)}."]},
                           step_ids=("PS-CON-8",))


def ps_letter_preview(*, actor, ps_record: PsRecord, template_code: str, context: Mapping[str, Any] | None = None):
    """Issue 14: the PS letter exactly as ``ps_letter_send`` would send it (same checks, same context), without
    rendering the PDF or storing anything (``letters.services.letter_preview``). Writes nothing."""
    _ps_letter_allowed(actor, template_code)
    rec = PsRecord.objects.select_related("customer", "case_manager__user", "case_manager__position__office",
                                          "plan").filter(pk=ps_record.pk).first()
    if rec is None:
        raise NotFound("No such PS record.")
    _require_case_manager_or_tl(actor, rec, ("PS-CON-8",))
    _require_active(rec)
    return integration.letter_preview(actor=actor, customer=rec.customer, template_code=template_code,
                                      context=_ps_letter_context(rec, template_code, context),
                                      signed_by=rec.case_manager.user, step_ids=_PS_LETTER_STEPS[template_code],
                                      via=VIA_PS)


def ps_letter_send(*, actor, ps_record: PsRecord, template_code: str, context: Mapping[str, Any] | None = None):
    """Send UQ140.00/.01/.02, signed by the PS Case Manager (PS-CON-8)."""
    _ps_letter_allowed(actor, template_code)
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-CON-8",))
        _require_active(rec)
        cm = rec.case_manager
        ctx = _ps_letter_context(rec, template_code, context)
        steps = _PS_LETTER_STEPS[template_code]
        letter = integration.letter_issue(actor=actor, customer=rec.customer, template_code=template_code,
                                          context=ctx, signed_by=cm.user, step_ids=steps, via=VIA_PS)
        log = LetterLog.objects.create(ps_record=rec, template_code=template_code, letter_id=letter.pk,
                                       sent_at=letter.issued_at, sent_by=actor)
        audit_record(actor=actor, action="ps_letter.send", target=log, after={"template_code": template_code,
                                                                            "letter": letter.pk},
                     step_ids=steps, customer=rec.customer_id)
    return letter


def uq140_01_skip(*, actor, ps_record: PsRecord, straightforward: bool, tl_discussion: str,
                  team_leader: Officer | None = None) -> Plan:
    """PS-RES-4: not sending UQ140.01 needs a Team Leader discussion documented in the plan."""
    _require(actor, "ps.manage_plan", "Only PS officers decide this.", ("PS-RES-4",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-RES-4",))
        _require_active(rec)
        if team_leader is not None and team_leader.role != Role.PS_TEAM_LEADER:
            raise InvalidInput("The discussion is with a PS Team Leader.",
                               fields={"team_leader": ["Not a PS Team Leader."]}, step_ids=("PS-RES-4",))
        discussion = tl_discussion.strip()
        if discussion and team_leader is not None:
            discussion = f"Discussed with {team_leader.display_name}: {discussion}"
        actor_is_tl = _officer(actor).role == Role.PS_TEAM_LEADER
        _refuse(policy.uq140_01_skip_check(segment=rec.segment, straightforward=straightforward,
                                           tl_discussion=tl_discussion if (team_leader is not None or actor_is_tl)
                                           else ""))
        plan = Plan.objects.select_for_update().get(pk=rec.plan.pk)
        plan.uq140_01_skipped = True
        plan.uq140_01_tl_discussion = discussion
        _bump(plan, ["uq140_01_skipped", "uq140_01_tl_discussion"])
        audit_record(actor=actor, action="ps_plan.uq140_01_skip", target=plan,
                     after={"tl_discussion": discussion, "segment": rec.segment, "straightforward": straightforward},
                     step_ids=("PS-RES-4",), customer=rec.customer_id)
    return plan


# --- Face-to-face (PS-F2F) -------------------------------------------------------------------------------------


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _record_of(request: ApprovalRequest) -> PsRecord:
    return _locked_record(PsRecord.objects.get(pk=int(request.subject_id)))


def f2f_book(*, actor, ps_record: PsRecord, location_type: str, location_detail: str, attendees: str,
             scheduled_for: dt.datetime, reason: str = "", via_customer_review: bool = False,
             second_person: bool = False, security_risk: bool = False,
             security_notified: bool = False) -> ApprovalRequest:
    """PS-F2F-1..4, issue 11: booking a meeting is a request to the PS Team Leader (the PS-F2F-1 discussion before
    the appointment); a location other than a service centre is approved in the same request (PS-F2F-3). The
    meeting is booked (``face_to_face_apply``) only when they approve it, with them recorded as the Team Leader it
    was discussed with (and who approved the location). MP offices are organised through Customer Review; a
    security risk is notified via the Team Leader (PS-F2F-2)."""
    _require(actor, "ps.manage_plan", "Only PS officers book face-to-face meetings.", ("PS-F2F-1",))
    _refuse(policy.f2f_check(tl_discussed=True, location_type=location_type, tl_approved_location=True,
                             via_customer_review=via_customer_review, security_risk=security_risk,
                             security_notified=security_notified))
    problems = {}
    if not str(location_detail or "").strip():
        problems["location_detail"] = ["Give the meeting place."]
    if not str(attendees or "").strip():
        problems["attendees"] = ["Say who attends."]
    if problems:
        raise InvalidInput("Check the meeting details.", fields=problems, step_ids=("PS-F2F-2",))
    from casework.approvals.services import approval_request_create

    steps = ("PS-F2F-1", "PS-F2F-2", "PS-F2F-3") if location_type != "service_centre" else ("PS-F2F-1", "PS-F2F-2")
    label = policy.F2F_LOCATIONS.get(location_type, location_type)
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-F2F-1",))
        _require_active(rec)
        return approval_request_create(
            actor=actor, kind="face_to_face", customer=rec.customer, subject=rec,
            summary=(f"Face-to-face meeting with {rec.customer.full_name}: {label}, {location_detail.strip()}, "
                     f"{scheduled_for:%d/%m/%Y %H:%M}"
                     + (" (location needs your approval)" if location_type == "other" else "")),
            reason=str(reason or "").strip() or f"Face-to-face meeting requested. Attendees: {attendees.strip()}",
            payload={"location_type": location_type, "location_detail": location_detail.strip(),
                     "attendees": attendees.strip(), "scheduled_for": _iso(scheduled_for),
                     "via_customer_review": bool(via_customer_review), "second_person": bool(second_person),
                     "security_risk": bool(security_risk), "security_notified": bool(security_notified)},
            eligibility=ps_team_leader_eligibility(rec, exclude_user_ids=[actor.pk]), step_ids=steps)


def face_to_face_apply(*, request: ApprovalRequest, actor, data) -> FaceToFace:
    """The ``face_to_face`` kind's effect: the meeting is booked, discussed with (and, for another location, its
    location approved by) the deciding PS Team Leader."""
    p = request.payload
    rec = _record_of(request)
    _require_active(rec, step_ids=("PS-F2F-1",))
    decider = _officer(actor)
    scheduled_for = dt.datetime.fromisoformat(p["scheduled_for"])
    now = clock.now()
    meeting = FaceToFace.objects.create(
        ps_record=rec, tl_discussed_with=decider, location_type=p["location_type"],
        location_detail=p["location_detail"],
        location_approved_by=decider if p["location_type"] == "other" else None,
        via_customer_review=p.get("via_customer_review", False), attendees=p["attendees"],
        second_person=p.get("second_person", False), security_risk=p.get("security_risk", False),
        security_notified=p.get("security_notified", False), scheduled_for=scheduled_for,
        booked_by=request.requested_by, booked_at=now,
    )
    plan = Plan.objects.select_for_update().get(pk=rec.plan.pk)
    if not plan.options.filter(kind="face_to_face").exists():
        PlanOption.objects.create(plan=plan, kind="face_to_face", detail=f"Meeting at {meeting.location_detail}",
                                  status=OptionStatus.ACCEPTED, recorded_at=now, recorded_by=request.requested_by)
    _bump(plan, [])
    _stacking_note(actor=actor, rec=rec, subject="Face-to-face meeting booked",
                   body=f"{meeting.get_location_type_display()}: {meeting.location_detail}, "
                   f"{scheduled_for:%d/%m/%Y %H:%M}. "
                   f"Attendees: {meeting.attendees}. Discussed with {decider.display_name} (PS Team Leader)"
                   + (", who approved the location." if meeting.location_approved_by_id else "."),
                   step_ids=("PS-F2F-1", "PS-F2F-3"), ref=meeting)
    audit_record(actor=actor, action="ps_f2f.book", target=meeting,
                 after={**snapshot(meeting, ["location_type", "location_detail", "attendees", "scheduled_for",
                                             "security_risk", "security_notified"]),
                        "tl_discussed_with": decider.pk, "location_approved_by": meeting.location_approved_by_id,
                        "requested_by": request.requested_by_id, "approval": request.pk},
                 step_ids=("PS-F2F-1", "PS-F2F-2", "PS-F2F-3"), customer=rec.customer_id)
    return meeting


# --- Ongoing reactive management (PS-ORM-2/3) ------------------------------------------------------------------


def segment3_review_schedule(*, actor, ps_record: PsRecord, review_date: dt.date, conditions: str) -> Segment3Review:
    """PS-ORM-2: segment 3 customer: sensitive issue indicator with a review date no more than 3 months ahead. One
    open review at a time (issue 11): once scheduled, the date moves only as the review's 'continue' outcome, which a
    second PS Team Leader approves (``segment3_review_record``)."""
    _require(actor, "ps.review_segment3", "Segment 3 reviews are set by a PS Team Leader.", ("PS-ORM-2",))
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_active(rec)
        if rec.segment != 3:
            raise TransitionRefused("Only a segment 3 customer is under ongoing reactive management.",
                                    step_ids=("PS-ORM-2",))
        open_review = (Segment3Review.objects.select_for_update().filter(ps_record=rec, reviewed_at__isnull=True)
                       .order_by("review_date", "id").first())
        _refuse(policy.segment3_review_schedule_check(
            open_review_date=open_review.review_date if open_review is not None else None))
        _refuse(policy.segment3_review_date_check(today=_today_for(rec), review_date=review_date), InvalidInput,
                "review_date")
        indicator = integration.sensitive_indicator_add(
            actor=actor, customer=rec.customer, reason=SensitiveReason.SEGMENT_3_REVIEW,
            conditions=conditions.strip() or "Segment 3 ongoing reactive management", review_date=review_date,
            step_ids=("PS-CON-4", "PS-ORM-2"))
        review = Segment3Review.objects.create(ps_record=rec, indicator=indicator, review_date=review_date)
        rec.segment3_review_date = review_date
        _bump(rec, ["segment3_review_date"])
        audit_record(actor=actor, action="ps_segment3_review.schedule", target=review,
                     after={"review_date": review_date}, step_ids=("PS-ORM-2",), customer=rec.customer_id)
    return review


def _segment3_outcome_checked(*, rec: PsRecord, outcome: str, notes: str, new_review_date: dt.date | None) -> None:
    _refuse(policy.segment3_review_outcome_check(outcome=outcome, today=_today_for(rec),
                                                 new_review_date=new_review_date), InvalidInput,
            "new_review_date" if outcome == "continue" else "outcome")
    if not str(notes or "").strip():
        raise InvalidInput("Document the review outcome.", fields={"notes": ["Document the outcome."]},
                           step_ids=("PS-ORM-2",))


def segment3_review_record(*, actor, review: Segment3Review, outcome: str, notes: str,
                           new_review_date: dt.date | None = None) -> ApprovalRequest:
    """PS-ORM-2 at review, issue 11: the PS Team Leader who reviewed the case records the outcome (back to segment
    2, or continue with a new date no more than 3 months ahead) as a request; it is decided by a second PS Team
    Leader — the Team Leader of the Case Manager's team when someone else recorded it, otherwise another PS Team
    Leader, who stands in for the procedure's "PS Team Manager" the outstanding issues are discussed with. The
    outcome applies (``segment3_review_apply``) only on their approval."""
    _require(actor, "ps.review_segment3", "Segment 3 reviews are recorded by a PS Team Leader.", ("PS-ORM-2",))
    from casework.approvals.services import approval_request_create

    with transaction.atomic():
        row = Segment3Review.objects.select_for_update().get(pk=review.pk)
        rec = _locked_record(row.ps_record)
        _require_active(rec, step_ids=("PS-ORM-2",))
        if row.reviewed_at is not None:
            raise TransitionRefused("This review is already recorded.", step_ids=("PS-ORM-2",))
        _segment3_outcome_checked(rec=rec, outcome=outcome, notes=notes, new_review_date=new_review_date)
        what = ("back to segment 2" if outcome == "back_to_segment_2"
                else f"continue in segment 3, next review {new_review_date:%d/%m/%Y}")
        return approval_request_create(
            actor=actor, kind="segment_3_review", customer=rec.customer, subject=row,
            summary=f"Segment 3 review of {rec.customer.full_name}: {what}", reason=notes.strip(),
            payload={"outcome": outcome, "notes": notes.strip(), "new_review_date": _iso(new_review_date),
                     "review_date": _iso(row.review_date)},
            eligibility=ps_team_leader_eligibility(rec, exclude_user_ids=[actor.pk]), step_ids=("PS-ORM-2",))


def segment3_review_apply(*, request: ApprovalRequest, actor, data) -> Segment3Review:
    """The ``segment_3_review`` kind's effect: the outcome recorded by the requester applies on approval."""
    p = request.payload
    outcome = p["outcome"]
    notes = p["notes"]
    new_review_date = dt.date.fromisoformat(p["new_review_date"]) if p.get("new_review_date") else None
    row = Segment3Review.objects.select_for_update().get(pk=int(request.subject_id))
    rec = _locked_record(row.ps_record)
    _require_active(rec, step_ids=("PS-ORM-2",))
    if row.reviewed_at is not None:
        raise TransitionRefused("This review is already recorded.", step_ids=("PS-ORM-2",))
    _segment3_outcome_checked(rec=rec, outcome=outcome, notes=notes, new_review_date=new_review_date)
    requester = request.requested_by
    decider = _officer(actor)
    now = clock.now()
    row.outcome, row.notes, row.new_review_date = outcome, notes, new_review_date
    row.reviewed_by, row.reviewed_at = requester, now
    row.save(update_fields=["outcome", "notes", "new_review_date", "reviewed_by", "reviewed_at"])
    from casework.customers import services as customer_services

    if outcome == "back_to_segment_2":
        before = rec.segment
        SegmentChange.objects.create(ps_record=rec, from_segment=before, to_segment=2, reason=notes,
                                     approved_by=actor, actor=requester, at=now)
        rec.segment, rec.segment3_review_date = 2, None
        _bump(rec, ["segment", "segment3_review_date"])
        if row.indicator is not None and row.indicator.is_active:
            customer_services.sensitive_indicator_end(actor=actor, indicator=row.indicator,
                                                      reason="Segment 3 no longer needed",
                                                      step_ids=("PS-CON-4", "PS-ORM-2"))
    else:
        indicator = integration.sensitive_indicator_add(
            actor=actor, customer=rec.customer, reason=SensitiveReason.SEGMENT_3_REVIEW,
            conditions=row.indicator.conditions if row.indicator else "Segment 3 ongoing reactive management",
            review_date=new_review_date, step_ids=("PS-CON-4", "PS-ORM-2"))
        if row.indicator is not None and row.indicator.is_active:
            customer_services.sensitive_indicator_end(actor=actor, indicator=row.indicator,
                                                      reason="Replaced by the new review date",
                                                      step_ids=("PS-ORM-2",))
        Segment3Review.objects.create(ps_record=rec, indicator=indicator, review_date=new_review_date)
        rec.segment3_review_date = new_review_date
        _bump(rec, ["segment3_review_date"])
    _stacking_note(actor=actor, rec=rec, subject="Segment 3 review outcome",
                   body=f"Outcome: {outcome.replace('_', ' ')}. {notes}\nRecorded by "
                   f"{_officer(requester).display_name if _officer(requester) else requester}; approved by "
                   f"{decider.display_name if decider else actor} (PS Team Leader).",
                   step_ids=("PS-ORM-2",), ref=row)
    audit_record(actor=actor, action="ps_segment3_review.record", target=row,
                 after={"outcome": outcome, "new_review_date": new_review_date, "reviewed_by": requester.pk,
                        "approved_by": decider.pk if decider else None, "approval": request.pk},
                 step_ids=("PS-ORM-2",), customer=rec.customer_id)
    return row


NMQCC_ELIGIBILITY = Eligibility(role=Role.NATIONAL_MANAGER_QCC.value,
                                label="the National Manager Quality and Customer Complaints")


def restricted_service_review_record(*, actor, ps_record: PsRecord, restriction: ContactRestriction, outcome: str,
                                     next_review_date: dt.date,
                                     reviewed_on: dt.date | None = None) -> ApprovalRequest:
    """PS-ORM-3, issue 11: the PS Team Leader records the restricted-service review (every 3 to 6 months) as a
    request that only the National Manager Quality and Customer Complaints decides; on their approval the review is
    recorded with them as approver and the restriction's review date moves (``restricted_service_review_apply``)."""
    _require(actor, "ps.review_restricted_service", "Restricted-service reviews are by a PS Team Leader.",
             ("PS-ORM-3",))
    if restriction.customer_id != ps_record.customer_id or not restriction.is_active:
        raise InvalidInput("Choose this customer's active restricted service.",
                           fields={"restriction": ["Not an active restriction of this customer."]},
                           step_ids=("PS-ORM-3",))
    if not str(outcome or "").strip():
        raise InvalidInput("Record the review outcome.", fields={"outcome": ["Record the outcome."]},
                           step_ids=("PS-ORM-3",))
    from casework.approvals.services import approval_request_create

    with transaction.atomic():
        rec = _locked_record(ps_record)
        reviewed_on = reviewed_on or _today_for(rec)
        _refuse(policy.restricted_service_review_check(reviewed_on=reviewed_on, next_review_date=next_review_date,
                                                       approver_is_nmqcc=True), InvalidInput, "next_review_date")
        return approval_request_create(
            actor=actor, kind="restricted_service_review", customer=rec.customer, subject=restriction,
            summary=(f"Restricted service review of {rec.customer.full_name}: {outcome.strip()[:120]}; next review "
                     f"{next_review_date:%d/%m/%Y}"),
            reason=outcome.strip(),
            payload={"ps_record": rec.pk, "outcome": outcome.strip(), "reviewed_on": _iso(reviewed_on),
                     "next_review_date": _iso(next_review_date)},
            eligibility=NMQCC_ELIGIBILITY, step_ids=("PS-ORM-3",))


def restricted_service_review_apply(*, request: ApprovalRequest, actor, data) -> RestrictedServiceReview:
    """The ``restricted_service_review`` kind's effect: the review is recorded, approved by the deciding NMQCC, and
    the restriction's next review date moves."""
    p = request.payload
    rec = _locked_record(PsRecord.objects.get(pk=int(p["ps_record"])))
    r = ContactRestriction.objects.select_for_update().get(pk=int(request.subject_id))
    if not r.is_active:
        raise TransitionRefused("This restricted service is no longer in force: there is no review to approve.",
                                step_ids=("PS-ORM-3",))
    approver = _officer(actor)
    next_review_date = dt.date.fromisoformat(p["next_review_date"])
    row = RestrictedServiceReview.objects.create(
        ps_record=rec, restriction=r, reviewed_on=dt.date.fromisoformat(p["reviewed_on"]), outcome=p["outcome"],
        next_review_date=next_review_date, approved_by=approver, recorded_by=request.requested_by,
        recorded_at=clock.now())
    before = r.review_date
    r.review_date = next_review_date
    r.save(update_fields=["review_date"])
    _stacking_note(actor=actor, rec=rec, subject="Restricted service review",
                   body=f"Outcome: {row.outcome}. Next review {next_review_date:%d/%m/%Y}. "
                   f"Approved by {approver.display_name} (NMQCC).", step_ids=("PS-ORM-3",), ref=row)
    audit_record(actor=actor, action="ps_restricted_review.record", target=row,
                 before={"review_date": before},
                 after={"review_date": next_review_date, "outcome": row.outcome, "approved_by": approver.pk,
                        "recorded_by": request.requested_by_id, "approval": request.pk},
                 step_ids=("PS-ORM-3",), customer=rec.customer_id)
    return row


def restricted_service_end_request(*, actor, restriction: ContactRestriction, reason: str) -> ApprovalRequest:
    """PS-ORM-3, issue 12: ending a restricted service in force is a review outcome that only the National Manager
    Quality and Customer Complaints approves. Registered with customers at start-up and run inside
    ``customers.services.contact_restriction_end``'s transaction (every path that ends one asks this way)."""
    from casework.approvals.services import approval_request_create

    return approval_request_create(
        actor=actor, kind="restricted_service_end", customer=restriction.customer, subject=restriction,
        summary=f"End the restricted service on {restriction.customer.full_name}: {reason[:150]}",
        reason=reason, payload={"reason": reason, "conditions": restriction.conditions,
                                "review_date": _iso(restriction.review_date)},
        eligibility=NMQCC_ELIGIBILITY, step_ids=("PS-ORM-3",))


def restricted_service_end_apply(*, request: ApprovalRequest, actor, data) -> ContactRestriction:
    """The ``restricted_service_end`` kind's effect: the restriction ends now, with the NMQCC as approver."""
    from casework.customers import services as customer_services

    return customer_services.contact_restriction_end_apply(
        actor=actor, restriction_id=int(request.subject_id), reason=request.payload["reason"],
        requested_by=request.requested_by, approval_id=request.pk)


# --- Restricted service imposition (PS-ORM-3, PS-DOC-2) --------------------------------------------------------

RESTRICTION_STEPS = ("PS-ORM-3", "PS-DOC-2")


def restricted_service_request(*, actor, restriction: ContactRestriction) -> ApprovalRequest:
    """PS-ORM-3, issue 11: a proposed restricted service (``customers.services.contact_restriction_add``, every
    path) becomes a request to a PS Team Leader other than the proposer — the Team Leader of the customer's PS Case
    Manager's team when the customer is in PS, otherwise any PS Team Leader. Registered with customers at start-up
    and run inside the proposal's transaction; the restriction stays *proposed* until the decision."""
    from casework.approvals.services import approval_request_create

    rec = PsRecord.objects.select_related("case_manager__position__team").filter(
        customer_id=restriction.customer_id, is_active=True).first()
    if rec is not None and rec.case_manager is not None:
        eligibility = ps_team_leader_eligibility(rec, exclude_user_ids=[actor.pk])
    else:
        eligibility = Eligibility(role=Role.PS_TEAM_LEADER.value, label="a PS Team Leader")
    return approval_request_create(
        actor=actor, kind="restricted_service", customer=restriction.customer, subject=restriction,
        summary=f"Impose a restricted service on {restriction.customer.full_name}: {restriction.conditions[:150]}",
        reason=restriction.recommendation or restriction.conditions,
        payload={"conditions": restriction.conditions, "review_date": _iso(restriction.review_date),
                 "imposed_on": _iso(restriction.imposed_on), "case_review": restriction.case_review,
                 "recommendation": restriction.recommendation},
        eligibility=eligibility, step_ids=RESTRICTION_STEPS)


def _proposed_restriction(request: ApprovalRequest) -> ContactRestriction:
    row = ContactRestriction.objects.select_for_update().get(pk=int(request.subject_id))
    if row.status != "proposed":
        raise TransitionRefused(f"This restricted service is {row.get_status_display().lower()}: there is nothing "
                                "to decide.", step_ids=RESTRICTION_STEPS)
    return row


def restricted_service_apply(*, request: ApprovalRequest, actor, data) -> ContactRestriction:
    """The ``restricted_service`` kind's effect: the restriction comes into force, with the approver and the letter
    sent to the customer recorded (PS-DOC-2: case review, recommendation, approval and letter)."""
    row = _proposed_restriction(request)
    row.approve()
    row.is_active = True
    row.approved_by = actor
    row.approved_at = clock.now()
    row.letter_reference = str(data.get("letter_reference") or "").strip()
    row.decision_reason = request.decision_reason
    version_bump(row)
    row.save(update_fields=["status", "is_active", "approved_by", "approved_at", "letter_reference",
                            "decision_reason", "version"])
    audit_record(actor=actor, action="contact_restriction.approve", target=row,
                 before={"status": "proposed"},
                 after={"status": row.status, "letter_reference": row.letter_reference,
                        "requested_by": row.requested_by_id, "approval": request.pk},
                 reason=row.decision_reason, step_ids=RESTRICTION_STEPS, customer=row.customer_id)
    return row


def restricted_service_reject(*, request: ApprovalRequest, actor, data) -> ContactRestriction:
    """Not approved: the proposal is kept as *not approved* with the reason; it never took effect."""
    row = _proposed_restriction(request)
    row.reject()
    row.approved_by = actor
    row.approved_at = clock.now()
    row.decision_reason = request.decision_reason
    version_bump(row)
    row.save(update_fields=["status", "approved_by", "approved_at", "decision_reason", "version"])
    audit_record(actor=actor, action="contact_restriction.reject", target=row, before={"status": "proposed"},
                 after={"status": row.status, "approval": request.pk}, reason=row.decision_reason,
                 step_ids=RESTRICTION_STEPS, customer=row.customer_id)
    return row


def restricted_service_withdrawn(*, request: ApprovalRequest, actor) -> ContactRestriction:
    """The proposer withdrew the request: the proposed restriction ends without ever being in force."""
    row = _proposed_restriction(request)
    row.end()
    row.ended_on = integration.local_today(_officer(actor))
    row.decision_reason = request.decision_reason
    version_bump(row)
    row.save(update_fields=["status", "ended_on", "decision_reason", "version"])
    audit_record(actor=actor, action="contact_restriction.end", target=row, before={"status": "proposed"},
                 after={"status": row.status, "approval": request.pk}, reason=row.decision_reason,
                 step_ids=RESTRICTION_STEPS, customer=row.customer_id)
    return row


# --- Reallocation (PS-REV-2/3) ---------------------------------------------------------------------------------


def _team_eligibility(team, *, exclude_user_ids=()) -> Eligibility:
    """The PS Team Leader of ``team``; when it has none other than those excluded, any PS Team Leader."""
    from casework.approvals.services import eligible_officers

    if team is not None:
        e = Eligibility(role=Role.PS_TEAM_LEADER.value, team_ids=(team.pk,), label=f"the PS Team Leader of {team.name}")
        if eligible_officers(e, exclude_user_ids=exclude_user_ids):
            return e
    return Eligibility(role=Role.PS_TEAM_LEADER.value, area_codes=("PS",), label="a PS Team Leader")


def _notify_requester(*, parent: ApprovalRequest, actor, text: str, key: str, link: str, step_ids) -> None:
    """The Case Manager who asked for a reallocation hears of the second stage's decision too."""
    from casework.notifications.models import NotificationKind
    from casework.notifications.services import notification_send

    notification_send(recipients=[parent.requested_by], kind=NotificationKind.APPROVAL_DECIDED, text=text[:300],
                      key=key, link=link, customer=parent.customer, step_ids=step_ids, exclude=[actor])


def _no_pending_team_requests(rec: PsRecord, step_ids: Iterable[str]) -> None:
    """Issue 11: who decides a PS request is fixed when it is made — the PS Team Leader of the Case Manager's team.
    A reallocation therefore waits until the requests about the customer that team decides are decided (or withdrawn
    by whoever asked): none is left with the old team's Team Leader once the customer has moved (PS-REV-3)."""
    from .selectors import pending_team_requests

    pending = pending_team_requests(ps_record=rec)
    if pending:
        listing = "; ".join(f"{a.get_kind_display()} (request {a.pk}, waiting for {a.eligible.label})"
                            for a in pending)
        raise TransitionRefused(
            f"Not while requests about this customer wait for a decision: {listing}. Have them decided (or withdrawn "
            "by whoever asked) first — after a reallocation they would still go to the old team's Team Leader.",
            step_ids=tuple(step_ids), extra={"pending_approvals": [a.pk for a in pending]})


def reallocation_request(*, actor, ps_record: PsRecord, reason_code: str, detail: str) -> ReallocationRequest:
    """PS-REV-2: the Case Manager asks their own PS Team Leader to reallocate, with a reason. The request is a
    ``ps_reallocation`` request for approval in that Team Leader's queue: on approval they send it to a receiving PS
    position (whose PS Team Leader then assigns or declines, ``ps_reallocation_assign``); on rejection the customer
    stays with the Case Manager. Refused while requests decided by the Case Manager's team are pending
    (``_no_pending_team_requests``)."""
    from casework.approvals.services import approval_request_create

    _require(actor, "ps.request_reallocation", "Only PS officers request reallocation.", ("PS-REV-2",))
    _refuse(policy.reallocation_check(reason_code=reason_code, detail=detail), InvalidInput, "reason_code")
    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-REV-2",))
        _require_active(rec)
        _no_pending_team_requests(rec, ("PS-REV-2", "PS-REV-3"))
        req = ReallocationRequest.objects.create(ps_record=rec, reason_code=reason_code, detail=detail.strip(),
                                                 requested_by=actor, requested_at=clock.now())
        rec.request_reallocation()
        _bump(rec, ["status"])
        _stacking_note(actor=actor, rec=rec, subject="Reallocation request",
                       body=f"{policy.REALLOCATION_REASONS[reason_code]}: {detail.strip()}", step_ids=("PS-REV-2",),
                       ref=req)
        worked = [rec.case_manager.user_id] if rec.case_manager_id else []
        approval = approval_request_create(
            actor=actor, kind="ps_reallocation", customer=rec.customer, subject=req,
            summary=f"Reallocate {rec.customer.full_name} to another PS Case Manager "
                    f"({policy.REALLOCATION_REASONS[reason_code]})",
            reason=detail.strip(), worked_by=worked,
            eligibility=ps_team_leader_eligibility(rec, exclude_user_ids=[actor.pk, *worked]),
            payload={"ps_record": rec.pk, "reason_code": reason_code,
                     "case_manager": rec.case_manager_id}, step_ids=("PS-REV-2",))
        audit_record(actor=actor, action="ps_reallocation.request", target=req,
                     after={"reason_code": reason_code, "detail": detail.strip(), "approval": approval.pk},
                     step_ids=("PS-REV-2",), customer=rec.customer_id)
    req.approval = approval
    return req


def _position_value(value) -> Position | None:
    if isinstance(value, Position):
        return value
    if value in (None, ""):
        return None
    qs = Position.objects.select_related("business_area", "team", "office")
    return qs.filter(pk=value).first() if str(value).isdigit() else qs.filter(code=str(value)).first()


def _officer_value(value) -> Officer | None:
    if isinstance(value, Officer):
        return value
    if value in (None, ""):
        return None
    qs = Officer.objects.select_related("user", "position__team", "position__office")
    return qs.filter(pk=value).first() if str(value).isdigit() else qs.filter(user__username=str(value)).first()


def reallocation_forward_clean(*, request: ApprovalRequest, approve: bool, data: Mapping[str, Any]) -> dict:
    """``ps_reallocation`` decision data: on approval, the receiving PS position (id or code)."""
    out = dict(data)
    out["comments"] = str(out.get("comments") or "").strip()
    if approve:
        pos = _position_value(out.get("receiving_position"))
        if pos is None or not pos.is_active:
            raise InvalidInput("Choose the receiving PS position.",
                               fields={"receiving_position": ["No such position."]}, step_ids=("PS-REV-3",))
        if pos.business_area.code != "PS":
            raise InvalidInput("Reallocate to a Personalised Services position.",
                               fields={"receiving_position": ["Not a PS position."]}, step_ids=("PS-REV-3",))
        out["receiving_position"], out["receiving_position_id"] = pos, pos.pk
    return out


def _reallocation_for(request: ApprovalRequest, status: str) -> tuple[ReallocationRequest, PsRecord]:
    req = ReallocationRequest.objects.select_for_update().get(pk=int(request.subject_id))
    if req.status != status:
        raise TransitionRefused(f"This reallocation request is {req.get_status_display().lower()}: nothing to "
                                "decide.", step_ids=("PS-REV-3",))
    return req, _locked_record(req.ps_record)


def reallocation_forward_apply(*, request: ApprovalRequest, actor, data: Mapping[str, Any]) -> ApprovalRequest:
    """The ``ps_reallocation`` kind's effect on approval (PS-REV-3): the Case Manager's Team Leader sends the customer
    to the receiving PS position; that team's PS Team Leader gets a ``ps_reallocation_assign`` request in their
    queue (the follow-on of this one). The customer stays locked to the Case Manager, with their work, until then."""
    from casework.approvals.services import approval_request_create

    pos, comments = data["receiving_position"], data.get("comments", "")
    req, rec = _reallocation_for(request, ReallocationStatus.REQUESTED)
    _no_pending_team_requests(rec, ("PS-REV-3",))
    req.forward()
    req.receiving_position, req.forwarded_by = pos, actor
    req.comments = comments
    req.save(update_fields=["status", "receiving_position", "forwarded_by", "comments"])
    worked = sorted({request.requested_by_id, *([rec.case_manager.user_id] if rec.case_manager_id else [])})
    follow_on = approval_request_create(
        actor=actor, kind="ps_reallocation_assign", customer=rec.customer, subject=req, parent=request,
        summary=f"Assign {rec.customer.full_name} (reallocated to {pos.title}) "
                "to a Case Manager of your team",
        reason=f"{policy.REALLOCATION_REASONS[req.reason_code]}: {req.detail}" + (f"\n{comments}" if comments else ""),
        worked_by=worked, eligibility=_team_eligibility(pos.team, exclude_user_ids=[actor.pk, *worked]),
        payload={"ps_record": rec.pk, "receiving_position": pos.pk, "not_assignable": worked},
        step_ids=("PS-REV-3",))
    audit_record(actor=actor, action="ps_reallocation.forward", target=req,
                 after={"receiving_position": pos.pk, "comments": req.comments, "approval": request.pk,
                        "follow_on": follow_on.pk},
                 step_ids=("PS-REV-3",), customer=rec.customer_id)
    return follow_on


def _receiving_team_where(pos: Position) -> dict[str, Any]:
    """The receiving team of a reallocation: the receiving position's team (its office's PS positions when it has
    none)."""
    if pos.team_id:
        return {"position__team_id": pos.team_id}
    return {"position__office_id": pos.office_id, "position__business_area__code": "PS"}


def _not_assignable(payload: Mapping[str, Any]) -> tuple[set[int], Officer | None]:
    """The users who may not be assigned a reallocated customer (the one who asked, the Case Manager it is
    reallocated from — ``worked_by`` of the request) and that Case Manager."""
    rec = PsRecord.objects.select_related("case_manager").filter(pk=payload.get("ps_record")).first()
    current = rec.case_manager if rec is not None else None
    users = {int(u) for u in (payload.get("not_assignable") or ()) if str(u).isdigit()}
    if current is not None:
        users.add(current.user_id)
    return users, current


def reallocation_assign_options(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ps_reallocation_assign`` Case Manager picker (PS-REV-3): the active PS Case Managers of the receiving
    team, never the Case Manager the customer is reallocated from nor the officer who asked. The decision accepts
    only these (``approvals.services`` resolves the choice within them; ``reallocation_assign_clean`` checks it)."""
    pos = _position_value(payload.get("receiving_position"))
    if pos is None:
        return {"pk__in": []}
    users, _current = _not_assignable(payload)
    ids = (Officer.objects.filter(role=Role.PS_CASE_MANAGER, is_active=True, **_receiving_team_where(pos))
           .exclude(user_id__in=users).values_list("pk", flat=True))
    return {"role": Role.PS_CASE_MANAGER.value, "pk__in": sorted(ids)}


def reallocation_assign_clean(*, request: ApprovalRequest, approve: bool, data: Mapping[str, Any]) -> dict:
    """``ps_reallocation_assign`` decision data: on approval, an active PS Case Manager (id or username) of the
    receiving team (PS-REV-3) — not the Case Manager the customer is reallocated from, nor whoever asked."""
    out = dict(data)
    if approve:
        cm = _officer_value(out.get("case_manager"))
        if cm is None or cm.role != Role.PS_CASE_MANAGER or not cm.is_active:
            raise InvalidInput("Assign to an active PS Case Manager.",
                               fields={"case_manager": ["Not a PS Case Manager."]}, step_ids=("PS-REV-3",))
        payload = request.payload or {}
        users, current = _not_assignable(payload)
        if cm.user_id in users or cm.user_id in set(request.worked_by or ()):
            who = "the customer's Case Manager, who is reallocating them" if current and cm.pk == current.pk \
                else "the officer who asked for this reallocation"
            raise InvalidInput(f"{cm.display_name} is {who}: assign another Case Manager of your team.",
                               fields={"case_manager": [f"{cm.display_name} is {who}."]}, step_ids=("PS-REV-3",))
        pos = _position_value(payload.get("receiving_position"))
        if pos is not None and not Officer.objects.filter(pk=cm.pk, **_receiving_team_where(pos)).exists():
            team = pos.team.name if pos.team_id else f"{pos.office.name} Personalised Services"
            raise InvalidInput(f"The customer is reallocated to {team}: assign one of its Case Managers.",
                               fields={"case_manager": [f"Not a Case Manager of {team}."]}, step_ids=("PS-REV-3",))
        out["case_manager"], out["case_manager_id"] = cm, cm.pk
    return out


def reallocation_assign_apply(*, request: ApprovalRequest, actor, data: Mapping[str, Any]) -> PsRecord:
    """The ``ps_reallocation_assign`` kind's effect on approval (PS-REV-3): the receiving Team Leader assigns and
    locks the customer — and the associated customer locked with them at PS-REF-2 — to a Case Manager; a Customer
    Assigned to PS intray is generated for them and replaces the previous Case Manager's referral intrays, which close
    now (not at the first stage: a declined reallocation leaves the Case Manager's work as it was). The existing plan
    moves with the customer (PS-PSP-1)."""
    from casework.notifications.models import NotificationKind
    from casework.notifications.services import notification_send

    case_manager = data["case_manager"]
    req, rec = _reallocation_for(request, ReallocationStatus.FORWARDED)
    _no_pending_team_requests(rec, ("PS-REV-3",))
    previous = rec.case_manager
    lock_reason = f"PS reallocation to {case_manager.display_name}"
    integration.lock_to(actor=actor, customer=rec.customer, officer=case_manager, reason=lock_reason,
                        step_ids=("PS-REV-3",), issue=rec.presenting_issue)
    if rec.associated_customer is not None:
        assoc_lock = integration.active_lock(rec.associated_customer)
        if assoc_lock is not None and assoc_lock.area.code == "PS":
            integration.lock_to(actor=actor, customer=rec.associated_customer, officer=case_manager,
                                reason=lock_reason + " — associated customer", step_ids=("PS-REV-3", "PS-REF-2"),
                                issue=rec.associated_issue)
    _referral_intrays_close(rec=rec, case_manager=previous, closers=(actor, req.forwarded_by,
                                                                     previous.user if previous else None),
                            outcome=f"Customer reallocated to {case_manager.display_name} (PS-REV-3): their Customer "
                                    "Assigned to PS intray replaces this one.")
    rec.case_manager = case_manager
    rec.assign_reallocated()
    _bump(rec, ["case_manager", "status"])
    intray = integration.intray_create(
        actor=actor, type_code="customer_assigned_to_ps", customer=rec.customer,
        subject=f"Customer assigned to PS: {rec.customer.full_name}", assignee_officer=case_manager,
        details=f"Reallocated from {previous.display_name if previous else '-'}: "
        f"{policy.REALLOCATION_REASONS[req.reason_code]}. The existing plan moves with the customer.",
        reason="PS reallocation", step_ids=("PS-REV-3",))
    req.assign()
    req.assigned_to, req.assigned_by, req.decided_at = case_manager, actor, clock.now()
    req.save(update_fields=["status", "assigned_to", "assigned_by", "decided_at"])
    _stacking_note(actor=actor, rec=rec, subject="Customer reallocated",
                   body=f"Assigned to {case_manager.display_name}. Reason: {req.detail}", step_ids=("PS-REV-3",),
                   ref=req)
    notification_send(recipients=[case_manager], kind=NotificationKind.WORK_RECEIVED,
                      text=f"{rec.customer.full_name} is reallocated to you (PS-REV-3); the plan moves with them.",
                      key=f"ps_reallocation:{req.pk}:assigned", link=f"/ps/records/{rec.pk}/", customer=rec.customer,
                      step_ids=("PS-REV-3",), exclude=[actor])
    if request.parent_id:
        _notify_requester(parent=request.parent, actor=actor, key=f"approval:{request.parent_id}:follow-on-decided",
                          text=f"Reallocation of {rec.customer.full_name}: assigned to {case_manager.display_name}.",
                          link=f"/approvals/{request.pk}/", step_ids=("PS-REV-3",))
    audit_record(actor=actor, action="ps_reallocation.assign", target=rec,
                 before={"case_manager": previous.pk if previous else None},
                 after={"case_manager": case_manager.pk, "intray": intray.pk, "approval": request.pk},
                 step_ids=("PS-REV-3", "PS-PSP-1"), customer=rec.customer_id)
    return rec


def _referral_intrays_close(*, rec: PsRecord, case_manager: Officer | None, closers, outcome: str) -> list:
    """Close ``case_manager``'s open PS referral intrays for the customer (PS-REV-3). Each is completed by the first
    of ``closers`` the intray rules let work it — the deciding receiving Team Leader when the intray is in their
    team, else the sending Team Leader who approved the reallocation, else the Case Manager who holds it."""
    if case_manager is None:
        return []
    done = []
    for intray in integration.open_intrays(rec.customer):
        if intray.type.code not in policy.REFERRAL_INTRAY_DAYS or intray.assignee_officer_id != case_manager.pk:
            continue
        closer = next((u for u in closers if u is not None and integration.intray_may_complete(actor=u, intray=intray)),
                      None)
        if closer is not None:
            done.append(integration.intray_complete(actor=closer, intray=intray, outcome=outcome,
                                                    step_ids=("PS-REV-3",)))
    return done


def reallocation_decline(*, request: ApprovalRequest, actor,
                         data: Mapping[str, Any] | None = None) -> ReallocationRequest:
    """``ps_reallocation`` not approved, ``ps_reallocation_assign`` declined with a reason, or either withdrawn: the
    reallocation is declined and the customer returns to where it was (active, with the same Case Manager and
    lock); the Case Manager who asked is told."""
    req = ReallocationRequest.objects.select_for_update().get(pk=int(request.subject_id))
    if req.status not in (ReallocationStatus.REQUESTED, ReallocationStatus.FORWARDED):
        raise TransitionRefused(f"This reallocation request is {req.get_status_display().lower()}.",
                                step_ids=("PS-REV-3",))
    rec = _locked_record(req.ps_record)
    stage = req.status
    reason = request.decision_reason
    req.decline()
    req.decided_at = clock.now()
    req.comments = (req.comments + "\n" if req.comments else "") + f"Declined: {reason}"
    req.save(update_fields=["status", "decided_at", "comments"])
    rec.decline_reallocation()
    _bump(rec, ["status"])
    _stacking_note(actor=actor, rec=rec, subject="Reallocation declined",
                   body=f"{reason}\nThe customer stays with "
                        f"{rec.case_manager.display_name if rec.case_manager else 'the Case Manager'}.",
                   step_ids=("PS-REV-2", "PS-REV-3"), ref=req)
    if request.parent_id:
        _notify_requester(parent=request.parent, actor=actor, key=f"approval:{request.parent_id}:follow-on-decided",
                          text=f"Reallocation of {rec.customer.full_name} declined by the receiving Team Leader: "
                               f"{reason}", link=f"/approvals/{request.pk}/", step_ids=("PS-REV-3",))
    audit_record(actor=actor, action="ps_reallocation.decline", target=req, before={"status": stage},
                 after={"status": req.status, "record_status": rec.status, "approval": request.pk},
                 reason=reason, step_ids=("PS-REV-2", "PS-REV-3"), customer=rec.customer_id)
    return req


def reallocation_withdraw(*, request: ApprovalRequest, actor) -> ReallocationRequest:
    return reallocation_decline(request=request, actor=actor)


def _decide_pending(*, actor, subject, kind: str, approve: bool, reason: str, data: Mapping[str, Any],
                    not_pending: str, step_ids) -> ApprovalRequest:
    from casework.approvals.selectors import pending_for_subject
    from casework.approvals.services import approval_decide

    approval = pending_for_subject(subject=subject, kind=kind)
    if approval is None:
        raise TransitionRefused(not_pending, step_ids=step_ids)
    return approval_decide(actor=actor, approval=approval, approve=approve, reason=reason, data=data)


def reallocation_forward(*, actor, request: ReallocationRequest, receiving_position: Position,
                         comments: str = "") -> ReallocationRequest:
    """PS-REV-3 by the older path (/api/v1/ps/reallocations/<id>/forward/): approves the ``ps_reallocation``
    request through ``approvals.services.approval_decide`` (same eligibility, effect, queue and notifications)."""
    _decide_pending(actor=actor, subject=request, kind="ps_reallocation", approve=True,
                    reason=comments.strip() or "Sent to the receiving PS team",
                    data={"receiving_position": receiving_position.pk if receiving_position else None,
                          "comments": comments},
                    not_pending="This request is no longer waiting for the Team Leader.", step_ids=("PS-REV-3",))
    return ReallocationRequest.objects.get(pk=request.pk)


def reallocation_assign(*, actor, request: ReallocationRequest, case_manager: Officer) -> PsRecord:
    """PS-REV-3 by the older path (/api/v1/ps/reallocations/<id>/assign/): approves the ``ps_reallocation_assign``
    request through ``approvals.services.approval_decide``."""
    _decide_pending(actor=actor, subject=request, kind="ps_reallocation_assign", approve=True,
                    reason=f"Assigned to {case_manager.display_name}" if case_manager else "Assigned",
                    data={"case_manager": case_manager.pk if case_manager else None},
                    not_pending="The Team Leader has not sent this customer to a receiving team yet.",
                    step_ids=("PS-REV-3",))
    return PsRecord.objects.get(pk=request.ps_record_id)


# --- Finalisation (PS-FIN, PS-ACT) -----------------------------------------------------------------------------

ATTESTATIONS = ("cma_activities_completed", "written_responses_understood", "customer_notified_of_decisions",
                "feedback_provided")
FINALISATION_BOOLEANS = ("ongoing_ps_will_not_resolve", "no_escalation_history", "needs_ongoing_support")
FINALISATION_REJECTED_INTRAY = "ps_finalisation_not_approved"


def _team_leader_for(cm: Officer | None) -> Officer | None:
    if cm is None or not cm.position_id:
        return None
    team = cm.position.team
    if team is not None and team.leader_id and team.leader.role == Role.PS_TEAM_LEADER:
        return team.leader
    return (Officer.objects.filter(role=Role.PS_TEAM_LEADER, is_active=True, position__office=cm.position.office)
            .select_related("user").first()
            or Officer.objects.filter(role=Role.PS_TEAM_LEADER, is_active=True).select_related("user").first())


def finalisation_worked_by(rec: PsRecord, *, submitter=None) -> list[int]:
    """Who worked the item a finalisation approves (issue 11): everyone who actioned the plan's issues (a status
    change: confirmed, resolved — not the automatic recording of the mandatory issues on allocation), the Case
    Manager and the submitter. None of them may approve it. A Team Leader who did not approve an earlier request only
    decided it: the issues it sent back to confirmed (resolved → confirmed, PS-ACT-3, which only that decision does)
    are not work on the plan, so that Team Leader may decide the resubmission."""
    actors = set(PlanIssueEvent.objects.filter(issue__plan__ps_record=rec).exclude(from_status="")
                 .exclude(from_status=policy.RESOLVED, to_status=policy.CONFIRMED)
                 .values_list("actor_id", flat=True))
    if rec.case_manager_id and rec.case_manager.user_id:
        actors.add(rec.case_manager.user_id)
    if submitter is not None:
        actors.add(submitter.pk)
    return sorted(a for a in actors if a is not None)


def finalisation_request_submit(*, actor, ps_record: PsRecord, summary: str, attestations: Mapping[str, bool],
                                team_leader: Officer | None = None) -> FinalisationRequest:
    """PS-FIN-2: readiness (PS-FIN-1) holds, every PSP issue resolved (other than an ongoing specialist process),
    a finalisation notepad in the stacking document, the customer transferred to the PS Team Leader. The request is
    a ``ps_finalisation`` request for approval (issue 11): it lands in the queue of the PS Team Leader of the Case
    Manager's team — never one who worked the plan's issues (then any other PS Team Leader) — and nothing is
    finalised until they decide it on /approvals/. ``team_leader`` (optional) picks which of the eligible PS Team
    Leaders the customer is transferred to; it cannot name anyone else."""
    from casework.approvals.services import approval_request_create, eligible_officers

    _require(actor, "ps.submit_finalisation", "Only PS officers submit finalisation.", ("PS-FIN-2",))
    if not summary.strip():
        raise InvalidInput("Write the finalisation notepad.", fields={"summary": ["Write the finalisation notepad."]},
                           step_ids=("PS-FIN-2",))
    if team_leader is not None and team_leader.role != Role.PS_TEAM_LEADER:
        raise InvalidInput("Finalisation goes to a PS Team Leader.", fields={"team_leader": ["Not a PS Team Leader."]},
                           step_ids=("PS-FIN-2",))
    att = {k: bool((attestations or {}).get(k)) for k in ATTESTATIONS}
    from .selectors import readiness_for

    with transaction.atomic():
        rec = _locked_record(ps_record)
        _require_case_manager_or_tl(actor, rec, ("PS-FIN-2",))
        _require_active(rec, step_ids=("PS-FIN-2",))
        readiness = readiness_for(ps_record=rec, attestations=att)
        if not readiness.ready:
            raise TransitionRefused(readiness.reason(), step_ids=("PS-FIN-1", "PS-FIN-2"),
                                    extra={"checks": [c.as_dict() for c in readiness.checks]})
        worked = finalisation_worked_by(rec, submitter=actor)
        eligibility = ps_team_leader_eligibility(rec, exclude_user_ids=worked)
        deciders = eligible_officers(eligibility, exclude_user_ids=worked)
        if team_leader is not None and team_leader.pk not in {d.pk for d in deciders}:
            raise InvalidInput(f"Finalisation goes to {eligibility.label}, who did not work on this customer.",
                               fields={"team_leader": [f"Not {eligibility.label} (or worked on this customer)."]},
                               step_ids=("PS-FIN-2", "PS-FIN-3"))
        preferred = _team_leader_for(rec.case_manager)
        tl = team_leader or (preferred if preferred is not None and preferred.pk in {d.pk for d in deciders}
                             else (deciders[0] if deciders else None))
        if tl is not None and tl.position_id:
            # PS-FIN-2: the customer is transferred to the PS Team Leader for the review.
            integration.lock_to(actor=actor, customer=rec.customer, officer=tl,
                                reason="PS finalisation request: transferred to the PS Team Leader",
                                step_ids=("PS-FIN-2",), issue=rec.presenting_issue)
        note = _stacking_note(actor=actor, rec=rec, subject="Finalisation request", body=summary,
                              step_ids=("PS-FIN-2",))
        req = FinalisationRequest.objects.create(ps_record=rec, team_leader=tl, readiness=readiness.as_dict(),
                                                 attestations=att, note=note, submitted_by=actor,
                                                 submitted_at=clock.now())
        rec.request_finalisation()
        _bump(rec, ["status"])
        approval = approval_request_create(
            actor=actor, kind="ps_finalisation", customer=rec.customer, subject=req,
            summary=f"Finalise {rec.customer.full_name}: the customer leaves Personalised Services",
            reason=summary.strip(), eligibility=eligibility, worked_by=worked,
            payload={"ps_record": rec.pk, "readiness": readiness.as_dict(), "attestations": att},
            step_ids=("PS-FIN-2", "PS-FIN-3"))
        audit_record(actor=actor, action="ps_finalisation.submit", target=req,
                     after={"team_leader": tl.pk if tl else None, "readiness": readiness.as_dict(),
                            "approval": approval.pk, "worked_by": worked},
                     step_ids=("PS-FIN-1", "PS-FIN-2"), customer=rec.customer_id)
    req.approval = approval
    return req


def finalisation_clean(*, request: ApprovalRequest, approve: bool, data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ps_finalisation`` decision data: on approval a PS-FIN-3 reason and the comments documented in the
    stacking document (PS-ACT-2); the three facts the Team Leader attests (PS-ACT-1, PS-ACT-4, PS-ORM-1)."""
    out = dict(data)
    for name in FINALISATION_BOOLEANS:
        out[name] = out.get(name) in (True, "1", "true", "True", "on", "yes")
    out["comments"] = str(out.get("comments") or "").strip()
    if approve:
        if out.get("approval_reason") not in policy.APPROVAL_REASONS:
            raise InvalidInput("Choose the PS-FIN-3 reason for approving.",
                               fields={"approval_reason": [f"Choose one of: {', '.join(policy.APPROVAL_REASONS)}."]},
                               step_ids=("PS-FIN-3",))
        if not out["comments"]:
            raise InvalidInput("Document the decision.", fields={"comments": ["Document the decision."]},
                               step_ids=("PS-ACT-2",))
    return out


def _finalisation_for(request: ApprovalRequest) -> tuple[FinalisationRequest, PsRecord]:
    req = FinalisationRequest.objects.select_for_update().get(pk=int(request.subject_id))
    if req.status != FinalisationStatus.PENDING:
        raise TransitionRefused("This finalisation request has already been decided.", step_ids=("PS-FIN-3",))
    return req, _locked_record(req.ps_record)


def finalisation_approve(*, request: ApprovalRequest, actor, data: Mapping[str, Any]) -> FinalisationRequest:
    """The ``ps_finalisation`` kind's effect on approval (PS-FIN-3 / PS-ACT-1,2,4,5), run inside
    ``approvals.services.approval_decide``: with a PS-FIN-3 reason (PS-ACT-1 and PS-ACT-4 conditions enforced) the
    customer is unlocked through the ownership rules and returns to the business line; segment 3 stays in PS."""
    from .selectors import approval_facts

    reason, comments = data["approval_reason"], data["comments"]
    req, rec = _finalisation_for(request)
    now = clock.now()
    facts = approval_facts(ps_record=rec, attestations=req.attestations,
                           ongoing_ps_will_not_resolve=data["ongoing_ps_will_not_resolve"],
                           escalation_history=not data["no_escalation_history"],
                           needs_ongoing_support=data["needs_ongoing_support"])
    decision = policy.approval_check(reason=reason, f=facts)
    _refuse(decision, TransitionRefused)
    req.approve()
    req.approval_reason = reason
    req.decision_facts = decision.as_dict()
    steps = tuple(dict.fromkeys([*decision.step_ids, "PS-ACT-2", "PS-ACT-5"]))
    _stacking_note(actor=actor, rec=rec, subject="Finalisation approved",
                   body=f"{policy.APPROVAL_REASONS[reason]}. {comments}", step_ids=steps, ref=req)
    if decision.outcome == "segment_3":
        before = rec.segment
        SegmentChange.objects.create(ps_record=rec, from_segment=before, to_segment=3, reason=comments,
                                     approved_by=actor, actor=req.submitted_by, at=now)
        rec.segment, rec.segment_approved_by = 3, actor
        rec.keep_in_segment_3()
        _bump(rec, ["segment", "segment_approved_by", "status"])
    else:
        rec.finalise()
        rec.finalised_at = now
        _bump(rec, ["status", "is_active", "finalised_at"])
        for cust, issue in ((rec.customer, rec.presenting_issue), (rec.associated_customer, rec.associated_issue)):
            if cust is None:
                continue
            if issue is not None and issue.is_outstanding:
                integration.presenting_issue_close(
                    actor=actor, issue=issue, status="finalised",
                    outcome=f"PS finalisation approved: {policy.APPROVAL_REASONS[reason]}",
                    step_ids=("PS-ACT-5", "CMA-3.1"), via=VIA_PS)
            lock = integration.active_lock(cust)
            if lock is not None and lock.area.code == "PS":
                integration.unlock(actor=actor, customer=cust,
                                   reason=f"PS finalisation approved: {policy.APPROVAL_REASONS[reason]}",
                                   finalisation=req, step_ids=("PS-ACT-5", "CMA-3.4"))
    req.comments, req.decided_by, req.decided_at = comments, actor, now
    req.save(update_fields=["status", "approval_reason", "decision_facts", "comments", "decided_by", "decided_at"])
    audit_record(actor=actor, action="ps_finalisation.approve", target=req,
                 after={"status": req.status, "reason": reason, "comments": req.comments, "approval": request.pk},
                 step_ids=steps, customer=rec.customer_id)
    return req


def finalisation_reject(*, request: ApprovalRequest, actor, data: Mapping[str, Any]) -> FinalisationRequest:
    """The ``ps_finalisation`` kind's effect on rejection (PS-ACT-3, PS-ACT-5 not approved): the issues go back to
    confirmed with the Team Leader's comments, the customer is reactivated and locked back to the Case Manager, and
    the Case Manager gets the work: a *Finalisation not approved* intray (due in working days, their office's
    calendar) and a notification with the comments."""
    extra = str(data.get("comments") or "").strip()
    comments = request.decision_reason.strip() + (f"\n{extra}" if extra and extra != request.decision_reason.strip()
                                                  else "")
    req, rec = _finalisation_for(request)
    steps = ("PS-ACT-3", "PS-PSP-4")
    for issue in rec.plan.issues.select_for_update().filter(status=policy.RESOLVED, is_active=True):
        _refuse(policy.issue_transition(current=issue.status, target=policy.CONFIRMED, team_leader_rejection=True,
                                        comment=comments))
        issue.reset_on_rejection()
        issue.comments = (issue.comments + "\n" if issue.comments else "") + f"Finalisation not approved: {comments}"
        _bump(issue, ["status", "comments"])
        _issue_event(actor=actor, issue=issue, from_status=policy.RESOLVED, to_status=policy.CONFIRMED,
                     comment=comments, step_ids=steps)
    _bump(rec.plan, [])
    req.reject()
    rec.reactivate()
    _bump(rec, ["status"])
    cm = rec.case_manager
    intray = None
    if cm is not None and cm.position_id:
        # PS-ACT-5 not approved: the customer is reactivated with the Case Manager.
        integration.lock_to(actor=actor, customer=rec.customer, officer=cm,
                            reason="Finalisation not approved: customer back with the Case Manager",
                            step_ids=("PS-ACT-3", "PS-ACT-5"), issue=rec.presenting_issue)
        intray = integration.intray_create(
            actor=actor, type_code=FINALISATION_REJECTED_INTRAY, customer=rec.customer, assignee_officer=cm,
            subject=f"Finalisation not approved: {rec.customer.full_name}",
            details=f"The Team Leader's comments: {comments}\nReview them, agree next steps and action the "
                    "unresolved issues (PS-ACT-3, PS-ACT-5, PS-RES).",
            reason="PS finalisation not approved", step_ids=("PS-ACT-3", "PS-ACT-5"))
    _stacking_note(actor=actor, rec=rec, subject="Finalisation not approved", body=comments, step_ids=steps, ref=req)
    if cm is not None:
        from casework.notifications.models import NotificationKind
        from casework.notifications.services import notification_send

        decider = _officer(actor)
        notification_send(
            recipients=[cm], kind=NotificationKind.FINALISATION_REJECTED,
            text=f"Finalisation of {rec.customer.full_name} not approved by "
                 f"{decider.display_name if decider else actor}: {comments}"[:300],
            key=f"ps_finalisation:{req.pk}:rejected", link=f"/ps/records/{rec.pk}/", customer=rec.customer,
            step_ids=("PS-ACT-3", "PS-ACT-5"), exclude=[actor])
    req.comments, req.decided_by, req.decided_at = comments, actor, clock.now()
    req.save(update_fields=["status", "comments", "decided_by", "decided_at"])
    audit_record(actor=actor, action="ps_finalisation.reject", target=req,
                 after={"status": req.status, "comments": req.comments, "approval": request.pk,
                        "intray": intray.pk if intray else None, "due_date": intray.due_date if intray else None},
                 step_ids=steps, customer=rec.customer_id)
    return req


def finalisation_withdraw(*, request: ApprovalRequest, actor) -> FinalisationRequest:
    """The ``ps_finalisation`` request withdrawn by its submitter: nothing is finalised; the customer is active again
    and back with the Case Manager (the issues keep their status)."""
    req, rec = _finalisation_for(request)
    req.withdraw()
    req.comments, req.decided_by, req.decided_at = request.decision_reason, actor, clock.now()
    req.save(update_fields=["status", "comments", "decided_by", "decided_at"])
    rec.reactivate()
    _bump(rec, ["status"])
    if rec.case_manager is not None and rec.case_manager.position_id:
        integration.lock_to(actor=actor, customer=rec.customer, officer=rec.case_manager,
                            reason="Finalisation request withdrawn: customer back with the Case Manager",
                            step_ids=("PS-FIN-2",), issue=rec.presenting_issue)
    _stacking_note(actor=actor, rec=rec, subject="Finalisation request withdrawn", body=request.decision_reason,
                   step_ids=("PS-FIN-2",), ref=req)
    audit_record(actor=actor, action="ps_finalisation.withdraw", target=req, after={"status": req.status},
                 reason=request.decision_reason, step_ids=("PS-FIN-2",), customer=rec.customer_id)
    return req


def finalisation_decide(*, actor, request: FinalisationRequest, approve: bool, reason: str = "", comments: str = "",
                        ongoing_ps_will_not_resolve: bool = False, no_escalation_history: bool = False,
                        needs_ongoing_support: bool = False) -> FinalisationRequest:
    """PS-FIN-3 by the older path (/api/v1/ps/finalisations/<id>/decision/, the PS record page): it decides the
    request's ``ps_finalisation`` request for approval through ``approvals.services.approval_decide`` — the same
    eligibility (not the requester, nobody who worked the issues), effects, queue and notifications as
    /approvals/<id>/. ``reason`` is the PS-FIN-3 reason; ``comments`` the Team Leader's comments (the decision's
    reason)."""
    from casework.approvals.selectors import pending_for_subject
    from casework.approvals.services import approval_decide

    approval = pending_for_subject(subject=request, kind="ps_finalisation")
    if approval is None:
        raise TransitionRefused("This finalisation request has already been decided.", step_ids=("PS-FIN-3",))
    approval_decide(actor=actor, approval=approval, approve=approve, reason=comments,
                    data={"approval_reason": reason, "comments": comments,
                          "ongoing_ps_will_not_resolve": ongoing_ps_will_not_resolve,
                          "no_escalation_history": no_escalation_history,
                          "needs_ongoing_support": needs_ongoing_support})
    return FinalisationRequest.objects.get(pk=request.pk)


# --- Scheduled: overdue plans (PS-PSP-1) ------------------------------------------------------------------------


def plan_overdue_notify(*, plan: Plan) -> bool:
    """PS-PSP-1: a plan not approved within its 21 days is notified to the PS Team Leader by a *General Follow-up*
    intray, once. Overdue is decided on the Case Manager's office day (``clock``). Idempotent under concurrency (the
    plan row is locked). Returns whether a notice was created; audited ``ps_plan.overdue_notify``."""
    with transaction.atomic():
        locked = (Plan.objects.select_for_update(of=("self",))
                  .select_related("ps_record__customer", "ps_record__case_manager__position__office",
                                  "ps_record__case_manager__position__team__leader")
                  .filter(pk=plan.pk).first())
        if locked is None or locked.overdue_notified_at is not None or locked.approved_at is not None:
            return False
        rec = locked.ps_record
        if not rec.is_active:
            return False
        state = policy.plan_due_state(due_on=locked.due_on, today=_today_for(rec), approved=False)
        if state.outcome != "overdue":
            return False
        tl = _team_leader_for(rec.case_manager)
        if tl is None:
            return False
        intray = integration.intray_create(
            actor=None, type_code="general_follow_up", customer=rec.customer,
            subject=f"PSP overdue: {rec.customer.full_name} ({rec.case_manager.display_name})",
            details=state.reason, assignee_officer=tl, reason="PS plan overdue (PS-PSP-1)",
            step_ids=("PS-PSP-1",))
        locked.overdue_notified_at = clock.now()
        locked.save(update_fields=["overdue_notified_at"])
        audit_record(actor=None, action="ps_plan.overdue_notify", target=locked,
                     after={"intray": intray.pk, "team_leader": tl.pk, "due_on": locked.due_on},
                     step_ids=("PS-PSP-1",), customer=rec.customer_id)
    return True

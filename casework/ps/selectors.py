"""Reads of Personalised Services: the PS record with its plan, the facts the policy needs, and the dashboards
(PS-REF-3). Querysets use select_related/prefetch_related; dashboards run a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q

from casework.core import clock
from casework.core.errors import InvalidInput, NotFound, NotPermitted
from casework.customers import policy as customer_policy
from casework.customers import selectors as customer_selectors
from casework.customers.models import (
    ArrangementStatus,
    ContactRestriction,
    DepartureProhibitionOrder,
    Note,
    NoteKind,
    PaymentArrangement,
    PresentingIssue,
    SensitiveIssueIndicator,
    SensitiveReason,
)
from casework.org.models import Officer
from casework.org.roles import Role

from . import integration, policy
from .models import (
    FinalisationRequest,
    FinalisationStatus,
    LetterLog,
    Plan,
    PlanIssue,
    PsRecord,
    RecordStatus,
    Segment3Review,
    StackingDocument,
)

OPEN_INTRAY_STATUSES = ("open", "in_progress")


def _require_view(user) -> None:
    if user is None or not user.has_perm("ps.view_ps"):
        raise NotPermitted("Your role does not allow you to see Personalised Services records.", step_ids=("PS-REF-3",))


def _record_qs():
    return PsRecord.objects.select_related(
        "customer", "associated_customer", "case_manager__user", "case_manager__position__office",
        "case_manager__position__team", "plan",
    )


def ps_record_get(*, user, pk) -> PsRecord:
    _require_view(user)
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("A PS record id is a number.", fields={"id": ["Not a number."]}) from exc
    rec = _record_qs().filter(pk=pk).first()
    if rec is None:
        raise NotFound("No such PS record.", step_ids=("PS-REF-3",))
    return rec


def ps_record_for_customer(*, customer) -> PsRecord | None:
    return _record_qs().filter(customer=customer, is_active=True).first()


def ps_record_current_or_last(*, customer) -> tuple[PsRecord | None, PsRecord | None]:
    """(the active PS record, None), else (None, the last finalised one): one read for the customer page."""
    return ps_record_current_or_last_of(ps_record_current_or_last_queryset(customer=customer).first())


def ps_record_current_or_last_queryset(*, customer):
    return _record_qs().filter(customer=customer).order_by("-is_active", "-finalised_at")[:1]


def ps_record_current_or_last_of(rec: PsRecord | None) -> tuple[PsRecord | None, PsRecord | None]:
    if rec is None:
        return None, None
    return (rec, None) if rec.is_active else (None, rec)


def plan_detail(*, ps_record: PsRecord) -> dict[str, Any]:
    plan = (
        Plan.objects.filter(ps_record=ps_record)
        .prefetch_related(
            Prefetch("issues", queryset=PlanIssue.objects.filter(is_active=True).prefetch_related("events")),
            "options", "actions",
        )
        .first()
    )
    today = integration.local_today(ps_record.case_manager)
    due = policy.plan_due_state(due_on=plan.due_on, today=today, approved=plan.approved_at is not None)
    return {"plan": plan, "issues": list(plan.issues.all()), "options": list(plan.options.all()),
            "actions": list(plan.actions.all()), "due": due}


def stacking_notes(*, ps_record: PsRecord) -> list[Note]:
    doc = StackingDocument.objects.filter(customer_id=ps_record.customer_id).first()
    if doc is None:
        return []
    return list(Note.objects.filter(customer_id=ps_record.customer_id, kind=NoteKind.PS_STACKING)
                .select_related("author__officer__position__office").order_by("created_at", "id"))


def segment_facts(*, ps_record: PsRecord) -> policy.SegmentFacts:
    """The PS-SEG indicators read from the customer record."""
    cust = ps_record.customer_id
    issues = Counter(
        PresentingIssue.objects.filter(customer_id=cust).values_list("issue_type__code", flat=True)
    )
    open_issues = PresentingIssue.objects.filter(customer_id=cust, status__in=("open", "referred")).count()
    security = SensitiveIssueIndicator.objects.filter(customer_id=cust, reason=SensitiveReason.SECURITY_INCIDENT).count()
    return policy.SegmentFacts(
        referral_source=ps_record.referral_source,
        previously_in_ps=PsRecord.objects.filter(customer_id=cust, is_active=False).exists(),
        contact_restrictions=ContactRestriction.objects.filter(customer_id=cust, is_active=True).exists(),
        security_incidents=security,
        step3_complaints=issues.get("complaint", 0),
        step3_same_issue=issues.get("complaint", 0),
        arrangement_defaults=PaymentArrangement.objects.filter(debt__debtor_id=cust,
                                                               status=ArrangementStatus.DEFAULTED).count(),
        # The latest current decision of each case counts: an issued DPO revoked later is not "DPO recorded".
        has_dpo=customer_policy.dpo_in_force(
            customer_selectors.dpo_decision(d)
            for d in DepartureProhibitionOrder.objects.filter(customer_id=cust, superseded_by__isnull=True)),
        compensation_or_waiver=issues.get("compensation", 0) > 0,
        privacy_breach_claim=issues.get("privacy", 0) > 0,
        multiple_issues=open_issues >= 2,
    )


def segment_suggestion(*, ps_record: PsRecord) -> policy.SegmentSuggestion:
    return policy.suggest_segment(segment_facts(ps_record=ps_record))


def _outstanding_intrays(ps_record: PsRecord) -> int:
    """PS-FIN-1: open intrays, except those of other specialised issues still in progress, and the Team Leader's
    own *Decision requested* queue items for this finalisation (issue 11: they close with the decision itself)."""
    from casework.approvals.models import ApprovalIntray

    deciding = set(ApprovalIntray.objects.filter(request__kind="ps_finalisation",
                                                 request__customer_id=ps_record.customer_id)
                   .values_list("intray_id", flat=True))
    count = 0
    for intray in integration.open_intrays(ps_record.customer):
        if intray.pk in deciding:
            continue
        holder_area = None
        if intray.assignee_position_id:
            holder_area = intray.assignee_position.business_area
        elif intray.assignee_officer_id and intray.assignee_officer.position_id:
            holder_area = intray.assignee_officer.position.business_area
        if holder_area is not None and holder_area.is_specialised and holder_area.code != "PS":
            continue
        count += 1
    return count


def readiness_for(*, ps_record: PsRecord, attestations: Mapping[str, bool]) -> policy.Readiness:
    plan = ps_record.plan
    issues = list(plan.issues.filter(is_active=True).values_list("status", "is_specialist_process"))
    exit_log = LetterLog.objects.filter(ps_record=ps_record, template_code="uq140_02_exit").order_by("-sent_at").first()
    exit_on = None
    if exit_log is not None:
        exit_on = clock.local_date(exit_log.sent_at, clock.office_of(ps_record.case_manager))
    return policy.finalisation_readiness(policy.ReadinessFacts(
        today=integration.local_today(ps_record.case_manager),
        cma_activities_completed=bool(attestations.get("cma_activities_completed")),
        unresolved_issues=sum(1 for s, spec in issues if s != policy.RESOLVED and not spec),
        unresolved_specialist_issues=sum(1 for s, spec in issues if s != policy.RESOLVED and spec),
        open_actions=plan.actions.filter(completed_at__isnull=True).count(),
        outstanding_intrays=_outstanding_intrays(ps_record),
        ministerial_or_ombudsman=ps_record.referral_source in ("ministerial", "ombudsman"),
        written_responses_understood=bool(attestations.get("written_responses_understood")),
        customer_notified_of_decisions=bool(attestations.get("customer_notified_of_decisions")),
        feedback_provided=bool(attestations.get("feedback_provided")),
        customer_told_by_phone=ps_record.customer_told_by_phone,
        exit_letter_sent_on=exit_on,
        cro_confirmed_no_contact=ps_record.cro_confirmed_by_id is not None,
    ))


def approval_facts(*, ps_record: PsRecord, attestations: Mapping[str, bool], ongoing_ps_will_not_resolve: bool,
                   escalation_history: bool, needs_ongoing_support: bool) -> policy.ApprovalFacts:
    plan = ps_record.plan
    issues = list(plan.issues.filter(is_active=True))
    options = list(plan.options.all())
    declined = [o for o in options if o.status == "declined"]
    return policy.ApprovalFacts(
        readiness=readiness_for(ps_record=ps_record, attestations=attestations),
        mandatory_addressed=all(i.status != policy.RECORDED for i in issues if i.is_mandatory),
        unresolved_issues=sum(1 for i in issues if i.status != policy.RESOLVED),
        unresolved_specialist_issues=sum(1 for i in issues if i.status != policy.RESOLVED and i.is_specialist_process),
        options_communicated_in_writing=bool(options) and all(o.confirmed_in_writing for o in options),
        suitable_timeframe_given=bool(declined) and all(o.timeframe for o in declined),
        ongoing_ps_will_not_resolve=ongoing_ps_will_not_resolve,
        escalation_history=escalation_history,
        needs_ongoing_support=needs_ongoing_support,
        contact_restrictions=ContactRestriction.objects.filter(customer_id=ps_record.customer_id,
                                                               is_active=True).exists(),
    )


# --- Dashboards (PS-REF-3) -------------------------------------------------------------------------------------


def _scope(user, *, active_only: bool = True) -> tuple[Officer | None, Any]:
    """Records a user sees on the dashboard: a Case Manager their own; a PS Team Leader their team (or office)."""
    off = getattr(user, "officer", None)
    qs = _record_qs().filter(is_active=True) if active_only else _record_qs()
    if off is None:
        return None, qs
    if off.role == Role.PS_CASE_MANAGER:
        return off, qs.filter(case_manager=off)
    if off.role == Role.PS_TEAM_LEADER and off.position_id:
        pos = off.position
        if pos.team_id:
            return off, qs.filter(Q(case_manager__position__team_id=pos.team_id) | Q(case_manager=off))
        return off, qs.filter(case_manager__position__office_id=pos.office_id)
    return off, qs


def dashboard(*, user, team: bool = False) -> dict[str, Any]:
    """Case Manager / Team Leader dashboard: customers by segment and status, plans due/overdue, reviews due,
    finalisation requests awaiting decision, referral intrays against their service levels."""
    _require_view(user)
    off, records = _scope(user) if not team else (getattr(user, "officer", None), _record_qs().filter(is_active=True))
    records = list(records.order_by("plan__due_on", "id"))
    today = integration.local_today(off)
    rows = []
    by_segment: Counter = Counter()
    by_status: Counter = Counter()
    per_officer: Counter = Counter()
    for rec in records:
        plan = getattr(rec, "plan", None)
        due = policy.plan_due_state(due_on=plan.due_on, today=today, approved=plan.approved_at is not None) \
            if plan else None
        rows.append({"record": rec, "plan": plan, "due": due})
        by_segment[rec.segment or "unset"] += 1
        by_status[rec.get_status_display()] += 1
        per_officer[rec.case_manager.display_name if rec.case_manager else "-"] += 1
    ids = [r.pk for r in records]
    soon = today + dt.timedelta(days=14)
    reviews = list(Segment3Review.objects.filter(ps_record_id__in=ids, reviewed_at__isnull=True,
                                                 review_date__lte=soon).select_related("ps_record__customer"))
    restricted = list(ContactRestriction.objects.filter(customer_id__in=[r.customer_id for r in records],
                                                        is_active=True, review_date__lte=soon)
                      .select_related("customer"))
    fin = FinalisationRequest.objects.filter(status=FinalisationStatus.PENDING).select_related(
        "ps_record__customer", "ps_record__case_manager__user", "team_leader__user", "submitted_by")
    if off is not None and off.role == Role.PS_CASE_MANAGER:
        fin = fin.filter(ps_record__case_manager=off)
    elif off is not None and off.role == Role.PS_TEAM_LEADER and not team:
        fin = fin.filter(Q(team_leader=off) | Q(ps_record_id__in=ids))
    referrals = []
    intrays = integration.open_referral_intrays(policy.REFERRAL_INTRAY_DAYS.keys())
    if not team and off is not None and off.position_id:
        intrays = intrays.filter(Q(assignee_officer=off) | Q(office_id=off.position.office_id))
    for intray in intrays[:200]:
        overdue = intray.due_date is not None and intray.due_date < today
        referrals.append({"intray": intray, "overdue": overdue,
                          "sla_days": policy.REFERRAL_INTRAY_DAYS.get(intray.type.code)})
    return {
        "officer": off,
        "today": today,
        "rows": rows,
        "by_segment": dict(by_segment),
        "by_status": dict(by_status),
        "per_officer": dict(per_officer),
        "plans_overdue": [r for r in rows if r["due"] is not None and r["due"].outcome == "overdue"],
        "plans_due_soon": [r for r in rows if r["due"] is not None and r["due"].outcome == "due_soon"],
        "segment3_reviews_due": reviews,
        "restricted_reviews_due": restricted,
        "finalisations": list(fin),
        "referrals": referrals,
    }


def export_rows(*, user) -> list[list[str]]:
    """CSV of the PS Activity Database visible to the user (PS-REF-3)."""
    if user is None or not user.has_perm("ps.export"):
        raise NotPermitted("Your role does not allow exporting the PS Activity Database.", step_ids=("PS-REF-3",))
    _off, qs = _scope(user, active_only=False)
    header = ["ps_record", "csid", "customer", "case_manager", "status", "segment", "referral_type",
              "referral_source", "main_referral_reason", "referred_at", "allocated_at", "plan_due_on",
              "plan_approved", "open_issues"]
    qs = qs.annotate(open_issues=Count("plan__issues", filter=~Q(plan__issues__status=policy.RESOLVED)))
    rows = [header]
    for rec in qs.order_by("id"):
        plan = getattr(rec, "plan", None)
        rows.append([
            str(rec.pk), rec.customer.csid, rec.customer.full_name,
            rec.case_manager.display_name if rec.case_manager else "", rec.status, str(rec.segment or ""),
            rec.referral_type_code, rec.referral_source, rec.main_referral_reason.replace("\n", " "),
            rec.referred_at.isoformat(), rec.allocated_at.isoformat(), plan.due_on.isoformat() if plan else "",
            "yes" if plan and plan.approved_at else "no", str(rec.open_issues),
        ])
    return rows


def stacking_document_ct():
    return ContentType.objects.get_for_model(StackingDocument)


# Requests for approval whose decider was chosen from the customer's PS Case Manager's team when they were made
# (services.ps_team_leader_eligibility): a reallocation would leave them with the old team's Team Leader.
TEAM_DECIDED_KINDS = ("segment_3", "segment_3_review", "face_to_face", "social_worker_referral", "restricted_service",
                      "ps_finalisation")


def pending_team_requests(*, ps_record: PsRecord) -> list:
    """Issue 11 / PS-REV-3: the pending requests about this customer decided by the Case Manager's team (oldest
    first), which must be decided or withdrawn before the customer is reallocated to another Case Manager."""
    from casework.approvals.models import ApprovalRequest, ApprovalStatus

    return list(ApprovalRequest.objects.filter(customer_id=ps_record.customer_id, status=ApprovalStatus.PENDING,
                                               kind__in=TEAM_DECIDED_KINDS).order_by("requested_at", "id"))


# --- The PS record as a task list (issue 14) --------------------------------------------------------------------


def task_list(*, ps_record: PsRecord, plan, issues, options, actions, notes, contacts, letters, finalisations,
              readiness: policy.Readiness) -> tuple[policy.Task, ...]:
    """The PS record's tasks with their status (``policy.task_list``), from what the record page already read plus
    one query: whether a segment 3 request is waiting."""
    from casework.approvals.models import ApprovalRequest, ApprovalStatus

    segment_3_requested = ps_record.segment is None and ApprovalRequest.objects.filter(
        customer_id=ps_record.customer_id, kind="segment_3", status=ApprovalStatus.PENDING).exists()
    latest = finalisations[0].status if finalisations else ""
    return policy.task_list(policy.TaskFacts(
        active=ps_record.is_active,
        plan_approved=plan.approved_at is not None,
        plan_touched=(plan.version > 1 or bool(options) or bool(actions)
                      or any(i.status != policy.RECORDED for i in issues)),
        notepads=len(notes),
        first_contact=any(c.kind == "first" for c in contacts),
        follow_ups=sum(1 for c in contacts if c.kind == "follow_up"),
        segment=ps_record.segment,
        segment_3_requested=segment_3_requested,
        letters_sent=tuple(x.template_code for x in letters),
        uq140_01_skipped=plan.uq140_01_skipped,
        finalisation_blockers=policy.finalisation_blockers(readiness),
        finalisation=latest,
        customer_told=ps_record.customer_told_by_phone,
    ))


def sent_letters(*, ps_record: PsRecord) -> list[LetterLog]:
    """The PS letters sent, newest first, each with ``title``: the letter's human title (as issued), never the
    template code."""
    from casework.letters import registry
    from casework.letters.selectors import letters_by_id

    logs = list(LetterLog.objects.filter(ps_record=ps_record).select_related("sent_by"))
    letters = letters_by_id([x.letter_id for x in logs])
    for x in logs:
        # ``letter``: the issued letter with its PDF's status ("Being prepared" until the render job made it).
        x.letter = letters.get(x.letter_id)
        x.title = x.letter.title if x.letter is not None else getattr(registry.get(x.template_code), "title", "Letter")
    return logs


__all__ = [
    "RecordStatus",
    "approval_facts",
    "dashboard",
    "export_rows",
    "pending_team_requests",
    "plan_detail",
    "ps_record_for_customer",
    "ps_record_get",
    "readiness_for",
    "segment_facts",
    "segment_suggestion",
    "stacking_notes",
    "sent_letters",
    "task_list",
]


def customer_last_reached(customer_ref):
    """CMA-1.2: when a PS Case Manager last recorded a contact with the customer, latest first (a source registered
    with ``letters.selectors`` at start-up, read there in one query with the others: ``customer_ref`` is the
    customer's id or an ``OuterRef``)."""
    from .models import Contact

    return Contact.objects.filter(ps_record__customer_id=customer_ref).order_by("-occurred_at").values("occurred_at")

"""Personalised Services rules as pure functions (no database). Every decision names its step IDs.

Segments (PS-SEG-1/2/3, PS-RES-1), plan due date (PS-PSP-1), issue statuses (PS-PSP-4), first-notepad rule (PS-DOC-2),
referrals (PS-REF-1/2), reallocation (PS-REV-2), contact checklists (PS-CON-2/7), UQ140.01 skip (PS-RES-4),
face-to-face (PS-F2F-1/3), readiness (PS-FIN-1), Team Leader approval (PS-FIN-3, PS-ACT-1, PS-ACT-4, PS-ORM-1),
segment 3 reviews (PS-ORM-2) and restricted-service reviews (PS-ORM-3).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from casework.core.policy import Decision

# --- Vocabulary -------------------------------------------------------------------------------------------------

RECORDED, CONFIRMED, RESOLVED = "recorded", "confirmed", "resolved"

# PS-DOC-3: the five mandatory issues, with their classification.
MANDATORY_ISSUES: tuple[tuple[str, str], ...] = (
    ("Income Correct", "financial"),
    ("Care Correct", "access"),
    ("Customer Contact Details", "other"),
    ("Payment Activity for Ongoing", "financial"),
    ("Payment Activity for Arrears", "financial"),
)
# Issue 14: how a letter names each mandatory issue to the customer (the catalogue names are internal jargon).
CUSTOMER_ISSUE_WORDING: dict[str, str] = {
    "Income Correct": "Checking that the income we use for your assessment is correct",
    "Care Correct": "Checking that the care arrangements we use for your assessment are correct",
    "Customer Contact Details": "Making sure we have your current contact details",
    "Payment Activity for Ongoing": "Payments of your ongoing child support",
    "Payment Activity for Arrears": "Payments of overdue child support",
}


def customer_issue_wording(title: str) -> str:
    """The customer's wording of a plan issue for a letter (PS-CON-8); an issue the Case Manager named is theirs."""
    return CUSTOMER_ISSUE_WORDING.get(title, title)


MANDATORY_KEYS: tuple[str, ...] = ("income", "care", "contact_details", "payment_ongoing", "payment_arrears")

# PS-REF-1/2: the referral intray types and their service levels in working days.
REFERRAL_INTRAY_DAYS: dict[str, int] = {
    "crg_referral_to_ps": 2,
    "ps_referral_tl_only": 2,
    "complaints_referral_to_ps": 7,
    "customer_assigned_to_ps": 7,
}

# PS-SEG-2 sources: escalated enquiries.
ESCALATED_SOURCES = frozenset(
    {"mp", "ombudsman", "ministerial", "step3_complaint", "crg", "privacy_breach", "media"}
)
REFERRAL_SOURCES: dict[str, str] = {
    "crg": "Customer Review Referral Gateway",
    "mp": "Member of Parliament",
    "ombudsman": "Ombudsman",
    "ministerial": "Ministerial / Departmental response",
    "step3_complaint": "Step 3 complaint",
    "privacy_breach": "Privacy breach",
    "media": "Media",
    "associated_customer": "Associated customer",
    "proactive": "Proactive referral (early intervention)",
    "team_leader": "Team Leader referral",
    "complaints": "Complaints referral",
}

# PS-REV-2 reallocation reasons.
REALLOCATION_REASONS: dict[str, str] = {
    "conflict_of_interest": "Conflict of interest",
    "other_state_face_to_face": "Customer lives in another state and wants face-to-face contact",
    "overseas_jurisdiction": "Customer lives overseas under that country's jurisdiction",
}

# PS-CON-2 discussion points (first contact) and PS-CON-7 (follow-up).
FIRST_CONTACT_POINTS: dict[str, str] = {
    "introduction": "Introduction and purpose of the call",
    "issues_confirmed": "Issues confirmed, including new ones",
    "welfare_offer": "Warm transfer to Parent Support Services / social worker offered where at risk",
    "single_point_of_contact": "Role as single point of contact explained",
    "commitments": "Commitment to agreed actions and progress updates",
    "self_management": "Return to self-management explained",
    "expectations": "Expectations and responsibilities set",
    "enquiry_line": "Enquiry line and reference number given",
    "summary": "Summary of issues and commitments",
    "next_contact": "Time for the next contact agreed",
}
FOLLOW_UP_POINTS: dict[str, str] = {
    "customer_input": "Customer input to the plan",
    "options": "All options discussed",
    "process": "Legislation and decision process explained",
    "timeframes": "Time the options take explained",
    "end_of_call": "Issues agreed, actions acknowledged, timeframe committed, call-back confirmed",
}

# PS-RES-3 option kinds.
OPTION_KINDS: dict[str, str] = {
    "publication": "Publication",
    "process": "Process available",
    "specialist_referral": "Referral to a specialised activity",
    "social_worker": "Social worker referral",
    "external_organisation": "External organisation",
    "face_to_face": "Face-to-face contact",
}
# Option kinds that reach the plan only as the effect of an approved request (issue 11): a face-to-face meeting is
# booked with the PS Team Leader (PS-F2F-1/3, the ``face_to_face`` kind), which records the option when approved.
OPTION_KINDS_BY_REQUEST: dict[str, str] = {
    "face_to_face": "Book the face-to-face meeting instead: it goes to the PS Team Leader, and the option is "
                    "recorded on the plan when they approve it",
}
# The option kinds an officer records on the plan directly (the social worker referral becomes a request, PS-CON-6).
RECORDABLE_OPTION_KINDS: dict[str, str] = {k: v for k, v in OPTION_KINDS.items() if k not in OPTION_KINDS_BY_REQUEST}

# PS-F2F-3 locations.
F2F_LOCATIONS: dict[str, str] = {
    "service_centre": "Service centre (Centrelink or Medicare)",
    "mp_office": "Member of Parliament's office",
    "other": "Other location",
}

# PS-FIN-3 approval reasons.
APPROVAL_REASONS: dict[str, str] = {
    "issues_addressed": "Issues addressed per the PSP and CMA",
    "options_declined": "Customer declined the options (PS-ACT-1)",
    "specialist_ongoing": "Specialist process ongoing, all other issues resolved (PS-ACT-4)",
    "segment_3": "Customer recommended for segment 3 (PS-ORM-1)",
}

GENERIC_SUBJECTS = frozenset({"note", "notes", "call", "update", "misc", "general", "info", "stuff", "-", "."})
PS_REFERRAL_SUBJECT = "PS referral"


# --- Dates ------------------------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_due_on(allocated_on: dt.date) -> dt.date:
    """PS-PSP-1: the PSP must be completed within 21 days of allocation."""
    return allocated_on + dt.timedelta(days=21)


def plan_due_state(*, due_on: dt.date, today: dt.date, approved: bool, warn_days: int = 5) -> Decision:
    """PS-PSP-1: 'approved' | 'overdue' | 'due_soon' | 'on_track'; allowed=False means overdue."""
    if approved:
        return Decision.yes("The plan is approved.", "PS-PSP-1", "PS-PSP-3", outcome="approved")
    if today > due_on:
        days = (today - due_on).days
        return Decision.no(
            f"The plan was due on {due_on:%d/%m/%Y} (21 days from allocation) and is {days} day(s) overdue.",
            "PS-PSP-1",
            outcome="overdue",
            days_overdue=days,
        )
    left = (due_on - today).days
    outcome = "due_soon" if left <= warn_days else "on_track"
    return Decision.yes(f"The plan is due on {due_on:%d/%m/%Y} ({left} day(s) left).", "PS-PSP-1", outcome=outcome)


# --- Referral (PS-REF-1/2) -------------------------------------------------------------------------------------


def referral_check(*, type_code: str, creator_is_team_leader: bool, urgent: bool, tl_contacted_ps_tl: bool) -> Decision:
    """PS-REF-1: only the four referral intrays; TL-only intrays by a Team Leader; urgent only by a Team Leader who
    records their call to the PS Team Leader (the PS Team Leader then accepts it: ``urgent_ps_referral``)."""
    if type_code not in REFERRAL_INTRAY_DAYS:
        return Decision.no(f"'{type_code}' is not a Personalised Services referral intray.", "PS-REF-1")
    if type_code == "ps_referral_tl_only" and not creator_is_team_leader:
        return Decision.no("A PS Referral (TL only) intray can only be created by a Team Leader.", "PS-REF-1")
    if urgent and not tl_contacted_ps_tl:
        return Decision.no(
            "An urgent referral can only be made after a Team Leader has contacted the PS Team Leader.", "PS-REF-1"
        )
    if urgent and not creator_is_team_leader:
        return Decision.no(
            "Only a Team Leader makes an urgent referral: the referring Team Leader records their call to the PS Team "
            "Leader. Ask your Team Leader to call the PS Team Leader and refer the customer.",
            "PS-REF-1", outcome="urgent_needs_team_leader",
        )
    return Decision.yes(
        f"Referral accepted: due within {REFERRAL_INTRAY_DAYS[type_code]} working days.",
        "PS-REF-1",
        "PS-REF-2",
        working_days=REFERRAL_INTRAY_DAYS[type_code],
    )


def referral_action_check(*, actor_is_ps_team_leader: bool, assigns_self: bool,
                          open_referral_intray: bool) -> Decision:
    """PS-REF-2: who actions a PS referral. A customer comes into Personalised Services through a referral intray
    (PS-REF-1). A PS Team Leader assigns it to any Case Manager, and may allocate a customer without one (recorded as
    a *PS Referral (TL only)*); a Case Manager actions only an open referral intray (one they may work), and only to
    themselves."""
    if actor_is_ps_team_leader:
        return Decision.yes("A PS Team Leader actions the referral and assigns the Case Manager.", "PS-REF-2")
    if not assigns_self:
        return Decision.no("Only a PS Team Leader assigns a referral to another Case Manager.", "PS-REF-2")
    if not open_referral_intray:
        return Decision.no(
            "A customer comes into Personalised Services through a referral intray: action an open referral intray, "
            "or ask the PS Team Leader to allocate the customer.", "PS-REF-1", "PS-REF-2")
    return Decision.yes("The Case Manager actions the referral intray and takes the customer.", "PS-REF-2")


def reallocation_check(*, reason_code: str, detail: str) -> Decision:
    """PS-REV-2: a reallocation request names one of the recognised reasons, with detail."""
    if reason_code not in REALLOCATION_REASONS:
        return Decision.no(
            "A reallocation needs a recognised reason: conflict of interest, another state with face-to-face "
            "wanted, or overseas jurisdiction.",
            "PS-REV-2",
        )
    if not detail.strip():
        return Decision.no("Explain the reallocation request for the Team Leader.", "PS-REV-2")
    return Decision.yes(f"Reallocation requested: {REALLOCATION_REASONS[reason_code]}.", "PS-REV-2")


# --- Plan issues (PS-PSP-4) ------------------------------------------------------------------------------------

_FORWARD = {RECORDED: CONFIRMED, CONFIRMED: RESOLVED}


def issue_transition(*, current: str, target: str, team_leader_rejection: bool = False, comment: str = "") -> Decision:
    """PS-PSP-4: recorded -> confirmed -> resolved. Only a Team Leader's rejection (PS-ACT-3) sends issues back to
    confirmed, and then with a comment stating the decision and action required."""
    if target == CONFIRMED and current == RESOLVED:
        if not team_leader_rejection:
            return Decision.no(
                "A resolved issue goes back to confirmed only when a Team Leader rejects finalisation.",
                "PS-PSP-4",
                "PS-ACT-3",
            )
        if not comment.strip():
            return Decision.no(
                "Resetting an issue to confirmed needs a comment stating the decision and action required.",
                "PS-ACT-3",
            )
        return Decision.yes("Issue reset to confirmed by the Team Leader's decision.", "PS-PSP-4", "PS-ACT-3")
    if _FORWARD.get(current) == target:
        return Decision.yes(f"Issue moves from {current} to {target}.", "PS-PSP-4")
    if current == target:
        return Decision.no(f"The issue is already {current}.", "PS-PSP-4")
    return Decision.no(
        f"An issue moves recorded → confirmed → resolved; it cannot go from {current} to {target}.", "PS-PSP-4"
    )


def plan_approval_check(*, mandatory_present: int, has_segment: bool, has_referral_source: bool,
                        has_main_reason: bool, has_stacking_document: bool) -> Decision:
    """PS-PSP-2/3: the Case Manager approves a completed plan."""
    missing = []
    if mandatory_present < len(MANDATORY_ISSUES):
        missing.append("the five mandatory issues")
    if not has_segment:
        missing.append("customer segment")
    if not has_referral_source:
        missing.append("referral source")
    if not has_main_reason:
        missing.append("main referral reason")
    if not has_stacking_document:
        missing.append("stacking document")
    if missing:
        return Decision.no("The plan is not complete: missing " + ", ".join(missing) + ".", "PS-PSP-2", "PS-PSP-3",
                           missing=missing)
    return Decision.yes("The plan is complete and can be approved.", "PS-PSP-3")


# --- Stacking document (PS-DOC-2) ------------------------------------------------------------------------------


def stacking_note_check(*, is_first: bool, subject: str, body: str) -> Decision:
    """PS-DOC-2: the first notepad is 'PS referral' with the referral reason; later ones have a meaningful subject."""
    subject_clean = subject.strip()
    if is_first:
        if subject_clean.lower() != PS_REFERRAL_SUBJECT.lower():
            return Decision.no("The first notepad of the stacking document must be titled 'PS referral'.", "PS-DOC-2")
        if not body.strip():
            return Decision.no("The 'PS referral' notepad must give the referral reason.", "PS-DOC-2")
        return Decision.yes("First notepad: PS referral.", "PS-DOC-2")
    if len(subject_clean) < 5 or subject_clean.lower() in GENERIC_SUBJECTS:
        return Decision.no(
            "Give the notepad a meaningful subject (for example 'Call about estimate').", "PS-DOC-2"
        )
    if not body.strip():
        return Decision.no("A notepad needs its content.", "PS-DOC-1")
    return Decision.yes("Notepad accepted.", "PS-DOC-1", "PS-DOC-2")


# --- Segments (PS-SEG-1/2/3, PS-RES-1) -------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentFacts:
    referral_source: str = ""
    previously_in_ps: bool = False
    contact_restrictions: bool = False
    security_incidents: int = 0
    recent_scs_activity: int = 0
    step3_complaints: int = 0
    step3_same_issue: int = 0
    non_compliance: bool = False
    arrangement_defaults: int = 0
    has_dpo: bool = False
    compensation_or_waiver: bool = False
    privacy_breach_claim: bool = False
    declined_options_before: bool = False
    unreasonable_behaviour: bool = False
    multiple_issues: bool = False


@dataclass(frozen=True)
class SegmentSuggestion:
    segment: int
    reason: str
    step_ids: tuple[str, ...]
    indicators: tuple[str, ...] = field(default_factory=tuple)
    needs_team_leader_approval: bool = False

    def as_dict(self) -> dict:
        return {
            "segment": self.segment,
            "reason": self.reason,
            "step_ids": list(self.step_ids),
            "indicators": list(self.indicators),
            "needs_team_leader_approval": self.needs_team_leader_approval,
        }


def suggest_segment(facts: SegmentFacts) -> SegmentSuggestion:
    """Suggest a segment from referral source, characteristics and indicators, naming what drove it."""
    seg3: list[str] = []
    if facts.contact_restrictions:
        seg3.append("Contact restrictions imposed")
    if facts.security_incidents:
        seg3.append("Security incidents")
    if facts.recent_scs_activity >= 2:
        seg3.append("Multiple recent SCS activity entries")
    if facts.step3_same_issue >= 2:
        seg3.append("Multiple Step 3 complaints on the same issue")
    if facts.unreasonable_behaviour:
        seg3.append("Ongoing unreasonable behaviour")
    if facts.declined_options_before and facts.step3_complaints >= 2:
        seg3.append("Declined options before, with an escalating history")
    if seg3:
        return SegmentSuggestion(
            3,
            "Segment 3 suggested: " + "; ".join(seg3) + ". Needs Team Leader approval.",
            ("PS-SEG-3", "PS-RES-1", "PS-ORM-1"),
            tuple(seg3),
            True,
        )
    seg2: list[str] = []
    if facts.referral_source in ESCALATED_SOURCES:
        seg2.append(f"Escalated referral source: {REFERRAL_SOURCES.get(facts.referral_source, facts.referral_source)}")
    if facts.previously_in_ps:
        seg2.append("Previously in PS")
    if facts.recent_scs_activity == 1:
        seg2.append("Recent SCS activity entry")
    if facts.step3_complaints:
        seg2.append("Previous Step 3 complaints")
    if facts.non_compliance:
        seg2.append("History of non-compliance")
    if facts.arrangement_defaults:
        seg2.append("Previous payment-arrangement default")
    if facts.has_dpo:
        seg2.append("Departure Prohibition Order recorded")
    if facts.compensation_or_waiver:
        seg2.append("Previous compensation or waiver application")
    if facts.privacy_breach_claim:
        seg2.append("Previous privacy-breach claim")
    if facts.multiple_issues:
        seg2.append("Multiple issues needing substantial review")
    if seg2:
        return SegmentSuggestion(2, "Segment 2 suggested: " + "; ".join(seg2) + ".", ("PS-SEG-2", "PS-RES-1"),
                                 tuple(seg2))
    seg1 = (
        "No recent SCS activity",
        "No current Departure Prohibition Order",
        "No recent non-compliance",
        "No recent payment-arrangement default",
    )
    return SegmentSuggestion(1, "Segment 1 suggested: " + "; ".join(seg1) + ".", ("PS-SEG-1", "PS-RES-1"), seg1)


def segment_change_check(*, new_segment: int, reason: str, team_leader_approved: bool) -> Decision:
    """PS-RES-1: the Case Manager decides; segment 3 needs Team Leader approval (PS-ORM-1, PS-SEG-3)."""
    if new_segment not in (1, 2, 3):
        return Decision.no("The segment must be 1, 2 or 3.", "PS-RES-1")
    if not reason.strip():
        return Decision.no("Record why the segment is set or changed.", "PS-RES-1")
    if new_segment == 3 and not team_leader_approved:
        return Decision.no("Segment 3 needs a PS Team Leader's approval.", "PS-ORM-1", "PS-SEG-3")
    return Decision.yes(f"Segment {new_segment} recorded on the plan and the PS record.", "PS-RES-1")


def segment_leave_check(*, current_segment: int | None, new_segment: int) -> Decision:
    """PS-ORM-2 (issue 11): a segment 3 customer is under ongoing reactive management; they return to segment 2 only
    as the outcome of the segment 3 review, recorded by a PS Team Leader and approved by a second one (the
    ``segment_3_review`` kind), never by setting the segment."""
    if current_segment == 3 and new_segment != 3:
        return Decision.no(
            "The customer is in segment 3: they leave it only through the segment 3 review. A PS Team Leader records "
            "the review outcome 'back to segment 2' and a second PS Team Leader approves it.",
            "PS-ORM-2", "PS-RES-1",
        )
    return Decision.yes("The segment may be set.", "PS-RES-1")


# --- Contacts (PS-CON-1/2/3/7) ---------------------------------------------------------------------------------


def contact_check(*, kind: str, checklist: dict[str, bool], mandatory_gathered: dict[str, bool], acknowledged: bool,
                  restrictions_active: bool, restrictions_reviewed: bool) -> Decision:
    """PS-CON-1: restrictions checked first; PS-CON-2 (first call) / PS-CON-7 (follow-up) discussion points."""
    if restrictions_active and not restrictions_reviewed:
        return Decision.no(
            "The customer has a restricted service: review the conditions before recording the contact.", "PS-CON-1"
        )
    if kind == "first":
        missing = [label for key, label in FIRST_CONTACT_POINTS.items() if not checklist.get(key)]
        missing_mandatory = [MANDATORY_ISSUES[i][0] for i, key in enumerate(MANDATORY_KEYS)
                             if not mandatory_gathered.get(key)]
        if missing or missing_mandatory:
            parts = []
            if missing:
                parts.append("discussion points not covered: " + "; ".join(missing))
            if missing_mandatory:
                parts.append("mandatory issues not gathered: " + "; ".join(missing_mandatory))
            return Decision.no("First contact incomplete — " + " / ".join(parts) + ".", "PS-CON-2",
                               missing=missing + missing_mandatory)
        if not acknowledged:
            return Decision.no("Get the customer's acknowledgement of the issues and commitments.", "PS-CON-2")
        return Decision.yes("First contact recorded.", "PS-CON-1", "PS-CON-2")
    if kind == "follow_up":
        missing = [label for key, label in FOLLOW_UP_POINTS.items() if not checklist.get(key)]
        if missing:
            return Decision.no("Follow-up incomplete — discussion points not covered: " + "; ".join(missing) + ".",
                               "PS-CON-7", missing=missing)
        return Decision.yes("Follow-up contact recorded.", "PS-CON-6", "PS-CON-7")
    return Decision.no("A contact is either the first contact or a follow-up.", "PS-CON-1")


def no_further_contact_check(*, referral_source: str, confirmed_with_cro: bool, confirmation: str) -> Decision:
    """PS-CON-1: for an MP or Ombudsman referral the Case Manager may decide no further contact is needed, once the
    Customer Review Officer confirms the issues are resolved; the case then goes to finalisation (PS-FIN)."""
    if referral_source not in ("mp", "ombudsman"):
        return Decision.no("Only a Member of Parliament or Ombudsman referral may proceed without customer contact.",
                           "PS-CON-1")
    if not confirmed_with_cro:
        return Decision.no("Confirm with a Customer Review Officer that the issues are resolved.", "PS-CON-1")
    if not confirmation.strip():
        return Decision.no("Record what the Customer Review Officer confirmed.", "PS-CON-1")
    return Decision.yes("No further contact needed: go to finalisation.", "PS-CON-1", "PS-FIN-1")


def uq140_01_skip_check(*, segment: int | None, straightforward: bool, tl_discussion: str) -> Decision:
    """PS-RES-4: UQ140.01 may be skipped only for segment 1 or a straightforward segment 2 case, after a Team
    Leader discussion documented in the plan."""
    if segment == 1 or (segment == 2 and straightforward):
        if not tl_discussion.strip():
            return Decision.no("Skipping UQ140.01 needs the Team Leader discussion recorded in the plan.", "PS-RES-4")
        return Decision.yes("UQ140.01 not sent: Team Leader discussion recorded.", "PS-RES-4")
    return Decision.no(
        "UQ140.01 must be sent: skipping it is only for segment 1 or a straightforward segment 2 case.", "PS-RES-4"
    )


# --- Face-to-face (PS-F2F-1/3) ---------------------------------------------------------------------------------


def f2f_check(*, tl_discussed: bool, location_type: str, tl_approved_location: bool,
              via_customer_review: bool, security_risk: bool, security_notified: bool) -> Decision:
    if not tl_discussed:
        return Decision.no("Discuss the face-to-face meeting with the PS Team Leader before booking it.", "PS-F2F-1")
    if location_type not in F2F_LOCATIONS:
        return Decision.no("Choose a meeting location: service centre, MP office or other.", "PS-F2F-3")
    if location_type == "mp_office" and not via_customer_review:
        return Decision.no("Meetings in a Member of Parliament's office are organised through Customer Review.",
                           "PS-F2F-3")
    if location_type == "other" and not tl_approved_location:
        return Decision.no("A location other than a service centre needs Team Leader approval.", "PS-F2F-3")
    if security_risk and not security_notified:
        return Decision.no(
            "A security or aggression risk must be notified to the Service Centre Manager via the Team Leader.",
            "PS-F2F-2",
        )
    return Decision.yes("Face-to-face meeting can be booked.", "PS-F2F-1", "PS-F2F-3")


# --- Ongoing reactive management (PS-ORM-2/3) ------------------------------------------------------------------


def segment3_review_date_check(*, today: dt.date, review_date: dt.date) -> Decision:
    """PS-ORM-2: the indicator review date is in the future and no more than 3 months ahead."""
    limit = add_months(today, 3)
    if review_date <= today:
        return Decision.no("The review date must be in the future.", "PS-ORM-2")
    if review_date > limit:
        return Decision.no(f"The review date must be no more than 3 months ahead (by {limit:%d/%m/%Y}).", "PS-ORM-2",
                           latest=limit.isoformat())
    return Decision.yes("Review date accepted.", "PS-ORM-2")


def segment3_review_schedule_check(*, open_review_date: dt.date | None) -> Decision:
    """PS-ORM-2 (issue 11): one open review at a time. Once a review is scheduled, a new date is the review's
    'continue' outcome, approved by a second PS Team Leader — never a second schedule by the same Team Leader."""
    if open_review_date is not None:
        return Decision.no(
            f"A segment 3 review is already scheduled for {open_review_date:%d/%m/%Y}. Record its outcome: a new "
            "review date is the 'continue' outcome, approved by a second PS Team Leader.",
            "PS-ORM-2",
        )
    return Decision.yes("No open review: schedule one.", "PS-ORM-2")


def segment3_review_outcome_check(*, outcome: str, today: dt.date, new_review_date: dt.date | None) -> Decision:
    """PS-ORM-2: back to segment 2, or still needed with a new date no more than 3 months ahead."""
    if outcome == "back_to_segment_2":
        return Decision.yes("No longer needed: customer returns to segment 2.", "PS-ORM-2")
    if outcome == "continue":
        if new_review_date is None:
            return Decision.no("Still needed: set a new review date.", "PS-ORM-2")
        return segment3_review_date_check(today=today, review_date=new_review_date)
    return Decision.no("The review outcome is 'back to segment 2' or 'continue'.", "PS-ORM-2")


def restricted_service_review_check(*, reviewed_on: dt.date, next_review_date: dt.date,
                                    approver_is_nmqcc: bool) -> Decision:
    """PS-ORM-3: reviewed every 3 to 6 months; the outcome approved by the National Manager QCC."""
    earliest, latest = add_months(reviewed_on, 3), add_months(reviewed_on, 6)
    if not earliest <= next_review_date <= latest:
        return Decision.no(
            f"The next restricted-service review must be 3 to 6 months ahead ({earliest:%d/%m/%Y}–{latest:%d/%m/%Y}).",
            "PS-ORM-3",
        )
    if not approver_is_nmqcc:
        return Decision.no(
            "The restricted-service review outcome must be approved by the National Manager Quality and Customer "
            "Complaints.",
            "PS-ORM-3",
        )
    return Decision.yes("Restricted-service review approved.", "PS-ORM-3")


# --- Finalisation (PS-FIN-1/2/3, PS-ACT-1/4) -------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessFacts:
    today: dt.date
    cma_activities_completed: bool
    unresolved_issues: int
    unresolved_specialist_issues: int
    open_actions: int
    outstanding_intrays: int
    ministerial_or_ombudsman: bool
    written_responses_understood: bool
    customer_notified_of_decisions: bool
    feedback_provided: bool
    customer_told_by_phone: bool
    exit_letter_sent_on: dt.date | None
    cro_confirmed_no_contact: bool = False


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str
    step_ids: tuple[str, ...] = ("PS-FIN-1",)

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "reason": self.reason, "step_ids": list(self.step_ids)}


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: tuple[Check, ...]

    @property
    def failing(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    def reason(self) -> str:
        if self.ready:
            return "Ready to submit for finalisation."
        return "Not ready for finalisation: " + "; ".join(c.reason for c in self.failing) + "."

    def as_dict(self) -> dict:
        return {"ready": self.ready, "reason": self.reason(), "checks": [c.as_dict() for c in self.checks],
                "step_ids": ["PS-FIN-1"]}


EXIT_LETTER_WAIT_DAYS = 10


def finalisation_readiness(f: ReadinessFacts) -> Readiness:
    """PS-FIN-1, each condition named."""
    checks = [
        Check("cma_activities", f.cma_activities_completed,
              "CMA activities completed" if f.cma_activities_completed else "CMA activities are not completed"),
        Check("issues_finalised", f.unresolved_issues == 0,
              "All PS-managed issues finalised" if f.unresolved_issues == 0
              else f"{f.unresolved_issues} plan issue(s) not resolved", ("PS-FIN-1", "PS-FIN-2")),
        Check("plan_actions", f.open_actions == 0,
              "All plan actions completed" if f.open_actions == 0 else f"{f.open_actions} plan action(s) open"),
        Check("no_outstanding_intrays", f.outstanding_intrays == 0,
              "No outstanding intrays" if f.outstanding_intrays == 0
              else f"{f.outstanding_intrays} outstanding intray(s) (other than specialised issues in progress)"),
        Check("written_responses", (not f.ministerial_or_ombudsman) or f.written_responses_understood,
              "Written responses received and understood" if (not f.ministerial_or_ombudsman or
                                                               f.written_responses_understood)
              else "Written response to the Ministerial/Ombudsman complaint not yet received and understood"),
        Check("decisions_notified", f.customer_notified_of_decisions,
              "Customer notified of all decisions" if f.customer_notified_of_decisions
              else "Customer not yet notified of all decisions"),
        Check("feedback", f.feedback_provided,
              "Relevant feedback provided" if f.feedback_provided else "Relevant feedback not provided"),
    ]
    if f.customer_told_by_phone:
        checks.append(Check("customer_told", True, "Customer told the case leaves PS"))
    elif f.cro_confirmed_no_contact:
        checks.append(Check("customer_told", True, "No further contact needed: confirmed with Customer Review",
                            ("PS-FIN-1", "PS-CON-1")))
    elif f.exit_letter_sent_on is None:
        checks.append(Check("customer_told", False,
                            "Customer not told the case leaves PS: call them, or send UQ140.02 and wait 10 days"))
    else:
        waited = (f.today - f.exit_letter_sent_on).days
        ok = waited >= EXIT_LETTER_WAIT_DAYS
        checks.append(Check(
            "customer_told", ok,
            "Exit letter UQ140.02 sent and 10 days allowed" if ok else
            f"Exit letter UQ140.02 sent {waited} day(s) ago: allow 10 days for a response "
            f"(until {f.exit_letter_sent_on + dt.timedelta(days=EXIT_LETTER_WAIT_DAYS):%d/%m/%Y})",
            ("PS-FIN-1", "PS-CON-8"),
        ))
    return Readiness(all(c.ok for c in checks), tuple(checks))


@dataclass(frozen=True)
class ApprovalFacts:
    readiness: Readiness
    mandatory_addressed: bool
    unresolved_issues: int
    unresolved_specialist_issues: int
    options_communicated_in_writing: bool = False
    suitable_timeframe_given: bool = False
    ongoing_ps_will_not_resolve: bool = False
    escalation_history: bool = False
    needs_ongoing_support: bool = False
    contact_restrictions: bool = False


def approval_check(*, reason: str, f: ApprovalFacts) -> Decision:
    """PS-FIN-3 with PS-ACT-1 (options declined), PS-ACT-4 (specialist transfer), PS-ORM-1 (segment 3)."""
    if reason not in APPROVAL_REASONS:
        return Decision.no("Choose an approval reason from PS-FIN-3.", "PS-FIN-3")
    if reason == "segment_3":
        if not (f.needs_ongoing_support or f.contact_restrictions):
            return Decision.no(
                "Segment 3 is approved only when the customer needs high ongoing support and reactive management "
                "or has contact restrictions imposed.", "PS-ORM-1", "PS-FIN-3")
        return Decision.yes("Approved: customer stays in PS as segment 3.", "PS-FIN-3", "PS-ORM-1",
                            outcome="segment_3")
    if reason != "specialist_ongoing" and not f.readiness.ready:
        return Decision.no(f.readiness.reason() + " All PS-FIN-1 conditions must hold before the customer returns "
                           "to a business area.", "PS-FIN-3", "PS-FIN-1")
    if reason == "issues_addressed":
        if f.unresolved_issues:
            return Decision.no("Every plan issue must be resolved.", "PS-ACT-2", "PS-FIN-3")
        return Decision.yes("Approved: issues addressed per the PSP and CMA.", "PS-FIN-3", "PS-ACT-2",
                            outcome="return_to_business")
    if reason == "options_declined":
        missing = []
        if not f.mandatory_addressed:
            missing.append("all mandatory issues addressed")
        if not f.options_communicated_in_writing:
            missing.append("all options clearly communicated and confirmed in writing")
        if not f.suitable_timeframe_given:
            missing.append("a suitable timeframe given to take them up")
        if not f.ongoing_ps_will_not_resolve:
            missing.append("ongoing PS management will not resolve the issues")
        if missing:
            return Decision.no("Options-declined approval needs: " + "; ".join(missing) + ".", "PS-ACT-1",
                               missing=missing)
        return Decision.yes("Approved: customer declined the options.", "PS-FIN-3", "PS-ACT-1",
                            outcome="return_to_business")
    # specialist_ongoing (PS-ACT-4)
    missing = []
    if not f.mandatory_addressed:
        missing.append("all mandatory issues addressed")
    if f.unresolved_specialist_issues == 0 or f.unresolved_issues != f.unresolved_specialist_issues:
        missing.append("the only outstanding issue is the specialist process")
    if f.escalation_history:
        missing.append("no history of escalating decisions")
    other = [c for c in f.readiness.failing if c.name != "issues_finalised"]
    if other:
        missing.extend(c.reason for c in other)
    if missing:
        return Decision.no("Transfer to a specialist area needs: " + "; ".join(missing) + ".", "PS-ACT-4",
                           "PS-FIN-3", missing=missing)
    return Decision.yes("Approved: transfer to the specialist business area.", "PS-FIN-3", "PS-ACT-4",
                        outcome="transfer_to_specialist")


# --- The PS record as a task list (issue 14) --------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = "not_started", "in_progress", "completed", "cannot_start"
TASK_STATUS_LABELS: dict[str, str] = {
    NOT_STARTED: "Not started", IN_PROGRESS: "In progress", COMPLETED: "Completed", CANNOT_START: "Cannot start yet",
}
# Readiness checks (PS-FIN-1) done elsewhere than on the finalisation task's page (plan issues and actions, other
# intrays): while one fails, the task cannot start. The rest (attestations, telling the customer) is the task itself.
FINALISATION_PREREQUISITES = ("issues_finalised", "plan_actions", "no_outstanding_intrays")


def finalisation_blockers(readiness: Readiness) -> tuple[str, ...]:
    """The reasons the finalisation task cannot start yet (PS-FIN-1)."""
    return tuple(c.reason for c in readiness.checks if not c.ok and c.name in FINALISATION_PREREQUISITES)


@dataclass(frozen=True)
class TaskFacts:
    """What the PS record's task list is worked out from (read by ``ps.selectors.task_list``)."""

    active: bool
    plan_approved: bool
    plan_touched: bool
    notepads: int
    first_contact: bool
    follow_ups: int
    segment: int | None
    segment_3_requested: bool
    letters_sent: tuple[str, ...]
    uq140_01_skipped: bool
    finalisation_blockers: tuple[str, ...]
    finalisation: str  # the latest finalisation request's status, "" if none
    customer_told: bool


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    why: Decision

    @property
    def status_label(self) -> str:
        return TASK_STATUS_LABELS[self.status]


def _task(key: str, title: str, status: str, reason: str, *step_ids: str) -> Task:
    return Task(key, title, status, Decision(status == COMPLETED, reason, tuple(step_ids), outcome=status))


def task_list(f: TaskFacts) -> tuple[Task, ...]:
    """The tasks of a PS record in procedure order (PS-REF to PS-ACT), each with its status and why."""
    tasks = [_task("referral", "Referral and case review", COMPLETED,
                   "The referral was actioned: the customer is locked to the Case Manager and the plan and stacking "
                   "document were created.", "PS-REF-2", "PS-REF-3", "PS-REV-1")]
    if f.plan_approved:
        tasks.append(_task("plan", "Personalised Services Plan", COMPLETED,
                           "The plan is approved; keep its issues, options and actions up to date.",
                           "PS-PSP-3", "PS-PSP-4"))
    else:
        tasks.append(_task("plan", "Personalised Services Plan", IN_PROGRESS if f.plan_touched else NOT_STARTED,
                           "The plan has the five mandatory issues; complete it within 21 days and approve it once "
                           "the segment is chosen.", "PS-PSP-1", "PS-PSP-2", "PS-PSP-3", "PS-DOC-3"))
    tasks.append(_task("notepad", "Stacking document notepads", COMPLETED if f.notepads else NOT_STARTED,
                       "The first notepad is titled 'PS referral' and gives the referral reason." if not f.notepads
                       else "The 'PS referral' notepad is written; add a notepad for each discussion.",
                       "PS-DOC-1", "PS-DOC-2"))
    if f.first_contact:
        tasks.append(_task("contact", "Contact the customer", COMPLETED,
                           f"The first contact is recorded ({f.follow_ups} follow-up(s) since); record follow-ups "
                           "with their discussion points.", "PS-CON-3", "PS-CON-6", "PS-CON-7"))
    else:
        tasks.append(_task("contact", "Contact the customer", NOT_STARTED,
                           "Call the customer with the first-contact discussion points and confirm the mandatory "
                           "issues.", "PS-CON-1", "PS-CON-2", "PS-CON-3"))
    if f.segment is not None:
        tasks.append(_task("segment", "Customer segment", COMPLETED, f"Segment {f.segment} is recorded.", "PS-RES-1"))
    elif f.segment_3_requested:
        tasks.append(_task("segment", "Customer segment", IN_PROGRESS,
                           "Segment 3 is waiting for the PS Team Leader's decision.", "PS-RES-1", "PS-ORM-1"))
    else:
        tasks.append(_task("segment", "Customer segment", NOT_STARTED,
                           "Choose a segment: the system suggests one from the customer's indicators.", "PS-RES-1"))
    if "uq140_01_first_call_confirmation" in f.letters_sent or f.uq140_01_skipped:
        tasks.append(_task("letters", "Letters to the customer", COMPLETED,
                           "The issues and options are confirmed in writing (UQ140.01), or the Team Leader agreed "
                           "not to send it.", "PS-CON-8", "PS-RES-4"))
    else:
        tasks.append(_task("letters", "Letters to the customer", IN_PROGRESS if f.letters_sent else NOT_STARTED,
                           "Confirm the issues and options in writing with UQ140.01 after the first call.",
                           "PS-CON-8", "PS-RES-4"))
    if f.finalisation in ("pending", "approved"):
        tasks.append(_task("finalisation", "Request finalisation", COMPLETED,
                           "The finalisation request was submitted to the PS Team Leader.", "PS-FIN-2"))
    elif f.finalisation_blockers:
        tasks.append(_task("finalisation", "Request finalisation", CANNOT_START,
                           "Not ready: " + "; ".join(f.finalisation_blockers) + ".", "PS-FIN-1"))
    else:
        started = f.customer_told or f.finalisation in ("rejected", "withdrawn")
        tasks.append(_task("finalisation", "Request finalisation", IN_PROGRESS if started else NOT_STARTED,
                           "Tell the customer by phone, tick the attestations and submit the request.",
                           "PS-FIN-1", "PS-FIN-2"))
    if f.finalisation == "approved" or not f.active:
        tasks.append(_task("decision", "Team Leader's decision", COMPLETED,
                           "Finalisation approved: the customer is unlocked through the ownership rules.",
                           "PS-ACT-2", "PS-ACT-5"))
    elif f.finalisation == "pending":
        tasks.append(_task("decision", "Team Leader's decision", IN_PROGRESS,
                           "The PS Team Leader reviews the request from their approvals queue.", "PS-FIN-3"))
    else:
        tasks.append(_task("decision", "Team Leader's decision", CANNOT_START,
                           "The PS Team Leader decides once the finalisation request is submitted.", "PS-FIN-3"))
    return tuple(tasks)

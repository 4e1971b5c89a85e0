"""What the approver reads before deciding (issue 14): per kind, the facts the rule uses in words, what happens on
approve and on refuse, and the step IDs behind the "why" disclosure. Read-only; the decision page
(``approvals/detail.html``) shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casework.core import audit_display

from . import kinds

#: What happens when the request is not approved, per kind (the approve side is the kind's ``takes_effect``).
ON_REFUSE = {
    "segment_3": "The customer stays in the segment they are in now; the Case Manager is told why.",
    "segment_3_review": "The review is not recorded; the customer stays segment 3 until a review is approved.",
    "restricted_service": "The restricted service does not come into force; it is kept on record as not approved.",
    "restricted_service_review": "The review is not recorded and the restriction's review date does not move.",
    "restricted_service_end": "The restricted service stays in force; the requester is told why.",
    "face_to_face": "No meeting is booked; the Case Manager is told why.",
    "social_worker_referral": "No social worker referral is recorded on the plan; the Case Manager is told why.",
    "ps_reallocation": "The customer stays with the Case Manager (the PS record is active again).",
    "ps_reallocation_assign": "The customer returns to where it was, with the Case Manager who asked and their work.",
    "urgent_ps_referral": "No referral intray is created; the Team Leader who asked is told why.",
    "ps_finalisation": "The plan's issues go back to confirmed with your comments; the customer goes back to the Case "
                       "Manager, who gets a Finalisation not approved intray and a notification.",
    "ownership_dispute": "The customer stays with the current owner; the decision is recorded and binding.",
    "ownership_transfer": "Nothing moves: the customer stays with the area that owns them.",
}

#: Payload keys in the approver's words (anything else: the key in words).
LABELS = {
    "type_code": "Type of referral", "tl_call_details": "Team Leader's call to the PS Team Leader",
    "detail": "What is asked", "timeframe": "Timeframe", "segment": "Segment asked for",
    "from_segment": "Segment now", "location_type": "Where", "location_detail": "Place",
    "scheduled_for": "When", "outcome": "Outcome", "notes": "Review notes", "new_review_date": "Next review date",
    "reviewed_on": "Reviewed on", "reason": "Reason", "conditions": "Conditions", "review_date": "Review date",
    "reason_code": "Reallocation reason", "receiving_position": "Receiving PS position",
    "readiness": "Readiness for finalisation", "attestations": "What the submitter confirmed",
    "from_area": "Owning area now", "to_area": "Area proposed", "expected_contact_volume": "Expected contact volume",
    "time_to_resolve": "Time to resolve", "spoke_with": "Spoke with", "to_officer": "Officer who would take them",
    "to_position": "Position that would take them", "via_customer_review": "Organised through Customer Review",
    "second_person": "Second person attends", "security_risk": "Security or aggression risk",
    "attendees": "Attendees",
}
#: Internal keys: ids of records the page already links, and lists only the service reads.
HIDDEN = {"ps_record", "not_assignable", "step_ids", "version"}


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass
class Presentation:
    subject: str
    facts: list[Fact] = field(default_factory=list)
    on_approve: str = ""
    on_refuse: str = ""
    who_asks: str = ""
    who_decides: str = ""
    step_ids: list[str] = field(default_factory=list)


def _area_name(code: str) -> str | None:
    from casework.org.models import BusinessArea

    return BusinessArea.objects.filter(code=code).values_list("name", flat=True).first()


def _position_name(value: str) -> str | None:
    from casework.org.models import Position

    lookup = {"pk": int(value)} if str(value).isdigit() else {"code": value}
    row = Position.objects.filter(**lookup).values_list("title", "code").first()
    return f"{row[0]} ({row[1]})" if row else None


def _officer_name(value: str) -> str | None:
    from casework.org.models import Officer

    officer = Officer.objects.filter(pk=int(value)).select_related("user").first() if str(value).isdigit() else None
    return officer.display_name if officer else None


NAMERS = {"from_area": _area_name, "to_area": _area_name, "receiving_position": _position_name,
          "to_position": _position_name, "to_officer": _officer_name}


def _readiness(value: dict) -> tuple[str, list[str]]:
    checks = value.get("checks") or []
    lines = [f"{c.get('name', '')}: {'met' if c.get('ok') else 'not met'}"
             f"{' (' + c['reason'] + ')' if c.get('reason') and not c.get('ok') else ''}" for c in checks]
    steps = [s for c in checks for s in c.get("step_ids") or ()]
    head = "Ready" if value.get("ready") else "Not ready"
    return "; ".join([head, *lines]), steps


def facts_of(payload: dict[str, Any]) -> tuple[list[Fact], list[str]]:
    """The request's payload as labelled facts in words, and the step IDs its checks name."""
    facts, steps = [], []
    for key, value in (payload or {}).items():
        if key in HIDDEN or value is None or value == "" or value == [] or value == {}:
            continue
        label = LABELS.get(key) or audit_display.words(key)
        if key == "readiness" and isinstance(value, dict):
            text, more = _readiness(value)
            steps += more
        elif key in NAMERS:
            text = NAMERS[key](str(value)) or audit_display.value_text(value, key=key)
        else:
            text = audit_display.value_text(value, key=key)
        facts.append(Fact(label, text))
    return facts, steps


def present(row) -> Presentation:
    kind = kinds.REGISTRY.get(row.kind)
    facts, steps = facts_of(row.payload)
    subject = audit_display.target_label(row.subject_type.rsplit(".", 1)[-1], row.subject_id)
    if subject.startswith("Ps "):  # the model's verbose name, capitalised as a word
        subject = "PS " + subject[3:]
    all_steps = list(dict.fromkeys([*(row.step_ids or ()), *(kind.step_ids if kind else ()), *steps]))
    return Presentation(
        subject=subject, facts=facts,
        on_approve=kind.takes_effect if kind else "", on_refuse=ON_REFUSE.get(row.kind, "Nothing takes effect."),
        who_asks=kind.who_asks if kind else "", who_decides=row.eligible.label, step_ids=all_steps)

"""Who may decide a request for approval (issue 11): pure, no database.

An approval is a second person acting. A request names who may decide it by a role *and* a scope (``Eligibility``);
the requester never decides their own request, nor does anyone who worked the item being approved; everyone else
is refused with a reason that says who may.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casework.core.policy import Decision

PENDING, APPROVED, REJECTED, WITHDRAWN = "pending", "approved", "rejected", "withdrawn"

# Every kind of request the procedures need (docs/approvals.md). The codes are the API's enum.
KINDS: dict[str, str] = {
    "segment_3": "Classify as segment 3",
    "segment_3_review": "Segment 3 review outcome",
    "restricted_service": "Impose a restricted service",
    "restricted_service_review": "Restricted service review outcome",
    "restricted_service_end": "End a restricted service",
    "face_to_face": "Face-to-face meeting",
    "social_worker_referral": "Social worker referral",
    "ps_reallocation": "Reallocate a PS customer",
    "ps_reallocation_assign": "Assign a reallocated PS customer",
    "urgent_ps_referral": "Urgent PS referral",
    "ps_finalisation": "PS finalisation",
    "ownership_dispute": "Ownership dispute",
    "ownership_transfer": "Transfer of ownership by agreement",
}


@dataclass(frozen=True)
class Eligibility:
    """Who may decide: an officer with ``role`` who is one of ``officer_ids``, or leads one of ``team_ids``, or works
    in one of ``area_codes`` (any that is given; none given = anyone with the role nationally). ``label`` says it in
    the officer's words ("the PS Team Leader of PS Team Sydney")."""

    role: str
    label: str
    team_ids: tuple[int, ...] = ()
    area_codes: tuple[str, ...] = ()
    officer_ids: tuple[int, ...] = ()
    # Further roles that decide in the same scope (a dispute between Personalised Services and another area is decided
    # by a Team Leader of either area: the PS Team Leader or the other area's Team Leader).
    other_roles: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.role, *self.other_roles)

    def as_dict(self) -> dict:
        out = {"role": self.role, "label": self.label, "team_ids": list(self.team_ids),
               "area_codes": list(self.area_codes), "officer_ids": list(self.officer_ids)}
        if self.other_roles:
            out["other_roles"] = list(self.other_roles)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Eligibility:
        return cls(role=d["role"], label=d.get("label", ""), team_ids=tuple(d.get("team_ids") or ()),
                   area_codes=tuple(d.get("area_codes") or ()), officer_ids=tuple(d.get("officer_ids") or ()),
                   other_roles=tuple(d.get("other_roles") or ()))

    @property
    def scoped(self) -> bool:
        return bool(self.team_ids or self.area_codes or self.officer_ids)


@dataclass(frozen=True)
class DeciderFacts:
    user_id: int | None
    officer_id: int | None = None
    role: str = ""
    is_active: bool = False
    team_ids_led: frozenset[int] = field(default_factory=frozenset)
    area_code: str | None = None


def in_scope(e: Eligibility, d: DeciderFacts) -> bool:
    if not d.is_active or d.officer_id is None or d.role not in e.roles:
        return False
    if not e.scoped:
        return True
    return (d.officer_id in e.officer_ids or bool(d.team_ids_led & set(e.team_ids))
            or (d.area_code is not None and d.area_code in e.area_codes))


def may_decide(*, status: str, eligibility: Eligibility, decider: DeciderFacts, requester_id: int | None,
               worked_by: frozenset[int], step_ids: tuple[str, ...]) -> Decision:
    """(a) still pending; (b) not the requester; (c) did not work the item; (d) the role and the scope."""
    who = eligibility.label
    if status != PENDING:
        return Decision.no(f"This request is already {status}: there is nothing to decide.", *step_ids)
    if decider.user_id is not None and decider.user_id == requester_id:
        return Decision.no(f"You asked for this, so you cannot decide it: {who} decides it.", *step_ids,
                           outcome="requester")
    if decider.user_id is not None and decider.user_id in worked_by:
        return Decision.no(f"You worked on this item, so you cannot approve it: {who} decides it.", *step_ids,
                           outcome="worked")
    if not in_scope(eligibility, decider):
        return Decision.no(f"Only {who} may decide this request.", *step_ids, outcome="scope")
    return Decision.yes("You may decide this request.", *step_ids)


def may_withdraw(*, status: str, requester_id: int | None, actor_user_id: int | None,
                 step_ids: tuple[str, ...]) -> Decision:
    if status != PENDING:
        return Decision.no(f"This request is already {status}: it cannot be withdrawn.", *step_ids)
    if actor_user_id is None or actor_user_id != requester_id:
        return Decision.no("Only the officer who asked may withdraw a request.", *step_ids)
    return Decision.yes("You may withdraw your request.", *step_ids)

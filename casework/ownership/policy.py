"""Ownership rules of the CMA process, as pure functions (no database). Every decision names its step IDs.

- ``issue_handling``: who handles each presenting issue (CMA-1.2, CMA-1.4)
- ``determine_owner``: which area owns the customer (CMA-1.5)
- ``lock_decision``: may this lock be taken now (CMA-2.10, CMA-1.5, CMA-1.3)
- ``take_over_decision``: may the officer take over a lock (CMA-2.10)
- ``both_parents_manager``: who manages an issue needing both parents locked (CMA-2.10)
- ``error_handling``: an error identified (CMA-1.3)
- ``unlock_decision``: unlock now, schedule an automatic unlock, or re-lock (CMA-3.3, CMA-3.4)
- ``transfer_decision``: transfer between specialised areas (CMA-1.6)
- ``specialist_action_allowed``: PS customers (PS-SPE-1)
- ``unlock_readiness``: the one CMA-3.4 readiness check of every unlock path (CMA-3.1/3.2, CMA-2.1, PS-ACT-5)
- ``lock_in_effect``: the effective lock read by ownership and routing alike (CMA-3.4, CMA-1.1)
- ``apply_rules_decision`` / ``dispute_decider_decision``: who re-applies CMA-1.5, who decides disputes (CMA-1.6)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from casework.core.policy import Decision

COMMON = "common"
SPECIALISED = "specialised"

# Retained parties (org.models.RetainedParties values)
NONE, PAYER, PAYEE, BOTH, EITHER = "none", "payer", "payee", "both", "either"


@dataclass(frozen=True)
class AreaFact:
    code: str
    name: str
    kind: str
    retention_priority: int | None = None
    retains_parties: str = NONE

    @property
    def is_specialised(self) -> bool:
        return self.kind == SPECIALISED

    def retains(self, roles: frozenset[str]) -> bool:
        """CMA-1.5: does this area keep *this* customer locked, given the parties it retains?"""
        if self.retention_priority is None or self.retains_parties == NONE:
            return False
        if self.retains_parties in (BOTH, EITHER):
            return True
        return self.retains_parties in roles


@dataclass(frozen=True)
class IssueFact:
    id: int
    type_code: str
    kind: str
    handling_area: str
    received_area: str
    received_at: dt.datetime
    outstanding: bool = True

    @property
    def is_specialised(self) -> bool:
        return self.kind == SPECIALISED


@dataclass(frozen=True)
class HolderFact:
    """Who holds a lock now: an officer (with their area) or a position in an area."""

    area: str
    area_kind: str
    officer_id: int | None = None
    position_id: int | None = None
    label: str = ""

    @property
    def is_specialised(self) -> bool:
        return self.area_kind == SPECIALISED


def _first_specialised_area(issue: IssueFact, areas: Mapping[str, AreaFact]) -> str:
    """The area where a specialised issue was received: the receiving area when it is itself specialised,
    otherwise (received at a common point of entry and referred on) the specialist area that handles it."""
    received = areas.get(issue.received_area)
    if received is not None and received.is_specialised:
        return received.code
    return issue.handling_area


def determine_owner(
    *, roles: frozenset[str], issues: Sequence[IssueFact], areas: Mapping[str, AreaFact]
) -> Decision:
    """CMA-1.5: which business area owns the customer, from their outstanding presenting issues.

    Retaining areas (priority and retained parties are business-area data) rank first; otherwise the area where the
    first specialised issue was received. No outstanding specialised issue: nobody owns the customer by rule.
    ``outcome`` is ``retained`` / ``first_specialised`` / ``none``; ``facts["area"]`` is the owning area code.
    """
    specialised = sorted(
        (i for i in issues if i.outstanding and i.is_specialised), key=lambda i: (i.received_at, i.id)
    )
    if not specialised:
        return Decision.no(
            "No outstanding specialised issue: the customer is not owned by a specialist area.",
            "CMA-1.5",
            outcome="none",
            area=None,
        )
    candidates = []
    for issue in specialised:
        area = areas.get(issue.handling_area)
        if area is not None and area.retains(roles):
            candidates.append((area.retention_priority, issue.received_at, issue.id, area, issue))
    if candidates:
        candidates.sort(key=lambda c: (c[0], c[1], c[2]))
        priority, _, _, area, issue = candidates[0]
        parties = {
            PAYER: "the payer stays locked",
            PAYEE: "the payee stays locked",
            BOTH: "payee and payer stay locked",
            EITHER: "payee and/or payer stay locked",
        }
        return Decision.yes(
            f"{area.name} retains ownership (priority {priority} of the CMA-1.5 order; "
            f"{parties.get(area.retains_parties, area.retains_parties)}).",
            "CMA-1.5",
            outcome="retained",
            area=area.code,
            priority=priority,
            issue_id=issue.id,
            issue_type=issue.type_code,
            retaining_areas=sorted({c[3].code for c in candidates}, key=lambda code: areas[code].retention_priority),
            roles=sorted(roles),
        )
    first = specialised[0]
    code = _first_specialised_area(first, areas)
    name = areas[code].name if code in areas else code
    return Decision.yes(
        f"No retaining area applies: locked to {name}, where the first specialised issue "
        f"({first.type_code}) was received.",
        "CMA-1.5",
        outcome="first_specialised",
        area=code,
        issue_id=first.id,
        issue_type=first.type_code,
        roles=sorted(roles),
    )


def issue_handling(
    *,
    issues: Sequence[IssueFact],
    point_of_entry: str,
    locked_area: AreaFact | None,
    areas: Mapping[str, AreaFact] | None = None,
) -> list[Decision]:
    """CMA-1.2 (and CMA-1.4): who handles each outstanding presenting issue.

    - several specialised issues (in more than one area) → collaborative management (CMA-1.4), the common ones at
      the owning specialist area if locked to one, else at the point of entry;
    - customer locked to a specialist area → that area handles all issues, including Minimum Collection Activity;
    - not locked to a specialist area → common issues at the point of entry (incl. MCA), specialised issues
      referred to their specialist area once the common ones are progressed as far as possible;
    - only common issues → the owning area (the lock's area, else where the customer presents).
    """
    outstanding = [i for i in issues if i.outstanding]
    specialised_areas = {i.handling_area for i in outstanding if i.is_specialised}
    collaborative = len(specialised_areas) > 1
    locked_specialist = locked_area is not None and locked_area.is_specialised
    decisions = []
    for issue in outstanding:
        if collaborative and issue.is_specialised:
            decisions.append(
                Decision.yes(
                    "Several specialised issues: collaborative customer management between the specialist areas; "
                    "ownership follows CMA-1.5.",
                    "CMA-1.2",
                    "CMA-1.4",
                    outcome="collaborative",
                    issue_id=issue.id,
                    issue_type=issue.type_code,
                    handled_by=issue.handling_area,
                    specialist_areas=sorted(specialised_areas),
                )
            )
        elif locked_specialist:
            decisions.append(
                Decision.yes(
                    f"Locked to the specialist area {locked_area.name}: it manages all issues, including Minimum "
                    "Collection Activity.",
                    "CMA-1.2",
                    outcome="specialist_area",
                    issue_id=issue.id,
                    issue_type=issue.type_code,
                    handled_by=locked_area.code,
                    includes_mca=True,
                )
            )
        elif issue.is_specialised:
            if issue.handling_area == point_of_entry:
                decisions.append(
                    Decision.yes(
                        "Specialised issue received by its own specialist area: handled here.",
                        "CMA-1.2",
                        outcome="specialist_area",
                        issue_id=issue.id,
                        issue_type=issue.type_code,
                        handled_by=issue.handling_area,
                    )
                )
            else:
                decisions.append(
                    Decision.yes(
                        "Not locked to a specialist area: refer this specialised issue to its specialist area once "
                        "the common issues are progressed as far as possible in real time.",
                        "CMA-1.2",
                        outcome="referral",
                        issue_id=issue.id,
                        issue_type=issue.type_code,
                        handled_by=issue.handling_area,
                        refer_after_common=bool([i for i in outstanding if not i.is_specialised]),
                    )
                )
        elif specialised_areas:
            decisions.append(
                Decision.yes(
                    "Common issue with a specialised one, customer not locked to a specialist area: handled at the "
                    "point of entry, including Minimum Collection Activity.",
                    "CMA-1.2",
                    outcome="point_of_entry",
                    issue_id=issue.id,
                    issue_type=issue.type_code,
                    handled_by=point_of_entry,
                    includes_mca=True,
                )
            )
        else:
            owning = locked_area.code if locked_area is not None else point_of_entry
            decisions.append(
                Decision.yes(
                    "Common issues: managed by the owning business area (generally where the customer first "
                    "presents).",
                    "CMA-1.2",
                    outcome="owning_area",
                    issue_id=issue.id,
                    issue_type=issue.type_code,
                    handled_by=owning,
                )
            )
    return decisions


def lock_decision(
    *,
    current: HolderFact | None,
    target: HolderFact,
    actor_officer_id: int | None,
    actor_is_team_leader: bool,
    rule_owner_area: str | None,
    error_previous_officer_ids: frozenset[int] = frozenset(),
    actor_area: str | None = None,
    actor_tl_areas: frozenset[str] = frozenset(),
    agreed_area: str | None = None,
) -> Decision:
    """CMA-2.10 / CMA-1.5 / CMA-1.3: may ``target`` take the lock now?

    ``outcome``: ``lock`` (nobody holds it), ``already`` (the target holds it already), ``priority`` (the target's
    area owns the customer under CMA-1.5 and the holder's does not: the lock moves), ``conflict`` (held by someone
    else), ``refused`` (not permitted), ``agreed`` (the rules name the target's area but the holder's ownership was
    agreed or decided under CMA-1.6: the rules do not undo it), ``not_permitted`` (the rules' move asked by an
    officer of neither area concerned).

    The ``priority`` move is the CMA-1.5 rules applied again (the same checks as ``apply_rules_decision``): made by
    an officer or a Team Leader of an area concerned (``actor_area`` / ``actor_tl_areas``: the rules' owning area or
    the holder's), never over a CMA-1.6 agreement (``agreed_area``). Review 11, finding 1.
    """
    if target.officer_id is not None and target.officer_id in error_previous_officer_ids:
        return Decision.no(
            "An error by this officer is being corrected: the customer is not locked back to the previous officer.",
            "CMA-1.3",
            outcome="refused",
        )
    if target.officer_id is not None and target.officer_id != actor_officer_id and not actor_is_team_leader:
        return Decision.no(
            "Only a Team Leader may lock a customer to another officer; lock to yourself or to a position.",
            "CMA-2.10",
            outcome="refused",
        )
    if current is None:
        return Decision.yes("The customer is not locked: lock to make the decision.", "CMA-2.10", outcome="lock")
    same = (
        current.officer_id == target.officer_id
        if target.officer_id is not None
        else (current.officer_id is None and current.position_id == target.position_id)
    )
    if same:
        return Decision.yes("Already locked to this holder.", "CMA-2.10", outcome="already")
    if rule_owner_area is not None and target.area == rule_owner_area and current.area != rule_owner_area:
        if agreed_area is not None and current.area == agreed_area:
            return Decision.no(
                f"Ownership by {current.label} was agreed between the areas (or decided by a Team Leader): the "
                "CMA-1.5 rules do not undo that agreement. Ask for a transfer by agreement, or raise an ownership "
                "dispute for a Team Leader to decide.",
                "CMA-1.6",
                "CMA-1.5",
                outcome="agreed",
                holder=current.label,
            )
        concerned = {rule_owner_area, current.area}
        if actor_area not in concerned and not (actor_tl_areas & concerned):
            return Decision.no(
                f"Locked to {current.label}: only an officer or a Team Leader of {rule_owner_area} (the owner under "
                f"the CMA-1.5 priority order) or of {current.area} moves the lock by the rules. Refer the follow-up "
                "to them instead.",
                "CMA-1.5",
                "CMA-1.6",
                outcome="not_permitted",
                holder=current.label,
            )
        return Decision.yes(
            f"Ownership moves to {target.area}: it owns this customer under the CMA-1.5 priority order "
            f"(held by {current.label}).",
            "CMA-1.5",
            "CMA-2.10",
            outcome="priority",
            previous=current.label,
        )
    return Decision.no(
        f"Already locked to {current.label}: refer the follow-up to them, or take the lock over with a reason.",
        "CMA-2.10",
        outcome="conflict",
        holder=current.label,
    )


def take_over_decision(
    *,
    current: HolderFact | None,
    actor_officer_id: int | None,
    actor_area: str | None,
    actor_tl_areas: frozenset[str] = frozenset(),
    rule_owner_area: str | None,
    agreed_area: str | None = None,
    ps_record_active: bool = False,
) -> Decision:
    """CMA-2.10: lock the customer to yourself (notifying the other officer) where that gives a better outcome.

    A lock held by a specialist area can only be taken over from within that area (or by a Team Leader **of that
    area**, CMA-1.6: the areas concerned), unless the actor's area owns the customer under CMA-1.5; otherwise
    ownership moves by agreement (CMA-1.6). ``actor_tl_areas``: the areas the actor leads as a Team Leader.

    Review 11, finding 2: never over a CMA-1.6 agreement or Team Leader decision (``agreed_area``: the holder's
    area was agreed; only its own officers take over within it), and never for a customer with an active Personalised
    Services record (``ps_record_active``): such a customer moves between Case Managers only by an approved
    reallocation (PS-REV-2, PS-REV-3) and leaves PS only by an approved finalisation (PS-FIN-3, PS-ACT-5).
    """
    if current is None:
        return Decision.no("The customer is not locked: lock them instead of taking over.", "CMA-2.10",
                           outcome="not_locked")
    if current.officer_id is not None and current.officer_id == actor_officer_id:
        return Decision.no("You already hold this lock.", "CMA-2.10", outcome="already")
    if ps_record_active:
        return Decision.no(
            "This customer is managed by Personalised Services: the lock is not taken over. They move to another "
            "Case Manager only by a reallocation request the PS Team Leaders approve, and leave PS only when the PS "
            "Team Leader approves the Case Manager's finalisation request; refer the follow-up to the Case Manager.",
            "CMA-2.10",
            "PS-REV-2",
            "PS-REV-3",
            "PS-FIN-3",
            outcome="ps_managed",
            holder=current.label,
        )
    if agreed_area is not None and current.area == agreed_area and actor_area != agreed_area:
        return Decision.no(
            f"Ownership by {current.label} was agreed between the areas (or decided by a Team Leader): it is not "
            "taken over. Ask for a transfer by agreement, or raise an ownership dispute for a Team Leader to decide.",
            "CMA-2.10",
            "CMA-1.6",
            outcome="agreed",
            holder=current.label,
        )
    if (
        current.is_specialised
        and current.area != actor_area
        and current.area not in actor_tl_areas
        and rule_owner_area != actor_area
    ):
        return Decision.no(
            f"Locked to the specialist area {current.label}: ownership between specialised areas moves by "
            "agreement (or a decision of a Team Leader of the areas concerned), not by take-over; refer the "
            "follow-up instead.",
            "CMA-2.10",
            "CMA-1.6",
            outcome="refused",
            holder=current.label,
        )
    return Decision.yes(
        f"Take over the lock from {current.label}; they are notified by an intray.",
        "CMA-2.10",
        outcome="take_over",
        previous=current.label,
    )


def both_parents_manager(*, holders: Sequence[HolderFact | None]) -> Decision:
    """CMA-2.10: both parents need locking for the same issue.

    One locked to a specialist area → that area manages the issue; more than one specialist area → collaborative
    management (CMA-1.4); none → the officer locks both.
    """
    specialist = sorted({h.area for h in holders if h is not None and h.is_specialised})
    if len(specialist) > 1:
        return Decision.yes(
            "The parents are locked to different specialist areas: collaborative customer management.",
            "CMA-2.10",
            "CMA-1.4",
            outcome="collaborative",
            areas=specialist,
        )
    if len(specialist) == 1:
        return Decision.yes(
            f"One parent is locked to the specialist area {specialist[0]}: that area manages the issue.",
            "CMA-2.10",
            outcome="specialist_area",
            area=specialist[0],
        )
    return Decision.yes(
        "Neither parent is locked to a specialist area: lock both to make the decision.",
        "CMA-2.10",
        outcome="lock_both",
    )


def error_handling(
    *, resolvable_in_real_time: bool, current: HolderFact | None, actor_officer_id: int | None,
    actor_area: str | None = None,
) -> Decision:
    """CMA-1.3: an error identified. ``outcome``: ``resolve`` / ``refer`` / ``lock``.

    Locked to another officer, or to a position of a specialist area the identifying officer does not belong to →
    refer the follow-up to the holder (the specialist lock is never taken by recording an error)."""
    if resolvable_in_real_time:
        return Decision.yes("Resolve the error in real time.", "CMA-1.3", outcome="resolve")
    if current is not None and current.officer_id is not None and current.officer_id != actor_officer_id:
        return Decision.yes(
            f"Locked to {current.label}: take all information and refer the follow-up to the locked officer.",
            "CMA-1.3",
            outcome="refer",
        )
    if current is not None and current.officer_id is None and current.is_specialised and current.area != actor_area:
        return Decision.yes(
            f"Locked to the specialist area {current.label}: take all information and refer the follow-up to "
            "that position; its lock is not taken.",
            "CMA-1.3",
            outcome="refer",
        )
    return Decision.yes(
        "Not locked to another officer: the identifying officer locks the customer and manages all outstanding "
        "issues including the error correction; the customer is not locked back to the previous officer.",
        "CMA-1.3",
        outcome="lock",
    )


def unlock_decision(*, decision_explained: bool, owner_after: Decision, current_area: str | None) -> Decision:
    """CMA-3.3 / CMA-3.4: what happens when the officer finalises and unlocks.

    ``owner_after`` is ``determine_owner`` over the issues still outstanding. ``outcome``: ``schedule`` (not
    explained: a decision letter for every impacted customer, then an automatic unlock), ``relock`` (another
    specialised issue is outstanding: lock to the officer managing it), ``unlock``.
    """
    if not decision_explained:
        return Decision.no(
            "The decision was not explained: confirm a decision letter went to every impacted customer and "
            "schedule the automatic unlock.",
            "CMA-3.4",
            outcome="schedule",
        )
    if owner_after.allowed and owner_after.facts.get("area"):
        return Decision.yes(
            f"Other specialised issues are outstanding: lock to the officer managing them ({owner_after.reason})",
            "CMA-3.3",
            "CMA-1.5",
            outcome="relock",
            area=owner_after.facts["area"],
        )
    return Decision.yes(
        "Decision explained and no specialised issue outstanding: unlocked by the ownership rules.",
        "CMA-3.4",
        "CMA-1.5",
        outcome="unlock",
    )


def auto_unlock_waiting_period(*, hours: int, configured_hours: int) -> Decision:
    """CMA-3.4: the automatic unlock comes "after a period that lets customers call to discuss" the decision letter:
    at least the agency's configured period (``AUTO_UNLOCK_AFTER_HOURS``). An officer may give a longer one, never a
    shorter one (a customer who calls and has it explained is unlocked at once, without waiting)."""
    if hours < configured_hours:
        return Decision.no(
            f"The automatic unlock waits at least {configured_hours} hours after the decision letters, so that "
            "customers can call about them.", "CMA-3.4", outcome="too_short", minimum=configured_hours)
    return Decision.yes(f"Unlocks automatically {hours} hours after the latest decision letter.", "CMA-3.4",
                        outcome="ok", hours=hours)


def decision_letters_of_this_lock(
    letters: Sequence[tuple[int, dt.datetime]], *, lock_started_at: dt.datetime
) -> frozenset[int]:
    """CMA-3.4: the customers who have a decision letter about THIS decision — the letters ``(customer_id,
    issued_at)`` issued while the lock being ended is held (on or after it started). A decision letter from before
    the lock is about an earlier decision and does not let the lock be unlocked automatically."""
    return frozenset(customer_id for customer_id, issued_at in letters if issued_at >= lock_started_at)


def auto_unlock_letters_decision(
    *, impacted_customer_ids: frozenset[int], lettered_customer_ids: frozenset[int], contact_attempted: bool
) -> Decision:
    """CMA-3.4: an automatic unlock needs contact attempts and a decision letter for every impacted customer."""
    if not contact_attempted:
        return Decision.no(
            "Make appropriate contact attempts before scheduling an automatic unlock.", "CMA-3.4", outcome="refused"
        )
    missing = sorted(impacted_customer_ids - lettered_customer_ids)
    if missing:
        return Decision.no(
            "A decision letter must be recorded for every impacted customer before the automatic unlock.",
            "CMA-3.4",
            outcome="refused",
            missing_customer_ids=missing,
        )
    return Decision.yes("Decision letters recorded for every impacted customer.", "CMA-3.4", outcome="schedule")


def transfer_decision(*, current: HolderFact | None, to_area: AreaFact, actor_area: str | None,
                      actor_tl_areas: frozenset[str] = frozenset()) -> Decision:
    """CMA-1.6: ownership moves between specialised areas by agreement."""
    if current is None:
        return Decision.no("The customer is not locked: there is no ownership to transfer.", "CMA-1.6",
                           outcome="refused")
    if not current.is_specialised or not to_area.is_specialised:
        return Decision.no(
            "Ownership is transferred by agreement only between specialised areas.", "CMA-1.6", outcome="refused"
        )
    if current.area == to_area.code:
        return Decision.no("The customer is already owned by that area.", "CMA-1.6", outcome="refused")
    if actor_area not in (current.area, to_area.code) and not (actor_tl_areas & {current.area, to_area.code}):
        return Decision.no(
            "Only an officer (or a Team Leader) of one of the two areas concerned can record their agreement.",
            "CMA-1.6",
            outcome="refused",
        )
    return Decision.yes(
        "Transfer by agreement between the specialised areas (contact volume and time to resolve considered).",
        "CMA-1.6",
        outcome="transfer",
    )


def specialist_action_allowed(
    *, owner_is_ps: bool, actor_is_ps: bool, consultation_recorded: bool
) -> Decision:
    """PS-SPE-1: a specialist action on a customer owned by Personalised Services needs a consultation with the PS
    Case Manager first (PS officers coordinate themselves)."""
    if not owner_is_ps:
        return Decision.yes("Not managed by Personalised Services.", "PS-SPE-1", outcome="not_ps")
    if actor_is_ps:
        return Decision.yes("Personalised Services coordinates this customer.", "PS-SPE-1", "CMA-1.7",
                            outcome="ps_officer")
    if consultation_recorded:
        return Decision.yes("The PS Case Manager was consulted.", "PS-SPE-1", "PS-SPE-2", outcome="consulted")
    return Decision.no(
        "This customer is managed by Personalised Services: contact the PS Case Manager first and record the "
        "consultation before any specialist action.",
        "PS-SPE-1",
        outcome="consult_first",
    )


# ---------------------------------------------------------------- CMA-3.4 readiness (one check for every unlock path)


@dataclass(frozen=True)
class UnlockReadinessFacts:
    """Everything CMA-3.4 (with CMA-3.1/3.2, CMA-2.1 and PS-FIN/PS-ACT-5) looks at before a customer is unlocked.

    ``decision_explained`` and ``contact_attempted`` are what the officer stated explicitly (never defaulted);
    ``letters_missing_for`` is ``None`` when no decision letters are offered (unlock now) and otherwise names the
    impacted customers without a recorded decision letter (``()``: every impacted customer has one)."""

    decision_explained: bool
    contact_attempted: bool
    open_issues_in_scope: tuple[str, ...] = ()
    mca_required: bool = False
    mca_done: bool = False
    letters_missing_for: tuple[str, ...] | None = None
    ps_record_active: bool = False
    ps_finalisation_approved: bool = False


def unlock_readiness(facts: UnlockReadinessFacts) -> Decision:
    """CMA-3.4: may the customer be unlocked now (``outcome="unlock"``) or automatically after decision letters
    (``outcome="auto_unlock"``)? Otherwise ``refused`` naming every missing item (``facts["missing"]``).

    - a customer with an active Personalised Services record leaves PS only through an approved PS finalisation
      (PS-FIN-3, PS-ACT-5), whose own readiness (PS-FIN-1) was checked when it was approved;
    - Minimum Collection Activity documented where the customer's record requires it (CMA-2.1, CMA-3.1);
    - every presenting issue in scope (the holding area's, and the common ones) finalised (CMA-3.1, CMA-3.2);
    - the decision explained to every impacted customer → unlock by the ownership rules; otherwise appropriate contact
      attempts made AND a decision letter recorded for every impacted customer → automatic unlock (CMA-3.4).
    """
    if facts.ps_finalisation_approved:
        return Decision.yes(
            "Personalised Services finalisation approved: the customer leaves PS and is unlocked by the ownership "
            "rules.",
            "PS-ACT-5",
            "CMA-3.4",
            outcome="unlock",
            missing=[],
        )
    if facts.ps_record_active:
        return Decision.no(
            "This customer is managed by Personalised Services: they leave PS (unlock, transfer or the ownership "
            "rules) only when the PS Team Leader approves the Case Manager's finalisation request.",
            "PS-FIN-3",
            "PS-ACT-5",
            outcome="refused",
            missing=["PS finalisation not approved"],
        )
    missing: list[str] = []
    steps: list[str] = []
    if facts.mca_required and not facts.mca_done:
        missing.append("Minimum Collection Activity not documented")
        steps += ["CMA-2.1", "CMA-3.1"]
    if facts.open_issues_in_scope:
        missing += [f"Presenting issue not finalised: {name}" for name in facts.open_issues_in_scope]
        steps += ["CMA-3.1", "CMA-3.2"]
    outcome = "unlock"
    if not facts.decision_explained:
        outcome = "auto_unlock"
        if not facts.contact_attempted:
            missing.append("Decision not explained and no contact attempts made")
            steps.append("CMA-3.4")
        if facts.letters_missing_for is None:
            missing.append("Decision not explained: a decision letter to every impacted customer, then the "
                           "automatic unlock")
            steps.append("CMA-3.4")
        elif facts.letters_missing_for:
            missing += [f"No decision letter for: {name}" for name in facts.letters_missing_for]
            steps.append("CMA-3.4")
    if missing:
        return Decision.no(
            "Not ready to unlock: " + "; ".join(missing) + ".",
            *dict.fromkeys([*steps, "CMA-3.4"]),
            outcome="refused",
            missing=missing,
        )
    if outcome == "unlock":
        return Decision.yes("Decision explained and the work in scope finalised: unlock by the ownership rules.",
                            "CMA-3.4", outcome="unlock", missing=[])
    return Decision.yes(
        "Contact attempted and a decision letter recorded for every impacted customer: automatic unlock after the "
        "waiting period.",
        "CMA-3.4",
        outcome="auto_unlock",
        missing=[],
    )


# ---------------------------------------------------------------- effective lock (ownership and routing agree)


def lock_in_effect(
    *, locked: bool, auto_unlock_due_at: dt.datetime | None, now: dt.datetime, auto_unlock_ready: bool
) -> Decision:
    """CMA-3.4 / CMA-1.1: is the customer's lock in effect now? ONE rule read by ownership, routing and the panel.

    A scheduled automatic unlock whose time has come counts as done (correct when read, before the job materialises
    it) only while the CMA-3.4 readiness still holds (``auto_unlock_ready``: the same ``unlock_readiness`` the job
    re-checks); if it no longer holds, the lock stays in effect and the job will refuse the automatic unlock.
    ``outcome``: ``locked`` / ``auto_unlocked`` / ``not_locked``."""
    if not locked:
        return Decision.no("Not locked.", "CMA-1.1", outcome="not_locked")
    if auto_unlock_due_at is not None and auto_unlock_due_at <= now and auto_unlock_ready:
        return Decision.no("Unlocked automatically: the waiting period after the decision letters has passed.",
                           "CMA-3.4", outcome="auto_unlocked")
    return Decision.yes("Locked.", "CMA-2.10", outcome="locked")


# ---------------------------------------------------------------- CMA-1.5 again / CMA-1.6 who decides


def apply_rules_decision(
    *,
    current: HolderFact | None,
    rule_owner_area: str | None,
    actor_area: str | None,
    actor_tl_areas: frozenset[str],
    agreed_area: str | None,
) -> Decision:
    """CMA-1.5 applied again, by an officer or Team Leader of the owning area (CMA-1.5, CMA-1.6).

    ``outcome``: ``no_change`` (the rules name no other area), ``move`` (the lock moves to the rules' area),
    ``not_permitted`` (not the owning area's officer or Team Leader), ``agreed`` (the current owner was agreed
    between the areas or decided by a Team Leader, CMA-1.6, which the rules do not undo). ``agreed_area``: the area the current lock was
    given to by a recorded agreement or Team Leader decision.
    """
    owning = current.area if current is not None else rule_owner_area
    if owning is not None and actor_area != owning and owning not in actor_tl_areas:
        return Decision.no(
            f"Only an officer or a Team Leader of the owning area ({owning}) applies the ownership rules again.",
            "CMA-1.5",
            "CMA-1.6",
            outcome="not_permitted",
        )
    if not rule_owner_area or (current is not None and current.area == rule_owner_area):
        return Decision.yes("The ownership rules name no other owner.", "CMA-1.5", outcome="no_change")
    if current is not None and agreed_area is not None and current.area == agreed_area:
        return Decision.no(
            f"Ownership by {current.label} was agreed between the areas (or decided by a Team Leader): the rules do "
            "not undo that agreement; transfer it by a new agreement or escalate instead.",
            "CMA-1.6",
            outcome="agreed",
        )
    return Decision.yes("The CMA-1.5 priority order names another owning area: the lock moves.", "CMA-1.5",
                        outcome="move", area=rule_owner_area)


def dispute_decider_decision(*, from_area: str, to_area: str, actor_tl_areas: frozenset[str],
                             actor_is_raiser: bool = False) -> Decision:
    """CMA-1.6: an ownership dispute is decided only by a Team Leader of one of the areas concerned, and never by
    the officer who raised it (the escalation goes to someone else: no approval is decided by its requester)."""
    if actor_is_raiser:
        return Decision.no(
            "You raised this ownership dispute: another Team Leader of the areas concerned decides it.",
            "CMA-1.6",
            outcome="own_request",
        )
    if actor_tl_areas & {from_area, to_area}:
        return Decision.yes("Team Leader of an area concerned.", "CMA-1.6", outcome="decide")
    return Decision.no(
        f"Only a Team Leader of the areas concerned ({from_area} or {to_area}) decides this ownership dispute.",
        "CMA-1.6",
        outcome="refused",
    )


# ---------------------------------------------------------------- scope of a presenting issue (i10)

ISSUE_ADD, ISSUE_CLOSE = "add", "close"
REFERRED = "referred"


@dataclass(frozen=True)
class ActorFact:
    """The officer changing an issue: their officer/position, business area and whether they are PS."""

    officer_id: int | None
    position_id: int | None = None
    area: str | None = None
    area_kind: str | None = None
    is_ps: bool = False
    is_system: bool = False  # scheduled work running as the job


def issue_change_scope(
    *,
    action: str,
    issue: IssueFact,
    status: str,
    actor: ActorFact,
    handling: Decision | None,
    holder: HolderFact | None,
    ps_owned: bool,
    consulted_case_manager: bool,
    via_ps: bool,
) -> Decision:
    """Who may add or close (finalise, withdraw, refer) a presenting issue. One rule for every path.

    - PS customer (locked to Personalised Services): issues move only through PS (finalisation approval, PS-ACT-5),
      or by a specialist of the issue's area after a recorded consultation with the customer's Case Manager
      (PS-SPE-1). A PS officer closing on a generic path is sent to the PS service. Recording a *common* issue at
      the point of entry stays open to everyone (CMA-1.2), PS officers record any issue (PS-RES-3); a specialist
      opening a specialised one needs the consultation.
    - Otherwise (CMA-1.2, CMA-1.4, CMA-3.2) an issue is closed by: the officer or position the customer is locked
      to; under collaborative management, the specialist area of that issue (its own issues only); the area that
      handles it (CMA-1.2); anyone at the point of entry for a common issue when the customer is not locked to a
      specialist area; and a specialised issue may be *referred* to its area by an officer of another area (the
      point of entry), also under collaborative management or a specialist lock: routing, not a decision.
    ``handling`` is ``issue_handling``'s decision for this issue with the actor's area as the point of entry.
    """
    if actor.officer_id is None and not actor.is_system:
        return Decision.no("Only an officer may change a presenting issue.", "CMA-3.2", outcome="no_officer")
    if actor.is_system:
        return Decision.yes("Scheduled work running under the job.", "CMA-3.2", outcome="system")
    if ps_owned:
        if via_ps:
            return Decision.yes("Through Personalised Services.", "PS-ACT-5", "CMA-1.7", outcome="through_ps")
        if action == ISSUE_ADD and not issue.is_specialised:
            return Decision.yes("Common issue recorded at the point of entry; Personalised Services coordinates it.",
                                "CMA-1.2", "CMA-1.7", outcome="point_of_entry")
        if action == ISSUE_ADD and actor.is_ps:
            return Decision.yes("Personalised Services records the issue and coordinates it with the specialist area.",
                                "PS-RES-3", "CMA-1.7", outcome="ps_records")
        if actor.is_ps:
            return Decision.no(
                "This customer is managed by Personalised Services: change their issues through the PS record "
                "(finalisation request and Team Leader approval), not here.",
                "PS-ACT-5", "PS-FIN-2", outcome="use_ps",
            )
        if actor.area_kind == SPECIALISED and actor.area == issue.handling_area and consulted_case_manager:
            return Decision.yes("The customer's PS Case Manager was consulted about this specialist action.",
                                "PS-SPE-1", "PS-SPE-2", outcome="consulted")
        if actor.area_kind == SPECIALISED and actor.area == issue.handling_area:
            return Decision.no(
                "This customer is managed by Personalised Services: consult their Case Manager and record the "
                "consultation before any action on this issue.",
                "PS-SPE-1", outcome="consult_first",
            )
        return Decision.no(
            "This customer is managed by Personalised Services: only Personalised Services, or the specialist area "
            "of this issue after consulting the Case Manager, may change it.",
            "PS-SPE-1", "CMA-1.7", outcome="not_yours",
        )
    if action == ISSUE_ADD:
        return Decision.yes("Presenting issues are recorded at the point of entry.", "CMA-1.2",
                            outcome="point_of_entry")
    if holder is not None and (
        (holder.officer_id is not None and holder.officer_id == actor.officer_id)
        or (holder.officer_id is None and holder.position_id is not None and holder.position_id == actor.position_id)
    ):
        return Decision.yes(f"The customer is locked to you ({holder.label or holder.area}).", "CMA-1.2",
                            "CMA-2.10", outcome="holder")
    outcome = handling.outcome if handling is not None else None
    handled_by = handling.facts.get("handled_by") if handling is not None else issue.handling_area
    if (status == REFERRED and issue.is_specialised and actor.area != issue.handling_area
            and outcome in ("referral", "collaborative", "specialist_area")):
        # Issue 11: referring is routing, not deciding: the point of entry hands a specialised issue to its area
        # (CMA-1.2), also under collaborative management (CMA-1.4), with an intray in that area's queue.
        return Decision.yes("Referred to its specialist area from the point of entry.", "CMA-1.2",
                            outcome="refer")
    if outcome == "collaborative":
        if actor.area == issue.handling_area:
            return Decision.yes("Collaborative management: your area's own specialised issue.", "CMA-1.4",
                                "CMA-3.2", outcome="collaborative_own")
        return Decision.no(
            f"Collaborative management: this issue belongs to {issue.handling_area}; only its officers (or the "
            "officer the customer is locked to) finalise it.",
            "CMA-1.4", "CMA-3.2", outcome="collaborative_other",
        )
    if actor.area is not None and actor.area == handled_by:
        return Decision.yes("Your business area handles this issue.", "CMA-1.2", "CMA-3.2", outcome="handling_area")
    if not issue.is_specialised and (holder is None or not holder.is_specialised):
        return Decision.yes("Common issue managed at the point of entry.", "CMA-1.2", outcome="point_of_entry")
    return Decision.no(
        f"This {issue.type_code} issue is handled by {handled_by}: only its officers, or the officer or position "
        "the customer is locked to, may finalise it.",
        "CMA-3.2", "CMA-1.2", outcome="out_of_scope",
    )

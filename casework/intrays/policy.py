"""Pure rules of the intray life cycle. Plain data in, ``Decision`` out, each naming its procedure step(s)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from casework.core.policy import Decision
from casework.org.roles import CASEWORK_ROLES, TEAM_LEADER_ROLES

OPEN = "open"
IN_PROGRESS = "in_progress"
DONE = "done"
DELETED = "deleted"
OPEN_STATUSES = frozenset({OPEN, IN_PROGRESS})

# Which steps each type implements (also stored on the type row as data).
TYPE_STEPS = {
    "correspondence_received": ("CMA-1.1", "CMA-3.5"),
    "client_contact_required": ("CMA-2.10",),
    "crg_referral_to_ps": ("PS-REF-1", "PS-REF-2"),
    "ps_referral_tl_only": ("PS-REF-1", "PS-REF-2"),
    "complaints_referral_to_ps": ("PS-REF-1", "PS-REF-2"),
    "customer_assigned_to_ps": ("PS-REV-3", "PS-REF-2"),
    "client_call_back": ("PS-CON-5",),
    "estimate_review_required": ("PS-CON-5",),
    "general_follow_up": ("PS-CON-5",),
    "lock_taken_over": ("CMA-2.10",),
    "ownership_dispute": ("CMA-1.5",),
    "sla_breach": ("CMA-2.10",),
    "specialised_referral": ("CMA-1.2", "CMA-3.3"),
    "collaborative_management": ("CMA-1.4", "CMA-1.5"),
}

# Intrays that carry a request for a decision (issue 11): closed by the decision, never completed or deleted by hand.
DECISION_TYPES = frozenset({"approval_decision"})

# Intrays only a procedure creates, never an officer by hand (issue 11): each is the work a service hands on, with the
# records that go with it (a PS referral with its Referral and PS-REF-1 checks, a decision intray with its request, a
# notice of a lock change, an SLA breach). The value says where it comes from, in the officer's words.
SERVICE_ONLY_TYPES: dict[str, str] = {
    "approval_decision": "a request for approval (Approvals)",
    "crg_referral_to_ps": "a referral to Personalised Services (PS-REF-1)",
    "ps_referral_tl_only": "a referral to Personalised Services (PS-REF-1)",
    "complaints_referral_to_ps": "a referral to Personalised Services (PS-REF-1)",
    "customer_assigned_to_ps": "a PS allocation or reallocation (PS-REF-2, PS-REV-3)",
    "ps_finalisation_not_approved": "a PS Team Leader's decision on a finalisation (PS-ACT-3)",
    "specialised_referral": "the end of a contact or a re-lock (CMA-1.2, CMA-3.3)",
    "collaborative_management": "collaborative management of the customer (CMA-1.4)",
    "lock_taken_over": "a change of the customer's lock (CMA-2.10)",
    "sla_breach": "the service-level check (CMA-2.10)",
    "ownership_dispute": "an ownership dispute (CMA-1.6), now a request for approval",
}


@dataclass(frozen=True)
class TypeFacts:
    code: str
    name: str
    sla_working_days: int | None = None
    creator_roles: tuple[str, ...] = ()
    receiver_roles: tuple[str, ...] = ()
    receiver_areas: tuple[str, ...] = ()
    closer_roles: tuple[str, ...] = ()
    is_correspondence: bool = False
    is_active: bool = True
    step_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActorFacts:
    role: str = ""  # empty: not an active officer
    officer_id: int | None = None
    position_id: int | None = None
    team_ids_led: frozenset[int] = frozenset()
    is_admin: bool = False


@dataclass(frozen=True)
class IntrayFacts:
    status: str
    type: TypeFacts
    assignee_officer_id: int | None = None
    assignee_position_id: int | None = None
    team_id: int | None = None
    unaddressed_matters: tuple[str, ...] = ()  # descriptions of matters raised and not yet addressed


@dataclass(frozen=True)
class ReceiverFacts:
    is_officer: bool
    role: str = ""
    area_code: str = ""
    is_active: bool = True


def _steps(t: TypeFacts, *extra: str) -> tuple[str, ...]:
    base = tuple(t.step_ids) or TYPE_STEPS.get(t.code, ())
    return tuple(dict.fromkeys((*base, *extra)))


def assignee_given(*, has_officer: bool, has_position: bool) -> Decision:
    """An intray goes to exactly one owner: an officer or a position (CMA-2.10: refer to the officer or the
    relevant position of the owning business area)."""
    if has_officer and has_position:
        return Decision.no("Assign the intray to an officer or to a position, not both.", "CMA-2.10")
    if not has_officer and not has_position:
        return Decision.no("Assign the intray to an officer or to a position.", "CMA-2.10")
    return Decision.yes("One owner.", "CMA-2.10")


def may_create(t: TypeFacts, actor: ActorFacts) -> Decision:
    """Who may create an intray of this type. PS Referral (TL only) needs a Team Leader (PS-REF-1)."""
    if not t.is_active:
        return Decision.no(f"The intray type '{t.name}' is no longer in use.", *_steps(t))
    if actor.role not in CASEWORK_ROLES:  # Administrators manage reference data only (docs/security.md)
        return Decision.no("Only caseworking officers may create intrays.", *_steps(t))
    if t.creator_roles and actor.role not in t.creator_roles:
        if t.code == "ps_referral_tl_only":
            return Decision.no("Only a Team Leader may create a PS Referral (TL only) intray.", "PS-REF-1")
        return Decision.no(f"Your role may not create a '{t.name}' intray.", *_steps(t))
    return Decision.yes(f"You may create a '{t.name}' intray.", *_steps(t))


def may_receive(t: TypeFacts, receiver: ReceiverFacts) -> Decision:
    """Who may receive this type: the type's receiving roles (officers) and business areas (officers and positions)."""
    if not receiver.is_active:
        return Decision.no("The receiving officer or position is not active.", *_steps(t))
    if receiver.is_officer and receiver.role not in CASEWORK_ROLES:
        return Decision.no("Intrays go to caseworking officers only.", *_steps(t))
    if receiver.is_officer and t.receiver_roles and receiver.role not in t.receiver_roles:
        return Decision.no(f"A '{t.name}' intray goes to a {' or '.join(_role_labels(t.receiver_roles))}.", *_steps(t))
    if t.receiver_areas and receiver.area_code not in t.receiver_areas:
        return Decision.no(
            f"A '{t.name}' intray goes to the {', '.join(t.receiver_areas)} business area.", *_steps(t)
        )
    return Decision.yes("The receiver may take this intray.", *_steps(t))


def _role_labels(roles: tuple[str, ...]) -> list[str]:
    from casework.org.roles import Role

    labels = dict(Role.choices)
    return [str(labels.get(r, r)) for r in roles]


def may_work(i: IntrayFacts, actor: ActorFacts) -> Decision:
    """The assignee, an officer in the assignee position, or the Team Leader of the intray's team may work it."""
    t = i.type
    if actor.role not in CASEWORK_ROLES:  # Administrators included: they never act as caseworkers
        return Decision.no("Only caseworking officers may work intrays.", *_steps(t))
    if i.assignee_officer_id is not None and i.assignee_officer_id == actor.officer_id:
        return Decision.yes("It is your intray.", *_steps(t))
    if i.assignee_position_id is not None and i.assignee_position_id == actor.position_id:
        return Decision.yes("It is your position's intray.", *_steps(t))
    if actor.role in TEAM_LEADER_ROLES and i.team_id is not None and i.team_id in actor.team_ids_led:
        return Decision.yes("You lead the team that holds it.", *_steps(t))
    return Decision.no("This intray belongs to another officer or position; ask them or their Team Leader.", *_steps(t))


def _closed(i: IntrayFacts) -> Decision | None:
    if i.status == DONE:
        return Decision.no("This intray is already done.", *_steps(i.type))
    if i.status == DELETED:
        return Decision.no("This intray has been deleted.", *_steps(i.type))
    return None


def may_start(i: IntrayFacts, actor: ActorFacts) -> Decision:
    refused = _closed(i)
    if refused:
        return refused
    if i.status == IN_PROGRESS:
        return Decision.no("This intray is already in progress.", *_steps(i.type))
    return may_work(i, actor)


def may_raise_by_hand(t: TypeFacts) -> Decision:
    """An officer creating an intray by hand (screen or API) may use any type a procedure does not own."""
    if t.code in SERVICE_ONLY_TYPES:
        return Decision.no(f"A '{t.name}' intray comes only from {SERVICE_ONLY_TYPES[t.code]}: use that instead of "
                           "creating it by hand.", *_steps(t))
    return Decision.yes("Any officer may raise this intray.", *_steps(t))


def may_close(i: IntrayFacts, actor: ActorFacts) -> Decision:
    """Completing or deleting: the worker, restricted to the type's closing roles (e.g. a Team Leader decides an
    ownership dispute)."""
    refused = _closed(i)
    if refused:
        return refused
    work = may_work(i, actor)
    if not work.allowed:
        return work
    t = i.type
    if t.code in DECISION_TYPES:
        return Decision.no("This intray closes when the request it carries is decided: decide (or withdraw) the "
                           "request from Approvals.", *_steps(t))
    if t.closer_roles and actor.role not in t.closer_roles:
        return Decision.no(f"Only a {' or '.join(_role_labels(t.closer_roles))} may close a '{t.name}' intray.", *_steps(t))
    return Decision.yes("You may close this intray.", *_steps(t))


def may_complete(i: IntrayFacts, actor: ActorFacts) -> Decision:
    """Completing correspondence means every matter it raised was addressed (CMA-1.1, CMA-3.5)."""
    decision = may_close(i, actor)
    if not decision.allowed:
        return decision
    if i.type.is_correspondence and i.unaddressed_matters:
        return Decision.no(
            "Address every matter this correspondence raised before completing it: "
            + "; ".join(i.unaddressed_matters),
            "CMA-1.1",
            "CMA-3.5",
            unaddressed=list(i.unaddressed_matters),
        )
    return decision


def may_delete(i: IntrayFacts, actor: ActorFacts, *, reason: str) -> Decision:
    """Deleting always needs a reason; correspondence is deleted only once every matter raised is addressed
    (CMA-1.1, CMA-3.5)."""
    decision = may_close(i, actor)
    if not decision.allowed:
        return decision
    if not reason.strip():
        return Decision.no("Give a reason for deleting the intray.", *_steps(i.type, "CMA-3.5"))
    if i.type.is_correspondence and i.unaddressed_matters:
        return Decision.no(
            "Correspondence received can only be deleted after every matter it raised is addressed: "
            + "; ".join(i.unaddressed_matters),
            "CMA-1.1",
            "CMA-3.5",
            unaddressed=list(i.unaddressed_matters),
        )
    return Decision.yes("The intray may be deleted.", *_steps(i.type))


def may_reassign(i: IntrayFacts, actor: ActorFacts, *, reason: str, same_assignee: bool) -> Decision:
    refused = _closed(i)
    if refused:
        return refused
    work = may_work(i, actor)
    if not work.allowed:
        return work
    if not reason.strip():
        return Decision.no("Give a reason for referring the intray.", *_steps(i.type))
    if same_assignee:
        return Decision.no("The intray is already with that officer or position.", *_steps(i.type))
    return Decision.yes("The intray may be referred.", *_steps(i.type))


def may_recategorise(i: IntrayFacts, actor: ActorFacts, *, current: str, new: str, reason: str) -> Decision:
    """Re-categorising correspondence needs a reason and is never silent (CMA-1.1, CMA-3.5)."""
    refused = _closed(i)
    if refused:
        return refused
    work = may_work(i, actor)
    if not work.allowed:
        return work
    if not i.type.is_correspondence:
        return Decision.no("Only correspondence has a category.", "CMA-1.1")
    if not reason.strip():
        return Decision.no("Give a reason for changing the category of the correspondence.", "CMA-1.1", "CMA-3.5")
    if current == new:
        return Decision.no("The correspondence already has that category.", "CMA-1.1")
    return Decision.yes("Category may change; the previous one stays in the history.", "CMA-1.1", "CMA-3.5")


# ---------------------------------------------------------------- referring one matter (CMA-3.5, CMA-2.10)

# CMA-3.5: "with multiple issues refer each to the relevant team"; CMA-2.10: follow-up work for another business area
# is a *Client Contact Required* intray (2 working days) with the follow-up needed, to the officer or the relevant
# position of the owning area. CMA-1.1: the correspondence closes only once every matter raised is dealt with.
MATTER_REFER_STEPS = ("CMA-1.1", "CMA-3.5", "CMA-2.10")
MATTER_REFERRAL_TYPE = "client_contact_required"
MATTER_OUTSTANDING = "outstanding"


def may_refer_matter(i: IntrayFacts, actor: ActorFacts, *, matter_status: str, has_receiver: bool,
                     same_receiver: bool, reason: str) -> Decision:
    """One matter of open correspondence may be referred to another team by whoever may work the correspondence:
    the matter still outstanding, a receiving officer or position other than the correspondence's own, a reason."""
    steps = MATTER_REFER_STEPS
    if not i.type.is_correspondence:
        return Decision.no("Only a matter raised by correspondence can be referred this way.", *steps)
    if i.status not in OPEN_STATUSES:
        return Decision.no("This correspondence intray is closed, so its matters can no longer be referred.", *steps)
    work = may_work(i, actor)
    if not work.allowed:
        return Decision.no(work.reason, *steps)
    if matter_status != MATTER_OUTSTANDING:
        return Decision.no(f"This matter is already {matter_status}; only an outstanding matter can be referred.",
                           *steps)
    if not has_receiver:
        return Decision.no("Choose the officer or position of the team the matter belongs to.", *steps,
                           field="to_officer")
    if same_receiver:
        return Decision.no("The matter would stay with the same officer or position: choose the other team's "
                           "officer or position.", *steps, field="to_officer")
    if not reason.strip():
        return Decision.no("Give a reason for referring the matter (what the other team needs to do).", *steps,
                           field="reason")
    return Decision.yes("The matter may be referred to the other team.", *steps)


@dataclass(frozen=True)
class Buckets:
    overdue: int = 0
    due_today: int = 0
    due_this_week: int = 0
    later: int = 0
    no_due_date: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.overdue + self.due_today + self.due_this_week + self.later + self.no_due_date


def week_end(today: dt.date) -> dt.date:
    """End of "this week": the coming Sunday (today if Sunday)."""
    return today + dt.timedelta(days=6 - today.weekday())


def bucket(due: dt.date | None, today: dt.date) -> str:
    """overdue (due before today) / due_today / due_this_week (by Sunday) / later / none."""
    if due is None:
        return "none"
    if due < today:
        return "overdue"
    if due == today:
        return "due_today"
    if due <= week_end(today):
        return "due_this_week"
    return "later"


def is_breached(*, status: str, due: dt.date | None, office_today: dt.date) -> bool:
    """An open intray breaches its service level once the office-local day is past its due date."""
    return status in OPEN_STATUSES and due is not None and due < office_today


# ---------------------------------------------------------------- received date (CMA-1.1)

RECEIVED_STEPS = ("CMA-1.1",)


def received_check(*, received_at: dt.datetime, now: dt.datetime, max_age_days: int) -> Decision:
    """CMA-1.1: record when the item was received. Not in the future; not more than ``max_age_days`` back (older items
    are keyed as received today with the real date in the notepad, or raised with a Team Leader). Aware datetimes."""
    if received_at > now:
        return Decision.no("The date and time received cannot be in the future.", *RECEIVED_STEPS,
                           outcome="future")
    if received_at < now - dt.timedelta(days=max_age_days):
        return Decision.no(f"The date received is more than {max_age_days} days ago.", *RECEIVED_STEPS,
                           outcome="too_old")
    return Decision.yes("Received date accepted.", *RECEIVED_STEPS)


def received_date_check(*, received_on: dt.date, office_today: dt.date, max_age_days: int) -> Decision:
    """The same rule for a date without a time, against the receiving office's local today."""
    if received_on > office_today:
        return Decision.no("The date received cannot be in the future.", *RECEIVED_STEPS, outcome="future")
    if received_on < office_today - dt.timedelta(days=max_age_days):
        return Decision.no(f"The date received is more than {max_age_days} days ago.", *RECEIVED_STEPS,
                           outcome="too_old")
    return Decision.yes("Received date accepted.", *RECEIVED_STEPS)


# ---------------------------------------------------------------- correcting what was recorded (issue 14, CMA-1.1)

# CMA-1.1: the date and time received is recorded, and the work is due by the type's working days from it. An officer
# who keyed a fact wrongly corrects it with a reason; the original stays readable as a correction row.
CORRECT_STEPS = ("CMA-1.1",)
CORRECTABLE_FIELDS = ("subject", "details", "received_at", "case")


def may_correct(i: IntrayFacts, actor: ActorFacts, *, changed: tuple[str, ...], reason: str) -> Decision:
    """Whoever may work an open intray may correct its recorded facts (subject, details, the date and time received,
    the case it is about), with a reason and at least one change. A closed intray is not corrected: its record is
    what was done (CMA-1.1)."""
    if i.status == DONE:
        return Decision.no("This intray is done: a closed intray's record cannot be corrected.", *CORRECT_STEPS)
    if i.status == DELETED:
        return Decision.no("This intray has been deleted: its record cannot be corrected.", *CORRECT_STEPS)
    work = may_work(i, actor)
    if not work.allowed:
        return Decision.no(work.reason, *CORRECT_STEPS)
    unknown = [f for f in changed if f not in CORRECTABLE_FIELDS]
    if unknown:
        return Decision.no(f"Only the subject, details, date received and case can be corrected, not {unknown[0]}.",
                           *CORRECT_STEPS)
    if not changed:
        return Decision.no("Change the subject, details, date received or case to correct the intray.", *CORRECT_STEPS)
    if not reason.strip():
        return Decision.no("Give a reason for the correction.", *CORRECT_STEPS)
    return Decision.yes("The intray may be corrected; the original stays in its corrections.", *CORRECT_STEPS)

"""Every write to intrays, correspondence and the office calendar. One transaction each, guarded by policy, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F

from casework.core import clock
from casework.core.audit import audit_record, snapshot
from casework.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, TransitionRefused
from casework.core.files import removed_on_rollback, safe_content_type, safe_filename
from casework.core.versioning import version_bump, version_check
from casework.org.models import Office, Officer, Position, Team
from casework.org.rules import officer_of

from . import policy, selectors, storage
from .calendar import local_today, working_days_due
from .models import (
    CategoryChange,
    Channel,
    Correspondence,
    CorrespondenceCategory,
    CorrespondenceDocument,
    CorrespondenceMatter,
    Intray,
    IntrayCorrection,
    IntrayIssue,
    IntrayStatus,
    IntrayType,
    MatterStatus,
    OfficeClosure,
)

AUDIT_FIELDS = (
    "status", "assignee_officer_id", "assignee_position_id", "team_id", "office_id", "due_date", "subject",
    "outcome", "delete_reason", "sla_breached_at",
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


# ---------------------------------------------------------------- facts for the policy layer

def type_facts(t: IntrayType) -> policy.TypeFacts:
    return policy.TypeFacts(
        code=t.code,
        name=t.name,
        sla_working_days=t.sla_working_days,
        creator_roles=tuple(t.creator_roles or ()),
        receiver_roles=tuple(t.receiver_roles or ()),
        receiver_areas=tuple(t.receiver_areas or ()),
        closer_roles=tuple(t.closer_roles or ()),
        is_correspondence=t.is_correspondence,
        is_active=t.is_active,
        step_ids=tuple(t.step_ids or ()),
    )


def actor_facts(actor: Any) -> policy.ActorFacts:
    is_admin = officer_of(actor) is not None and officer_of(actor).role == "administrator"
    officer = officer_of(actor)
    if officer is None:
        return policy.ActorFacts(is_admin=is_admin)
    led = frozenset(Team.objects.filter(leader=officer, is_active=True).values_list("id", flat=True))
    if officer.role in policy.TEAM_LEADER_ROLES and officer.position_id and officer.position.team_id:
        led = led | {officer.position.team_id}
    return policy.ActorFacts(
        role=officer.role,
        officer_id=officer.pk,
        position_id=officer.position_id,
        team_ids_led=led,
        is_admin=is_admin,
    )


def unaddressed_matters(intray: Intray) -> tuple[str, ...]:
    """Matters raised by the correspondence and not yet addressed: linked presenting issues still open or referred,
    and the correspondence's own matter rows still outstanding (CMA-1.1, CMA-3.5)."""
    out = []
    for link in intray.issue_links.select_related("issue__issue_type"):
        if link.issue.is_outstanding:
            out.append(f"{link.issue.issue_type.name} ({link.issue.get_status_display().lower()})")
    corr = Correspondence.objects.filter(intray=intray).first()
    if corr is not None:
        out += [m.description for m in corr.matters.filter(status=MatterStatus.OUTSTANDING)]
    return tuple(out)


def intray_facts(intray: Intray, *, with_matters: bool = False) -> policy.IntrayFacts:
    return policy.IntrayFacts(
        status=intray.status,
        type=type_facts(intray.type),
        assignee_officer_id=intray.assignee_officer_id,
        assignee_position_id=intray.assignee_position_id,
        team_id=intray.team_id,
        unaddressed_matters=unaddressed_matters(intray) if with_matters else (),
    )


def _refuse(decision, cls=TransitionRefused):
    if not decision.allowed:
        raise cls(decision.reason, step_ids=decision.step_ids, extra={"facts": decision.facts} if decision.facts else None)


def _require_perm(actor, perm: str, what: str) -> None:
    if actor is None:
        return  # scheduled work under job_context
    if not actor.has_perm(perm):
        raise NotPermitted(f"Your role does not allow you to {what}.")


def _receiver(to_officer: Officer | None, to_position: Position | None):
    """(facts, office, team) of the receiving officer or position. The receiving position's office decides the
    calendar; an officer receives in their own position's office."""
    if to_officer is not None:
        if to_officer.position_id is None:
            raise InvalidInput(
                "The officer holds no position, so there is no office calendar for the due date.",
                fields={"assignee_officer": ["The officer holds no position."]},
            )
        pos = to_officer.position
        facts = policy.ReceiverFacts(
            is_officer=True,
            role=to_officer.role,
            area_code=pos.business_area.code,
            is_active=to_officer.is_active and to_officer.user.is_active,
        )
        return facts, pos.office, pos.team
    facts = policy.ReceiverFacts(is_officer=False, area_code=to_position.business_area.code, is_active=to_position.is_active)
    return facts, to_position.office, to_position.team


def _receiving_office(to_officer: Officer | None, to_position: Position | None, actor: Any = None):
    """The office whose day "today" is for work received by ``to_position`` / ``to_officer`` (else the actor's)."""
    for holder in (to_position, to_officer, actor):
        office = clock.office_of(holder)
        if office is not None:
            return office
    return None


def _get_type(type_code: str) -> IntrayType:
    t = selectors.intray_type(type_code)  # issue 15: cached reference rows
    if t is None:
        raise InvalidInput(f"Unknown intray type '{type_code}'.", fields={"type_code": ["Unknown intray type."]})
    return t


def _lock(intray: Intray) -> Intray:
    """Re-read the intray under a row lock (PostgreSQL) so concurrent transitions serialise."""
    locked = (
        Intray.objects.select_for_update(of=("self",))
        .select_related("type", "assignee_officer__user", "assignee_position", "office")
        .filter(pk=intray.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No such intray.")
    return locked


def _bump(intray: Intray, fields: list[str]) -> None:
    version_bump(intray)
    intray.save(update_fields=[*fields, "version"])


def _check(intray: Intray, version: int | None) -> None:
    """A change made from another version of the (locked) intray is refused with 409 saying what changed
    (optimistic concurrency, issue 13); ``None``: the client sent no version."""
    version_check(intray, version, what="intray", step_ids=tuple(intray.step_ids or ()) or ("CMA-1.1",))


# ---------------------------------------------------------------- received date (CMA-1.1)


def received_max_age_days() -> int:
    from django.conf import settings

    return int(settings.CASEWORK.get("RECEIVED_MAX_AGE_DAYS", 90))


def check_received_at(received_at: dt.datetime, *, now: dt.datetime, field: str = "received_at") -> None:
    """400 with a message on ``field`` when the moment received is in the future or too far back (CMA-1.1)."""
    if received_at.tzinfo is None:
        raise InvalidInput("Give the time zone of the time received.", fields={field: ["Include a time zone."]},
                           step_ids=policy.RECEIVED_STEPS)
    decision = policy.received_check(received_at=received_at, now=now, max_age_days=received_max_age_days())
    if not decision.allowed:
        raise InvalidInput(decision.reason, fields={field: [decision.reason]}, step_ids=decision.step_ids)


def _received_moment(*, office: Office, received_on: dt.date | None, received_at: dt.datetime | None
                     ) -> tuple[dt.datetime, dt.date]:
    """(moment, office-local date) the correspondence was received. A date alone means the start of that day in the
    receiving office's time zone; it is checked against the office's local today."""
    now = clock.now()
    if received_at is not None:
        check_received_at(received_at, now=now)
        return received_at, local_today(office, received_at)
    if received_on is None:
        raise InvalidInput("Enter the date received.", fields={"received_at": ["This field is required."]},
                           step_ids=policy.RECEIVED_STEPS)
    decision = policy.received_date_check(received_on=received_on, office_today=local_today(office, now),
                                          max_age_days=received_max_age_days())
    if not decision.allowed:
        raise InvalidInput(decision.reason, fields={"received_on": [decision.reason]}, step_ids=decision.step_ids)
    tz = clock.office_zone(office)
    return dt.datetime.combine(received_on, dt.time.min, tzinfo=tz), received_on


# ---------------------------------------------------------------- life cycle

def intray_create(
    *,
    actor: Any,
    type_code: str,
    customer,
    subject: str,
    case=None,
    assignee_officer: Officer | None = None,
    assignee_position: Position | None = None,
    issues: Iterable = (),
    details: str = "",
    reason: str = "",
    step_ids: Iterable[str] = (),
    related_intray: Intray | None = None,
    received_at: dt.datetime | None = None,
) -> Intray:
    """Create an intray for exactly one officer or position. Its due date is the type's working days counted from
    ``received_at`` — when the item was received (CMA-1.1; default: now) — in the receiving position's office calendar
    (see calendar.py). ``received_at`` may not be in the future nor more than ``CASEWORK["RECEIVED_MAX_AGE_DAYS"]``
    back (400 on the field). Audited ``intray.create``."""
    _require_perm(actor, "intrays.add_intray", "create intrays")
    t = _get_type(type_code)
    issues = list(issues)
    intray, audit = _intray_new(
        actor=actor, t=t, customer=customer, subject=subject, case=case, assignee_officer=assignee_officer,
        assignee_position=assignee_position, issues=issues, details=details, reason=reason, step_ids=step_ids,
        related_intray=related_intray, received_at=received_at,
    )
    with transaction.atomic():
        intray.save(force_insert=True)
        IntrayIssue.objects.bulk_create([IntrayIssue(intray=intray, issue=i) for i in issues])
        audit_record(**audit)
    return intray


def _intray_new(
    *,
    actor: Any,
    t: IntrayType,
    customer,
    subject: str,
    case=None,
    assignee_officer: Officer | None = None,
    assignee_position: Position | None = None,
    issues: list | tuple = (),
    details: str = "",
    reason: str = "",
    step_ids: Iterable[str] = (),
    related_intray: Intray | None = None,
    received_at: dt.datetime | None = None,
    due_dates: dict | None = None,
) -> tuple[Intray, dict[str, Any]]:
    """``intray_create``'s rules, once: the unsaved intray and its ``intray.create`` audit entry (the keyword
    arguments of ``audit_record``; the target is filled in once saved). ``due_dates``: a cache of due dates by
    (office id, received moment), for the set-based sweep creating many intrays of one type at one moment."""
    tf = type_facts(t)
    _refuse(policy.assignee_given(has_officer=assignee_officer is not None, has_position=assignee_position is not None),
            InvalidInput)
    if actor is not None:
        _refuse(policy.may_create(tf, actor_facts(actor)), NotPermitted)
    receiver, office, team = _receiver(assignee_officer, assignee_position)
    _refuse(policy.may_receive(tf, receiver), InvalidInput)
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput("Give the intray a subject.", fields={"subject": ["This field is required."]})
    if case is not None and customer.pk not in (case.payer_id, case.payee_id):
        raise InvalidInput("The case is not one of this customer's cases.", fields={"case": ["Not this customer's case."]})
    for issue in issues:
        if issue.customer_id != customer.pk:
            raise InvalidInput("A linked presenting issue belongs to another customer.", fields={"issues": ["Not this customer's issue."]})
    now = clock.now()
    if received_at is None:
        received_at = now
    else:
        check_received_at(received_at, now=now)
    steps = tuple(dict.fromkeys((*step_ids, *tf.step_ids)))
    due = None
    if t.sla_working_days is not None:
        key = (office.pk, received_at)
        if due_dates is not None and key in due_dates:
            due = due_dates[key]
        else:
            due = working_days_due(received_at, t.sla_working_days, office=office)
            if due_dates is not None:
                due_dates[key] = due
    intray = Intray(
        type=t,
        customer=customer,
        case=case,
        subject=subject[:200],
        details=details,
        assignee_officer=assignee_officer,
        assignee_position=assignee_position,
        team=team,
        office=office,
        created_at=now,
        received_at=received_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        due_date=due,
        related_intray=related_intray,
        step_ids=list(steps),
    )
    audit = {
        "actor": actor,
        "action": "intray.create",
        "target": intray,
        "after": {**snapshot(intray, AUDIT_FIELDS), "type": t.code, "issues": [i.pk for i in issues],
                  "received_at": received_at},
        "reason": reason,
        "step_ids": steps,
        "customer": customer,
    }
    return intray, audit


def intray_raise(*, actor: Any, type_code: str, **kwargs: Any) -> Intray:
    """An officer creates an intray by hand (the screen and the API): refused for the types only a procedure creates
    (``policy.SERVICE_ONLY_TYPES``: PS referrals, decision intrays, lock notices, SLA breaches...), then exactly
    ``intray_create``."""
    _refuse(policy.may_raise_by_hand(type_facts(_get_type(type_code))), NotPermitted)
    return intray_create(actor=actor, type_code=type_code, **kwargs)


def intray_start(*, actor: Any, intray: Intray, version: int | None = None) -> Intray:
    _require_perm(actor, "intrays.change_intray", "work intrays")
    with transaction.atomic():
        intray = _lock(intray)
        _check(intray, version)
        decision = policy.may_start(intray_facts(intray), actor_facts(actor))
        _refuse(decision, _refusal_class(decision))
        before = snapshot(intray, AUDIT_FIELDS)
        intray.start()
        intray.started_at = clock.now()
        intray.started_by = actor
        _bump(intray, ["status", "started_at", "started_by"])
        audit_record(actor=actor, action="intray.start", target=intray, before=before,
                     after=snapshot(intray, AUDIT_FIELDS), step_ids=decision.step_ids, customer=intray.customer_id)
    return intray


def _refusal_class(decision):
    permission_words = ("belongs to another", "Only ", "may close")
    return NotPermitted if any(w in decision.reason for w in permission_words) else TransitionRefused


def intray_complete(*, actor: Any, intray: Intray, outcome: str = "", step_ids: Iterable[str] = (),
                    version: int | None = None) -> Intray:
    """Done. Correspondence completes only once every matter it raised is addressed (CMA-1.1, CMA-3.5)."""
    _require_perm(actor, "intrays.change_intray", "work intrays")
    with transaction.atomic():
        intray = _lock(intray)
        _check(intray, version)
        decision = policy.may_complete(intray_facts(intray, with_matters=True), actor_facts(actor))
        _refuse(decision, _refusal_class(decision))
        before = snapshot(intray, AUDIT_FIELDS)
        intray.complete()
        intray.closed_at = clock.now()
        intray.closed_by = actor
        intray.outcome = outcome
        _bump(intray, ["status", "closed_at", "closed_by", "outcome"])
        audit_record(actor=actor, action="intray.complete", target=intray, before=before,
                     after=snapshot(intray, AUDIT_FIELDS), reason=outcome,
                     step_ids=tuple(dict.fromkeys((*step_ids, *decision.step_ids))), customer=intray.customer_id)
    return intray


# Work items that exist only to carry a decision: they are closed by the decision itself (issue 11), by whoever
# made it, so a second eligible decider's copy of the same request closes too.
RESOLVED_BY_DECISION = policy.DECISION_TYPES


def intray_resolve(*, actor: Any, intray: Intray, outcome: str, step_ids: Iterable[str] = ()) -> Intray | None:
    """Close a decision intray because the request it carries was decided or withdrawn (issue 11). Only for the
    types in ``RESOLVED_BY_DECISION``; an intray already closed is left as it is (returns None)."""
    with transaction.atomic():
        intray = _lock(intray)
        if intray.type.code not in RESOLVED_BY_DECISION:
            raise TransitionRefused("Only a decision intray is closed by its decision.")
        if not intray.is_open:
            return None
        before = snapshot(intray, AUDIT_FIELDS)
        intray.complete()
        intray.closed_at = clock.now()
        intray.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        intray.outcome = outcome
        _bump(intray, ["status", "closed_at", "closed_by", "outcome"])
        audit_record(actor=actor, action="intray.resolve", target=intray, before=before,
                     after=snapshot(intray, AUDIT_FIELDS), reason=outcome,
                     step_ids=tuple(dict.fromkeys((*step_ids, *(intray.step_ids or ())))), customer=intray.customer_id)
    return intray


def intray_delete(*, actor: Any, intray: Intray, reason: str, version: int | None = None) -> Intray:
    """Soft delete (status + reason). Refused without a reason, and for correspondence while any matter it raised
    is unaddressed (CMA-1.1, CMA-3.5)."""
    _require_perm(actor, "intrays.change_intray", "delete intrays")
    with transaction.atomic():
        intray = _lock(intray)
        _check(intray, version)
        decision = policy.may_delete(intray_facts(intray, with_matters=True), actor_facts(actor), reason=reason or "")
        if not decision.allowed and decision.reason.startswith("Give a reason"):
            raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={"reason": [decision.reason]})
        _refuse(decision, _refusal_class(decision))
        before = snapshot(intray, AUDIT_FIELDS)
        intray.soft_delete()
        intray.closed_at = clock.now()
        intray.closed_by = actor
        intray.delete_reason = reason.strip()
        _bump(intray, ["status", "closed_at", "closed_by", "delete_reason"])
        audit_record(actor=actor, action="intray.delete", target=intray, before=before,
                     after=snapshot(intray, AUDIT_FIELDS), reason=reason, step_ids=decision.step_ids,
                     customer=intray.customer_id)
    return intray


def intray_reassign(
    *, actor: Any, intray: Intray, to_officer: Officer | None = None, to_position: Position | None = None, reason: str,
    version: int | None = None,
) -> Intray:
    """Refer the intray to another officer or position, with a reason. The due date stays (the service level runs
    from receipt); the team and office follow the new assignee."""
    _require_perm(actor, "intrays.change_intray", "refer intrays")
    _refuse(policy.assignee_given(has_officer=to_officer is not None, has_position=to_position is not None), InvalidInput)
    with transaction.atomic():
        intray = _lock(intray)
        _check(intray, version)
        same = (to_officer is not None and to_officer.pk == intray.assignee_officer_id) or (
            to_position is not None and to_position.pk == intray.assignee_position_id
        )
        decision = policy.may_reassign(intray_facts(intray), actor_facts(actor), reason=reason or "", same_assignee=same)
        if not decision.allowed and decision.reason.startswith("Give a reason"):
            raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={"reason": [decision.reason]})
        _refuse(decision, _refusal_class(decision))
        before = _move_to(intray, to_officer, to_position)
        if intray.status == IntrayStatus.IN_PROGRESS:
            intray.requeue()
        _bump(intray, ["assignee_officer", "assignee_position", "team", "office", "status"])
        audit_record(actor=actor, action="intray.reassign", target=intray, before=before,
                     after=snapshot(intray, AUDIT_FIELDS), reason=reason, step_ids=decision.step_ids,
                     customer=intray.customer_id)
    return intray


def _move_to(intray: Intray, to_officer: Officer | None, to_position: Position | None) -> dict:
    """The move itself, shared by a referral and a move that follows the lock: the receiver rules, the new
    assignee with its team and office (the due date stays). The caller puts it back in the queue and saves. Returns
    the before-snapshot for the audit event."""
    receiver, office, team = _receiver(to_officer, to_position)
    _refuse(policy.may_receive(type_facts(intray.type), receiver), InvalidInput)
    before = snapshot(intray, AUDIT_FIELDS)
    intray.assignee_officer = to_officer
    intray.assignee_position = to_position
    intray.team = team
    intray.office = office
    return before


def intray_follow_lock(
    *, actor: Any, intray: Intray, to_officer: Officer | None = None, to_position: Position | None = None,
    reason: str, step_ids: Iterable[str] = ("CMA-1.2",),
) -> Intray | None:
    """Move an open intray to the new owner of its customer because ownership moved (CMA-1.2: a specialist area that
    locks a customer takes on the outstanding common work). Called by the ownership service that made the lock,
    inside its transaction: the actor is whoever locked, not someone working the intray, so ``may_work`` does not
    apply; the receiver rules still do. The due date stays (it runs from receipt); audited ``intray.reassign`` with
    the before/after assignee, so the intray's history shows the move. Returns None when already closed or there."""
    _refuse(policy.assignee_given(has_officer=to_officer is not None, has_position=to_position is not None), InvalidInput)
    with transaction.atomic():
        intray = _lock(intray)
        if not intray.is_open:
            return None
        if (to_officer is not None and to_officer.pk == intray.assignee_officer_id) or (
            to_position is not None and to_position.pk == intray.assignee_position_id and intray.assignee_officer_id is None
        ):
            return None
        before = _move_to(intray, to_officer, to_position)
        if intray.status == IntrayStatus.IN_PROGRESS:
            intray.requeue()
        _bump(intray, ["assignee_officer", "assignee_position", "team", "office", "status"])
        steps = tuple(dict.fromkeys((*step_ids, *(intray.step_ids or ()))))
        audit_record(actor=actor, action="intray.reassign", target=intray, before=before,
                     after={**snapshot(intray, AUDIT_FIELDS), "follows_lock": True}, reason=reason,
                     step_ids=steps, customer=intray.customer_id)
    return intray


# ---------------------------------------------------------------- correspondence (CMA-1.1, CMA-3.5)

def _document_row(corr: Correspondence, actor, filename: str, content: bytes, content_type: str, *, ordinal: int,
                  written: list[str]) -> CorrespondenceDocument:
    """Write the bytes to storage under the document's non-guessable name, then its row. Called inside the attaching
    transaction (the intray row is locked, so ``ordinal`` is this document's own place) and inside
    ``removed_on_rollback``: the name goes on ``written`` so a rollback removes the file."""
    if not filename or content is None:
        raise InvalidInput("A document needs a file name and content.", fields={"documents": ["Missing file."]})
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput("The document is too large (20 MB at most).", fields={"documents": ["Too large."]})
    data = bytes(content)
    name = storage.document_name(correspondence_id=corr.pk, ordinal=ordinal)
    if default_storage.exists(name):
        # Left by an attempt that crashed before its rollback could remove it: no row refers to it (rows
        # 0..ordinal-1 hold the earlier places, and the intray lock keeps any other attach out).
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    written.append(saved)
    if saved != name:
        raise RuntimeError(f"Storage saved a document of correspondence {corr.pk} as {saved!r}, not {name!r}.")
    return CorrespondenceDocument.objects.create(
        correspondence=corr,
        filename=safe_filename(filename),  # no CR/LF, control characters, quotes or path separators
        content_type=safe_content_type(content_type),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        file=saved,
        uploaded_at=clock.now(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def correspondence_receive(
    *,
    actor: Any,
    customer,
    channel: str,
    category: str,
    received_on: dt.date | None = None,
    received_at: dt.datetime | None = None,
    subject: str,
    case=None,
    assignee_officer: Officer | None = None,
    assignee_position: Position | None = None,
    documents: Iterable[tuple[str, bytes, str]] = (),
    matters: Iterable[str] = (),
    issues: Iterable = (),
    sender: str = "",
    from_representative: bool = False,
    details: str = "",
) -> Intray:
    """Written correspondence creates a *Correspondence received* intray with its channel, date and time received
    (``received_at``; or ``received_on``, a date, meaning the start of that day in the receiving office), category,
    documents (immutable) and the matters it raised (CMA-1.1). The intray's due date counts from receipt."""
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = [f"Choose one of: {', '.join(Channel.values)}."]
    if category not in CorrespondenceCategory.values:
        errors["category"] = ["Unknown category."]
    if received_on is None and received_at is None:
        errors["received_at"] = ["This field is required."]
    if errors:
        raise InvalidInput("The correspondence details are incomplete.", fields=errors, step_ids=("CMA-1.1",))
    _refuse(policy.assignee_given(has_officer=assignee_officer is not None, has_position=assignee_position is not None),
            InvalidInput)
    _, office, _ = _receiver(assignee_officer, assignee_position)
    received_at, received_on = _received_moment(office=office, received_on=received_on, received_at=received_at)
    # The documents' files are written before the commit (durable once it commits) and removed if it rolls back.
    with removed_on_rollback() as written, transaction.atomic():
        intray = intray_create(
            actor=actor, type_code="correspondence_received", customer=customer, subject=subject, case=case,
            assignee_officer=assignee_officer, assignee_position=assignee_position, issues=issues, details=details,
            step_ids=("CMA-1.1",), received_at=received_at,
        )
        corr = Correspondence.objects.create(
            intray=intray, channel=channel, received_on=received_on, received_at=received_at, category=category,
            sender=sender, from_representative=from_representative,
        )
        docs = [_document_row(corr, actor, name, content, ctype, ordinal=n, written=written)
                for n, (name, content, ctype) in enumerate(documents)]
        now = clock.now()
        for text in matters:
            if text.strip():
                CorrespondenceMatter.objects.create(correspondence=corr, description=text.strip(), created_at=now,
                                                    created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(
            actor=actor, action="correspondence.receive", target=corr,
            after={"intray": intray.pk, "channel": channel, "received_on": received_on, "received_at": received_at,
                   "category": category,
                   "documents": [{"filename": d.filename, "sha256": d.sha256} for d in docs],
                   "matters": [m for m in matters if m.strip()]},
            step_ids=("CMA-1.1",), customer=customer,
        )
    return intray


def _shown(value: Any) -> str:
    """A corrected value as the officer reads it in the corrections list (dates DD/MM/YYYY, cases by number)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M %Z}".strip()
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def intray_correct(
    *,
    actor: Any,
    intray: Intray,
    reason: str,
    version: int | None = None,
    subject: str | None = None,
    details: str | None = None,
    received_at: dt.datetime | None = None,
    case: Any = None,
) -> Intray:
    """Correct the recorded facts of an open intray an officer keyed wrongly (issue 14, CMA-1.1): subject, details,
    the date and time received (the due date is then recomputed by the creation rule, ``working_days_due`` in the
    receiving office's calendar) and the case it is about (one of the customer's cases). Arguments left ``None`` are
    kept. Each changed field is an ``IntrayCorrection`` row (old, new, reason, who, when), audited in the same
    transaction. ``version``: the intray version the correction was made from (stale: 409)."""
    _require_perm(actor, "intrays.change_intray", "correct intrays")
    with transaction.atomic():
        intray = _lock(intray)
        _check(intray, version)
        local = clock.office_zone(intray.office)
        changes: dict[str, tuple[Any, Any]] = {}
        if subject is not None and subject.strip() != intray.subject:
            if not subject.strip():
                raise InvalidInput("Give the intray a subject.", fields={"subject": ["This field is required."]},
                                   step_ids=policy.CORRECT_STEPS)
            changes["subject"] = (intray.subject, subject.strip()[:200])
        if details is not None and details.strip() != intray.details.strip():
            changes["details"] = (intray.details, details.strip())
        if received_at is not None and received_at != intray.received_at:
            check_received_at(received_at, now=clock.now())
            changes["received_at"] = (intray.received_at, received_at)
        if case is not None and case.pk != intray.case_id:
            if intray.customer_id not in (case.payer_id, case.payee_id):
                raise InvalidInput("The case is not one of this customer's cases.",
                                   fields={"case": ["Not this customer's case."]}, step_ids=policy.CORRECT_STEPS)
            changes["case"] = (intray.case, case)
        decision = policy.may_correct(intray_facts(intray), actor_facts(actor), changed=tuple(changes),
                                      reason=reason or "")
        if not decision.allowed and decision.reason.startswith(("Give a reason", "Change the")):
            field = "reason" if decision.reason.startswith("Give") else "non_field_errors"
            raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={field: [decision.reason]})
        _refuse(decision, _refusal_class(decision))
        before = snapshot(intray, AUDIT_FIELDS)
        before.update(received_at=intray.received_at, case_id=intray.case_id, details=intray.details)
        now = clock.now()
        rows = []
        for name, (old, new) in changes.items():
            shown_old = old.astimezone(local) if isinstance(old, dt.datetime) else old
            shown_new = new.astimezone(local) if isinstance(new, dt.datetime) else new
            rows.append(IntrayCorrection(intray=intray, field=name, old_value=_shown(shown_old),
                                         new_value=_shown(shown_new), reason=reason.strip(), corrected_by=actor,
                                         corrected_at=now))
            setattr(intray, name, new)
        fields = list(changes)
        if "received_at" in changes:
            corr = Correspondence.objects.filter(intray=intray).first()
            if corr is not None:
                corr.received_at = intray.received_at
                corr.received_on = local_today(intray.office, intray.received_at)
                corr.save(update_fields=["received_at", "received_on"])
            if intray.type.sla_working_days is not None:
                due = working_days_due(intray.received_at, intray.type.sla_working_days, office=intray.office)
                if due != intray.due_date:
                    rows.append(IntrayCorrection(intray=intray, field="due_date", old_value=_shown(intray.due_date),
                                                 new_value=_shown(due), reason=reason.strip(), corrected_by=actor,
                                                 corrected_at=now))
                    intray.due_date = due
                    fields.append("due_date")
        IntrayCorrection.objects.bulk_create(rows)
        _bump(intray, fields)
        after = snapshot(intray, AUDIT_FIELDS)
        after.update(received_at=intray.received_at, case_id=intray.case_id, details=intray.details)
        audit_record(actor=actor, action="intray.correct", target=intray, before=before, after=after, reason=reason,
                     step_ids=decision.step_ids, customer=intray.customer_id)
    return intray


def _corr_for_work(actor, intray: Intray) -> tuple[Intray, Correspondence]:
    intray = _lock(intray)
    corr = Correspondence.objects.filter(intray=intray).first()
    if corr is None:
        raise InvalidInput("This intray is not correspondence.", step_ids=("CMA-1.1",))
    return intray, corr


def correspondence_recategorise(*, actor: Any, intray: Intray, category: str, reason: str,
                                version: int | None = None) -> Correspondence:
    """Change the category with a reason; the previous category is kept in ``CategoryChange`` (CMA-1.1, CMA-3.5)."""
    _require_perm(actor, "intrays.change_intray", "re-categorise correspondence")
    if category not in CorrespondenceCategory.values:
        raise InvalidInput("Unknown category.", fields={"category": ["Unknown category."]}, step_ids=("CMA-1.1",))
    with transaction.atomic():
        intray, corr = _corr_for_work(actor, intray)
        _check(intray, version)
        decision = policy.may_recategorise(intray_facts(intray), actor_facts(actor), current=corr.category,
                                           new=category, reason=reason or "")
        if not decision.allowed and decision.reason.startswith("Give a reason"):
            raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={"reason": [decision.reason]})
        _refuse(decision, _refusal_class(decision))
        previous = corr.category
        CategoryChange.objects.create(correspondence=corr, from_category=previous, to_category=category,
                                      reason=reason.strip(), changed_by=actor, changed_at=clock.now())
        corr.category = category
        corr.save(update_fields=["category"])
        _bump(intray, [])
        # The intray is the versioned record whose version moved: a stale write on it is told of this change.
        audit_record(actor=actor, action="correspondence.recategorise", target=intray, before={"category": previous},
                     after={"category": category}, reason=reason, step_ids=decision.step_ids,
                     customer=intray.customer_id)
    return corr


def _may_work_open(actor, intray: Intray) -> None:
    decision = policy.may_work(intray_facts(intray), actor_facts(actor))
    _refuse(decision, NotPermitted)
    if not intray.is_open:
        raise TransitionRefused("This intray is closed.", step_ids=("CMA-1.1",))


def correspondence_document_add(*, actor: Any, intray: Intray, filename: str, content: bytes,
                                content_type: str = "application/octet-stream") -> CorrespondenceDocument:
    """Attach another document; existing documents are never overwritten (CMA-1.1). Its file is written to storage
    inside the transaction (the officer's upload is durable once this returns) and removed if it rolls back."""
    _require_perm(actor, "intrays.change_intray", "attach documents")
    with removed_on_rollback() as written, transaction.atomic():
        intray, corr = _corr_for_work(actor, intray)
        _may_work_open(actor, intray)
        doc = _document_row(corr, actor, filename, content, content_type, ordinal=corr.documents.count(),
                            written=written)
        audit_record(actor=actor, action="correspondence.document_add", target=doc,
                     after={"filename": doc.filename, "sha256": doc.sha256, "size": doc.size}, step_ids=("CMA-1.1",),
                     customer=intray.customer_id)
    return doc


def correspondence_matter_add(*, actor: Any, intray: Intray, description: str, issue=None,
                              version: int | None = None) -> Any:
    """Record another matter the correspondence raised: a linked presenting issue, or a matter row."""
    _require_perm(actor, "intrays.change_intray", "record matters")
    with transaction.atomic():
        intray, corr = _corr_for_work(actor, intray)
        _check(intray, version)
        _may_work_open(actor, intray)
        _bump(intray, [])
        if issue is not None:
            if issue.customer_id != intray.customer_id:
                raise InvalidInput("The presenting issue belongs to another customer.", fields={"issue": ["Not this customer's issue."]})
            link, _ = IntrayIssue.objects.get_or_create(intray=intray, issue=issue)
            audit_record(actor=actor, action="correspondence.issue_link", target=intray, after={"issue": issue.pk},
                         step_ids=("CMA-1.1",), customer=intray.customer_id)
            return link
        if not (description or "").strip():
            raise InvalidInput("Describe the matter raised.", fields={"description": ["This field is required."]})
        matter = CorrespondenceMatter.objects.create(correspondence=corr, description=description.strip(),
                                                     created_at=clock.now(), created_by=actor)
        audit_record(actor=actor, action="correspondence.matter_add", target=matter,
                     after={"description": matter.description}, step_ids=("CMA-1.1",), customer=intray.customer_id)
    return matter


def correspondence_matter_address(*, actor: Any, matter: CorrespondenceMatter, outcome: str,
                                  communicated: bool, version: int | None = None) -> CorrespondenceMatter:
    """A matter is addressed with its outcome, and only once the outcome was communicated (CMA-3.5: contact the
    customer if no letter was issued)."""
    _require_perm(actor, "intrays.change_intray", "address matters")
    with transaction.atomic():
        matter = CorrespondenceMatter.objects.select_for_update().select_related("correspondence__intray").get(pk=matter.pk)
        intray = _lock(matter.correspondence.intray)
        _check(intray, version)
        _may_work_open(actor, intray)
        if matter.status == MatterStatus.ADDRESSED:
            raise TransitionRefused("This matter is already addressed.", step_ids=("CMA-3.5",))
        if not (outcome or "").strip():
            raise InvalidInput("Record the outcome of the matter.", fields={"outcome": ["This field is required."]},
                               step_ids=("CMA-3.5",))
        if not communicated:
            raise TransitionRefused(
                "Communicate the outcome to the customer (a letter, or contact them if no letter was issued) "
                "before marking the matter addressed.", step_ids=("CMA-1.1", "CMA-3.5"))
        matter.address()
        matter.outcome = outcome.strip()
        matter.communicated = True
        matter.addressed_at = clock.now()
        matter.addressed_by = actor
        matter.save(update_fields=["status", "outcome", "communicated", "addressed_at", "addressed_by"])
        _bump(intray, [])
        audit_record(actor=actor, action="correspondence.matter_address", target=matter,
                     before={"status": MatterStatus.OUTSTANDING}, after={"status": matter.status, "outcome": matter.outcome},
                     step_ids=("CMA-3.5",), customer=intray.customer_id)
    return matter


def correspondence_matter_refer(*, actor: Any, matter: CorrespondenceMatter, to_officer: Officer | None = None,
                                to_position: Position | None = None, reason: str,
                                version: int | None = None) -> Intray:
    """Refer one matter the correspondence raised to the team it belongs to (CMA-3.5: with multiple issues refer
    each to the relevant team; CMA-2.10: a *Client Contact Required* intray, due in its working days by the receiving
    office's calendar, to the officer or the relevant position). In one transaction: the matter becomes *referred*
    (so it no longer holds the correspondence open: handed on, not forgotten), a new intray for the receiver linked
    to the customer, the case and back to the correspondence intray and the matter, the receiver told (the officer,
    or every active officer in the position), one audit event. Returns the new intray."""
    from casework.notifications.models import NotificationKind
    from casework.notifications.services import notification_send

    _require_perm(actor, "intrays.change_intray", "refer matters")
    if to_officer is not None and to_position is not None:
        raise InvalidInput("Choose an officer or a position, not both.", step_ids=policy.MATTER_REFER_STEPS,
                           fields={"to_position": ["Choose an officer or a position, not both."]})
    with transaction.atomic():
        matter = (CorrespondenceMatter.objects.select_for_update(of=("self",))
                  .select_related("correspondence__intray").get(pk=matter.pk))
        intray = _lock(matter.correspondence.intray)
        _check(intray, version)
        same = (to_officer is not None and to_officer.pk == intray.assignee_officer_id) or (
            to_position is not None and to_position.pk == intray.assignee_position_id)
        decision = policy.may_refer_matter(
            intray_facts(intray), actor_facts(actor), matter_status=matter.status,
            has_receiver=to_officer is not None or to_position is not None, same_receiver=same, reason=reason or "")
        if not decision.allowed and decision.facts.get("field"):
            raise InvalidInput(decision.reason, step_ids=decision.step_ids,
                               fields={decision.facts["field"]: [decision.reason]})
        _refuse(decision, NotPermitted if "belongs to another" in decision.reason
                or "Only caseworking" in decision.reason else TransitionRefused)
        reason = reason.strip()
        referral = intray_create(
            actor=actor, type_code=policy.MATTER_REFERRAL_TYPE, customer=intray.customer, case=intray.case,
            subject=f"Matter from correspondence: {matter.description}"[:200],
            details=f"Referred from the correspondence received on {matter.correspondence.received_on:%d/%m/%Y} "
                    f"(intray {intray.pk}).\nMatter raised: {matter.description}\nFollow-up needed: {reason}",
            assignee_officer=to_officer, assignee_position=to_position, related_intray=intray,
            step_ids=decision.step_ids, reason=reason,
        )
        matter.refer()
        matter.referred_intray = referral
        matter.referred_at = clock.now()
        matter.referred_by = actor
        matter.refer_reason = reason
        matter.save(update_fields=["status", "referred_intray", "referred_at", "referred_by", "refer_reason"])
        _bump(intray, [])
        receivers = [to_officer] if to_officer is not None else list(
            Officer.objects.filter(position=to_position, is_active=True).select_related("user"))
        notification_send(
            recipients=receivers, kind=NotificationKind.WORK_RECEIVED,
            text=f"A matter from {intray.customer.full_name}'s correspondence was referred to "
                 f"{'you' if to_officer is not None else referral.assignee_label}, due "
                 f"{referral.due_date:%d/%m/%Y}: {matter.description}"[:300],
            key=f"matter_refer:{matter.pk}", link=f"/work/intrays/{referral.pk}/", customer=intray.customer,
            step_ids=decision.step_ids, exclude=[actor],
        )
        audit_record(actor=actor, action="correspondence.matter_refer", target=matter,
                     before={"status": MatterStatus.OUTSTANDING},
                     after={"status": matter.status, "intray": referral.pk, "assignee": referral.assignee_label,
                            "due_date": referral.due_date},
                     reason=reason, step_ids=decision.step_ids, customer=intray.customer_id)
    return referral


# ---------------------------------------------------------------- office calendar corrections (data)

def office_closure_add(*, actor: Any, date, reason: str, office: Office | None = None, state: str = "",
                       kind: str = "closed") -> OfficeClosure:
    """Record an office (or state-wide) closure, or a day open despite the holiday package. Audited."""
    _require_perm(actor, "intrays.manage_calendar", "change the office calendar")
    if (office is None) == (not state):
        raise InvalidInput("Give an office or a state, not both.", fields={"office": ["Office or state."]})
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the calendar correction.", fields={"reason": ["This field is required."]})
    with transaction.atomic():
        row = OfficeClosure(office=office, state=state if office is None else "", date=date, kind=kind,
                            reason=reason.strip(), created_by=actor if getattr(actor, "is_authenticated", False) else None)
        row.full_clean()
        row.save()
        audit_record(actor=actor, action="officeclosure.create", target=row, after=snapshot(row), reason=reason)
    return row


def office_closure_end(*, actor: Any, closure: OfficeClosure, reason: str) -> OfficeClosure:
    _require_perm(actor, "intrays.manage_calendar", "change the office calendar")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason.", fields={"reason": ["This field is required."]})
    with transaction.atomic():
        closure = OfficeClosure.objects.select_for_update().get(pk=closure.pk)
        if not closure.is_active:
            raise Conflict("This calendar correction has already ended.")
        closure.is_active = False
        closure.save(update_fields=["is_active"])
        audit_record(actor=actor, action="officeclosure.end", target=closure, before={"is_active": True},
                     after={"is_active": False}, reason=reason)
    return closure


# ---------------------------------------------------------------- SLA breach (scheduled)

LEADER_RELATED = ("leader__user", "leader__position__business_area", "leader__position__office",
                  "leader__position__team")


@dataclass(slots=True)
class _Overdue:
    """One intray of an SLA sweep's chunk, as the plain values the rule, the audit event and the notice need (issue
    15: read with ``values_list``, not as joined model instances)."""

    pk: int
    status: str
    due_date: dt.date | None
    office_id: int
    version: int
    step_ids: list
    customer_id: int
    case_id: int | None
    case_payer_id: int | None
    case_payee_id: int | None
    subject: str
    type_name: str
    team_id: int | None
    holder_area_id: int | None  # the holding position's (or the holding officer's position's) area and office
    holder_office_id: int | None
    assignee_label: str


_OVERDUE_COLUMNS = (
    "id", "status", "due_date", "office_id", "version", "step_ids", "customer_id", "case_id", "case__payer_id",
    "case__payee_id", "subject", "type__name", "team_id", "assignee_position__business_area_id",
    "assignee_position__office_id", "assignee_officer__position__business_area_id",
    "assignee_officer__position__office_id", "assignee_position__title", "assignee_officer_id",
    "assignee_officer__user__first_name", "assignee_officer__user__last_name", "assignee_officer__user__username",
)


def _overdue(values: tuple) -> _Overdue:
    (pk, status, due, office_id, version, step_ids, customer_id, case_id, payer_id, payee_id, subject, type_name,
     team_id, pos_area, pos_office, off_area, off_office, pos_title, officer_id, first, last, username) = values
    if officer_id is not None:
        label = f"{first} {last}".strip() or username  # Officer.display_name
    else:
        label = pos_title or ""
    holder = (pos_area, pos_office) if pos_area is not None else (off_area, off_office)
    return _Overdue(pk, status, due, office_id, version, step_ids or [], customer_id, case_id, payer_id, payee_id,
                    subject, type_name, team_id, holder[0], holder[1], label)


class _Leaders:
    """The Team Leaders an SLA chunk's notices go to: the leaders of the chunk's teams (one query) and, for work held
    by a team-less (intake) position, the leader of a team in the same business area and office (one query per
    area and office, cached for the chunk)."""

    def __init__(self, team_ids: Iterable[int]):
        ids = {t for t in team_ids if t is not None}
        self.by_team: dict[int, Officer | None] = {}
        if ids:
            for team in Team.objects.filter(pk__in=ids).select_related(*LEADER_RELATED):
                self.by_team[team.pk] = team.leader
        self.by_holder: dict[tuple[int, int], Officer | None] = {}


def _team_leader_for(intray: _Overdue, fallback: _Leaders) -> Officer | None:
    """The leader of the intray's team; for work held by a team-less (intake) position, the leader of a team in the
    same business area and office."""
    def usable(officer):
        return officer is not None and officer.is_active and officer.position_id is not None

    if intray.team_id and usable(fallback.by_team.get(intray.team_id)):
        return fallback.by_team[intray.team_id]
    if intray.holder_area_id is None:
        return None
    key = (intray.holder_area_id, intray.holder_office_id)
    if key not in fallback.by_holder:
        team = (
            Team.objects.filter(business_area_id=key[0], office_id=key[1], is_active=True,
                                leader__isnull=False, leader__is_active=True, leader__position__isnull=False)
            .select_related(*LEADER_RELATED)
            .order_by("id")
            .first()
        )
        fallback.by_holder[key] = team.leader if team is not None else None
    return fallback.by_holder[key]


def intray_sla_breach_record(*, intray: Intray) -> tuple[bool, Intray | None]:
    """Record an SLA breach once and notify the Team Leader of the intray's team by an ``sla_breach`` intray.
    Idempotent: a breach already recorded (or an intray no longer open/overdue) is left alone.
    Returns (recorded, the Team Leader's notice intray or None when the team has no active leader).
    The one-row case of ``intray_sla_breaches_record`` (one copy of the rule); it waits for a row another
    transaction holds instead of skipping it."""
    recorded, notices = intray_sla_breaches_record(ids=[intray.pk], skip_locked=False)
    if not recorded:
        return False, None
    return True, notices.get(intray.pk)


def intray_sla_breaches_record(*, ids: Iterable[int], skip_locked: bool = True) -> tuple[list[int], dict[int, Intray]]:
    """Set-based SLA breach recording for one chunk of intrays (issue 15), in one transaction: the rows are read
    under a row lock in one query (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a row another run or an officer holds
    is left for the next run) as the plain values the rule, the event and the notice need (``_Overdue``, no model
    instance per row), each is decided by ``policy.is_breached`` against its own office's day, then
    ``sla_breached_at`` (and the version) is set by one update, and one ``intray.sla_breach`` audit event per intray
    (the same content as ``target=intray`` would give: ``core.audit.AuditTarget``) and the Team Leaders'
    ``sla_breach`` notice intrays (built by ``intray_create``'s own rules, ``_intray_new``) with their
    ``intray.create`` events are bulk-inserted. Rows already recorded are left alone (idempotent).
    Returns (ids recorded, {intray id: its notice}); an intray whose team has no active leader gets no notice."""
    from casework.core.audit import AuditTarget, audit_record_many
    from casework.customers.models import Case, Customer

    ids = list(ids)
    if not ids:
        return [], {}
    with transaction.atomic():
        rows = [_overdue(v) for v in
                Intray.objects.select_for_update(of=("self",), skip_locked=skip_locked)
                .filter(pk__any_of=ids, sla_breached_at__isnull=True)
                .order_by("id")
                .values_list(*_OVERDUE_COLUMNS)]
        if not rows:
            return [], {}
        now = clock.now()
        offices = Office.objects.in_bulk({r.office_id for r in rows})
        todays = {pk: local_today(office, now) for pk, office in offices.items()}
        breached = [r for r in rows
                    if policy.is_breached(status=r.status, due=r.due_date, office_today=todays[r.office_id])]
        if not breached:
            return [], {}
        Intray.objects.filter(pk__any_of=[r.pk for r in breached]).update(sla_breached_at=now,
                                                                        version=F("version") + 1)
        events: list[dict[str, Any]] = []
        for r in breached:
            r.version += 1
            events.append({"actor": None, "action": "intray.sla_breach",
                           "target": AuditTarget("intray", r.pk, f"{r.type_name}: {r.subject}", r.version),
                           "after": {"due_date": r.due_date, "sla_breached_at": now},
                           "step_ids": r.step_ids, "customer": r.customer_id})
        leaders = _Leaders(r.team_id for r in breached)
        notice_type = None
        due_dates: dict = {}
        notices: dict[int, Intray] = {}
        notice_events: list[dict[str, Any]] = []
        for r in breached:
            leader = _team_leader_for(r, leaders)
            if leader is None:
                continue
            notice_type = notice_type or _get_type("sla_breach")
            case = None if r.case_id is None else Case(pk=r.case_id, payer_id=r.case_payer_id,
                                                       payee_id=r.case_payee_id)
            notice, audit = _intray_new(
                actor=None,
                t=notice_type,
                customer=Customer(pk=r.customer_id),
                case=case,
                subject=f"Overdue: {r.type_name} — {r.subject}"[:200],
                details=f"Due {r.due_date:%d/%m/%Y}, held by {r.assignee_label}.",
                assignee_officer=leader,
                related_intray=Intray(pk=r.pk),
                step_ids=tuple(r.step_ids),
                received_at=now,
                due_dates=due_dates,
            )
            notices[r.pk] = notice
            notice_events.append(audit)
        if notices:
            Intray.objects.bulk_create(list(notices.values()), batch_size=1000)
        audit_record_many([*events, *notice_events])
    return [r.pk for r in breached], notices

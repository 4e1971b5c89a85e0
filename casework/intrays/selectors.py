"""Reads: worklists (mine / my position's / my team's), bucket counts, a customer's open intrays.

Every worklist read is ``WHERE <assignee> = ? AND status IN ('open','in_progress') ORDER BY due_date, id LIMIT n``,
answered by the matching partial index (docs/intrays.md), with the related rows of the page joined in the same query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from casework.core import clock
from casework.core.errors import InvalidInput, NotFound, NotPermitted
from casework.org.models import Team
from casework.org.roles import TEAM_LEADER_ROLES
from casework.org.rules import officer_of

from . import policy
from .models import IS_OPEN, Intray, IntrayStatus

SCOPES = ("mine", "position", "team")
DUE_FILTERS = ("overdue", "today", "week")
STATUS_FILTERS = ("open", "in_progress", "done", "deleted", "all")


def _base() -> QuerySet:
    return Intray.objects.select_related(
        "type", "customer", "case", "assignee_officer__user", "assignee_position", "office"
    )


def ordered(qs: QuerySet) -> QuerySet:
    return qs.order_by(F("due_date").asc(nulls_last=True), "id")


def today_for(user: Any) -> dt.date:
    """The viewer's office-local date ("overdue" as the officer sees it); Sydney when they hold no position."""
    return clock.today_for(officer_of(user))


def teams_led(officer) -> list[int]:
    if officer is None or officer.role not in TEAM_LEADER_ROLES:
        return []
    ids = set(Team.objects.filter(leader=officer, is_active=True).values_list("id", flat=True))
    if officer.position_id and officer.position.team_id:
        ids.add(officer.position.team_id)
    return sorted(ids)


def intrays_open_for_customer(*, customer) -> list[Intray]:
    """The customer's open intrays, soonest due first (partial index intray_open_customer_due)."""
    return list(ordered(_base().filter(IS_OPEN, customer=customer)))


def intray_get(*, user: Any, pk: Any) -> Intray:
    if not user.has_perm("intrays.view_intray"):
        raise NotPermitted("Your role does not allow you to see intrays.")
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("No such intray.") from None
    intray = _base().select_related("team", "related_intray__type").filter(pk=pk).first()
    if intray is None:
        raise NotFound("No such intray.")
    return intray


@dataclass(frozen=True)
class WorklistFilter:
    scope: str = "mine"
    status: str = "open"
    type_code: str = ""
    csid: str = ""
    due: str = ""  # overdue | today | week
    position_id: int | None = None
    team_id: int | None = None


def scope_queryset(*, user: Any, scope: str, position_id: int | None = None, team_id: int | None = None) -> QuerySet:
    """The rows a scope covers (before status/filters). Mine: assigned to me; position: my position's (or a named
    position, for supervisors and administrators); team: a team I lead (Team Leader only)."""
    if not user.has_perm("intrays.view_intray"):
        raise NotPermitted("Your role does not allow you to see intrays.")
    officer = officer_of(user)
    overseer = officer is not None and officer.role in ("auditor", "administrator")
    if scope == "mine":
        if officer is None:
            return Intray.objects.none()
        return Intray.objects.filter(assignee_officer=officer)
    if scope == "position":
        if position_id is None:
            if officer is None or officer.position_id is None:
                return Intray.objects.none()
            position_id = officer.position_id
        elif not overseer and (officer is None or officer.position_id != position_id) and not (
            officer.role in TEAM_LEADER_ROLES
            and Team.objects.filter(id__in=teams_led(officer), positions__id=position_id).exists()
        ):
            raise NotPermitted("You may only list your own position's intrays (or a position in a team you lead).")
        return Intray.objects.filter(assignee_position_id=position_id)
    if scope == "team":
        led = teams_led(officer)
        if team_id is None:
            if not led:
                raise NotPermitted("Only a Team Leader has a team worklist.", step_ids=())
            return Intray.objects.filter(team_id__in=led)
        if not overseer and team_id not in led:
            raise NotPermitted("You may only list the intrays of a team you lead.")
        return Intray.objects.filter(team_id=team_id)
    raise InvalidInput("Unknown worklist.", fields={"scope": [f"Choose one of: {', '.join(SCOPES)}."]})


def _apply_status(qs: QuerySet, status: str) -> QuerySet:
    if status == "open":
        return qs.filter(IS_OPEN)
    if status == "all":
        return qs
    if status in IntrayStatus.values:
        return qs.filter(status=status)
    raise InvalidInput("Unknown status.", fields={"status": [f"Choose one of: {', '.join(STATUS_FILTERS)}."]})


def worklist(*, user: Any, f: WorklistFilter) -> QuerySet:
    """Filtered, ordered (due date, soonest first; no due date last) and joined: ready to page."""
    qs = scope_queryset(user=user, scope=f.scope, position_id=f.position_id, team_id=f.team_id)
    qs = _apply_status(qs, f.status or "open")
    if f.type_code:
        qs = qs.filter(type__code=f.type_code)
    if f.csid:
        qs = qs.filter(customer__csid=f.csid.strip().upper())
    if f.due:
        today = today_for(user)
        if f.due == "overdue":
            qs = qs.filter(due_date__lt=today)
        elif f.due == "today":
            qs = qs.filter(due_date=today)
        elif f.due == "week":
            qs = qs.filter(due_date__gte=today, due_date__lte=policy.week_end(today))
        else:
            raise InvalidInput("Unknown due filter.", fields={"due": [f"Choose one of: {', '.join(DUE_FILTERS)}."]})
    return ordered(qs.select_related("type", "customer", "case", "assignee_officer__user", "assignee_position", "office"))


def worklist_counts(*, user: Any, scope: str, position_id: int | None = None, team_id: int | None = None) -> dict[str, int]:
    """Open intrays per bucket for a scope, in one aggregate over the scope's partial index."""
    today = today_for(user)
    end = policy.week_end(today)
    qs = scope_queryset(user=user, scope=scope, position_id=position_id, team_id=team_id).filter(IS_OPEN)
    counts = qs.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(due_date__lt=today)),
        due_today=Count("id", filter=Q(due_date=today)),
        due_this_week=Count("id", filter=Q(due_date__gt=today, due_date__lte=end)),
    )
    return {k: v or 0 for k, v in counts.items()}


def scope_counts(*, user: Any) -> dict[str, dict[str, int] | None]:
    """Counts for each worklist the officer has (team only for Team Leaders)."""
    officer = officer_of(user)
    out: dict[str, dict[str, int] | None] = {"mine": worklist_counts(user=user, scope="mine")}
    out["position"] = worklist_counts(user=user, scope="position") if officer and officer.position_id else None
    out["team"] = worklist_counts(user=user, scope="team") if teams_led(officer) else None
    return out


def sla_pending_ids(*, ids) -> list[int]:
    """Which of these intrays are still open with no SLA breach recorded (the SLA sweep may still work on them)."""
    return list(Intray.objects.filter(IS_OPEN, sla_breached_at__isnull=True, pk__in=ids).values_list("pk", flat=True))


def sla_candidates(*, before: dt.date, batch: int = 500, after: tuple[dt.date, int] | None = None) -> list[tuple[dt.date, int]]:
    """(due_date, id) of open intrays due before ``before`` with no breach recorded, in (due_date, id) keyset order
    after ``after``: a range scan of the partial index intray_sla_pending."""
    qs = Intray.objects.filter(IS_OPEN, sla_breached_at__isnull=True, due_date__isnull=False, due_date__lt=before)
    if after is not None:
        qs = qs.filter(Q(due_date__gt=after[0]) | Q(due_date=after[0], id__gt=after[1]))
    return list(qs.order_by("due_date", "id").values_list("due_date", "id")[:batch])

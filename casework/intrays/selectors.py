"""Reads: worklists (mine / my position's / my team's), bucket counts, a customer's open intrays.

Every worklist read is ``WHERE <assignee> = ? AND status IN ('open','in_progress') ORDER BY due_date, id LIMIT n``,
answered by the matching partial index (docs/intrays.md), with the related rows of the page joined in the same query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from casework.core import clock, refcache
from casework.core.errors import InvalidInput, NotFound, NotPermitted
from casework.org.models import Team
from casework.org.roles import TEAM_LEADER_ROLES
from casework.org.rules import officer_of

from . import policy
from .models import IS_OPEN, Intray, IntrayStatus, IntrayType

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
    # Read every time, never from the per-process reference cache: who leads a team decides who may see its
    # intrays and decide its approvals, so a change of leader must hold in every process at once (one indexed read).
    ids = set(Team.objects.filter(leader=officer, is_active=True).values_list("id", flat=True))
    if officer.position_id and officer.position.team_id:
        ids.add(officer.position.team_id)
    return sorted(ids)


INTRAY_TYPES_KEY = "intrays.intraytype"


def intray_types() -> tuple[IntrayType, ...]:
    """Every intray type, by name: reference rows cached per process (issue 15, ``core.refcache``; reloaded on any
    change of the table, ``intrays.apps``). Shared by every request: read only."""
    return refcache.cached(INTRAY_TYPES_KEY, lambda: tuple(IntrayType.objects.order_by("name", "pk")))


def intray_type(code: str) -> IntrayType | None:
    return next((t for t in intray_types() if t.code == code), None)


def intrays_open_for_customer(*, customer) -> list[Intray]:
    """The customer's open intrays, soonest due first (partial index intray_open_customer_due)."""
    return list(intrays_open_for_customer_queryset(customer=customer))


def intrays_open_for_customer_queryset(*, customer) -> QuerySet:
    return ordered(_base().filter(IS_OPEN, customer=customer))


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


COUNT_CAP = 1000  # pages show "1,000+" beyond this: a count reads at most COUNT_CAP + 1 index entries


class CappedCount(int):
    """A count read from at most ``cap + 1`` rows: "at least", shown with a "+" ("1,000+"), when the rows read did
    not reach the end of what it counts."""

    cap: int | None = None

    def __new__(cls, value: int, *, capped: bool = False, cap: int | None = None):
        obj = super().__new__(cls, value)
        obj.cap = cap if capped else None
        return obj

    @property
    def is_capped(self) -> bool:
        return self.cap is not None

    def __str__(self) -> str:
        return f"{int(self):,}+" if self.cap is not None else f"{int(self):,}"


def worklist_counts(
    *, user: Any, scope: str, position_id: int | None = None, team_id: int | None = None, cap: int | None = None
) -> dict[str, int]:
    """Open intrays per bucket for a scope, in one aggregate over the scope's partial index.

    With ``cap`` (the pages, issue 15) the aggregate reads only the first ``cap + 1`` open rows in due order (the
    partial index, no count of the whole queue): buckets come first to last in that order (overdue, today, this
    week), so a bucket is exact when a later row was read, else it is "at least" (``CappedCount``, "1,000+"). Without a
    cap (the API's counts endpoint) every count is exact."""
    today = today_for(user)
    end = policy.week_end(today)
    qs = scope_queryset(user=user, scope=scope, position_id=position_id, team_id=team_id).filter(IS_OPEN)
    aggregates = {
        "total": Count("id"),
        "overdue": Count("id", filter=Q(due_date__lt=today)),
        "due_today": Count("id", filter=Q(due_date=today)),
        "due_this_week": Count("id", filter=Q(due_date__gt=today, due_date__lte=end)),
    }
    if cap is None:
        counts = qs.aggregate(**aggregates)
        return {k: v or 0 for k, v in counts.items()}
    sample = ordered(qs)[: cap + 1]
    counts = {k: v or 0 for k, v in sample.aggregate(
        **aggregates,
        after_today=Count("id", filter=Q(due_date__gt=today) | Q(due_date__isnull=True)),
        after_week=Count("id", filter=Q(due_date__gt=end) | Q(due_date__isnull=True)),
    ).items()}
    full = counts["total"] > cap
    later = {  # rows read beyond each bucket: when there are some, the bucket was read to its end
        "overdue": counts["total"] - counts["overdue"],
        "due_today": counts["after_today"],
        "due_this_week": counts["after_week"],
    }
    out = {"total": CappedCount(min(counts["total"], cap), capped=full, cap=cap)}
    for key, beyond in later.items():
        capped = full and beyond == 0
        out[key] = CappedCount(min(counts[key], cap), capped=capped, cap=cap)
    return out


def scope_counts(*, user: Any) -> dict[str, dict[str, int] | None]:
    """Capped counts (``COUNT_CAP``) for each worklist the officer has (team only for Team Leaders)."""
    officer = officer_of(user)
    out: dict[str, dict[str, int] | None] = {"mine": worklist_counts(user=user, scope="mine", cap=COUNT_CAP)}
    out["position"] = (
        worklist_counts(user=user, scope="position", cap=COUNT_CAP) if officer and officer.position_id else None
    )
    out["team"] = worklist_counts(user=user, scope="team", cap=COUNT_CAP) if teams_led(officer) else None
    return out


# --- Keyset paging (issue 15) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the worklist's order (due date, soonest first, no due date last; then id)."""

    due_date: dt.date | None
    id: int

    def encode(self) -> str:
        return f"{self.due_date.isoformat() if self.due_date else '-'}.{self.id}"

    @classmethod
    def decode(cls, raw: str, *, field: str) -> Cursor:
        due_raw, sep, id_raw = (raw or "").partition(".")
        try:
            if not sep:
                raise ValueError(raw)
            due = None if due_raw == "-" else dt.date.fromisoformat(due_raw)
            return cls(due, int(id_raw))
        except ValueError:
            raise InvalidInput("That page link is not valid.", fields={
                field: ["Not a page of this list: go back to its first page."]}) from None

    @classmethod
    def of(cls, intray: Intray) -> Cursor:
        return cls(intray.due_date, intray.pk)


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: Cursor | None  # rows after the last one exist
    previous_cursor: Cursor | None  # rows before the first one exist

    @property
    def object_list(self) -> list:
        return self.rows

    @property
    def has_other_pages(self) -> bool:
        return self.next_cursor is not None or self.previous_cursor is not None


def _after(c: Cursor) -> Q:
    if c.due_date is None:
        return Q(due_date__isnull=True, id__gt=c.id)
    return Q(due_date__gt=c.due_date) | Q(due_date=c.due_date, id__gt=c.id) | Q(due_date__isnull=True)


def _before(c: Cursor) -> Q:
    if c.due_date is None:
        return Q(due_date__isnull=False) | Q(due_date__isnull=True, id__lt=c.id)
    return Q(due_date__lt=c.due_date) | Q(due_date=c.due_date, id__lt=c.id)


def keyset_page(qs: QuerySet, *, size: int, after: Cursor | None = None, before: Cursor | None = None) -> KeysetPage:
    """One page of an ``ordered`` queryset by position, not offset: ``size + 1`` rows read from the index in order
    (the extra row says whether there is a next page) and no COUNT. A row added or closed elsewhere in the list moves
    no other row between pages, so none is lost or shown twice. "Previous" reads backwards from the first row."""
    if before is not None:
        back = list(qs.filter(_before(before)).order_by(F("due_date").desc(nulls_first=True), "-id")[: size + 1])
        more_before = len(back) > size
        rows = list(reversed(back[:size]))
        return KeysetPage(
            rows=rows,
            next_cursor=Cursor.of(rows[-1]) if rows else None,
            previous_cursor=Cursor.of(rows[0]) if rows and more_before else None,
        )
    if after is not None:
        qs = qs.filter(_after(after))
    found = list(qs[: size + 1])
    rows = found[:size]
    return KeysetPage(
        rows=rows,
        next_cursor=Cursor.of(rows[-1]) if len(found) > size else None,
        previous_cursor=Cursor.of(rows[0]) if rows and after is not None else None,
    )


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

"""Reads of the organisation: offices, teams, positions, officers and intake coverage."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from casework.core import people, refcache

from . import policy
from .models import BusinessArea, IssueType, Office, Officer, Position, Team

# Issue 15: reference rows every form asks for, cached per process (core.refcache), invalidated on every change of
# the table (``org.services.reference_upsert`` and the ``refcache.watch`` signals connected in ``org.apps``).
AREAS_KEY = "org.businessarea.active"  # (ownership.selectors caches the areas' CMA-1.5 facts as "org.businessarea")
ISSUE_TYPES_KEY = "org.issuetype"


def active_business_areas() -> tuple[BusinessArea, ...]:
    """The active business areas, by name (shared by every request of the process: read only)."""
    return refcache.cached(AREAS_KEY, lambda: tuple(BusinessArea.objects.filter(is_active=True).order_by("name", "pk")))


def active_issue_types() -> tuple[IssueType, ...]:
    """The active issue types with their handling area, by kind and name (read only, shared)."""
    return refcache.cached(ISSUE_TYPES_KEY, lambda: tuple(
        IssueType.objects.filter(is_active=True).select_related("handling_area").order_by("kind", "name")))


# An intake position receives work addressed to its area: team-less, or named "<AREA>-<office>-intake".
INTAKE = Q(team__isnull=True) | Q(code__endswith="-intake")


def offices() -> QuerySet[Office]:
    return Office.objects.order_by("state", "name")


def teams() -> QuerySet[Team]:
    return Team.objects.select_related("business_area", "office", "leader__user").order_by("name")


def positions() -> QuerySet[Position]:
    return Position.objects.select_related("business_area", "office", "team").order_by("code")


def officers() -> QuerySet[Officer]:
    return Officer.objects.select_related("user", "position__business_area", "position__office").order_by(
        "user__username"
    )


def intake_positions() -> QuerySet[Position]:
    return Position.objects.filter(INTAKE, is_active=True, office__is_active=True, business_area__is_active=True)


def coverage_gaps() -> tuple[policy.CoverageGap, ...]:
    """Every active business area × state and territory without an active intake position (two queries)."""
    areas = BusinessArea.objects.filter(is_active=True).values_list("code", "name")
    intakes = intake_positions().values_list("business_area__code", "office__state").distinct()
    return policy.coverage_gaps(areas=list(areas), intakes=[policy.IntakeFact(a, s) for a, s in intakes])


# --- Choosing an officer or a position (issue 14): the one lookup ------------------------------------------------
# Every form that names an officer or a position (``org.pickers``), and the picker's suggestions endpoint, go through
# these two functions. A value is what the picker sends ("officer:12", "position:7") or, typed by hand, a username, a
# position code or an officer's full name; anything else is "nothing matches", never a server error.

PICK_LIMIT = 10
PICK_MIN_CHARS = 2
PICK_KINDS = ("officer", "position")


class PickError(ValueError):
    """Nothing, or more than one, matches what was typed: the message says so in plain words."""


def officer_label(officer: Officer) -> str:
    """``Ana Ruiz (Service Officer, Parramatta)``: how an officer is shown to another officer (``core.people``)."""
    return people.officer_label(officer)


def position_label(position: Position) -> str:
    """``PS Case Manager 1 (Personalised Services, Parramatta)``."""
    team = position.team.name if position.team_id else position.business_area.name
    return f"{position.title} ({team}, {position.office.name})"


def pickable(kind: str, scope: dict | None = None) -> QuerySet:
    """The active officers (with an active account) or active positions (at an active office) an officer may name, narrowed by ``scope`` (field filters the form sets, e.g. ``{"role__in": [...]}``). Whether a
    named one may take *this* work stays with the service and its policy (e.g. a dispute goes only to a Team
    Leader)."""
    if kind == "officer":
        qs = Officer.objects.filter(is_active=True, user__is_active=True).select_related(
            "user", "position__office", "position__team", "position__business_area")
    elif kind == "position":
        qs = Position.objects.filter(is_active=True, office__is_active=True).select_related(
            "office", "team", "business_area")
    else:
        raise ValueError(f"unknown pick kind {kind!r}")
    return qs.filter(**(scope or {}))


@dataclass(frozen=True)
class PickOption:
    value: str  # "officer:12" / "position:7"
    label: str  # "Ana Ruiz (Service Officer, Parramatta)"
    hint: str  # the username or position code, shown small


def _option(kind: str, row) -> PickOption:
    if kind == "officer":
        return PickOption(f"officer:{row.pk}", officer_label(row), row.user.username)
    return PickOption(f"position:{row.pk}", position_label(row), row.code)


def pick_search(*, q: str, kinds: tuple[str, ...] = PICK_KINDS, scopes: dict | None = None,
                limit: int = PICK_LIMIT) -> list[PickOption]:
    """Suggestions for what was typed (2+ characters): officers whose username, first or last name starts with it
    (or, for two words, first and last name), positions whose code or title starts with it; at most ``limit`` in
    all, one query per kind. Only names, role, team and office: nothing else about an officer leaves here."""
    q = " ".join((q or "").split())[:100]
    if len(q) < PICK_MIN_CHARS:
        return []
    out: list[PickOption] = []
    for kind in kinds:
        room = limit - len(out)
        if room <= 0:
            break
        qs = pickable(kind, (scopes or {}).get(kind))
        if kind == "officer":
            words = q.split(" ")
            match = Q(user__username__istartswith=q) | Q(user__first_name__istartswith=q) | \
                Q(user__last_name__istartswith=q)
            if len(words) >= 2:
                match |= Q(user__first_name__istartswith=words[0], user__last_name__istartswith=" ".join(words[1:]))
            rows = qs.filter(match).order_by("user__last_name", "user__first_name", "pk")[:room]
        else:
            rows = qs.filter(Q(code__istartswith=q) | Q(title__istartswith=q)).order_by("title", "code")[:room]
        out.extend(_option(kind, r) for r in rows)
    return out


def pick_resolve(value: str, *, kinds: tuple[str, ...] = PICK_KINDS, scopes: dict | None = None,
                 noun: str = "officer or position"):
    """The one officer or position ``value`` names, among those that may be picked (``pickable``). ``value``: the
    picker's "officer:<id>"/"position:<id>"; typed by hand, a username, a position code or an officer's full name
    (case does not matter). Raises ``PickError`` (plain words) when nothing or more than one matches."""
    text = " ".join(str(value or "").split())
    if not text:
        return None
    kind, _, pk = text.partition(":")
    if kind in kinds and pk.isdigit() and len(pk) < 19:
        found = pickable(kind, (scopes or {}).get(kind)).filter(pk=int(pk)).first()
        if found is None:
            raise PickError(f"The {kind} you chose can no longer be given this work: choose another.")
        return found
    matches: list = []
    for kind in kinds:
        qs = pickable(kind, (scopes or {}).get(kind))
        if kind == "officer":
            found = list(qs.filter(user__username__iexact=text)[:2])
            if not found and " " in text:
                first, _, last = text.partition(" ")
                found = list(qs.filter(user__first_name__iexact=first, user__last_name__iexact=last)[:2])
        else:
            found = list(qs.filter(code__iexact=text)[:2])
        if not found and text.isdigit() and len(text) < 19:  # an id, as the API and the decision pages send
            found = list(qs.filter(pk=int(text))[:1])
        matches.extend(found)
    if not matches:
        raise PickError(f"No {noun} matches \u201c{text}\u201d: type at least {PICK_MIN_CHARS} letters of a name"
                        f"{', username' if 'officer' in kinds else ''}{' or position code' if 'position' in kinds else ''}"
                        " and choose from the list.")
    if len(matches) > 1:
        raise PickError(f"More than one {noun} matches \u201c{text}\u201d: choose one from the list.")
    return matches[0]

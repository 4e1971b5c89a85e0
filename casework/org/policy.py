"""Pure organisation rules (no database): does every business area have somewhere to receive work in every state?

Work addressed to an area — follow-up referred to "the relevant position of the owning business area" (CMA-2.10), the
area managing an outstanding specialised issue (CMA-3.3), an error sent back to an area (CMA-1.3) — lands on the
area's team-less *intake* position, preferably in the office of the officer referring it. A missing intake position
makes those rules fail on real customers, so the gaps are listed (``manage.py org_coverage``, ``/api/v1/org/coverage/``,
the organisation screen) and the shipped reference data has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casework.core.policy import Decision

from .roles import State

COVERAGE_STEPS = ("CMA-1.3", "CMA-2.10", "CMA-3.3")
ALL_STATES: tuple[str, ...] = tuple(State.values)


@dataclass(frozen=True)
class IntakeFact:
    """An active intake position: its area code and the state of its (active) office."""

    area_code: str
    state: str


@dataclass(frozen=True)
class CoverageGap:
    area_code: str
    area_name: str
    state: str


def coverage_gaps(
    *, areas: Iterable[tuple[str, str]], intakes: Iterable[IntakeFact], states: Iterable[str] = ALL_STATES
) -> tuple[CoverageGap, ...]:
    """Every (active area, state) pair without an active intake position, in area-code then state order.

    ``areas`` is (code, name) of each active business area."""
    have = {(i.area_code, i.state) for i in intakes}
    states = tuple(states)
    return tuple(
        CoverageGap(code, name, state)
        for code, name in sorted(areas)
        for state in states
        if (code, state) not in have
    )


def coverage_decision(gaps: tuple[CoverageGap, ...]) -> Decision:
    if not gaps:
        return Decision.yes(
            "Every business area has an intake position in every state and territory.", *COVERAGE_STEPS, gaps=0
        )
    return Decision.no(
        f"{len(gaps)} business area and state combinations have no intake position, so work addressed to the area "
        "there has nowhere to land.",
        *COVERAGE_STEPS,
        gaps=len(gaps),
    )

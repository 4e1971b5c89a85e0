"""Reads of the organisation: offices, teams, positions, officers and intake coverage."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from . import policy
from .models import BusinessArea, Office, Officer, Position, Team

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

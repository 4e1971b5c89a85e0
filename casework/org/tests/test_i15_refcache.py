"""Issue 15 (i15-page): reference rows every page asks for (intray types, issue types, active business areas) are
cached per process (``core.refcache``) and reloaded after any save or delete of their
table (``refcache.watch``: signals), whoever writes it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.intrays import selectors as intray_selectors
from casework.intrays.models import IntrayType
from casework.org import selectors
from casework.org.models import BusinessArea, IssueType
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


def _reads(fn) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return value, len(ctx.captured_queries)


def test_intray_types_are_read_once_and_again_after_a_change(reference):
    types, n = _reads(intray_selectors.intray_types)
    assert n == 1 and types
    assert _reads(intray_selectors.intray_types)[1] == 0  # cached
    assert _reads(lambda: intray_selectors.intray_type("general_follow_up"))[1] == 0
    row = IntrayType.objects.get(code="general_follow_up")
    row.name = "General follow-up (renamed)"
    row.save()  # not through a service: the signal invalidates
    assert intray_selectors.intray_type("general_follow_up").name == "General follow-up (renamed)"


def test_intray_type_created_is_seen_by_the_service(reference):
    from casework.intrays import services

    intray_selectors.intray_types()
    IntrayType.objects.create(code="new_kind", name="A new kind")
    assert services._get_type("new_kind").name == "A new kind"


def test_issue_types_and_areas_follow_every_change(reference):
    before, n = _reads(selectors.active_issue_types)
    assert n == 1 and all(t.is_active for t in before)
    assert _reads(selectors.active_issue_types)[1] == 0
    assert _reads(selectors.active_business_areas)[1] == 1
    assert _reads(selectors.active_business_areas)[1] == 0
    issue = before[0]
    row = IssueType.objects.get(pk=issue.pk)
    row.is_active = False
    row.save()
    assert issue.pk not in {t.pk for t in selectors.active_issue_types()}
    area = BusinessArea.objects.get(code="LITIGATION")
    area.name = "Litigation (renamed)"
    area.save()
    assert "Litigation (renamed)" in {a.name for a in selectors.active_business_areas()}
    # The handling area is shown with each issue type: a renamed area reloads the issue types too.
    handled = [t for t in selectors.active_issue_types() if t.handling_area_id == area.pk]
    assert all(t.handling_area.name == "Litigation (renamed)" for t in handled)
    # The ownership rule's own copy of the areas follows the same change.
    from casework.ownership.selectors import area_facts

    assert area_facts()["LITIGATION"].name == "Litigation (renamed)"


def test_teams_led_are_never_cached_a_new_leader_holds_at_once_in_every_process(reference):
    """Who leads a team is an authorisation input (the team's intrays, its approvals): read every time, so another
    process never serves the old leader for the cache's maximum age (no shared cache configured)."""
    leader = f.OfficerFactory(role=Role.TEAM_LEADER)
    assert intray_selectors.teams_led(leader) == sorted({leader.position.team_id} - {None})
    assert _reads(lambda: intray_selectors.teams_led(leader))[1] == 1
    team = f.TeamFactory()
    team.leader = leader
    team.save()
    assert team.pk in intray_selectors.teams_led(leader)
    team.is_active = False
    team.save()
    assert team.pk not in intray_selectors.teams_led(leader)

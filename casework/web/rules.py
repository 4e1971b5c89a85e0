"""Web shell permissions: the Team Leader's morning (issue 14, journey 7) is for Team Leader roles."""

from __future__ import annotations

import rules

from casework.org.rules import is_team_leader

rules.add_perm("web.view_morning", is_team_leader)

"""Ownership permissions, declared once; checked by the API, the UI and the services alike."""

from __future__ import annotations

import rules

from casework.org.rules import (
    is_administrator,
    is_auditor,
    is_caseworker,
    is_ps_officer,
    is_specialist_officer,
    is_team_leader,
)

rules.add_perm("ownership.view_ownership", is_caseworker | is_auditor | is_administrator)
# CMA-2.10: lock to yourself or a position; a Team Leader may lock to another officer.
rules.add_perm("ownership.lock_customer", is_caseworker)
rules.add_perm("ownership.lock_for_other", is_team_leader)
rules.add_perm("ownership.take_over", is_caseworker)
rules.add_perm("ownership.refer_follow_up", is_caseworker)
rules.add_perm("ownership.unlock_customer", is_caseworker)
rules.add_perm("ownership.record_error", is_caseworker)
# CMA-1.6: transfers between specialised areas; disputes escalate to a Team Leader who decides.
rules.add_perm("ownership.transfer", is_specialist_officer | is_team_leader | is_ps_officer)
rules.add_perm("ownership.raise_dispute", is_specialist_officer | is_team_leader | is_ps_officer)
rules.add_perm("ownership.decide_dispute", is_team_leader)
rules.add_perm("ownership.view_team_queue", is_team_leader)
# PS-SPE-1/2
rules.add_perm("ownership.record_consultation", is_caseworker)

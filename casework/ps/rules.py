"""Personalised Services permissions, declared once and checked by the API, the UI and the services alike."""

from __future__ import annotations

import rules

from casework.org.rules import (
    is_administrator,
    is_auditor,
    is_caseworker,
    is_ps_case_manager,
    is_ps_officer,
    is_ps_team_leader,
    is_team_leader,
)

rules.add_perm("ps.view_ps", is_caseworker | is_auditor | is_administrator)
rules.add_perm("ps.refer_customer", is_caseworker)  # PS-REF-1 (TL-only type: Team Leaders)
rules.add_perm("ps.action_referral", is_ps_officer)  # PS-REF-2
rules.add_perm("ps.manage_plan", is_ps_officer)  # PS-PSP, PS-CON, PS-RES, PS-DOC
rules.add_perm("ps.approve_segment3", is_ps_team_leader)  # PS-ORM-1
rules.add_perm("ps.request_reallocation", is_ps_case_manager | is_ps_team_leader)  # PS-REV-2
rules.add_perm("ps.reallocate", is_ps_team_leader)  # PS-REV-3
rules.add_perm("ps.submit_finalisation", is_ps_officer)  # PS-FIN-2
rules.add_perm("ps.decide_finalisation", is_ps_team_leader)  # PS-FIN-3
rules.add_perm("ps.review_segment3", is_ps_team_leader)  # PS-ORM-2
rules.add_perm("ps.review_restricted_service", is_ps_team_leader)  # PS-ORM-3
# The restricted-service review outcome is decided by the National Manager QCC as a request for approval (issue 11):
# its eligibility (ps.services.NMQCC_ELIGIBILITY), not a permission here, says who decides it (PS-ORM-3).
rules.add_perm("ps.view_team", is_ps_team_leader | is_team_leader | is_administrator)
rules.add_perm("ps.export", is_ps_officer | is_auditor | is_administrator)

"""Customer permissions beyond the shared ones declared in casework/org/rules.py.

Declared once here and checked by API views, UI views and services alike.
"""

from __future__ import annotations

import rules

from casework.org.rules import (
    is_administrator,
    is_auditor,
    is_caseworker,
    is_national_manager_qcc,
    is_ps_officer,
    is_team_leader,
)

# Presenting issues (CMA-1.2) and case facts (income, debts, arrangements): worked by caseworkers.
rules.add_perm("customers.add_presenting_issue", is_caseworker)
rules.add_perm("customers.change_presenting_issue", is_caseworker)
rules.add_perm("customers.record_income", is_caseworker)
rules.add_perm("customers.record_collection", is_caseworker)
rules.add_perm("customers.view_presenting_issue", is_caseworker | is_auditor | is_administrator)
# Authorised representatives (CMA-1.1: their authority limits what may be exchanged with them).
rules.add_perm("customers.change_representative", is_caseworker)
# Ending a restricted service in force is a review outcome: a Team Leader (or PS Team Leader) asks, and only the
# National Manager QCC approves (PS-ORM-3; the ``restricted_service_end`` request for approval). The NMQCC does not
# ask: the one who approves is never the one who asked (docs/approvals.md).
rules.add_perm("customers.restrict_service", is_team_leader)
rules.add_perm("customers.approve_restriction_end", is_national_manager_qcc)
# Imposing restricted service (PS-ORM-3) is proposed by a Team Leader or PS officer; the proposal is a request for
# approval (kind ``restricted_service``) decided by a PS Team Leader other than the proposer, by that request's own
# eligibility (issue 11), not by a permission here.
rules.add_perm("customers.propose_restriction", is_team_leader | is_ps_officer)

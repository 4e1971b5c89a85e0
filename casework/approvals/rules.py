"""Requests for approval are internal work: every caseworker may see them (and auditors); deciding is governed by
each request's own eligibility (approvals.policy), not by a blanket permission."""

import rules

from casework.org.rules import is_auditor, is_caseworker

rules.add_perm("approvals.view_approval", is_caseworker | is_auditor)
rules.add_perm("approvals.decide_approval", is_caseworker)

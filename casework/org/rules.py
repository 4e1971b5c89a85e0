"""Permissions, declared once. API views, UI views and services all check these same names.

Predicates take (user[, obj]). Add an app's own permissions in that app's ``rules.py`` using these predicates.
"""

from __future__ import annotations

import rules

from .roles import CASEWORK_ROLES, PS_ROLES, TEAM_LEADER_ROLES, Role


def officer_of(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    officer = getattr(user, "officer", None)
    if officer is None or not officer.is_active or not user.is_active:
        return None
    return officer


def _role_in(roles_):
    roles_ = frozenset(roles_)

    @rules.predicate
    def predicate(user):
        officer = officer_of(user)
        return officer is not None and officer.role in roles_

    return predicate


is_officer = rules.predicate(lambda user: officer_of(user) is not None, name="is_officer")
is_service_officer = _role_in({Role.SERVICE_OFFICER})
is_specialist_officer = _role_in({Role.SPECIALIST_OFFICER})
is_team_leader = _role_in(TEAM_LEADER_ROLES)
is_ps_case_manager = _role_in({Role.PS_CASE_MANAGER})
is_ps_team_leader = _role_in({Role.PS_TEAM_LEADER})
is_ps_officer = _role_in(PS_ROLES)
is_customer_review_officer = _role_in({Role.CUSTOMER_REVIEW_OFFICER})
is_national_manager_qcc = _role_in({Role.NATIONAL_MANAGER_QCC})
# Administrators manage users and reference data; they never act as caseworkers (docs/security.md). Superuser
# status grants nothing here: ``is_superuser`` is not a role, and no superuser signs in (core/auth.py).
is_administrator = _role_in({Role.ADMINISTRATOR})
is_auditor = _role_in({Role.AUDITOR})
is_caseworker = _role_in(CASEWORK_ROLES)

# Customers, cases, notes
rules.add_perm("customers.view_customer", is_caseworker | is_auditor | is_administrator)
rules.add_perm("customers.add_customer", is_caseworker)
rules.add_perm("customers.change_customer", is_caseworker)
rules.add_perm("customers.view_case", is_caseworker | is_auditor | is_administrator)
rules.add_perm("customers.add_case", is_caseworker)
rules.add_perm("customers.add_note", is_caseworker)
rules.add_perm("customers.view_note", is_caseworker | is_auditor)
# Internal-only material (sensitive issue indicator): officers yes; nothing customer-facing ever.
rules.add_perm("customers.view_sensitive", is_caseworker | is_auditor)
rules.add_perm("customers.change_sensitive", is_caseworker)

# Audit trail: search is for auditors (and administrators); nobody may change it.
rules.add_perm("core.view_auditevent", is_auditor | is_administrator)

# Reference data (business areas, issue types, positions, teams, officers, calendars)
rules.add_perm("org.manage_reference", is_administrator)
# Issue 14: the officer/position picker's suggestions (names, role, team, office) for officers who hand work on.
rules.add_perm("org.pick", is_caseworker)

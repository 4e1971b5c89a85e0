"""Officer roles. Declared once; permissions are built from these with ``rules`` predicates (org/rules.py)."""

from __future__ import annotations

from django.db import models

from casework.core import clock


class Role(models.TextChoices):
    SERVICE_OFFICER = "service_officer", "Service Officer"
    SPECIALIST_OFFICER = "specialist_officer", "Specialist Officer"
    TEAM_LEADER = "team_leader", "Team Leader"
    PS_CASE_MANAGER = "ps_case_manager", "PS Case Manager"
    PS_TEAM_LEADER = "ps_team_leader", "PS Team Leader"
    CUSTOMER_REVIEW_OFFICER = "customer_review_officer", "Customer Review Officer"
    NATIONAL_MANAGER_QCC = "national_manager_qcc", "National Manager Quality and Customer Complaints"
    ADMINISTRATOR = "administrator", "Administrator"
    AUDITOR = "auditor", "Auditor (read-only)"


TEAM_LEADER_ROLES = frozenset({Role.TEAM_LEADER, Role.PS_TEAM_LEADER})
PS_ROLES = frozenset({Role.PS_CASE_MANAGER, Role.PS_TEAM_LEADER})
# Roles that work customers (lock, add notes, run contacts). Auditors and administrators do not.
CASEWORK_ROLES = frozenset(
    {
        Role.SERVICE_OFFICER,
        Role.SPECIALIST_OFFICER,
        Role.TEAM_LEADER,
        Role.PS_CASE_MANAGER,
        Role.PS_TEAM_LEADER,
        Role.CUSTOMER_REVIEW_OFFICER,
        Role.NATIONAL_MANAGER_QCC,
    }
)


class State(models.TextChoices):
    NSW = "NSW", "New South Wales"
    VIC = "VIC", "Victoria"
    QLD = "QLD", "Queensland"
    WA = "WA", "Western Australia"
    SA = "SA", "South Australia"
    TAS = "TAS", "Tasmania"
    ACT = "ACT", "Australian Capital Territory"
    NT = "NT", "Northern Territory"


# The state -> zone table lives with the clock (casework/core/clock.py); re-exported here for org's callers.
STATE_TIMEZONES = clock.STATE_TIMEZONES

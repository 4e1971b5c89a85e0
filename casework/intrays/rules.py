"""Intray permissions, declared once; API, UI and services check these names."""

from __future__ import annotations

import rules

from casework.org.rules import is_administrator, is_auditor, is_caseworker

rules.add_perm("intrays.view_intray", is_caseworker | is_auditor | is_administrator)
rules.add_perm("intrays.add_intray", is_caseworker)
rules.add_perm("intrays.change_intray", is_caseworker)
rules.add_perm("intrays.view_document", is_caseworker | is_auditor | is_administrator)
# Office closures / calendar corrections and intray types are reference data.
rules.add_perm("intrays.manage_calendar", is_administrator)

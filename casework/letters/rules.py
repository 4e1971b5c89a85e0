"""Letters permissions (declared once; API, UI and services check these)."""

import rules

from casework.org.rules import is_administrator, is_auditor, is_caseworker

rules.add_perm("letters.issue_letter", is_caseworker)
rules.add_perm("letters.view_letter", is_caseworker | is_auditor | is_administrator)

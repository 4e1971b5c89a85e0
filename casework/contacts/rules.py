"""Contacts permissions, declared once; API, UI and services check these names."""

import rules

from casework.org.rules import is_administrator, is_auditor, is_caseworker

rules.add_perm("contacts.run_contact", is_caseworker)
rules.add_perm("contacts.view_contact", is_caseworker | is_auditor | is_administrator)

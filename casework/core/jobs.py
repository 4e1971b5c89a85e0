"""Scheduled work of the core app."""

from __future__ import annotations

from casework.core.audit import audit_chain_seal


def audit_chain_seal_job() -> int:
    """Chain what the seals after each commit left (issue 15): a seal after commit does not wait when another
    process holds the chain's lock, so an event committed just after that sealer read the trail is chained here,
    at most a minute later (or by the next commit's seal, whichever is first)."""
    return audit_chain_seal()

"""Scheduled work of the core app."""

from __future__ import annotations

from casework.core.audit import CATCH_UP_WINDOW, audit_chain_seal


def audit_chain_seal_job() -> int:
    """Chain what the seals after each commit left (issue 15): a seal after commit does not wait when another
    process holds the chain's lock, so an event committed just after that sealer read the trail is chained here,
    at most a minute later (or by the next commit's seal, whichever is first). It looks back ``CATCH_UP_WINDOW``
    event ids, not only the 2,000 of the seal after each commit: a sweep's chunk (up to 2,000 events in one
    transaction) can commit after an officer's later event was sealed, leaving its first events below that window."""
    return audit_chain_seal(window=CATCH_UP_WINDOW)

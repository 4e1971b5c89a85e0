"""Bypass matrix, group "facts" (issue 10): request bodies, extra states and the operations of this group the matrix
does not cover yet. Its rows are in ``casework/testing/bypass_matrix_facts.tsv``; ``test_bypass_matrix.py`` runs them with
the rest. A body is ``(world) -> (path, body)``; a state setter is ``(world, actor) -> None`` and runs inside the cell's
savepoint (it may put what it builds in ``world.extra``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# operationId -> (world) -> (path, body)
BODIES: dict[str, Callable[[Any], tuple[str, dict[str, Any]]]] = {}

# state key -> (description, setter(world, actor))
STATES: dict[str, tuple[str, Callable[[Any, Any], None]]] = {}

# The group's write operations with no rows yet (kept equal to casework/testing/bypass_matrix.NOT_YET_BY_GROUP).
NOT_YET: frozenset[str] = frozenset({
    "approvals_decide_create",
    "approvals_withdraw_create",
    "arrangements_amend",
    "arrangements_default_create",
    "arrangements_end_create",
    "auth_logout_create",
    "auth_token_create",
    "auth_tokens_revoke_create",
    "care_correct",
    "cases_care_add",
    "cases_payments_add",
    "cases_registration_set",
    "cases_roles_reverse",
    "debts_arrangement_add",
    "debts_correct",
    "intrays_documents_create",
    "intrays_matters_address_create",
    "intrays_matters_create",
    "intrays_recategorise_create",
    "notifications_read_all_create",
    "notifications_read_create",
    "payments_correct",
    "representatives_end",
    "restrictions_approve",
    "restrictions_end",
    "restrictions_reject",
})

"""Bypass matrix, group "contacts" (issue 10): request bodies, extra states and the operations of this group the matrix
does not cover yet. Its rows are in ``casework/testing/bypass_matrix_contacts.tsv``; ``test_bypass_matrix.py`` runs them with
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
    "contacts_collection_info_create",
    "contacts_disagreement_create",
    "contacts_error_create",
    "contacts_explained_create",
    "contacts_external_referrals_create",
    "contacts_external_referrals_give_create",
    "contacts_finalise_create",
    "contacts_holistic_advice_create",
    "contacts_impacted_create",
    "contacts_income_create",
    "contacts_issues_close_create",
    "contacts_issues_create",
    "contacts_mca_complete_create",
    "contacts_mca_tick_create",
    "contacts_not_resolved_create",
    "contacts_payment_arrangement_create",
    "contacts_poi_create",
    "contacts_transfer_create",
    "contacts_unlock_create",
    "customers_ownership_auto_unlock_create",
    "customers_ownership_consultations_create",
})

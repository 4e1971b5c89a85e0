"""Bypass matrix, group "ps" (issue 10): request bodies, extra states and the operations of this group the matrix
does not cover yet. Its rows are in ``casework/testing/bypass_matrix_ps.tsv``; ``test_bypass_matrix.py`` runs them with
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
    "ps_actionadd",
    "ps_actioncomplete",
    "ps_casereview",
    "ps_contact",
    "ps_customertold",
    "ps_f2f",
    "ps_finalisation",
    "ps_finalisationdecision",
    "ps_issueadd",
    "ps_issuestatus",
    "ps_letter",
    "ps_nofurthercontact",
    "ps_noteadd",
    "ps_optionadd",
    "ps_optionupdate",
    "ps_planapprove",
    "ps_reallocationassign",
    "ps_reallocationforward",
    "ps_reallocationrequest",
    "ps_records_create",
    "ps_records_plan_partial_update",
    "ps_referrals_create",
    "ps_restrictedreview",
    "ps_segment",
    "ps_segment3outcome",
    "ps_segment3schedule",
    "ps_sensitive",
    "ps_skip",
})

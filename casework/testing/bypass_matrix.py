"""The bypass matrix (issue 10): every write operation of the API schema x role x relevant state, with the expected
outcome kept as data in ``bypass_matrix.tsv`` next to this module.

Columns of the table: ``operation`` (the OpenAPI operationId), ``state`` (a key of ``STATES``), ``role`` (a
``casework.org.roles.Role`` value or ``anonymous``), ``expected`` (``allow`` = any 2xx, or ``refuse:<status>``),
``why`` (the rule, with its step ID where there is one). ``casework/web/tests/test_bypass_matrix.py`` runs it.

Every write operation has rows (the groups' tables ``bypass_matrix_<group>.tsv`` included); operations without rows
would be listed in ``NOT_YET_BY_GROUP`` (empty; the completeness test allows only those to be missing); cells where the code allows what the procedures forbid and the fix is not small are listed in
``KNOWN_BYPASSES`` (the test prints them; the goal is none).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("bypass_matrix.tsv")

ROLES = (
    "service_officer",
    "specialist_officer",
    "team_leader",
    "ps_case_manager",
    "ps_team_leader",
    "customer_review_officer",
    "national_manager_qcc",
    "administrator",
    "auditor",
    "anonymous",
)

# State keys the world builder knows (casework/web/tests/test_bypass_matrix.py); a group's own states are in its
# module's ``STATES`` (casework/web/tests/bypass_<group>.py) and are added to these by the test.
STATES = {
    "-": "no customer state matters (organisation administration, creating a new record)",
    "unlocked": "the customer has no active lock",
    "locked_other": "the customer is locked to a Service Officer of another business area (COLLECTION)",
    "locked_actor": "the customer is locked to the acting officer",
    "dispute_services": "an ownership dispute escalated from COLLECTION (the holder) to SERVICES (CMA-1.6)",
    "dispute_elsewhere": "an ownership dispute escalated from COLLECTION (the holder) to LITIGATION (CMA-1.6)",
    "intray_actor": "an open General Follow-up intray assigned to the acting officer",
    "intray_other": "an open General Follow-up intray assigned to another officer (COLLECTION)",
    "ps": "the customer has an active PS record (referred and allocated): locked to the PS Case Manager",
}


@dataclass(frozen=True)
class Cell:
    operation: str
    state: str
    role: str
    expected: str
    why: str


def tables() -> list[Path]:
    """The main table and each group's table (``bypass_matrix_<group>.tsv``), in a fixed order."""
    return [TABLE, *sorted(TABLE.parent.glob("bypass_matrix_*.tsv"))]


def load() -> list[Cell]:
    cells: list[Cell] = []
    for table in tables():
        with table.open(newline="") as fh:
            rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
        header, body = rows[0], rows[1:]
        assert header == ["operation", "state", "role", "expected", "why"], (table.name, header)
        cells.extend(Cell(*r) for r in body)
    return cells


# (operation, state, role) -> reason. Cells the code still allows although the procedures forbid them, each with why
# the fix is not a small local guard. The matrix expects "refuse" for them and reports them separately.
KNOWN_BYPASSES: dict[tuple[str, str, str], str] = {}

# Write operations of the schema not in the table yet, by group: each group's rows live in its own table
# (``bypass_matrix_<group>.tsv``), its request bodies and extra states in ``casework/web/tests/bypass_<group>.py``.
# The completeness test fails on any other missing operation, so a new endpoint cannot slip in without a row.
NOT_YET_BY_GROUP: dict[str, frozenset[str]] = {
    "contacts": frozenset(),
    "ps": frozenset(),
    "facts": frozenset(),
}
NOT_YET_IN_MATRIX: frozenset[str] = frozenset().union(*NOT_YET_BY_GROUP.values())

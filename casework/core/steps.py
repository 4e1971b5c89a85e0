"""The procedure steps this system implements: the one registry of step IDs.

The catalogue is ``casework/core/steps.tsv``, a vendored copy of ``../shared/procedures/steps.tsv`` (the index of the
two published procedures in ``../shared/seeds/``); ``core/tests/test_steps.py`` fails when the two differ, when a
constant below is missing from it, or when any step-ID-shaped token anywhere in the repository (``.py``, ``.html``,
``.md``) is not in it. Code names steps with the constants below (``steps.CMA_1_5``) or with their literal ID; a
``Decision`` (core/policy.py) refuses to be built with an ID that is not here, so a step ID can only ever come from
the server's policy, never from a request.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

CATALOGUE_PATH = Path(__file__).with_name("steps.tsv")


def _load(path: Path) -> Mapping[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return MappingProxyType({row["id"].strip(): row["title"].strip() for row in rows if row.get("id")})


#: step ID -> title, in catalogue order.
CATALOGUE: Mapping[str, str] = _load(CATALOGUE_PATH)

#: A step-ID-shaped token: ``CMA-1.5``, ``PS-REF-2``, ``PS-ROLE``; or a section/family such as ``CMA-2``,
#: ``PS-PSP`` (used in prose for a group of steps). Used by the repository scan test.
TOKEN_RE = re.compile(r"\b(?:CMA-\d+(?:\.\d+)?|PS-[A-Z0-9]{2,5}(?:-\d+)?)")


class UnknownStep(ValueError):
    """A step ID that is not in the procedures' catalogue: a programming error, never an officer's input."""


def is_step(step_id: str) -> bool:
    return step_id in CATALOGUE


def is_family(token: str) -> bool:
    """A section reference (``CMA-2``, ``PS-FIN``) naming at least one catalogue step."""
    return any(sid.startswith(token + ".") or sid.startswith(token + "-") for sid in CATALOGUE)


def is_known_token(token: str) -> bool:
    return is_step(token) or is_family(token)


def title(step_id: str) -> str:
    require(step_id)
    return CATALOGUE[step_id]


def require(*step_ids: str) -> tuple[str, ...]:
    """The IDs unchanged, or ``UnknownStep`` naming the ones that are not in the catalogue."""
    unknown = [s for s in step_ids if not isinstance(s, str) or s not in CATALOGUE]
    if unknown:
        raise UnknownStep(f"Not a procedure step ID: {', '.join(map(repr, unknown))} (see casework/core/steps.tsv)")
    return tuple(step_ids)


def require_all(step_ids: Iterable[str]) -> tuple[str, ...]:
    return require(*tuple(step_ids))


# --- constants, one per catalogue step (checked against steps.tsv by core/tests/test_steps.py) -------------------
CMA_1_1 = "CMA-1.1"  # Customer or authorised representative contacts Child Support
CMA_1_2 = "CMA-1.2"  # Identify presenting issues
CMA_1_3 = "CMA-1.3"  # Error identified
CMA_1_4 = "CMA-1.4"  # Undertake collaborative customer management
CMA_1_5 = "CMA-1.5"  # Determine customer ownership (priority order)
CMA_1_6 = "CMA-1.6"  # Transfer ownership between specialised areas
CMA_1_7 = "CMA-1.7"  # Provide a holistic service
CMA_2_1 = "CMA-2.1"  # Complete Minimum Collection Activity (MCA)
CMA_2_2 = "CMA-2.2"  # Check income
CMA_2_3 = "CMA-2.3"  # Check payment of child support and debts
CMA_2_4 = "CMA-2.4"  # Customer is a payer
CMA_2_5 = "CMA-2.5"  # Customer is a payee
CMA_2_6 = "CMA-2.6"  # Manage expectations — payer
CMA_2_7 = "CMA-2.7"  # Manage expectations — payee
CMA_2_8 = "CMA-2.8"  # Document Minimum Collection Activity
CMA_2_9 = "CMA-2.9"  # Progress issues and real-time management
CMA_2_10 = "CMA-2.10"  # Customer locking
CMA_3_1 = "CMA-3.1"  # Finalise issue
CMA_3_2 = "CMA-3.2"  # Finalise all issues within scope
CMA_3_3 = "CMA-3.3"  # Other specialised issues outstanding
CMA_3_4 = "CMA-3.4"  # Unlock customer
CMA_3_5 = "CMA-3.5"  # Correspondence received (finalising)
PS_ROLE = "PS-ROLE"  # Roles and objectives
PS_REF_1 = "PS-REF-1"  # Referral received
PS_REF_2 = "PS-REF-2"  # Action the intray
PS_REF_3 = "PS-REF-3"  # PS Activity Database
PS_REV_1 = "PS-REV-1"  # Review case history
PS_REV_2 = "PS-REV-2"  # Reallocate customer (Case Manager)
PS_REV_3 = "PS-REV-3"  # Reallocate customer (Team Leader)
PS_PSP_1 = "PS-PSP-1"  # Create the PSP
PS_PSP_2 = "PS-PSP-2"  # Record information in the PSP
PS_PSP_3 = "PS-PSP-3"  # Approve the PSP
PS_PSP_4 = "PS-PSP-4"  # Issue status
PS_CON_1 = "PS-CON-1"  # Contact the primary customer
PS_CON_2 = "PS-CON-2"  # Discussion points (first contact)
PS_CON_3 = "PS-CON-3"  # Post customer contact
PS_CON_4 = "PS-CON-4"  # Sensitive issue indicator
PS_CON_5 = "PS-CON-5"  # Create follow-up intray
PS_CON_6 = "PS-CON-6"  # Follow-up contact
PS_CON_7 = "PS-CON-7"  # Follow-up discussion points
PS_CON_8 = "PS-CON-8"  # Writing to customers
PS_F2F_1 = "PS-F2F-1"  # Face-to-face contact
PS_F2F_2 = "PS-F2F-2"  # Preparing for the meeting
PS_F2F_3 = "PS-F2F-3"  # Agreeing on a meeting location
PS_F2F_4 = "PS-F2F-4"  # Deciding who will meet the customer
PS_RES_1 = "PS-RES-1"  # Allocate customer segment
PS_RES_2 = "PS-RES-2"  # Identify options
PS_RES_3 = "PS-RES-3"  # Record customer options
PS_RES_4 = "PS-RES-4"  # Confirm issues and options in writing
PS_SPE_1 = "PS-SPE-1"  # Managing cases involving specialist decision makers
PS_SPE_2 = "PS-SPE-2"  # Case Manager role in a specialised activity
PS_SPE_3 = "PS-SPE-3"  # Contact associated customer
PS_SPE_4 = "PS-SPE-4"  # Follow-up contact
PS_SPE_5 = "PS-SPE-5"  # Customer declines options
PS_FIN_1 = "PS-FIN-1"  # Finalise case (readiness)
PS_FIN_2 = "PS-FIN-2"  # Submit finalisation request
PS_FIN_3 = "PS-FIN-3"  # Review case (Team Leader)
PS_ACT_1 = "PS-ACT-1"  # Approve when options were declined (Team Leader)
PS_ACT_2 = "PS-ACT-2"  # Finalisation approved (Team Leader)
PS_ACT_3 = "PS-ACT-3"  # Finalisation not approved (Team Leader)
PS_ACT_4 = "PS-ACT-4"  # Transfer to a specialist business area (Team Leader)
PS_ACT_5 = "PS-ACT-5"  # Action the outcome (Case Manager)
PS_ORM_1 = "PS-ORM-1"  # Classify as segment 3 (Team Leader)
PS_ORM_2 = "PS-ORM-2"  # Ongoing reactive management (Team Leader)
PS_ORM_3 = "PS-ORM-3"  # Restricted service (Team Leader)
PS_DOC_1 = "PS-DOC-1"  # Documentation in Personalised Services
PS_DOC_2 = "PS-DOC-2"  # Principles for stacking documents
PS_DOC_3 = "PS-DOC-3"  # Mandatory issues
PS_SEG_1 = "PS-SEG-1"  # Segment 1
PS_SEG_2 = "PS-SEG-2"  # Segment 2
PS_SEG_3 = "PS-SEG-3"  # Segment 3

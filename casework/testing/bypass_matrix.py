"""The bypass matrix (issue 10): every write operation of the API schema x role x relevant state, with the expected
outcome kept as data in ``bypass_matrix.tsv`` next to this module.

Columns of the table: ``operation`` (the OpenAPI operationId), ``state`` (a key of ``STATES``), ``role`` (a
``casework.org.roles.Role`` value or ``anonymous``), ``expected`` (``allow`` = any 2xx, or ``refuse:<status>``),
``why`` (the rule, with its step ID where there is one). ``casework/web/tests/test_bypass_matrix.py`` runs it.

Operations the matrix does not cover yet are listed in ``NOT_YET_IN_MATRIX`` (the completeness test allows only
those to be missing); cells where the code allows what the procedures forbid and the fix is not small are listed in
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

# State keys the world builder knows (casework/web/tests/test_bypass_matrix.py).
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


def load() -> list[Cell]:
    with TABLE.open(newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    assert header == ["operation", "state", "role", "expected", "why"], header
    return [Cell(*r) for r in body]


# (operation, state, role) -> reason. Cells the code still allows although the procedures forbid them, each with why
# the fix is not a small local guard. The matrix expects "refuse" for them and reports them separately.
KNOWN_BYPASSES: dict[tuple[str, str, str], str] = {}

# Write operations of the schema not in the table yet (first pass of issue 10 covered the customer, ownership,
# case-creation, letter, contact-start, intray-creation and organisation writes). The completeness test fails on any
# other missing operation, so a new endpoint cannot slip in without a row. Next to add: the PS record writes (state
# "active PS record"), contact steps, intray actions, facts corrections, dispute decisions, token endpoints.
NOT_YET_IN_MATRIX: frozenset[str] = frozenset(
    {
        # Issue 11: who may decide or withdraw a request is the request's own eligibility (role and scope, not the
        # requester, nobody who worked it), tabled in approvals/tests/test_policy.py and exercised per kind; a
        # notification is read only by its recipient (approvals/tests/test_api_and_pages.py).
        "approvals_decide_create",
        "approvals_withdraw_create",
        "notifications_read_all_create",
        "notifications_read_create",
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
        "contacts_collection_info_create",
        "contacts_disagreement_create",
        "contacts_error_create",
        "contacts_explained_create",
        "contacts_external_referrals_create",
        "contacts_holistic_advice_create",  # issue 11 (CMA-1.7): a contact action like its neighbours here
        "contacts_external_referrals_give_create",
        "contacts_finalise_create",
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
        "debts_arrangement_add",
        "debts_correct",
        "intrays_documents_create",
        "intrays_matters_address_create",
        "intrays_matters_create",
        "intrays_recategorise_create",
        "payments_correct",
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
        "representatives_end",
        "restrictions_approve",
        "restrictions_end",
        "restrictions_reject",
    }
)

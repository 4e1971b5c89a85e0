"""Property-based API test over the case-facts operations (docs/facts.md): no generated input produces a server
error and every response matches the schema. Same harness as test_schemathesis.py, fewer examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from casework.customers import services
from casework.testing import factories as f

from .test_schemathesis import api_token, keep_test_connection  # noqa: F401 (fixtures)

MAX_EXAMPLES = 8
OPERATIONS = [
    "customers_debts_list", "customers_debts_add", "debts_correct", "debts_arrangement_add", "arrangements_amend",
    "cases_payments_add", "cases_care_add", "care_correct", "cases_roles_reverse", "cases_registration_set",
    "customers_income_add", "customers_dpos_add", "customers_representatives_add", "customers_restrictions_propose",
    "restrictions_approve",
]


@pytest.fixture
def known(reference):
    case = f.CaseFactory()
    officer = f.OfficerFactory()
    debt = services.debt_record(actor=officer.user, case=case, debtor=case.payer, kind="child_support_debt",
                                amount="4860.00", as_at=case.created_at.date(), source="fixture")
    return {"csid": case.payer.csid, "case_number": case.case_number, "debt_id": debt.pk}


def _substitute(case, known: dict) -> None:
    params = case.path_parameters or {}
    for name in ("csid", "case_number", "debt_id"):
        if name in params:
            params[name] = known[name]
    if isinstance(case.body, dict):
        for name in ("case_number", "payer_csid", "carer_csid"):
            if name in case.body:
                case.body[name] = known["case_number" if name == "case_number" else "csid"]


@pytest.mark.django_db
def test_fact_operations_never_500_and_match_schema(keep_test_connection, api_token, known):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler()).include(operation_id=OPERATIONS)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)
    for operation in operations:

        @given(case=operation.as_strategy(), use_known=st.booleans())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def run(case, use_known):
            if use_known:
                _substitute(case, known)
            case.call_and_validate(headers={"Authorization": f"Token {api_token}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        run()

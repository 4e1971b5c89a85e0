"""Property-based API test: schemathesis generates requests from /api/v1/schema/ for the customers, cases and audit
operations and checks that no input produces a server error and every response matches the schema.

In-process through the WSGI app (no network); bounded by ``max_examples`` per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from casework.testing import factories as f

MAX_EXAMPLES = 25


@pytest.fixture
def keep_test_connection():
    """Django closes "obsolete" connections at request start/end, which would drop the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


OPERATIONS = [
    "customers_search",
    "customers_create",
    "customers_get",
    "customers_update",
    "customers_cases",
    "customers_notes_list",
    "customers_notes_add",
    "customers_issues_list",
    "customers_issues_add",
    "customers_issues_close",
    "cases_create",
    "cases_get",
    "audit_search",
]


@pytest.fixture
def api_token(reference):
    # A Team Leader works customers and cases (no superuser exists in operation; docs/security.md).
    from casework.org.roles import Role

    user = f.OfficerFactory(role=Role.TEAM_LEADER, user__username="fuzz-tl").user
    return AuthToken.objects.create(user=user)[1]


@pytest.fixture
def known(reference):
    """Real records, substituted into half of the generated requests so the happy paths are fuzzed too."""
    case = f.CaseFactory()
    issue = f.PresentingIssueFactory(customer=case.payer)
    return {"csid": case.payer.csid, "other": case.payee.csid, "case_number": case.case_number, "issue_id": issue.pk}


def _substitute(case, known: dict) -> None:
    params = case.path_parameters or {}
    for name in ("csid", "case_number", "issue_id"):
        if name in params:
            params[name] = known[name]
    if isinstance(case.body, dict):
        if "payer_csid" in case.body:
            case.body["payer_csid"] = known["csid"]
        if "payee_csid" in case.body:
            case.body["payee_csid"] = known["other"]
        if "case_number" in case.body:
            case.body["case_number"] = known["case_number"]


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.django_db
def test_api_never_500_and_matches_schema(keep_test_connection, api_token, known):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler()).include(operation_id=OPERATIONS)
    operations = list(_operations(schema))
    assert len(operations) == len(OPERATIONS)
    for operation in operations:

        @given(case=operation.as_strategy(), use_known=st.booleans())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case, use_known):
            if use_known:
                _substitute(case, known)
            case.call_and_validate(
                headers={"Authorization": f"Token {api_token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        run()

"""schemathesis over EVERY operation of the OpenAPI schema (issue 13): no generated input produces a server error,
and every response matches the schema. A Team Leader's token; real records substituted into half the requests so
the happy paths are fuzzed too. Prints one line: operations, examples, failures."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from casework.customers.tests.test_schemathesis import keep_test_connection  # noqa: F401  (fixture)
from casework.testing import factories as f

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
# Operations that end the token or the session under test (fuzzing them would sign the fuzzer out mid-run).
SKIP = {"auth_logout_create", "auth_tokens_revoke_create", "auth_token_create"}


@pytest.mark.django_db
def test_every_operation_never_500_and_matches_the_schema(keep_test_connection, reference):  # noqa: F811
    from casework.org.roles import Role

    user = f.OfficerFactory(role=Role.TEAM_LEADER, user__username="fuzz-all").user
    token = AuthToken.objects.create(user=user)[1]
    case = f.CaseFactory()
    issue = f.PresentingIssueFactory(customer=case.payer)
    known = {"csid": case.payer.csid, "case_number": case.case_number, "issue_id": issue.pk}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())
    failures: dict[str, str] = {}
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        op_id = operation.definition.raw.get("operationId", operation.label)
        if op_id in SKIP:
            continue
        count += 1

        @given(case=operation.as_strategy(), use_known=st.booleans())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case, use_known):
            if use_known and case.path_parameters:
                for name in ("csid", "case_number", "issue_id"):
                    if name in case.path_parameters:
                        case.path_parameters[name] = known[name]
            case.call_and_validate(headers={"Authorization": f"Token {token}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every failure, report them all
            lines = [ln.strip(" |") for ln in str(exc).splitlines() if ln.strip(" |")]
            failures[op_id] = lines[:8]
    print(f"schemathesis: {count} operations, {EXAMPLES} examples each, {len(failures)} failing")
    report = os.environ.get("SCHEMATHESIS_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as fh:
            for k, v in sorted(failures.items()):
                fh.write(f"== {k}\n" + "\n".join(v) + "\n")
    assert not failures, "\n".join(f"{k}: {' / '.join(v)}" for k, v in sorted(failures.items()))

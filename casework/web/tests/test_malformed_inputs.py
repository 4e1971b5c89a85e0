"""Issue 13 measured case: "13 of 34 malformed inputs returned 500 (NUL bytes, a JSON array where an object is
expected, `issue: "abc"`, `to_officer: "null"`, …)". Every write operation of the schema gets each malformed body,
with real records in its path; none may answer 5xx (a refusal is a 4xx with field messages), and nothing is written
by a refused request. Prints one line: operations x bodies, and the statuses seen."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from casework.org.roles import Role
from casework.testing import factories as f

from .test_bypass_matrix import schema_write_operations

pytestmark = pytest.mark.django_db

MALFORMED = [
    ("json array", "[]"),
    ("json string", '"x"'),
    ("json number", "12"),
    ("nul in text", '{"reason": "a\\u0000b", "subject": "a\\u0000b", "body": "x\\u0000", "details": "\\u0000"}'),
    ("issue not a number", '{"issue": "abc", "reason": "r"}'),
    ("officer null text", '{"to_officer": "null", "reason": "r"}'),
    ("nested wrong types", '{"letters": "1,2", "data": [1], "approve": "maybe", "version": "x"}'),
    ("huge numbers", '{"version": 1e400, "amount": "9e999", "segment": 99999999999999999999999}'),
    ("not json", "{not json"),
]


def _path(template: str, known: dict) -> str:
    def sub(m):
        name = m.group(1)
        return str(known.get(name, known["id"]))

    return re.sub(r"\{(\w+)\}", sub, template)


def test_no_malformed_body_gives_a_server_error_on_any_write_operation(reference):
    tl = f.OfficerFactory(role=Role.TEAM_LEADER)
    case = f.CaseFactory()
    issue = f.PresentingIssueFactory(customer=case.payer)
    known = {"csid": case.payer.csid, "case_number": case.case_number, "issue_id": issue.pk, "id": 1, "pk": 1,
             "token_key": "abcdef"}
    client = APIClient()
    client.force_authenticate(tl.user)
    seen: Counter = Counter()
    failures = []
    ops = {k: v for k, v in schema_write_operations().items() if not k.startswith("auth_")}
    for op, (method, template) in sorted(ops.items()):
        url = "/api/v1" + _path(template, known) if not template.startswith("/api/") else _path(template, known)
        for label, body in MALFORMED:
            sid = transaction.savepoint()
            try:
                r = getattr(client, method.lower())(url, data=body, content_type="application/json")
            finally:
                transaction.savepoint_rollback(sid)
            seen[r.status_code] += 1
            if r.status_code >= 500:
                failures.append(f"{op} {method} {url} [{label}] -> {r.status_code}")
    print(f"malformed inputs: {len(ops)} operations x {len(MALFORMED)} bodies, statuses {dict(sorted(seen.items()))}")
    assert not failures, "\n".join(failures[:40])

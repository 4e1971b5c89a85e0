"""schemathesis over every approvals and notifications operation: no input produces a server error and every
response matches the schema (in-process, bounded examples per operation). A real kind (segment 3 of a PS record)
so every response's kind is one the schema lists."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from casework.customers.tests.test_schemathesis import keep_test_connection  # noqa: F401  (fixture)
from casework.notifications.models import Notification

OPERATIONS = ["approvals_list", "approvals_retrieve", "approvals_decide_create", "approvals_withdraw_create",
              "approvals_kinds_list", "notifications_retrieve", "notifications_read_create",
              "notifications_read_all_create"]


@pytest.mark.django_db
def test_approvals_and_notifications_api_never_500_and_match_the_schema(keep_test_connection, ps_org):  # noqa: F811
    from casework.ps import services

    from .helpers import allocate

    rec = allocate(ps_org)
    row = services.segment_set(actor=ps_org.cm.user, ps_record=rec, segment=3, reason="Aggression")
    note = Notification.objects.filter(recipient=ps_org.tl.user).first()
    token = AuthToken.objects.create(user=ps_org.tl.user)[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler()).include(operation_id=OPERATIONS)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)
    for operation in operations:

        @given(case=operation.as_strategy(), use_known=st.booleans())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case, use_known):
            if use_known and case.path_parameters and "id" in case.path_parameters:
                case.path_parameters["id"] = note.pk if "notification" in operation.path else row.pk
            case.call_and_validate(headers={"Authorization": f"Token {token}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        run()

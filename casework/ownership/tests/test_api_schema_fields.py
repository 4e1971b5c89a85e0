"""Issue 10 leftover / issue 13: the OpenAPI schema's request body of every ownership write operation lists the fields
the view reads, typed and bounded. On the old code (88193bc) take-over, apply-rules, refer, transfer, lock-parents,
reassign, disputes, errors, consultations and the dispute decision all declared ``ActionSerializer`` (only ``reason``)
while the view read the other fields from ``request.data`` by hand, so a client could not see them: these tests fail
there.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

P = "/api/v1/customers/{csid}/ownership/"

# Every ownership write operation -> (the fields its request body must list, the ones that must be required).
EXPECTED = {
    P + "lock/": ({"reason", "to_officer", "to_position", "issue"}, {"reason"}),
    P + "take-over/": ({"reason"}, set()),
    P + "apply-rules/": ({"reason"}, set()),
    P + "lock-parents/": ({"associated_csid", "reason"}, {"associated_csid"}),
    P + "reassign/": ({"to_officer", "reason"}, {"to_officer"}),
    P + "refer/": ({"subject", "details", "associated_csid", "to_area"}, set()),
    P + "unlock/": ({"reason", "decision_explained", "contact_attempted"},
                    {"reason", "decision_explained", "contact_attempted"}),
    P + "auto-unlock/": ({"reason", "letters", "contact_attempted", "impacted_csids", "after_hours"},
                         {"reason", "letters", "contact_attempted"}),
    P + "transfer/": ({"to_area", "to_officer", "to_position", "expected_contact_volume", "time_to_resolve",
                       "agreed_with", "reason"}, set()),
    P + "disputes/": ({"to_area", "expected_contact_volume", "time_to_resolve", "reason"}, {"to_area"}),
    P + "errors/": ({"description", "resolvable_in_real_time", "previous_officer", "feedback"},
                    {"resolvable_in_real_time"}),
    P + "consultations/": ({"ps_case_manager", "summary", "communication_approach", "who_communicates",
                            "regular_updates", "face_to_face"}, set()),
    "/api/v1/ownership/disputes/{id}/decide/": ({"decision", "reason", "to_officer", "to_position"}, set()),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _body(schema, path):
    ops = schema["paths"][_path(schema, path)]
    content = ops["post"]["requestBody"]["content"]["application/json"]["schema"]
    ref = content["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][ref]


def _path(schema, path):
    if path in schema["paths"]:
        return path
    # the dispute decision's path parameter may be named pk
    alt = path.replace("{id}", "{pk}")
    assert alt in schema["paths"], f"{path} not in the schema"
    return alt


def test_every_ownership_write_operation_is_checked(schema):
    writes = {p for p, ops in schema["paths"].items()
              if "/ownership" in p and "post" in ops}
    assert writes == {_path(schema, p) for p in EXPECTED}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_the_schema_lists_every_field_of_the_request_body(schema, path):
    fields, required = EXPECTED[path]
    body = _body(schema, path)
    assert set(body["properties"]) == fields
    assert set(body.get("required", [])) == required
    assert "step_ids" not in body["properties"]  # step IDs come from the server's rules, never from a request


def test_transfer_lists_its_cma_1_6_facts_typed_and_bounded(schema):
    props = _body(schema, P + "transfer/")["properties"]
    for name in ("to_area", "expected_contact_volume", "time_to_resolve", "reason"):
        assert props[name]["type"] == "string"
        assert props[name]["maxLength"] > 0
    errors = _body(schema, P + "errors/")["properties"]
    assert errors["resolvable_in_real_time"]["type"] == "boolean"


def test_no_two_request_serializers_share_a_component_name():
    """Two serializers of the same class name (``ReasonIn`` in two apps) make one component and an incorrect schema
    for one of the operations: drf-spectacular warns. Every request body has its own component."""
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    collisions = [w for w in GENERATOR_STATS._warn_cache if "identical names" in w]
    assert collisions == []

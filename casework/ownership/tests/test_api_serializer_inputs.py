"""Issue 13: the ownership writes read their body through serializers, so a field of the wrong type or beyond its bound
is a 400 naming that field and nothing is stored or audited. On the old code (88193bc) these views read
``request.data`` by hand: a list or an object for a text field reached the service (stored as its Python repr or
crashing), and an oversized text was stored — ten of the parametrised cases fail there (all but
``errors-resolvable_in_real_time``, which the old hand-written yes/no parser already refused). That case and the last
two tests guard that the behaviour kept (a required yes/no never assumed; client step IDs refused) stays.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.ownership.models import ErrorReport, Lock, OwnershipTransfer, SpecialistConsultation
from casework.intrays.models import Intray

from .conftest import add_issue

pytestmark = pytest.mark.django_db


def client_for(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def url(csid, action):
    return f"/api/v1/customers/{csid}/ownership/{action}/"


TRANSFER_OK = {"to_area": "DPO", "expected_contact_volume": "low", "time_to_resolve": "2 weeks",
               "agreed_with": "DPO TL", "reason": "Agreed by phone"}

CASES = [
    ("transfer", {**TRANSFER_OK, "expected_contact_volume": ["low", "high"]}, "expected_contact_volume"),
    ("transfer", {**TRANSFER_OK, "time_to_resolve": {"weeks": 2}}, "time_to_resolve"),
    ("transfer", {**TRANSFER_OK, "reason": "x" * 4001}, "reason"),
    ("disputes", {"to_area": "DPO", "expected_contact_volume": "low", "time_to_resolve": "2 weeks",
                  "reason": ["no", "agreement"]}, "reason"),
    ("refer", {"subject": "s" * 201, "details": "call back"}, "subject"),
    ("refer", {"subject": "Call back", "details": {"a": 1}}, "details"),
    ("errors", {"description": ["wrong"], "resolvable_in_real_time": True}, "description"),
    ("errors", {"description": "Wrong address", "resolvable_in_real_time": "perhaps"}, "resolvable_in_real_time"),
    ("consultations", {"summary": "Discussed", "communication_approach": "Phone", "who_communicates": ["PS"],
                       "face_to_face": False}, "who_communicates"),
    ("take-over", {"reason": {"why": "urgent"}}, "reason"),
    ("apply-rules", {"reason": "r" * 4001}, "reason"),
]


@pytest.mark.parametrize("action,body,field", CASES, ids=[f"{a}-{f}" for a, _, f in CASES])
def test_a_field_of_the_wrong_type_or_too_long_is_a_400_on_that_field_and_nothing_happens(org, payer, action, body,
                                                                                         field):
    add_issue(payer, "objection")
    officer = org.officer("GENERAL_OBJECTIONS")
    client = client_for(officer)
    if action == "take-over":
        assert client_for(org.officer()).post(url(payer.csid, "lock"), {"reason": "first"},
                                              format="json").status_code == 201
    before = (AuditEvent.objects.count(), Lock.objects.count(), OwnershipTransfer.objects.count(),
              ErrorReport.objects.count(), SpecialistConsultation.objects.count(), Intray.objects.count())
    r = client.post(url(payer.csid, action), body, format="json")
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert field in r.json()["fields"], r.json()
    assert (AuditEvent.objects.count(), Lock.objects.count(), OwnershipTransfer.objects.count(),
            ErrorReport.objects.count(), SpecialistConsultation.objects.count(), Intray.objects.count()) == before


def test_the_required_yes_no_of_an_error_report_is_still_never_assumed(org, payer):
    """CMA-1.3: ``resolvable_in_real_time`` stays required and explicit (as before the serializer)."""
    r = client_for(org.officer()).post(url(payer.csid, "errors"), {"description": "Wrong address"}, format="json")
    assert r.status_code == 400 and "resolvable_in_real_time" in r.json()["fields"]
    assert not ErrorReport.objects.exists()


def test_client_step_ids_are_still_refused_on_every_new_serializer(org, payer):
    r = client_for(org.officer()).post(url(payer.csid, "transfer"), {**TRANSFER_OK, "step_ids": ["FORGED-9.9"]},
                                       format="json")
    assert r.status_code == 400 and "step_ids" in r.json()["fields"]
    assert not OwnershipTransfer.objects.exists()

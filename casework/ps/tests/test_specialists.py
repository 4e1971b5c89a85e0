"""PS-SPE-1/2: once PS owns the customer, a specialist action needs a consultation with the Case Manager first."""

import pytest

from casework.core.errors import TransitionRefused
from casework.ownership import services as own

from .helpers import allocate

pytestmark = pytest.mark.django_db


def test_PS_SPE_1_specialist_action_refused_until_consultation(ps_org):
    rec = allocate(ps_org)
    with pytest.raises(TransitionRefused) as exc:
        own.specialist_action_guard(actor=ps_org.spec.user, customer=ps_org.customer)
    assert "PS-SPE-1" in exc.value.step_ids and "Case Manager" in exc.value.message
    own.specialist_consultation_record(actor=ps_org.spec.user, customer=ps_org.customer, ps_case_manager=ps_org.cm,
                                       summary="Objection decision due", communication_approach="CM calls first",
                                       who_communicates="PS Case Manager")
    own.specialist_action_guard(actor=ps_org.spec.user, customer=ps_org.customer)
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(ps_org.cm.user)
    data = c.get(f"/api/v1/ps/records/{rec.pk}/").json()
    assert data["consultations"][0]["who_communicates"] == "PS Case Manager"

"""Issue 14: the ownership panel's forms (on the customer page), posted with an invalid value, come back as the
customer page with status 400: what was typed is still in the panel, the error summary at the top links to the
field, and nothing was written (no lock)."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.org.roles import Role
from casework.ownership.models import Lock

pytestmark = pytest.mark.django_db


def client_for(officer) -> Client:
    c = Client()
    c.force_login(officer.user)
    return c


CASES = [
    # role, posted, the field the summary links to, what must come back
    (Role.TEAM_LEADER, {"reason": "Complex arrears case", "to_officer": "nobody"}, "id_own_lock_to_officer",
     ['value="Complex arrears case"', 'value="nobody"']),
    (Role.SERVICE_OFFICER, {"reason": "r" * 2001}, "id_own_lock_reason", ['value="' + "r" * 2001 + '"']),
]


@pytest.mark.parametrize(("role", "data", "field_id", "typed"), CASES, ids=["unknown_officer", "reason_too_long"])
def test_lock_form_refused_on_the_customer_page_as_typed(org, payer, role, data, field_id, typed):
    r = client_for(org.officer("SERVICES", role)).post(f"/customers/{payer.csid}/ownership/lock/", data)
    html = r.content.decode()
    assert r.status_code == 400
    assert "There is a problem" in html and f'<a href="#{field_id}">' in html
    assert f'id="{field_id}"' in html and 'aria-invalid="true"' in html
    assert payer.full_name in html, "the customer page itself"
    for value in typed:
        assert value in html
    assert not Lock.objects.filter(customer=payer).exists()

"""Issue 14: the PS referral form and the PS record page's forms, posted with an invalid value, come back as the
same page with status 400: what was typed is still there, the error summary links to the field, and nothing was
written."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.ps.models import PlanAction, PsRecord

from .helpers import allocate, refer

pytestmark = pytest.mark.django_db


def login(officer):
    c = Client()
    c.force_login(officer.user)
    return c


def _check(r, field_id: str, typed: list[str]) -> None:
    html = r.content.decode()
    assert r.status_code == 400
    assert "There is a problem" in html and f'<a href="#{field_id}">' in html
    assert f'id="{field_id}"' in html and 'aria-invalid="true"' in html
    for value in typed:
        assert value in html, value


REFERRAL = [
    ({"referral_source": "no_such_source", "main_referral_reason": "Escalated by the local MP",
      "escalations": "Two escalations", "reviewed_items": ["Customer history report"],
      "associated_csid": ""}, "id_referral_source",
     ["Escalated by the local MP</textarea>", "Two escalations</textarea>",
      'value="Customer history report" id="id_reviewed_items_3" checked']),
    ({"referral_source": "mp", "main_referral_reason": "Escalated by the local MP", "options_identified": "CoA",
      "associated_csid": "999"}, "id_associated_csid",
     ['value="999"', "CoA</textarea>", 'value="mp" selected']),
]


@pytest.mark.parametrize(("data", "field_id", "typed"), REFERRAL, ids=["source", "associated_csid"])
def test_referral_form_keeps_everything_typed(ps_org, data, field_id, typed):
    ref = refer(ps_org)
    r = login(ps_org.tl).post(f"/ps/referrals/{ref.intray_id}/action/", {"case_manager": "ps_cm", **data})
    _check(r, field_id, ['value="ps_cm" selected', *typed])
    assert not PsRecord.objects.filter(customer=ps_org.customer).exists()


def test_record_page_form_is_refilled_as_typed(ps_org):
    rec = allocate(ps_org)
    before = PlanAction.objects.count()
    r = login(ps_org.cm).post(f"/ps/records/{rec.pk}/action_add/", {"description": "Call on Friday",
                                                                     "due_on": "soon", "anchor": "plan"})
    _check(r, "id_action_add_due_on", ['value="Call on Friday"', 'value="soon"'])
    assert PlanAction.objects.count() == before

"""CMA-1.1 on MCA: with an authorised representative, the contact's Minimum Collection Activity covers only the
matters their authority lets the officer discuss. Measured before the change: a representative for *income* only
could not hear about debts (the summary hid them), yet the contact API and screen still showed the payer debt path
("Need to keep paying child support in full and on time", payment arrangement details) and MCA could not be
completed without discussing the debt with them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.contacts import policy as p
from casework.contacts import services
from casework.core import clock
from casework.core.policy import Decision
from casework.customers import services as cs

NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone.utc)  # Tuesday 12:00 in Sydney
PAYER_DEBT_UNRELIABLE = p.McaFacts(role="payer", income_reliable=False, cs_debt_without_arrangement=True)


def access(scope, matters=()):
    return p.representative_access(speaker_is_representative=scope is not None, scope=scope, matters=matters)


@pytest.mark.parametrize(
    "speaker, required, payment_path, steps_in_checklist",
    [
        (access(None), True, "debt_repayment", {"CMA-2.2", "CMA-2.6"}),
        (access("full"), True, "debt_repayment", {"CMA-2.2", "CMA-2.6"}),
        (access("enquire"), True, "debt_repayment", {"CMA-2.2", "CMA-2.6"}),
        (access("specified", ["income"]), True, "none", {"CMA-2.2"}),
        (access("specified", ["collection"]), True, "debt_repayment", {"CMA-2.6"}),
        (access("specified", ["care"]), False, "none", set()),
    ],
    ids=["CMA-1.1-customer", "CMA-1.1-full", "CMA-1.1-enquire-only", "CMA-1.1-specified-income",
         "CMA-1.1-specified-collection", "CMA-1.1-specified-care"],
)
def test_mca_within_the_representatives_authority(speaker, required, payment_path, steps_in_checklist):
    full = p.mca_assess(PAYER_DEBT_UNRELIABLE)
    limited = p.mca_within_authority(full, speaker)
    assert limited.required is required and limited.payment_path == payment_path
    assert {i.step_id for i in limited.checklist} == steps_in_checklist
    if limited is not full:
        assert "CMA-1.1" in limited.steps and "Not covered by the representative's authority" in limited.reason


def test_ended_authority_leaves_no_mca_to_do():
    ended = p.representative_access(speaker_is_representative=True, scope="full", current=False)
    assert isinstance(ended, Decision) and not ended.allowed
    limited = p.mca_within_authority(p.mca_assess(PAYER_DEBT_UNRELIABLE), ended)
    assert (limited.required, limited.checklist, limited.payment_path) == (False, (), "none")


@pytest.fixture
def income_rep(so, payer_call):
    return cs.representative_add(actor=so.user, customer=payer_call["payer"], name="Ian Income", scope="specified",
                                 matters=["income"], valid_from=dt.date(2026, 1, 1))


@pytest.mark.django_db
def test_income_only_representative_gets_no_debt_path_in_the_contact_api_or_screen_cma_1_1(so, payer_call,
                                                                                          income_rep):
    api = APIClient()
    api.force_authenticate(so.user)
    with clock.freeze(NOW):
        rep_contact = services.contact_start(actor=so.user, customer=payer_call["payer"], channel="phone",
                                             speaker="representative", representative=income_rep)
        services.contact_poi_confirm(actor=so.user, contact=rep_contact, method="Rep verified")
        body = api.get(f"/api/v1/contacts/{rep_contact.pk}/").json()
        web = Client()
        web.force_login(so.user)
        page = web.get(f"/contacts/{rep_contact.pk}/").content.decode()
        check = api.get(f"/api/v1/contacts/{rep_contact.pk}/finalise/check/").json()
    assert body["summary"]["debts"] is None
    # ATO-issued income: with the debt outside the authority nothing is left for MCA in this contact, and
    # finalising is not held up by an MCA the officer may not carry out with this speaker.
    assert body["mca"]["required"] is False
    assert body["mca"]["payment_path"] == "none" and body["mca"]["checklist"] == []
    assert not any("Minimum Collection Activity" in m for m in check["facts"]["missing"]), check
    assert "payments, debts and collection" in body["mca"]["reason"]
    assert "Need to keep paying child support in full and on time" not in page


@pytest.mark.django_db
def test_the_customer_themselves_still_gets_the_debt_path(so, payer_call, income_rep):
    api = APIClient()
    api.force_authenticate(so.user)
    with clock.freeze(NOW):
        contact = services.contact_start(actor=so.user, customer=payer_call["payer"], channel="phone")
        services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB and address")
        body = api.get(f"/api/v1/contacts/{contact.pk}/").json()
    assert body["mca"]["payment_path"] == "debt_repayment" and body["mca"]["required"] is True
    assert "payer_pay_in_full" in [i["code"] for i in body["mca"]["checklist"]]

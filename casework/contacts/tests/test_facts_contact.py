"""Representative authority and restricted service during a contact (CMA-1.1, PS-ORM-3), through services and the
API."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.errors import NotPermitted
from casework.core.models import AuditEvent
from casework.contacts import services
from casework.customers import services as cs
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
TUESDAY_NOON_SYDNEY = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone.utc)
WEDNESDAY_NOON_SYDNEY = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.timezone.utc)


def api(officer):
    client = APIClient()
    client.force_authenticate(officer.user)
    return client


@pytest.fixture
def specified_rep(so, payer_call):
    return cs.representative_add(actor=so.user, customer=payer_call["payer"], name="Ian Income", scope="specified",
                                 matters=["income"], valid_from=dt.date(2026, 1, 1))


def test_specified_matters_rep_hears_only_those_matters_cma_1_1(so, payer_call, specified_rep):
    """Measured: a 'specified matters' representative could discuss everything."""
    with clock.freeze(TUESDAY_NOON_SYDNEY):
        client = api(so)
        cid = client.post("/api/v1/contacts/", {"csid": payer_call["payer"].csid, "channel": "phone",
                                                "speaker": "representative", "representative_id": specified_rep.pk},
                          format="json").json()["id"]
        client.post(f"/api/v1/contacts/{cid}/poi/", {"method": "Rep verified"}, format="json")
        body = client.get(f"/api/v1/contacts/{cid}/").json()
    assert body["summary"]["income"] is not None
    assert body["summary"]["debts"] is None and body["summary"]["owed_to_customer"] is None
    assert body["access"]["facts"]["matters"] == ["income"]


def test_specified_matters_rep_cannot_agree_an_arrangement_but_can_update_income_cma_1_1(so, payer_call,
                                                                                         specified_rep):
    with clock.freeze(TUESDAY_NOON_SYDNEY):
        contact = services.contact_start(actor=so.user, customer=payer_call["payer"], channel="phone",
                                         speaker="representative", representative=specified_rep)
        services.contact_poi_confirm(actor=so.user, contact=contact, method="Rep verified")
        with pytest.raises(NotPermitted) as exc:
            services.contact_payment_arrangement_record(
                actor=so.user, contact=contact, debt=payer_call["debt"], instalment="100", frequency="weekly",
                start_date=dt.date(2026, 12, 8))
        assert "payments, debts and arrangements" in exc.value.message and exc.value.step_ids == ("CMA-1.1",)
        services.contact_income_update(actor=so.user, contact=contact, amount="70000", source="ato_issued",
                                       tax_year=2026, effective_from=dt.date(2026, 7, 1))


def test_ended_authority_discusses_nothing_cma_1_1(so, payer_call):
    rep = cs.representative_add(actor=so.user, customer=payer_call["payer"], name="Old Rep", scope="full",
                                valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2026, 6, 30))
    with clock.freeze(TUESDAY_NOON_SYDNEY):
        contact = services.contact_start(actor=so.user, customer=payer_call["payer"], channel="phone",
                                         speaker="representative", representative=rep)
        services.contact_poi_confirm(actor=so.user, contact=contact, method="Rep verified")
        body = api(so).get(f"/api/v1/contacts/{contact.pk}/").json()
    assert body["summary"] is None and body["access"]["allowed"] is False


@pytest.fixture
def restricted(reference, payer_call):
    maker, checker = (f.OfficerFactory(role=Role.PS_TEAM_LEADER) for _ in range(2))
    with clock.freeze(TUESDAY_NOON_SYDNEY):
        row = cs.contact_restriction_add(
            actor=maker.user, customer=payer_call["payer"], conditions="Phone on Tuesdays 9am to 1pm only",
            case_review="Reviewed", recommendation="Restrict", review_date=dt.date(2027, 3, 1),
            channels=["phone", "post"], days=[1], time_from=dt.time(9), time_to=dt.time(13))
        from casework.approvals.selectors import pending_for_subject
        from casework.approvals.services import approval_decide

        approval_decide(actor=checker.user, approval=pending_for_subject(subject=row, kind="restricted_service"),
                        approve=True, data={"letter_reference": "RS-1"})
        row.refresh_from_db()
        return row


def test_restriction_shown_before_poi_and_within_hours_ps_orm_3(so, payer_call, restricted):
    with clock.freeze(TUESDAY_NOON_SYDNEY):
        client = api(so)
        body = client.post("/api/v1/contacts/", {"csid": payer_call["payer"].csid, "channel": "phone"},
                           format="json").json()
        body = client.get(f"/api/v1/contacts/{body['id']}/").json()
    assert body["poi_confirmed"] is False and body["summary"] is None
    assert body["restriction"]["in_force"] is True and body["restriction"]["outside"] == []
    assert body["restriction"]["items"][0]["conditions"] == "Phone on Tuesdays 9am to 1pm only"
    assert not AuditEvent.objects.filter(action="contact.restriction_outside").exists()


def test_contact_outside_restriction_is_warned_and_recorded_ps_orm_3(so, payer_call, restricted):
    with clock.freeze(WEDNESDAY_NOON_SYDNEY):
        client = api(so)
        cid = client.post("/api/v1/contacts/", {"csid": payer_call["payer"].csid, "channel": "email"},
                          format="json").json()["id"]
        body = client.get(f"/api/v1/contacts/{cid}/").json()
        page = _web(so).get(f"/contacts/{cid}/")
    [warning] = body["restriction"]["outside"]
    assert "email channel is not allowed" in warning and "Wednesday" in warning
    event = AuditEvent.objects.get(action="contact.restriction_outside")
    assert event.customer_id == payer_call["payer"].pk and event.step_ids == ["PS-ORM-3"]
    assert b"Restricted service" in page.content and b"outside the conditions" in page.content


def test_proposed_restriction_not_in_force_ps_orm_3(so, payer_call, reference):
    maker = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    f.OfficerFactory(role=Role.PS_TEAM_LEADER)  # the other PS Team Leader who would decide it (issue 11)
    cs.contact_restriction_add(actor=maker.user, customer=payer_call["payer"], conditions="Written only",
                               case_review="r", recommendation="r", review_date=dt.date(2027, 3, 1),
                               imposed_on=dt.date(2026, 12, 1), channels=["post"])
    with clock.freeze(WEDNESDAY_NOON_SYDNEY):
        cid = api(so).post("/api/v1/contacts/", {"csid": payer_call["payer"].csid, "channel": "phone"},
                           format="json").json()["id"]
        body = api(so).get(f"/api/v1/contacts/{cid}/").json()
    assert body["restriction"]["in_force"] is False


def _web(officer):
    from django.test import Client

    client = Client()
    client.force_login(officer.user)
    return client

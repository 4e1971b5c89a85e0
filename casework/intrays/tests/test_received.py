"""CMA-1.1: an intray and a correspondence item carry the date and time they were *received*; the due date counts
working days from receipt on the receiving office's calendar (not from when it was keyed)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.management.commands.load_reference import load_all
from casework.core.models import AuditEvent
from casework.customers.csid import make_csid
from casework.intrays import policy, services
from casework.intrays.models import Intray
from casework.org.roles import Role, State
from casework.testing.factories import OfficerFactory

from .conftest import MONDAY_9AM

SYD = zoneinfo.ZoneInfo("Australia/Sydney")
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SYD)


# ---------------------------------------------------------------- policy table


@pytest.mark.parametrize(
    "received_at,allowed,outcome",
    [
        (NOW - dt.timedelta(days=3), True, ""),
        (NOW, True, ""),
        (NOW - dt.timedelta(days=90), True, ""),
        (NOW + dt.timedelta(minutes=1), False, "future"),
        (NOW - dt.timedelta(days=90, seconds=1), False, "too_old"),
    ],
    ids=["CMA-1.1-recent", "CMA-1.1-now", "CMA-1.1-oldest-allowed", "CMA-1.1-future", "CMA-1.1-too-old"],
)
def test_CMA_1_1_received_check(received_at, allowed, outcome):
    decision = policy.received_check(received_at=received_at, now=NOW, max_age_days=90)
    assert (decision.allowed, decision.outcome, decision.step_ids) == (allowed, outcome, ("CMA-1.1",))


@pytest.mark.parametrize(
    "received_on,allowed",
    [(dt.date(2026, 11, 23), True), (dt.date(2026, 11, 24), False), (dt.date(2026, 8, 25), True),
     (dt.date(2026, 8, 24), False)],
    ids=["CMA-1.1-today", "CMA-1.1-tomorrow", "CMA-1.1-90-days", "CMA-1.1-91-days"],
)
def test_CMA_1_1_received_date_check_against_the_office_today(received_on, allowed):
    decision = policy.received_date_check(received_on=received_on, office_today=dt.date(2026, 11, 23), max_age_days=90)
    assert decision.allowed is allowed


# ---------------------------------------------------------------- services


@pytest.mark.django_db
def test_CMA_1_1_due_date_counts_from_receipt_not_from_keying(org, frozen):
    """Measured case: a Client Contact Required intray (2 working days) received Thursday 19 Nov 10:00 and keyed on
    Monday 23 Nov is due Monday 23 Nov (Thu + 2 working days), not Wednesday 25 Nov."""
    received = dt.datetime(2026, 11, 19, 10, 0, tzinfo=SYD)
    intray = services.intray_create(actor=org.so.user, type_code="client_contact_required", customer=org.customer,
                                    subject="Call back", assignee_officer=org.so2, received_at=received)
    intray.refresh_from_db()
    assert intray.received_at == received and intray.created_at == MONDAY_9AM
    assert intray.due_date == dt.date(2026, 11, 23)
    event = AuditEvent.objects.get(action="intray.create", target_id=str(intray.pk))
    assert event.after["received_at"] == received.isoformat()


@pytest.mark.django_db
def test_CMA_1_1_received_at_defaults_to_now(org, frozen):
    intray = services.intray_create(actor=org.so.user, type_code="client_contact_required", customer=org.customer,
                                    subject="Call back", assignee_officer=org.so2)
    assert intray.received_at == MONDAY_9AM and intray.due_date == dt.date(2026, 11, 25)


@pytest.mark.django_db
@pytest.mark.parametrize("received", [MONDAY_9AM + dt.timedelta(hours=1), MONDAY_9AM - dt.timedelta(days=91)],
                         ids=["CMA-1.1-future", "CMA-1.1-too-old"])
def test_CMA_1_1_intray_received_out_of_range_is_refused(org, frozen, received):
    with pytest.raises(services.InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="client_contact_required", customer=org.customer,
                               subject="x", assignee_officer=org.so2, received_at=received)
    assert "received_at" in exc.value.fields and exc.value.step_ids == ("CMA-1.1",)
    assert not Intray.objects.exists()


@pytest.mark.django_db
def test_CMA_1_1_max_age_is_a_setting(org, frozen, settings):
    settings.CASEWORK = {**settings.CASEWORK, "RECEIVED_MAX_AGE_DAYS": 5}
    with pytest.raises(services.InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer, subject="x",
                               assignee_officer=org.so2, received_at=MONDAY_9AM - dt.timedelta(days=6))
    assert "5 days" in exc.value.fields["received_at"][0]


@pytest.mark.django_db
def test_CMA_1_1_correspondence_date_is_checked_in_the_receiving_office_not_utc(org):
    """At 07:00 on Tuesday in Sydney it is still Monday in UTC: correspondence received "today" (Tuesday) is not in
    the future for a Sydney office."""
    with clock.freeze(dt.datetime(2026, 11, 24, 7, 0, tzinfo=SYD)):
        intray = services.correspondence_receive(
            actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 24),
            category="general", subject="Letter", assignee_officer=org.so)
    corr = intray.correspondence
    assert corr.received_on == dt.date(2026, 11, 24)
    assert corr.received_at == dt.datetime(2026, 11, 24, 0, 0, tzinfo=SYD)


@pytest.mark.django_db
def test_CMA_1_1_correspondence_received_at_sets_the_local_date_and_the_intray_receipt(org, frozen):
    received = dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.UTC)  # Friday 17:30 in Sydney: after the cut-off
    intray = services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="email", received_at=received, category="general",
        subject="Email", assignee_officer=org.so)
    assert intray.received_at == received
    assert intray.correspondence.received_on == dt.date(2026, 11, 20)


# ---------------------------------------------------------------- API


@pytest.mark.django_db
@pytest.mark.parametrize(
    "received_at", ["2026-11-23T10:00:00+11:00", "2026-08-01T10:00:00+10:00"], ids=["CMA-1.1-future", "CMA-1.1-old"]
)
def test_CMA_1_1_api_refuses_received_out_of_range_with_a_field_message(org, frozen, received_at):
    client = APIClient()
    client.force_authenticate(org.so.user)
    r = client.post("/api/v1/intrays/", {"type_code": "client_contact_required", "customer": org.customer.csid,
                                         "subject": "s", "assignee_officer": org.so2.pk, "received_at": received_at},
                    format="json")
    assert r.status_code == 400 and r.json()["received_at"] and r.json()["step_ids"] == ["CMA-1.1"]
    r = client.post("/api/v1/correspondence/", {"customer": org.customer.csid, "channel": "post", "category":
                                                "general", "subject": "s", "assignee_officer": org.so.pk,
                                                "received_at": received_at}, format="json")
    assert r.status_code == 400 and r.json()["received_at"]


# Friday 2 October 2026, 10:00 local, + 2 working days. Monday 5 October is Labour Day in NSW, ACT and SA and the
# King's Birthday in QLD; VIC, WA, TAS and NT work that day.
EXPECTED_DUE = {
    "NSW": "2026-10-07", "ACT": "2026-10-07", "SA": "2026-10-07", "QLD": "2026-10-07",
    "VIC": "2026-10-06", "WA": "2026-10-06", "TAS": "2026-10-06", "NT": "2026-10-06",
}
OFFICE_OF = {"NSW": "sydney", "VIC": "melbourne", "QLD": "brisbane", "WA": "perth", "SA": "adelaide",
             "TAS": "hobart", "ACT": "canberra", "NT": "darwin"}
TZ_OF = {"NSW": "+10:00", "VIC": "+10:00", "QLD": "+10:00", "WA": "+08:00", "SA": "+09:30", "TAS": "+10:00",
         "ACT": "+10:00", "NT": "+09:30"}


@pytest.mark.django_db
def test_CMA_1_1_working_day_due_date_in_every_state_through_the_api_from_reference_data_only(settings):
    """Done-when: from an empty database with the reference data alone, an administrator adds an officer through the
    API; the officer signs in through the API, adds a customer and keys, on Wednesday 14 October, an intray received
    on Friday 2 October 10:00 for the Customer Services intake position of each state and territory. The due dates
    follow each state's public holidays."""
    assert set(EXPECTED_DUE) == set(State.values)
    load_all()
    admin = OfficerFactory(role=Role.ADMINISTRATOR, position=None).user  # the bootstrap account (createsuperuser)
    api = APIClient()
    api.force_authenticate(admin)
    r = api.post("/api/v1/org/officers/", {"username": "so_sa", "password": "long-enough-1", "role": "service_officer",
                                           "position": "SERVICES-adelaide-intake"}, format="json")
    assert r.status_code == 201, r.json()
    officer_api = APIClient()
    token = officer_api.post("/api/v1/auth/token/", {"username": "so_sa", "password": "long-enough-1"},
                             format="json").json()["token"]
    officer_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with clock.freeze(dt.datetime(2026, 10, 14, 10, 0, tzinfo=SYD)):
        csid = make_csid(4_000_001)
        r = officer_api.post("/api/v1/customers/", {"csid": csid, "given_names": "Ada", "family_name": "Lee",
                                                    "date_of_birth": "1980-01-01", "residence": "SA"}, format="json")
        assert r.status_code == 201, r.json()
        got = {}
        for state, office in OFFICE_OF.items():
            r = officer_api.post("/api/v1/intrays/", {
                "type_code": "client_contact_required", "customer": csid, "subject": f"Follow-up {state}",
                "assignee_position": f"SERVICES-{office}-intake", "received_at": f"2026-10-02T10:00:00{TZ_OF[state]}",
            }, format="json")
            assert r.status_code == 201, r.json()
            assert r.json()["office_state"] == state
            got[state] = r.json()["due_date"]
    assert got == EXPECTED_DUE


# ---------------------------------------------------------------- web form


@pytest.mark.django_db
def test_CMA_1_1_web_form_takes_the_time_received(org, frozen, client):
    client.force_login(org.so.user)
    r = client.post("/work/new/", {"csid": org.customer.csid, "type_code": "client_contact_required", "subject": "Ring",
                                   "to_officer": "so2", "received_at": "2026-11-19T10:00"})
    assert r.status_code == 302
    assert Intray.objects.get().due_date == dt.date(2026, 11, 23)
    r = client.post("/work/new/", {"csid": org.customer.csid, "type_code": "client_contact_required", "subject": "Ring",
                                   "to_officer": "so2", "received_at": "2026-11-30T10:00"})
    assert r.status_code == 400 and "cannot be in the future" in r.content.decode()
    r = client.post("/work/new/", {"csid": org.customer.csid, "type_code": "client_contact_required", "subject": "Ring",
                                   "to_officer": "so2", "received_at": "yesterday"})
    assert r.status_code == 400 and Intray.objects.count() == 1

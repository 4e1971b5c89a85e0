"""Issue 13: a stale edit of a customer gets 409 (architecture rule), nothing is written.

Measured on the old code: two officers PATCH the same customer from the same read; the second got 200 and silently
overwrote the first.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.core.errors import Conflict
from casework.core.models import AuditEvent
from casework.customers import services
from casework.customers.models import Customer
from casework.testing.factories import CustomerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def _api(officer):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


@pytest.fixture
def two_officers(reference):
    return OfficerFactory(), OfficerFactory()


def test_two_patches_from_the_same_read_the_second_gets_409_and_writes_nothing(two_officers):
    """Fails on the old code: the second PATCH returned 200 and overwrote the first officer's change."""
    customer = CustomerFactory(phone_mobile="0400000000")
    first, second = (_api(o) for o in two_officers)
    read_1 = first.get(f"/api/v1/customers/{customer.csid}/")
    read_2 = second.get(f"/api/v1/customers/{customer.csid}/")
    assert read_1["ETag"] == read_2["ETag"] == '"1"'
    assert read_1.json()["customer"]["version"] == 1
    version = read_1.json()["customer"]["version"]

    ok = first.patch(f"/api/v1/customers/{customer.csid}/",
                     {"phone_mobile": "0411111111", "reason": "Customer rang", "version": version}, format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["version"] == 2 and ok["ETag"] == '"2"'

    stale = second.patch(f"/api/v1/customers/{customer.csid}/",
                         {"phone_mobile": "0422222222", "reason": "Letter received", "version": version}, format="json")
    assert stale.status_code == 409, stale.json()
    body = stale.json()
    assert "someone else changed" in body["detail"].lower()
    assert body["code"] == "conflict" and body["current_version"] == 2 and body["step_ids"]

    customer.refresh_from_db()
    assert customer.phone_mobile == "0411111111" and customer.version == 2
    updates = AuditEvent.objects.filter(action="customer.update", customer_id=customer.pk)
    assert updates.count() == 1 and updates.get().actor == two_officers[0].user


def test_the_if_match_header_carries_the_version_too(two_officers):
    """Fails on the old code (no ETag; the stale If-Match was ignored and the PATCH returned 200)."""
    customer = CustomerFactory(email="a@example.com")
    first, second = (_api(o) for o in two_officers)
    etag = first.get(f"/api/v1/customers/{customer.csid}/")["ETag"]
    assert first.patch(f"/api/v1/customers/{customer.csid}/", {"email": "b@example.com", "reason": "Told us"},
                       format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = second.patch(f"/api/v1/customers/{customer.csid}/", {"email": "c@example.com", "reason": "Told us"},
                         format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    customer.refresh_from_db()
    assert customer.email == "b@example.com"


def test_if_match_malformed_or_disagreeing_with_the_body_is_400_and_writes_nothing(two_officers):
    customer = CustomerFactory(email="a@example.com")
    c = _api(two_officers[0])
    bad = c.patch(f"/api/v1/customers/{customer.csid}/", {"email": "b@example.com", "reason": "x"}, format="json",
                  HTTP_IF_MATCH='"abc"')
    assert bad.status_code == 400 and "If-Match" in bad.json()
    disagree = c.patch(f"/api/v1/customers/{customer.csid}/", {"email": "b@example.com", "reason": "x", "version": 1},
                       format="json", HTTP_IF_MATCH='"2"')
    assert disagree.status_code == 400 and "version" in disagree.json()
    customer.refresh_from_db()
    assert customer.email == "a@example.com" and customer.version == 1


def test_a_patch_without_a_version_still_applies_and_moves_the_version(two_officers):
    """Clients that send no version keep working (last write wins for them, as before); the version still moves."""
    customer = CustomerFactory()
    r = _api(two_officers[0]).patch(f"/api/v1/customers/{customer.csid}/",
                                    {"preferred_contact_times": "Mornings", "reason": "Asked"}, format="json")
    assert r.status_code == 200 and r.json()["version"] == 2


def test_service_refuses_a_stale_version_with_conflict_and_no_audit_event(two_officers):
    """Fails on the old code (customer_update had no version: TypeError/overwrite)."""
    customer = CustomerFactory(phone_home="0299999999")
    officer_a, officer_b = two_officers
    services.customer_update(actor=officer_a.user, customer=customer, reason="New number", version=1,
                             phone_home="0288888888")
    before = AuditEvent.objects.count()
    stale = Customer.objects.get(pk=customer.pk)
    with pytest.raises(Conflict) as refused:
        services.customer_update(actor=officer_b.user, customer=stale, reason="Older letter", version=1,
                                 phone_home="0277777777")
    assert refused.value.http_status == 409 and refused.value.extra["current_version"] == 2
    assert AuditEvent.objects.count() == before
    customer.refresh_from_db()
    assert customer.phone_home == "0288888888" and customer.version == 2
    event = AuditEvent.objects.get(action="customer.update", customer_id=customer.pk)
    assert event.actor == officer_a.user and event.after == {"phone_home": "0288888888"}


def test_an_update_that_changes_nothing_keeps_the_version(two_officers):
    customer = CustomerFactory(phone_home="0299999999")
    services.customer_update(actor=two_officers[0].user, customer=customer, reason="Checked", version=1,
                             phone_home="0299999999")
    customer.refresh_from_db()
    assert customer.version == 1
    assert not AuditEvent.objects.filter(action="customer.update").exists()


def test_web_date_of_death_form_carries_the_version_and_a_stale_page_is_refused(two_officers):
    """The customer page's edit form (date of death) posts the version it was rendered with. Fails on the old code:
    the stale page's change overwrote the newer date."""
    customer = CustomerFactory(date_of_birth=dt.date(1960, 1, 1))
    officer_a, officer_b = two_officers
    web = Client()
    web.force_login(officer_b.user)
    page = web.get(f"/customers/{customer.csid}/")
    assert page.status_code == 200
    assert 'name="version" value="1"' in page.content.decode()
    services.customer_update(actor=officer_a.user, customer=customer, reason="Death certificate", version=1,
                             date_of_death=dt.date(2024, 5, 1))
    r = web.post(f"/customers/{customer.csid}/facts/death/",
                 {"date_of_death": "2024-06-01", "reason": "Phone call", "version": "1"}, follow=True)
    assert r.status_code == 200
    assert "someone else changed" in r.content.decode().lower()
    customer.refresh_from_db()
    assert customer.date_of_death == dt.date(2024, 5, 1) and customer.version == 2

"""Issue 12, "every fact can be created, corrected and read through the web page": the customer page's Case facts
section reads payments received and corrects payments and care, records income, and ends a representative's
authority and a restricted service in force — each through the same service as the API (so the same sense checks,
audit events and permissions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers import services as cs
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)  # Monday 12:00 in Sydney



def ver(row) -> int:
    """The row's current version, as the customer page's hidden field carries it (issue 13)."""
    return type(row).objects.get(pk=row.pk).version

def web(officer):
    client = Client()
    client.force_login(officer.user)
    return client


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def so(reference):
    return f.OfficerFactory(role=Role.SERVICE_OFFICER)


@pytest.fixture
def case(reference):
    return f.CaseFactory()


def test_payment_is_read_and_corrected_on_the_customer_page_cma_2_3(so, case):
    client, csid = web(so), case.payer.csid
    with clock.freeze(NOW):
        debt = cs.debt_record(actor=so.user, case=case, debtor=case.payer, kind="child_support_debt",
                              amount=Decimal("500.00"), as_at=dt.date(2026, 11, 1), source="ledger")
        r = client.post(f"/customers/{csid}/facts/payment/", {"case_number": case.case_number, "amount": "120.00",
                                                             "received_on": "2026-11-20", "debt_id": debt.pk},
                        follow=True)
        assert "Payment recorded." in texts(r)
        payment = cm.PaymentReceived.objects.get()
        page = client.get(f"/customers/{csid}/").content.decode()
        assert 'data-testid="facts-payments"' in page and "$120.00" in page and "20/11/2026" in page
        # More than the debt allows: refused with a field message, nothing written.
        r = client.post(f"/customers/{csid}/facts/payment-correct/", {"payment_id": payment.pk, "version": ver(payment), "amount": "900.00",
                                                                     "reason": "Keyed wrongly"}, follow=True)
        assert any(m.startswith("Amount:") for m in texts(r)), texts(r)
        assert cm.PaymentReceived.objects.count() == 1
        # A reason is required.
        r = client.post(f"/customers/{csid}/facts/payment-correct/", {"payment_id": payment.pk, "version": ver(payment), "amount": "100.00"},
                        follow=True)
        assert any(m.startswith("Reason:") for m in texts(r)) and cm.PaymentReceived.objects.count() == 1
        r = client.post(f"/customers/{csid}/facts/payment-correct/", {"payment_id": payment.pk, "version": ver(payment), "amount": "100.00",
                                                                     "reason": "Keyed wrongly"}, follow=True)
        assert "Payment corrected; the earlier record is kept with your reason." in texts(r)
        page = client.get(f"/customers/{csid}/").content.decode()
    payment.refresh_from_db()
    current = cm.PaymentReceived.objects.get(superseded_by__isnull=True)
    assert payment.superseded_by == current and current.amount == Decimal("100.00")
    assert "Corrected: Keyed wrongly" in page and "$100.00" in page
    assert AuditEvent.objects.filter(action__startswith="payment", reason="Keyed wrongly").exists()


def test_payee_page_shows_the_payments_made_to_them(so, case):
    with clock.freeze(NOW):
        cs.payment_received_record(actor=so.user, case=case, payer=case.payer, amount=Decimal("75.00"),
                                   received_on=dt.date(2026, 11, 20))
        page = web(so).get(f"/customers/{case.payee.csid}/").content.decode()
    assert "$75.00" in page and case.payer.full_name in page


def test_care_is_corrected_on_the_customer_page_and_never_over_100_percent_cma_2_1(so, case):
    child = cm.Child.objects.create(case=case, given_names="Kim", family_name="K", date_of_birth=dt.date(2018, 1, 1))
    client, csid = web(so), case.payer.csid
    with clock.freeze(NOW):
        cs.care_arrangement_record(actor=so.user, case=case, child=child, carer=case.payee, care_percentage=65,
                                   effective_from=dt.date(2026, 1, 1))
        r = client.post(f"/customers/{csid}/facts/care/", {"child_id": child.pk, "care_percentage": 35,
                                                          "effective_from": "2026-01-01"}, follow=True)
        assert "Care recorded." in texts(r)
        mine = cm.CareArrangement.objects.get(carer=case.payer)
        r = client.post(f"/customers/{csid}/facts/care-correct/", {"care_id": mine.pk, "version": ver(mine), "care_percentage": 50,
                                                                  "reason": "Care was 50%"}, follow=True)
        assert any("100" in m for m in texts(r)), texts(r)
        assert cm.CareArrangement.objects.count() == 2
        r = client.post(f"/customers/{csid}/facts/care-correct/", {"care_id": mine.pk, "version": ver(mine), "care_percentage": 30,
                                                                  "reason": "Care was 30%"}, follow=True)
        assert "Care corrected; the earlier record is kept with your reason." in texts(r)
        page = client.get(f"/customers/{csid}/").content.decode()
    mine.refresh_from_db()
    assert mine.superseded_by.care_percentage == 30 and mine.correction_reason == "Care was 30%"
    assert "(corrected: Care was 30%)" in page and "30%" in page


def test_income_is_recorded_on_the_customer_page_with_its_sense_checks_cma_2_2(so, case):
    client, csid = web(so), case.payer.csid
    with clock.freeze(NOW):
        r = client.post(f"/customers/{csid}/facts/income/", {"amount": "-1", "source": "ato_issued", "tax_year": 1950,
                                                            "effective_from": "2026-07-01"}, follow=True)
        messages = texts(r)
        assert any(m.startswith("Amount:") or m.startswith("Tax year:") for m in messages), messages
        assert not cm.IncomeRecord.objects.filter(customer=case.payer).exists()
        r = client.post(f"/customers/{csid}/facts/income/", {"amount": "81000.00", "source": "ato_issued",
                                                            "tax_year": 2026, "effective_from": "2026-07-01"},
                        follow=True)
        assert "Income recorded." in texts(r)
        page = client.get(f"/customers/{csid}/").content.decode()
    assert cm.IncomeRecord.objects.get(customer=case.payer).amount == Decimal("81000.00")
    assert "$81,000.00" in page or "$81000.00" in page


def test_representative_authority_is_ended_on_the_customer_page_cma_1_1(so, case):
    client, customer = web(so), case.payer
    with clock.freeze(NOW):
        r = client.post(f"/customers/{customer.csid}/facts/representative/", {
            "name": "Ian Income", "scope": "specified", "matters": ["income"], "valid_from": "2026-01-01"},
            follow=True)
        assert "Authorised representative recorded." in texts(r)
        rep = cm.AuthorisedRepresentative.objects.get()
        assert b"End authority" in client.get(f"/customers/{customer.csid}/").content
        r = client.post(f"/customers/{customer.csid}/facts/representative-end/", {"row_id": rep.pk, "version": ver(rep),
                                                                                 "reason": "Revoked by the customer"},
                        follow=True)
        assert "The representative's authority has ended." in texts(r)
    rep.refresh_from_db()
    assert not rep.is_active and rep.valid_to == dt.date(2026, 11, 30)
    assert AuditEvent.objects.filter(action="representative.end", reason="Revoked by the customer").exists()


def test_representative_of_another_customer_is_not_ended_from_this_page(so, case):
    other = f.CustomerFactory()
    with clock.freeze(NOW):
        rep = cs.representative_add(actor=so.user, customer=other, name="Rita", scope="full")
        r = web(so).post(f"/customers/{case.payer.csid}/facts/representative-end/", {"row_id": rep.pk, "version": ver(rep),
                                                                                    "reason": "x"}, follow=True)
    rep.refresh_from_db()
    assert rep.is_active and any("No such representative" in m for m in texts(r))


def test_restricted_service_in_force_is_ended_by_a_team_leader_on_the_customer_page_ps_orm_3(reference):
    from casework.approvals.selectors import pending_for_subject
    from casework.approvals.services import approval_decide

    customer = f.CustomerFactory()
    maker, checker = (f.OfficerFactory(role=Role.PS_TEAM_LEADER) for _ in range(2))
    with clock.freeze(NOW):
        row = cs.contact_restriction_add(
            actor=maker.user, customer=customer, conditions="Written only", case_review="Reviewed",
            recommendation="Restrict", review_date=dt.date(2027, 3, 30), channels=["post"])
        approval_decide(actor=checker.user, approval=pending_for_subject(subject=row, kind="restricted_service"),
                        approve=True, data={"letter_reference": "RS-1"})
        so = f.OfficerFactory(role=Role.SERVICE_OFFICER)
        assert b'restriction-end' not in web(so).get(f"/customers/{customer.csid}/").content
        r = web(so).post(f"/customers/{customer.csid}/facts/restriction-end/", {"row_id": row.pk, "version": ver(row), "reason": "x"},
                         follow=True)
        row.refresh_from_db()
        assert row.status == "active" and any("Team Leader" in m for m in texts(r))
        nmqcc = f.OfficerFactory(role=Role.NATIONAL_MANAGER_QCC)
        client = web(maker)
        assert b'restriction-end' in client.get(f"/customers/{customer.csid}/").content
        r = client.post(f"/customers/{customer.csid}/facts/restriction-end/", {"row_id": row.pk, "version": ver(row),
                                                                              "reason": "Behaviour improved"},
                        follow=True)
        assert any("sent to the National Manager for approval" in m for m in texts(r))
        row.refresh_from_db()
        assert row.status == "active"  # issue 12: in force until the NMQCC approves the end (PS-ORM-3)
        approval_decide(actor=nmqcc.user, approve=True,
                        approval=pending_for_subject(subject=row, kind="restricted_service_end"))
    row.refresh_from_db()
    assert row.status == "ended" and row.ended_on == dt.date(2026, 11, 30)


def test_auditor_cannot_correct_a_payment_from_the_page(reference, case):
    so = f.OfficerFactory(role=Role.SERVICE_OFFICER)
    with clock.freeze(NOW):
        payment = cs.payment_received_record(actor=so.user, case=case, payer=case.payer, amount=Decimal("75.00"),
                                             received_on=dt.date(2026, 11, 20))
        r = web(f.OfficerFactory(role=Role.AUDITOR)).post(
            f"/customers/{case.payer.csid}/facts/payment-correct/",
            {"payment_id": payment.pk, "version": ver(payment), "amount": "70.00", "reason": "x"}, follow=True)
    assert cm.PaymentReceived.objects.count() == 1 and any("role" in m for m in texts(r))


def test_dpo_is_corrected_on_the_customer_page_and_the_old_record_kept(so, case):
    client, csid = web(so), case.payer.csid
    with clock.freeze(NOW):
        r = client.post(f"/customers/{csid}/facts/dpo/", {"status": "issued", "case_number": case.case_number,
                                                         "issued_on": "2026-10-01", "reason": "Defaults"}, follow=True)
        assert "DPO recorded." in texts(r)
        dpo = cm.DepartureProhibitionOrder.objects.get()
        r = client.post(f"/customers/{csid}/facts/dpo-correct/", {"dpo_id": dpo.pk, "version": ver(dpo), "issued_on": "2027-01-01",
                                                                 "reason": "Wrong date"}, follow=True)
        assert any(m.startswith("Issued on:") for m in texts(r)), texts(r)
        assert cm.DepartureProhibitionOrder.objects.count() == 1
        r = client.post(f"/customers/{csid}/facts/dpo-correct/", {"dpo_id": dpo.pk, "version": ver(dpo), "issued_on": "2026-09-01",
                                                                 "reason": "Wrong date"}, follow=True)
        assert "DPO corrected; the earlier record is kept with your reason." in texts(r)
        page = client.get(f"/customers/{csid}/").content.decode()
    dpo.refresh_from_db()
    assert dpo.superseded_by.issued_on == dt.date(2026, 9, 1) and dpo.issued_on == dt.date(2026, 10, 1)
    assert "corrected: Wrong date" in page and "01/09/2026" in page


def test_a_dpo_correction_from_a_stale_read_is_409_through_the_api_and_the_page(so, case):
    """Issue 13: a DPO correction carries the version of the record it corrects; someone corrected it since → 409,
    nothing written (API body ``version`` and the customer page's hidden field alike)."""
    from rest_framework.test import APIClient

    with clock.freeze(NOW):
        dpo = cs.dpo_record(actor=so.user, customer=case.payer, status="issued", case=case,
                            issued_on=dt.date(2026, 10, 1), reason="Defaults")
        stale = dpo.version
        cs.dpo_correct(actor=so.user, dpo=dpo, reason="Wrong date", issued_on=dt.date(2026, 9, 1))
        api = APIClient()
        api.force_authenticate(so.user)
        r = api.post(f"/api/v1/customers/{case.payer.csid}/dpos/", {
            "status": "revoked", "corrects": dpo.pk, "reason": "Keyed wrongly", "version": stale}, format="json")
        assert r.status_code == 409, r.content
        r = web(so).post(f"/customers/{case.payer.csid}/facts/dpo-correct/", {
            "dpo_id": dpo.pk, "version": stale, "status": "revoked", "reason": "Keyed wrongly"}, follow=True)
    assert cm.DepartureProhibitionOrder.objects.count() == 2
    assert not cm.DepartureProhibitionOrder.objects.filter(status="revoked").exists()

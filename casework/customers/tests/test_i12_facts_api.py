"""Issue 12, done-when "every fact above can be created, corrected and read through the API, with tests per sense
check": one table with every sense check the issue and docs/facts.md name, each posted through the API (400, a
message on the named field, nothing written), and the create → read → correct → read round of the facts the other
API tests do not cover (payments, DPOs, date of death, registration, role history, income, ending a restriction)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.csid import make_csid
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)  # Monday 30 November, 12:00 in Sydney
_csids = iter(range(810_000_001, 810_100_000))


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def ok(response, code=201):
    assert response.status_code == code, response.json()
    return response.json()


def api_for(officer) -> APIClient:
    client = APIClient()
    client.force_authenticate(officer.user)
    return client


@pytest.fixture
def api(reference):
    return api_for(f.OfficerFactory(role=Role.SERVICE_OFFICER, position__office=f.OfficeFactory(code="sydney")))


@pytest.fixture
def w(api):
    """A payer and a payee, a case with a child (roles since July 2020), a $4,860 child support debt as at
    27 November with an active arrangement, a payment, the payee's care and an issued DPO — all through the API."""
    payer, payee = (ok(api.post("/api/v1/customers/", {
        "csid": make_csid(next(_csids)), "given_names": name, "family_name": "Facts", "date_of_birth": "1985-03-14",
        "residence": "NSW"}, format="json")) for name in ("Paul", "Pia"))
    case = ok(api.post("/api/v1/cases/", {
        "payer_csid": payer["csid"], "payee_csid": payee["csid"], "annual_liability": "5200.00",
        "roles_since": "2020-07-01",
        "children": [{"given_names": "Kim", "family_name": "Facts", "date_of_birth": "2018-02-01"}]}, format="json"))
    n = case["case_number"]
    debt = ok(api.post(f"/api/v1/customers/{payer['csid']}/debts/", {
        "case_number": n, "kind": "child_support_debt", "amount": "4860.00", "as_at": "2026-11-27",
        "source": "Collection ledger"}, format="json"))
    arrangement = ok(api.post(f"/api/v1/debts/{debt['id']}/arrangements/", {
        "instalment": "100.00", "frequency": "weekly", "start_date": "2026-12-01"}, format="json"))
    payment = ok(api.post(f"/api/v1/cases/{n}/payments/", {
        "payer_csid": payer["csid"], "amount": "200.00", "received_on": "2026-11-28", "debt_id": debt["id"]},
        format="json"))
    child = case["children"][0]["id"] if "id" in case["children"][0] else cm.Child.objects.get(case__case_number=n).pk
    care = ok(api.post(f"/api/v1/cases/{n}/care/", {
        "child_id": child, "carer_csid": payee["csid"], "care_percentage": 70, "effective_from": "2026-01-01"},
        format="json"))
    dpo = ok(api.post(f"/api/v1/customers/{payer['csid']}/dpos/", {
        "status": "issued", "case_number": n, "issued_on": "2026-10-01", "reason": "Repeated defaults"},
        format="json"))
    return SimpleNamespace(payer=payer["csid"], payee=payee["csid"], case=n, debt=debt["id"], child=child,
                           arrangement=arrangement["id"], payment=payment["id"], care=care["id"], dpo=dpo["id"])


# Every sense check: (id, url, body, the field that carries the message). ``{payer}`` etc. come from ``w``.
SENSE_CHECKS = [
    # debts (CMA-2.3)
    ("debt-amount-zero", "customers/{payer}/debts/",
     {"case_number": "{case}", "kind": "child_support_debt", "amount": "0.00", "as_at": "2026-11-27"}, "amount"),
    ("debt-amount-over-10-million", "customers/{payer}/debts/",
     {"case_number": "{case}", "kind": "child_support_debt", "amount": "10000000.01", "as_at": "2026-11-27"}, "amount"),
    ("debt-as-at-future", "customers/{payer}/debts/",
     {"case_number": "{case}", "kind": "child_support_debt", "amount": "10.00", "as_at": "2026-12-01"}, "as_at"),
    ("debt-as-at-before-scheme", "customers/{payer}/debts/",
     {"case_number": "{case}", "kind": "child_support_debt", "amount": "10.00", "as_at": "1988-05-31"}, "as_at"),
    ("debt-arrears-owed-by-the-payee", "customers/{payee}/debts/",
     {"case_number": "{case}", "kind": "child_support_debt", "amount": "10.00", "as_at": "2026-11-27"}, "debtor"),
    ("debt-correction-amount-negative", "debts/{debt}/correct/", {"amount": "-5.00", "reason": "Fix"}, "amount"),
    ("debt-correction-needs-a-reason", "debts/{debt}/correct/", {"amount": "4000.00"}, "reason"),
    # arrangements (CMA-2.3, CMA-2.6): the issue's measured cases and each bound
    ("arrangement-99999999-weekly-against-4860", "debts/{debt}/arrangements/",
     {"instalment": "99999999.00", "frequency": "weekly", "start_date": "2026-12-01"}, "instalment"),
    ("arrangement-1-cent-from-1999", "debts/{debt}/arrangements/",
     {"instalment": "0.01", "frequency": "weekly", "start_date": "1999-01-01"}, "start_date"),
    ("arrangement-zero", "debts/{debt}/arrangements/",
     {"instalment": "0.00", "frequency": "weekly", "start_date": "2026-12-01"}, "instalment"),
    ("arrangement-does-not-clear-in-60-months", "debts/{debt}/arrangements/",
     {"instalment": "50.00", "frequency": "monthly", "start_date": "2026-12-01"}, "instalment"),
    ("arrangement-starts-before-the-debt", "debts/{debt}/arrangements/",
     {"instalment": "100.00", "frequency": "weekly", "start_date": "2026-11-26"}, "start_date"),
    ("arrangement-starts-over-a-year-ahead", "debts/{debt}/arrangements/",
     {"instalment": "100.00", "frequency": "weekly", "start_date": "2027-12-02"}, "start_date"),
    ("arrangement-amendment-measured-too", "arrangements/{arrangement}/amend/",
     {"instalment": "99999999.00", "reason": "More income"}, "instalment"),
    ("arrangement-amendment-needs-a-reason", "arrangements/{arrangement}/amend/", {"instalment": "120.00"}, "reason"),
    # payments (CMA-2.3)
    ("payment-zero", "cases/{case}/payments/",
     {"payer_csid": "{payer}", "amount": "0.00", "received_on": "2026-11-28"}, "amount"),
    ("payment-more-than-outstanding", "cases/{case}/payments/",
     {"payer_csid": "{payer}", "amount": "4660.01", "received_on": "2026-11-28", "debt_id": "{debt}"}, "amount"),
    ("payment-received-in-the-future", "cases/{case}/payments/",
     {"payer_csid": "{payer}", "amount": "10.00", "received_on": "2026-12-01"}, "received_on"),
    ("payment-received-before-scheme", "cases/{case}/payments/",
     {"payer_csid": "{payer}", "amount": "10.00", "received_on": "1987-01-01"}, "received_on"),
    ("payment-by-someone-not-on-the-case", "cases/{case}/payments/",
     {"payer_csid": "{stranger}", "amount": "10.00", "received_on": "2026-11-28"}, "payer_csid"),
    ("payment-correction-more-than-outstanding", "payments/{payment}/correct/",
     {"amount": "4860.01", "reason": "Fix"}, "amount"),
    # care (CMA-2.1)
    ("care-parents-over-100-percent", "cases/{case}/care/",
     {"child_id": "{child}", "carer_csid": "{payer}", "care_percentage": 31, "effective_from": "2026-01-01"},
     "care_percentage"),
    ("care-over-100-for-one-carer", "cases/{case}/care/",
     {"child_id": "{child}", "carer_csid": "{payer}", "care_percentage": 101, "effective_from": "2026-01-01"},
     "care_percentage"),
    ("care-before-the-child-was-born", "cases/{case}/care/",
     {"child_id": "{child}", "carer_csid": "{payer}", "care_percentage": 30, "effective_from": "2017-01-01"},
     "effective_from"),
    ("care-over-a-year-ahead", "cases/{case}/care/",
     {"child_id": "{child}", "carer_csid": "{payer}", "care_percentage": 30, "effective_from": "2027-12-31"},
     "effective_from"),
    ("care-correction-over-100-percent", "care/{care}/correct/",
     {"care_percentage": 100, "reason": "Fix", "_first": ("cases/{case}/care/", {
         "child_id": "{child}", "carer_csid": "{payer}", "care_percentage": 30, "effective_from": "2026-01-01"})},
     "care_percentage"),
    # dates of birth (customers and children)
    ("customer-born-in-the-future", "customers/",
     {"csid": "{new_csid}", "given_names": "A", "family_name": "B", "date_of_birth": "2026-12-01",
      "residence": "NSW"}, "date_of_birth"),
    ("customer-born-over-120-years-ago", "customers/",
     {"csid": "{new_csid}", "given_names": "A", "family_name": "B", "date_of_birth": "1900-01-01",
      "residence": "NSW"}, "date_of_birth"),
    ("child-over-25", "cases/",
     {"payer_csid": "{payer}", "payee_csid": "{payee}",
      "children": [{"given_names": "Old", "family_name": "Kid", "date_of_birth": "1990-01-01"}]}, "children"),
    ("case-roles-since-before-scheme", "cases/",
     {"payer_csid": "{payer}", "payee_csid": "{payee}", "roles_since": "1980-01-01"}, "roles_since"),
    # role reversal (CMA-2.4), registration (CMA-2.7)
    ("role-reversal-not-after-the-current-period", "cases/{case}/roles/",
     {"effective_from": "2020-07-01", "reason": "Care changed"}, "effective_from"),
    ("role-reversal-needs-a-reason", "cases/{case}/roles/", {"effective_from": "2026-07-01"}, "reason"),
    ("registration-needs-a-reason", "cases/{case}/registration/", {"registration_status": "pending"}, "reason"),
    # income (CMA-2.2)
    ("income-negative", "customers/{payer}/income/",
     {"amount": "-1.00", "source": "ato_issued", "tax_year": 2026, "effective_from": "2025-07-01"}, "amount"),
    ("income-tax-year-out-of-range", "customers/{payer}/income/",
     {"amount": "1.00", "source": "ato_issued", "tax_year": 1950, "effective_from": "2025-07-01"}, "tax_year"),
    # DPO
    ("dpo-issued-in-the-future", "customers/{payer}/dpos/",
     {"status": "issued", "case_number": "{case}", "issued_on": "2026-12-01"}, "issued_on"),
    ("dpo-issued-without-a-date", "customers/{payer}/dpos/", {"status": "issued", "case_number": "{case}"},
     "issued_on"),
    ("dpo-against-the-payee", "customers/{payee}/dpos/", {"status": "considered", "case_number": "{case}"},
     "case_number"),
    ("dpo-correction-before-scheme", "customers/{payer}/dpos/",
     {"status": "issued", "corrects": "{dpo}", "issued_on": "1980-01-01", "reason": "Fix"}, "issued_on"),
    ("dpo-correction-needs-a-reason", "customers/{payer}/dpos/",
     {"status": "issued", "corrects": "{dpo}", "issued_on": "2026-09-01"}, "reason"),
    ("dpo-correction-of-another-customers-dpo", "customers/{payee}/dpos/",
     {"status": "considered", "corrects": "{dpo}", "reason": "Fix"}, "corrects"),
    # representatives (CMA-1.1)
    ("representative-specified-without-matters", "customers/{payer}/representatives/",
     {"name": "Legal Aid", "scope": "specified"}, "matters"),
    ("representative-matters-for-full-authority", "customers/{payer}/representatives/",
     {"name": "Legal Aid", "scope": "full", "matters": ["income"]}, "matters"),
    ("representative-ends-before-it-starts", "customers/{payer}/representatives/",
     {"name": "Legal Aid", "scope": "full", "valid_from": "2026-11-01", "valid_to": "2026-10-01"}, "valid_to"),
]

# Restricted service (PS-ORM-3, PS-DOC-2): proposed by a PS Team Leader.
RESTRICTION = {"conditions": "Phone on Tuesdays 9-11 only", "case_review": "14 abusive calls",
               "recommendation": "Restrict", "review_date": "2027-03-30", "channels": ["phone"], "days": [1],
               "time_from": "09:00", "time_to": "11:00"}
RESTRICTION_CHECKS = [
    ("restriction-review-under-3-months", {"review_date": "2027-02-27"}, "review_date"),
    ("restriction-review-over-6-months", {"review_date": "2027-06-01"}, "review_date"),
    ("restriction-without-case-review", {"case_review": ""}, "case_review"),
    ("restriction-without-recommendation", {"recommendation": ""}, "recommendation"),
    ("restriction-times-backwards", {"time_from": "11:00", "time_to": "09:00"}, "time_to"),
    ("restriction-only-a-start-time", {"time_to": None}, "time_to"),
    ("restriction-unknown-day", {"days": [7]}, "days"),
]


def _fill(value, ctx):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ctx[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ctx) for v in value]
    return value


def _counts():
    return {m.__name__: m.objects.count() for m in (
        cm.Customer, cm.Case, cm.Child, cm.Debt, cm.PaymentArrangement, cm.PaymentReceived, cm.CareArrangement,
        cm.IncomeRecord, cm.DepartureProhibitionOrder, cm.AuthorisedRepresentative, cm.CaseRoleHistory)}


@pytest.mark.parametrize("name, url, body, field", SENSE_CHECKS, ids=[c[0] for c in SENSE_CHECKS])
def test_every_sense_check_is_a_400_on_its_field_through_the_api_and_writes_nothing(api, w, name, url, body, field):
    ctx = {**vars(w), "new_csid": make_csid(next(_csids)), "stranger": f.CustomerFactory().csid}
    body = dict(body)
    first = body.pop("_first", None)
    if first:
        ok(api.post("/api/v1/" + first[0].format(**ctx), _fill(first[1], ctx), format="json"))
    before = _counts()
    r = api.post("/api/v1/" + url.format(**ctx), _fill(body, ctx), format="json")
    assert r.status_code == 400, (name, r.status_code, r.json())
    problems = r.json().get("fields") or r.json()
    assert field in problems and problems[field], (name, r.json())
    assert _counts() == before, name


@pytest.mark.parametrize("name, change, field", RESTRICTION_CHECKS, ids=[c[0] for c in RESTRICTION_CHECKS])
def test_every_restriction_sense_check_is_a_400_on_its_field(reference, w, name, change, field):
    tl = api_for(f.OfficerFactory(role=Role.PS_TEAM_LEADER))
    body = {k: v for k, v in {**RESTRICTION, **change}.items() if v is not None}
    r = tl.post(f"/api/v1/customers/{w.payer}/restrictions/", body, format="json")
    assert r.status_code == 400, (name, r.json())
    problems = r.json().get("fields") or r.json()
    assert field in problems, (name, r.json())
    assert not cm.ContactRestriction.objects.exists()


def test_the_sense_check_table_names_every_sense_check_of_the_issue():
    """The issue's list: amounts positive and within what the debt allows, an arrangement that clears the debt in a
    plausible time, start dates not before the debt or after a year ahead, dates of birth in a sane range, the two
    parents' care not over 100%, review date 3-6 months."""
    names = {c[0] for c in SENSE_CHECKS} | {c[0] for c in RESTRICTION_CHECKS}
    for needed in ("debt-amount-zero", "payment-more-than-outstanding", "arrangement-99999999-weekly-against-4860",
                   "arrangement-does-not-clear-in-60-months", "arrangement-starts-before-the-debt",
                   "arrangement-starts-over-a-year-ahead", "customer-born-in-the-future",
                   "customer-born-over-120-years-ago", "child-over-25", "care-parents-over-100-percent",
                   "restriction-review-under-3-months", "restriction-review-over-6-months"):
        assert needed in names


# ---------------------------------------------------------------- create → read → correct → read


def test_payment_created_read_corrected_read(api, w):
    rows = ok(api.get(f"/api/v1/cases/{w.case}/payments/"), 200)
    assert [(p["id"], p["amount"]) for p in rows] == [(w.payment, "200.00")]
    new = ok(api.post(f"/api/v1/payments/{w.payment}/correct/", {"amount": "180.00", "reason": "Bank fee"},
                      format="json"))
    rows = {p["id"]: p for p in ok(api.get(f"/api/v1/cases/{w.case}/payments/"), 200)}
    assert rows[w.payment]["superseded_by"] == new["id"] and rows[w.payment]["correction_reason"] == "Bank fee"
    assert rows[new["id"]]["amount"] == "180.00" and rows[new["id"]]["superseded_by"] is None
    r = api.post(f"/api/v1/payments/{w.payment}/correct/", {"amount": "170.00", "reason": "Again"}, format="json")
    assert r.status_code == 409  # correct the current row, not the superseded one


def test_dpo_created_read_corrected_read(api, w):
    rows = ok(api.get(f"/api/v1/customers/{w.payer}/dpos/"), 200)
    assert [(d["id"], d["status"], d["issued_on"]) for d in rows] == [(w.dpo, "issued", "2026-10-01")]
    new = ok(api.post(f"/api/v1/customers/{w.payer}/dpos/", {
        "status": "issued", "corrects": w.dpo, "issued_on": "2026-09-01", "reason": "Keyed the wrong date"},
        format="json"))
    assert (new["status"], new["issued_on"], new["case_number"]) == ("issued", "2026-09-01", w.case)
    rows = {d["id"]: d for d in ok(api.get(f"/api/v1/customers/{w.payer}/dpos/"), 200)}
    assert rows[w.dpo]["superseded_by"] == new["id"] and rows[w.dpo]["correction_reason"] == "Keyed the wrong date"
    assert rows[w.dpo]["issued_on"] == "2026-10-01", "the old row is kept as it was"
    event = AuditEvent.objects.get(action="dpo.correct")
    assert event.before["issued_on"] == "2026-10-01" and event.after["issued_on"] == "2026-09-01"
    r = api.post(f"/api/v1/customers/{w.payer}/dpos/", {"status": "considered", "corrects": w.dpo, "reason": "Again"},
                 format="json")
    assert r.status_code == 409  # correct the current record, not the superseded one


def test_a_dpo_recorded_in_error_stops_counting_once_corrected_ps_seg(api, w):
    """The facts the rules read are current rows only: a DPO 'issued' keyed in error and corrected to 'revoked' no
    longer counts as a DPO for the PS-SEG segmentation or the customer summary."""
    from casework.customers.selectors import customer_summary
    from casework.ps.selectors import segment_facts

    payer = cm.Customer.objects.get(csid=w.payer)
    from casework.ps.models import PsRecord

    record = PsRecord(customer=payer, referral_type_code="general")  # unsaved: segment_facts reads its customer
    assert len(customer_summary(customer=payer).active_dpos) == 1 and segment_facts(ps_record=record).has_dpo
    ok(api.post(f"/api/v1/customers/{w.payer}/dpos/", {"status": "revoked", "corrects": w.dpo,
                                                        "reason": "Keyed on the wrong customer"}, format="json"))
    assert customer_summary(customer=payer).active_dpos == ()
    assert segment_facts(ps_record=record).has_dpo is False


def test_a_dpo_revoked_by_a_later_decision_stops_counting_ps_seg(api, w):
    """Issue 12: the current DPO status of a case is its latest current decision. An "issued" DPO later revoked by a
    new record (not a correction: the issued row stays current, as it was) no longer counts for PS-SEG (has_dpo)
    nor in the customer summary, through the API too."""
    from casework.customers.selectors import customer_summary
    from casework.ps.models import PsRecord
    from casework.ps.selectors import segment_facts

    payer = cm.Customer.objects.get(csid=w.payer)
    record = PsRecord(customer=payer, referral_type_code="general")
    assert segment_facts(ps_record=record).has_dpo
    ok(api.post(f"/api/v1/customers/{w.payer}/dpos/", {"status": "revoked", "case_number": w.case,
                                                        "reason": "Arrears paid"}, format="json"))
    assert cm.DepartureProhibitionOrder.objects.get(pk=w.dpo).superseded_by_id is None  # the issued row stays
    assert customer_summary(customer=payer).active_dpos == ()
    assert [d.status for d in customer_summary(customer=payer).dpos] == ["revoked"]
    assert segment_facts(ps_record=record).has_dpo is False


def test_dpo_latest_decision_per_case_policy():
    from casework.customers.policy import DpoDecision, dpo_in_force, dpo_latest_decisions

    issued = DpoDecision(id=1, case_id=7, status="issued", issued_on=dt.date(2026, 1, 1))
    revoked = DpoDecision(id=2, case_id=7, status="revoked", issued_on=None, revoked_on=dt.date(2026, 3, 1))
    other = DpoDecision(id=3, case_id=8, status="considered")
    # A correction of the earlier "issued" row gets a later id, but its decision is still the earlier one.
    corrected = DpoDecision(id=4, case_id=7, status="issued", issued_on=dt.date(2026, 1, 2))
    assert dpo_in_force([issued]) and not dpo_in_force([issued, revoked])
    assert not dpo_in_force([revoked, corrected])
    assert dpo_in_force([issued, revoked, other])
    assert [d.id for d in dpo_latest_decisions([issued, revoked, other])] == [2, 3]
    reissued = DpoDecision(id=5, case_id=7, status="issued", issued_on=dt.date(2026, 6, 1))
    assert dpo_in_force([issued, revoked, reissued])


def test_date_of_death_recorded_read_and_corrected_through_the_api(api, w):
    r = api.get(f"/api/v1/customers/{w.payee}/")
    version = int(r["ETag"].strip('W/"'))
    r = api.patch(f"/api/v1/customers/{w.payee}/", {"date_of_death": "2026-12-01", "reason": "Death notice",
                                                     "version": version}, format="json")
    assert r.status_code == 400 and "date_of_death" in (r.json().get("fields") or r.json())
    r = api.patch(f"/api/v1/customers/{w.payee}/", {"date_of_death": "1980-01-01", "reason": "Death notice",
                                                     "version": version}, format="json")
    assert r.status_code == 400 and "date_of_death" in (r.json().get("fields") or r.json())
    body = ok(api.patch(f"/api/v1/customers/{w.payee}/", {"date_of_death": "2026-11-20", "reason": "Death notice",
                                                           "version": version}, format="json"), 200)
    assert body["date_of_death"] == "2026-11-20"
    detail = ok(api.get(f"/api/v1/customers/{w.payee}/"), 200)
    assert detail["customer"]["date_of_death"] == "2026-11-20" and detail["is_deceased"] is True
    body = ok(api.patch(f"/api/v1/customers/{w.payee}/", {"date_of_death": "2026-11-19", "reason": "Certificate",
                                                           "version": version + 1}, format="json"), 200)
    assert ok(api.get(f"/api/v1/customers/{w.payee}/"), 200)["customer"]["date_of_death"] == "2026-11-19"
    assert list(AuditEvent.objects.filter(action="customer.update", target_id=str(cm.Customer.objects.get(
        csid=w.payee).pk)).values_list("reason", flat=True).order_by("id")) == ["Death notice", "Certificate"]


def test_registration_pending_set_read_and_set_back(api, w):
    assert ok(api.get(f"/api/v1/cases/{w.case}/"), 200)["registration_status"] == "registered"
    ok(api.post(f"/api/v1/cases/{w.case}/registration/", {"registration_status": "pending", "reason": "Re-applied"},
                format="json"), 200)
    assert ok(api.get(f"/api/v1/cases/{w.case}/"), 200)["registration_status"] == "pending"
    r = api.post(f"/api/v1/cases/{w.case}/registration/", {"registration_status": "pending", "reason": "Again"},
                 format="json")
    assert r.status_code == 409
    ok(api.post(f"/api/v1/cases/{w.case}/registration/", {"registration_status": "registered",
                                                           "reason": "Keyed in error"}, format="json"), 200)
    assert ok(api.get(f"/api/v1/cases/{w.case}/"), 200)["registration_status"] == "registered"


def test_role_reversal_recorded_and_its_history_read(api, w):
    ok(api.post(f"/api/v1/cases/{w.case}/roles/", {"effective_from": "2026-07-01", "reason": "Care changed"},
                format="json"))
    periods = ok(api.get(f"/api/v1/cases/{w.case}/roles/"), 200)
    assert [(p["payer_csid"], p["from_date"], p["to_date"]) for p in periods] == [
        (w.payer, "2020-07-01", "2026-06-30"), (w.payee, "2026-07-01", None)]


def test_income_recorded_and_read_latest_first(api, w):
    ok(api.post(f"/api/v1/customers/{w.payer}/income/", {"amount": "50000.00", "source": "estimate", "tax_year": 2025,
                                                          "effective_from": "2024-07-01"}, format="json"))
    ok(api.post(f"/api/v1/customers/{w.payer}/income/", {"amount": "65000.00", "source": "ato_issued",
                                                          "tax_year": 2026, "effective_from": "2025-07-01"},
                format="json"))
    rows = ok(api.get(f"/api/v1/customers/{w.payer}/income/"), 200)
    assert [(r["amount"], r["is_reliable"]) for r in rows] == [("65000.00", True), ("50000.00", False)]


def test_care_read_and_arrangement_history_read_through_the_debt(api, w):
    rows = ok(api.get(f"/api/v1/cases/{w.case}/care/"), 200)
    assert [(r["carer_csid"], r["care_percentage"]) for r in rows] == [(w.payee, 70)]
    ok(api.post(f"/api/v1/arrangements/{w.arrangement}/end/", {"reason": "Paid by lump sum"}, format="json"), 200)
    debt = next(d for d in ok(api.get(f"/api/v1/customers/{w.payer}/debts/"), 200) if d["id"] == w.debt)
    assert [h["to_status"] for h in debt["arrangements"][0]["history"]] == ["active", "ended"]
    assert [p["id"] for p in debt["payments"]] == [w.payment]
    payee_view = ok(api.get(f"/api/v1/customers/{w.payee}/debts/"), 200)
    assert [(d["id"], d["creditor_csid"]) for d in payee_view] == [(w.debt, w.payee)], "arrears owed to the payee"


def test_restriction_in_force_is_ended_through_the_api_ps_orm_3(reference, w):
    maker, checker = (api_for(f.OfficerFactory(role=Role.PS_TEAM_LEADER)) for _ in range(2))
    row = ok(maker.post(f"/api/v1/customers/{w.payer}/restrictions/", RESTRICTION, format="json"))
    ok(checker.post(f"/api/v1/restrictions/{row['id']}/approve/", {"letter_reference": "RS-1"}, format="json"), 200)
    so = api_for(f.OfficerFactory(role=Role.SERVICE_OFFICER))
    assert so.post(f"/api/v1/restrictions/{row['id']}/end/", {"reason": "x"}, format="json").status_code == 403
    r = maker.post(f"/api/v1/restrictions/{row['id']}/end/", {}, format="json")
    assert r.status_code == 400 and "reason" in (r.json().get("fields") or r.json())
    nmqcc = api_for(f.OfficerFactory(role=Role.NATIONAL_MANAGER_QCC))
    asked = ok(maker.post(f"/api/v1/restrictions/{row['id']}/end/", {"reason": "Reviewed: lifted"}, format="json"),
               202)
    assert asked["kind"] == "restricted_service_end"  # issue 12: the NMQCC approves the end (PS-ORM-3)
    ok(nmqcc.post(f"/api/v1/approvals/{asked['id']}/decide/", {"approve": True, "reason": "Agreed"}, format="json"),
       200)
    ended = next(x for x in ok(maker.get(f"/api/v1/customers/{w.payer}/restrictions/"), 200) if x["id"] == row["id"])
    assert (ended["status"], ended["is_active"], ended["ended_on"]) == ("ended", False, "2026-11-30")


def test_facts_are_checked_on_the_officers_own_day_not_the_agencys(reference, w):
    """At 23:30 on Monday in Perth it is already Tuesday 02:30 in Sydney (the agency's zone): for a Perth officer a
    debt 'as at' Tuesday, a payment received Tuesday and a DPO issued Tuesday are still in the future."""
    perth = api_for(f.OfficerFactory(role=Role.SERVICE_OFFICER, position__office=f.OfficeFactory(code="perth")))
    with clock.freeze(dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.timezone.utc)):
        r = perth.post(f"/api/v1/customers/{w.payer}/debts/", {"case_number": w.case, "kind": "overpayment",
                                                                "amount": "10.00", "as_at": "2026-12-01"},
                       format="json")
        assert r.status_code == 400 and "as_at" in r.json()["fields"]
        r = perth.post(f"/api/v1/cases/{w.case}/payments/", {"payer_csid": w.payer, "amount": "10.00",
                                                              "received_on": "2026-12-01"}, format="json")
        assert r.status_code == 400 and "received_on" in r.json()["fields"]
        r = perth.post(f"/api/v1/customers/{w.payer}/dpos/", {"status": "issued", "case_number": w.case,
                                                               "issued_on": "2026-12-01"}, format="json")
        assert r.status_code == 400 and "issued_on" in r.json()["fields"]
        ok(perth.post(f"/api/v1/customers/{w.payer}/debts/", {"case_number": w.case, "kind": "overpayment",
                                                               "amount": "10.00", "as_at": "2026-11-30"},
                      format="json"))

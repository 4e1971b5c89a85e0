"""API tests for /api/v1/customers/, /cases/, notes, issues and /audit/, including every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers import services
from casework.customers.csid import make_csid
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db

NEW = {
    "csid": make_csid(321654987),
    "given_names": "Grace",
    "family_name": "Hopper",
    "date_of_birth": "1976-12-09",
    "residence": "VIC",
    "email": "grace@example.com",
}


def client_for(role=Role.SERVICE_OFFICER, **kwargs):
    officer = f.OfficerFactory(role=role, **kwargs)
    client = APIClient()
    client.force_authenticate(officer.user)
    client.officer = officer
    return client


# --- create ----------------------------------------------------------------------------------------------------


def test_create_customer_201_and_audited(officer_client):
    response = officer_client.post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["csid"] == NEW["csid"]
    assert AuditEvent.objects.filter(action="customer.create", customer_id__isnull=False).count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"csid": "12345"}, "csid"),
        ({"csid": "abcdefghij"}, "csid"),
        ({"csid": make_csid(321654987)[:-1] + "0" if make_csid(321654987)[-1] != "0" else make_csid(321654987)[:-1] + "1"}, "csid"),
        ({"date_of_birth": "09/12/1976"}, "date_of_birth"),
        ({"residence": "Mars"}, "residence"),
        ({"email": "nope"}, "email"),
        ({"given_names": ""}, "given_names"),
        ({"residence": "OS"}, "country"),
    ],
)
def test_create_customer_400_per_field_writes_nothing(officer_client, change, field):
    before = AuditEvent.objects.count()
    response = officer_client.post("/api/v1/customers/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not cm.Customer.objects.exists() and AuditEvent.objects.count() == before


def test_create_duplicate_csid_400(officer_client):
    officer_client.post("/api/v1/customers/", NEW, format="json")
    response = officer_client.post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 400 and "csid" in response.json()


def test_create_refused_for_auditor_403(reference):
    response = client_for(Role.AUDITOR).post("/api/v1/customers/", NEW, format="json")
    assert response.status_code == 403
    assert not cm.Customer.objects.exists()


def test_anonymous_is_refused(db):
    response = APIClient().get("/api/v1/customers/?q=smith")
    assert response.status_code in (401, 403)


def test_token_auth_works(officer):
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": officer.user.username, "password": "pass-Word-123"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    customer = f.CustomerFactory()
    assert client.get(f"/api/v1/customers/{customer.csid}/").status_code == 200


# --- get -------------------------------------------------------------------------------------------------------


def test_get_customer_is_audited_as_a_view(officer_client):
    customer = f.CustomerFactory()
    response = officer_client.get(f"/api/v1/customers/{customer.csid}/")
    assert response.status_code == 200
    assert response.json()["customer"]["csid"] == customer.csid
    event = AuditEvent.objects.get(action="customer.view")
    assert event.customer_id == customer.pk and event.after == {"channel": "api"}
    assert event.actor_id == officer_client.officer.user.pk


def test_get_malformed_csid_400_names_csid(officer_client):
    response = officer_client.get("/api/v1/customers/12345/")
    assert response.status_code == 400
    assert "csid" in response.json() and response.json()["csid"]


def test_get_unknown_csid_404(officer_client):
    response = officer_client.get(f"/api/v1/customers/{make_csid(999999999)}/")
    assert response.status_code == 404


def test_get_shows_summary_with_cases_income_and_debts(officer_client):
    case = f.CaseFactory()
    f.IncomeFactory(customer=case.payer, source="estimate")
    f.DebtFactory(case=case)
    response = officer_client.get(f"/api/v1/customers/{case.payer.csid}/")
    body = response.json()
    assert body["cases"][0]["role"] == "payer"
    assert body["cases"][0]["other_party"]["csid"] == case.payee.csid
    assert body["income"]["is_reliable"] is False
    assert body["debts"][0]["arrangement_status"] == "none"


def test_sensitive_indicator_shown_to_officers_not_to_administrators(officer_client):
    customer = f.CustomerFactory()
    services.sensitive_indicator_add(actor=officer_client.officer.user, customer=customer, reason="family_violence")
    assert len(officer_client.get(f"/api/v1/customers/{customer.csid}/").json()["sensitive_indicators"]) == 1
    admin = client_for(Role.ADMINISTRATOR)
    assert "sensitive_indicators" not in admin.get(f"/api/v1/customers/{customer.csid}/").json()


def test_auditor_may_read_a_customer(reference):
    customer = f.CustomerFactory()
    assert client_for(Role.AUDITOR).get(f"/api/v1/customers/{customer.csid}/").status_code == 200


def test_patch_customer_needs_reason_and_is_audited(officer_client):
    customer = f.CustomerFactory()
    response = officer_client.patch(f"/api/v1/customers/{customer.csid}/", {"phone_home": "02 9999 0000"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = officer_client.patch(
        f"/api/v1/customers/{customer.csid}/", {"phone_home": "02 9999 0000", "reason": "Customer advised"}, format="json"
    )
    assert response.status_code == 200 and response.json()["phone_home"] == "02 9999 0000"
    assert AuditEvent.objects.filter(action="customer.update", customer_id=customer.pk).exists()


def test_patch_refused_for_auditor(reference):
    customer = f.CustomerFactory()
    response = client_for(Role.AUDITOR).patch(
        f"/api/v1/customers/{customer.csid}/", {"phone_home": "1", "reason": "x"}, format="json"
    )
    assert response.status_code == 403


# --- search ----------------------------------------------------------------------------------------------------


@pytest.fixture
def people(reference):
    return [
        f.CustomerFactory(given_names="Mary Jo", family_name="Smith", date_of_birth=dt.date(1980, 1, 1)),
        f.CustomerFactory(given_names="John", family_name="Smithers", date_of_birth=dt.date(1990, 2, 2)),
        f.CustomerFactory(given_names="Ann", family_name="Jones", date_of_birth=dt.date(1980, 1, 1)),
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=smith", {"Smith", "Smithers"}),
        ("q=Smith%20Mary", {"Smith"}),
        ("q=mary%20jo%20smith", {"Smith"}),
        ("q=john%20smithers", {"Smithers"}),
        ("q=john%20smith", set()),  # "given family": the family name is complete before the given name
        ("q=smith&date_of_birth=1990-02-02", {"Smithers"}),
        ("date_of_birth=1980-01-01", {"Smith", "Jones"}),
        ("q=nobody", set()),
        ("", set()),
    ],
)
def test_search_by_name_and_date_of_birth(people, query, expected):
    response = client_for().get(f"/api/v1/customers/?{query}")
    assert response.status_code == 200
    assert {c["family_name"] for c in response.json()} == expected


def test_search_by_csid(people):
    client = client_for()
    csid = people[2].csid
    response = client.get(f"/api/v1/customers/?q={csid[:4]}-{csid[4:]}")
    assert [c["csid"] for c in response.json()] == [csid]


@pytest.mark.parametrize("query, field", [("q=12345", "csid"), ("date_of_birth=yesterday", "date_of_birth"), ("limit=0", "limit")])
def test_search_bad_input_400(people, query, field):
    response = client_for().get(f"/api/v1/customers/?{query}")
    assert response.status_code == 400 and field in response.json()


# --- cases -----------------------------------------------------------------------------------------------------


def test_create_case_with_parties_and_children(officer_client):
    payer, payee = f.CustomerFactory(), f.CustomerFactory()
    response = officer_client.post(
        "/api/v1/cases/",
        {
            "payer_csid": payer.csid,
            "payee_csid": payee.csid,
            "collection_type": "private",
            "children": [{"given_names": "Kim", "family_name": "Lee", "date_of_birth": "2016-04-01"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["payer"]["csid"] == payer.csid and body["payee"]["csid"] == payee.csid
    assert body["children"][0]["given_names"] == "Kim"
    listed = officer_client.get(f"/api/v1/customers/{payee.csid}/cases/").json()
    assert [c["case_number"] for c in listed] == [body["case_number"]]
    assert officer_client.get(f"/api/v1/cases/{body['case_number']}/").status_code == 200


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"payer_csid": "123", "payee_csid": "SAME"}, "payer_csid"),
        ({"payer_csid": make_csid(888888888), "payee_csid": "SAME"}, "payer_csid"),
        ({"payer_csid": "SAME", "payee_csid": "SAME"}, "payee"),
        ({"payer_csid": "SAME", "payee_csid": "OTHER", "collection_type": "cash"}, "collection_type"),
        ({"payer_csid": "SAME", "payee_csid": "OTHER", "children": [{"given_names": "x"}]}, "children"),
    ],
)
def test_create_case_400(officer_client, payload, field):
    a, b = f.CustomerFactory(), f.CustomerFactory()
    payload = {k: (a.csid if v == "SAME" else b.csid if v == "OTHER" else v) for k, v in payload.items()}
    response = officer_client.post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not cm.Case.objects.exists()


def test_case_404_and_auditor_403_on_create(reference):
    client = client_for()
    assert client.get("/api/v1/cases/C99999999/").status_code == 404
    a, b = f.CustomerFactory(), f.CustomerFactory()
    response = client_for(Role.AUDITOR).post("/api/v1/cases/", {"payer_csid": a.csid, "payee_csid": b.csid}, format="json")
    assert response.status_code == 403


# --- notes -----------------------------------------------------------------------------------------------------


def test_notes_add_and_list(officer_client):
    case = f.CaseFactory()
    url = f"/api/v1/customers/{case.payer.csid}/notes/"
    response = officer_client.post(
        url, {"subject": "Call about estimate", "body": "Discussed income.", "kind": "income", "case_number": case.case_number},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["case_number"] == case.case_number
    listed = officer_client.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["subject"] == "Call about estimate"
    assert AuditEvent.objects.filter(action="note.add", customer_id=case.payer.pk).count() == 1


@pytest.mark.parametrize(
    "payload, field",
    [({"subject": "", "body": "b"}, "subject"), ({"subject": "s"}, "body"), ({"subject": "s", "body": "b", "kind": "x"}, "kind"),
     ({"subject": "s", "body": "b", "case_number": "C00000000"}, "case_number")],
)
def test_notes_add_400(officer_client, payload, field):
    customer = f.CustomerFactory()
    response = officer_client.post(f"/api/v1/customers/{customer.csid}/notes/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not cm.Note.objects.exists()


def test_auditor_reads_notes_but_cannot_add(reference):
    customer = f.CustomerFactory()
    auditor = client_for(Role.AUDITOR)
    assert auditor.get(f"/api/v1/customers/{customer.csid}/notes/").status_code == 200
    response = auditor.post(f"/api/v1/customers/{customer.csid}/notes/", {"subject": "s", "body": "b"}, format="json")
    assert response.status_code == 403


# --- presenting issues -----------------------------------------------------------------------------------------


def test_issue_add_list_and_close_cma_1_2_cma_3_1(officer_client):
    customer = f.CustomerFactory()
    base = f"/api/v1/customers/{customer.csid}/issues/"
    response = officer_client.post(base, {"issue_type": "objection", "received_area": "SERVICES"}, format="json")
    assert response.status_code == 201, response.json()
    issue_id = response.json()["id"]
    assert officer_client.get(base).json()[0]["kind"] == "specialised"
    close = f"{base}{issue_id}/close/"
    # CMA-3.2: the point of entry refers a specialised issue; its specialist area finalises it.
    assert officer_client.post(close, {"status": "finalised", "outcome": "Done"}, format="json").status_code == 403
    assert officer_client.post(close, {"status": "referred", "outcome": "To objections"}, format="json").status_code == 200
    specialist = f.OfficerFactory(role="specialist_officer", position__business_area=f.area("GENERAL_OBJECTIONS"))
    officer_client.force_authenticate(specialist.user)
    assert officer_client.post(close, {"status": "finalised", "outcome": "Done"}, format="json").status_code == 200
    again = officer_client.post(close, {"status": "finalised", "outcome": "Done"}, format="json")
    assert again.status_code == 409 and again.json()["step_ids"] == ["CMA-3.1"]
    assert officer_client.post(f"{base}999999/close/", {"status": "finalised", "outcome": "x"}, format="json").status_code == 404
    assert officer_client.post(base, {"issue_type": "nope", "received_area": "SERVICES"}, format="json").status_code == 400


def test_issue_received_area_defaults_to_the_officers_area_cma_1_2(reference):
    """CMA-1.2/1.5: the area where an issue is received is the recording officer's own area unless named."""
    customer = f.CustomerFactory()
    dpo_officer = f.OfficerFactory(position__business_area=f.area("DPO"))
    client = APIClient()
    client.force_authenticate(dpo_officer.user)
    response = client.post(f"/api/v1/customers/{customer.csid}/issues/", {"issue_type": "dpo"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["received_area"] == "DPO"
    no_position = f.OfficerFactory(position=None)
    client.force_authenticate(no_position.user)
    refused = client.post(f"/api/v1/customers/{customer.csid}/issues/", {"issue_type": "dpo"}, format="json")
    assert refused.status_code == 400 and "received_area" in refused.json()["fields"]


# --- audit -----------------------------------------------------------------------------------------------------


def test_audit_search_for_auditors_only(reference):
    officer = f.OfficerFactory()
    customer = f.CustomerFactory()
    services.customer_record_view(actor=officer.user, customer=customer, channel="ui")
    services.note_add(actor=officer.user, customer=customer, subject="s", body="b")
    auditor = client_for(Role.AUDITOR)
    body = auditor.get(f"/api/v1/audit/?csid={customer.csid}").json()
    assert body["count"] == 2 and {e["action"] for e in body["results"]} == {"customer.view", "note.add"}
    assert auditor.get(f"/api/v1/audit/?csid={customer.csid}&action=note.add").json()["count"] == 1
    assert auditor.get(f"/api/v1/audit/?officer={officer.user.username}&action=customer.").json()["count"] == 1
    assert auditor.get("/api/v1/audit/?csid=123").status_code == 400
    assert auditor.get("/api/v1/audit/?date_from=2026-02-01&date_to=2026-01-01").status_code == 400
    assert client_for(Role.ADMINISTRATOR).get("/api/v1/audit/").status_code == 200
    for role in (Role.SERVICE_OFFICER, Role.TEAM_LEADER, Role.PS_CASE_MANAGER):
        assert client_for(role).get("/api/v1/audit/").status_code == 403


@pytest.mark.parametrize("query", ["limit=abc&offset=-3", "limit=100000&offset=99999999999999999999999", "offset=1e9"])
def test_paging_parameters_never_break(officer_client, query):
    customer = f.CustomerFactory()
    response = officer_client.get(f"/api/v1/customers/{customer.csid}/notes/?{query}")
    assert response.status_code == 200 and response.json()["results"] == []


def test_out_of_range_ids_are_404_not_500(officer_client):
    customer = f.CustomerFactory()
    response = officer_client.post(
        f"/api/v1/customers/{customer.csid}/issues/99999999999999999999999/close/",
        {"status": "finalised", "outcome": "x"},
        format="json",
    )
    assert response.status_code == 404

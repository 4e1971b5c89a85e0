"""Officer web shell: search, customer page (audited), notes (htmx), audit tab and audit search; permissions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.csid import make_csid
from casework.org.roles import Role
from casework.testing.factories import (
    CaseFactory,
    CustomerFactory,
    DebtFactory,
    IncomeFactory,
    OfficerFactory,
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def so(org_reference):
    return OfficerFactory(role=Role.SERVICE_OFFICER)


@pytest.fixture
def auditor(org_reference):
    return OfficerFactory(role=Role.AUDITOR, position=None)


@pytest.fixture
def so_client(client, so):
    client.force_login(so.user)
    return client


@pytest.fixture
def auditor_client(auditor):
    from django.test import Client

    client = Client()
    client.force_login(auditor.user)
    return client


@pytest.fixture
def customer(org_reference):
    return CustomerFactory(given_names="Daniel", family_name="Archer", date_of_birth=dt.date(1980, 5, 17),
                           preferred_contact_times="After 5pm")


# --- sign-in --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,args", [("web:home", ()), ("web:customer", ("7000000016",)), ("web:audit", ())])
def test_pages_need_sign_in(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_login_page_and_sign_in(client, so):
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": so.user.username, "password": "pass-Word-123"})
    assert response.status_code == 302


# --- search ---------------------------------------------------------------------------------------------------------

def test_home_shows_labelled_search_form(so_client):
    html = so_client.get("/").content.decode()
    assert '<label for="q">CSID or name</label>' in html
    assert '<label for="dob">Date of birth</label>' in html
    assert 'hx-get="/customers/search/"' in html


@pytest.mark.parametrize("query", ["archer", "Archer Daniel", "daniel archer", "ARCH"])
def test_htmx_search_by_name_returns_the_results_fragment(so_client, customer, query):
    response = so_client.get("/customers/search/", {"q": query}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment, not a full page reload
    assert customer.csid in html and reverse("web:customer", args=[customer.csid]) in html


def test_search_by_csid_exact(so_client, customer):
    other = CustomerFactory()
    html = so_client.get("/customers/search/", {"q": customer.csid}, **HTMX).content.decode()
    assert customer.csid in html and other.csid not in html


def test_search_by_date_of_birth(so_client, customer):
    CustomerFactory(family_name="Archer", date_of_birth=dt.date(1990, 1, 1))
    html = so_client.get("/customers/search/", {"q": "archer", "dob": "1980-05-17"}, **HTMX).content.decode()
    assert html.count("/customers/") == 2  # one row: CSID link and name link
    html = so_client.get("/customers/search/", {"dob": "17/05/1980"}, **HTMX).content.decode()
    assert customer.csid in html


def test_search_without_javascript_renders_the_full_page(so_client, customer):
    html = so_client.get("/", {"q": "archer"}).content.decode()
    assert "<html" in html and customer.csid in html


def test_malformed_csid_search_is_a_400_saying_why(so_client, db):
    response = so_client.get("/customers/search/", {"q": "12345"}, **HTMX)
    assert response.status_code == 400
    assert "A CSID has 10 digits; this has 5." in response.content.decode()


def test_bad_date_of_birth_is_a_400(so_client, customer):
    response = so_client.get("/customers/search/", {"q": "archer", "dob": "31/31/1980"}, **HTMX)
    assert response.status_code == 400 and "for example 30/11/2026" in response.content.decode()


def test_no_match_says_so(so_client, customer):
    assert "No customer matches" in so_client.get("/customers/search/", {"q": "zzz"}, **HTMX).content.decode()


def test_user_without_officer_role_cannot_search(client, org_reference, customer):
    client.force_login(UserFactory())
    assert "does not give access" in client.get("/").content.decode()
    assert client.get("/customers/search/", {"q": "archer"}, **HTMX).status_code == 403


# --- customer page --------------------------------------------------------------------------------------------------

def test_customer_page_shows_the_summary_and_is_audited(so_client, so, customer):
    case = CaseFactory(payer=customer)
    cm.Child.objects.create(case=case, given_names="Mia", family_name="Archer", date_of_birth=dt.date(2015, 2, 2))
    IncomeFactory(customer=customer, source=cm.IncomeSource.ATO_ISSUED)
    IncomeFactory(customer=case.payee, source=cm.IncomeSource.ESTIMATE)
    DebtFactory(case=case, debtor=customer)
    response = so_client.get(f"/customers/{customer.csid}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Daniel Archer" in html and "After 5pm" in html
    assert case.case_number in html and case.payee.full_name in html and "Mia Archer" in html
    assert "reliable (ATO-issued)" in html and "not reliable" in html  # CMA-2.2
    assert "Child support debt (arrears)" in html and "$2,400.00" in html
    event = AuditEvent.objects.get(action="customer.view")
    assert event.actor == so.user and event.customer_id == customer.pk and event.after == {"channel": "ui"}


def test_customer_page_representatives_restrictions_and_internal_sensitive_indicator(so_client, customer):
    cm.AuthorisedRepresentative.objects.create(customer=customer, name="Harriet Lowe", relationship="Solicitor",
                                               scope=cm.RepresentativeScope.ENQUIRE, valid_from=dt.date(2025, 1, 1))
    cm.ContactRestriction.objects.create(customer=customer, conditions="Writing only", imposed_on=dt.date(2026, 1, 1),
                                         review_date=dt.date(2027, 1, 1), status="active", is_active=True)
    cm.SensitiveIssueIndicator.objects.create(customer=customer, reason=cm.SensitiveReason.FAMILY_VIOLENCE,
                                              conditions="Never disclose the address")
    html = so_client.get(f"/customers/{customer.csid}/").content.decode()
    assert "Harriet Lowe" in html and "May enquire and receive information only" in html
    assert "Restricted service" in html and "Writing only" in html
    assert "INTERNAL" in html and "Family violence" in html and "Never disclose the address" in html


def test_deceased_customer_is_flagged(so_client, customer):
    customer.date_of_death = dt.date(2026, 10, 1)
    customer.save()
    assert "This customer died on 01/10/2026" in so_client.get(f"/customers/{customer.csid}/").content.decode()


@pytest.mark.parametrize("csid,status,text", [
    ("12345", 400, "A CSID has 10 digits"),
    ("7000000017", 400, "check digit is wrong"),
    (make_csid(999_999_999), 404, "No customer has CSID"),
])
def test_customer_page_errors(so_client, db, csid, status, text):
    response = so_client.get(f"/customers/{csid}/")
    assert response.status_code == status and text in response.content.decode()
    assert not AuditEvent.objects.filter(action="customer.view").exists()


def test_customer_page_refused_without_view_permission(client, org_reference, customer):
    client.force_login(UserFactory())
    response = client.get(f"/customers/{customer.csid}/")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="customer.view").exists()


# --- notes ----------------------------------------------------------------------------------------------------------

def test_add_note_with_htmx(so_client, so, customer):
    case = CaseFactory(payee=customer)
    response = so_client.post(f"/customers/{customer.csid}/notes/",
                              {"subject": "Called about debt", "body": "Explained the letter.", "kind": "general",
                               "case": case.case_number}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Called about debt" in html and "Note added." in html
    note = cm.Note.objects.get(customer=customer)
    assert note.author == so.user and note.case == case
    assert AuditEvent.objects.filter(action="note.add", customer_id=customer.pk, actor=so.user).count() == 1


def test_add_note_without_javascript_redirects_to_the_customer(so_client, customer):
    response = so_client.post(f"/customers/{customer.csid}/notes/", {"subject": "S", "body": "B", "kind": "general"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.csid}/"


@pytest.mark.parametrize("data,field", [
    ({"subject": "", "body": "text"}, "Enter a subject."),
    ({"subject": "Subject", "body": ""}, "Enter the note."),
    ({"subject": "Subject", "body": "text", "kind": "nonsense"}, "Choose one of"),
    ({"subject": "Subject", "body": "text", "case": "C99999999"}, "not a party to that case"),
])
def test_add_note_invalid_is_400_with_field_message_and_writes_nothing(so_client, customer, data, field):
    response = so_client.post(f"/customers/{customer.csid}/notes/", data, **HTMX)
    assert response.status_code == 400 and field in response.content.decode()
    assert not cm.Note.objects.exists() and not AuditEvent.objects.filter(action="note.add").exists()


def test_auditor_cannot_add_notes(auditor_client, customer):
    html = auditor_client.get(f"/customers/{customer.csid}/").content.decode()
    assert 'name="subject"' not in html
    response = auditor_client.post(f"/customers/{customer.csid}/notes/", {"subject": "x", "body": "y"}, **HTMX)
    assert response.status_code == 403 and not cm.Note.objects.exists()


def test_internal_notes_are_marked(so_client, so, customer):
    so_client.post(f"/customers/{customer.csid}/notes/", {"subject": "Risk", "body": "b", "kind": "internal"}, **HTMX)
    html = so_client.get(f"/customers/{customer.csid}/").content.decode()
    assert "Internal (never customer-facing)" in html


# --- audit tab and audit search -------------------------------------------------------------------------------------

def test_audit_tab_for_auditors_only(so_client, client, auditor, customer):
    html = so_client.get(f"/customers/{customer.csid}/?tab=audit").content.decode()
    assert "Audit trail for this customer" not in html and "?tab=audit" not in html
    client.force_login(auditor.user)
    html = client.get(f"/customers/{customer.csid}/?tab=audit").content.decode()
    assert "Audit trail for this customer" in html
    assert "customer.view" in html and auditor.user.username in html


def test_audit_search_is_for_auditors(so_client, db):
    assert so_client.get("/audit/").status_code == 403


def test_audit_search_filters(auditor_client, so_client, so, auditor, customer):
    other = CustomerFactory()
    so_client.get(f"/customers/{customer.csid}/")
    so_client.get(f"/customers/{other.csid}/")
    html = auditor_client.get("/audit/", {"csid": customer.csid}).content.decode()
    assert "1 event." in html and customer.csid in html
    html = auditor_client.get("/audit/", {"officer": so.user.username, "action": "customer.view"}).content.decode()
    assert "2 events." in html
    html = auditor_client.get("/audit/", {"action": "note."}).content.decode()
    assert "No audit events match." in html
    # Dates are whole days in the officer's time zone (the auditor has no office: the site's default zone).
    today = timezone.localtime(AuditEvent.objects.first().occurred_at).date().isoformat()
    response = auditor_client.get("/audit/", {"date_from": today, "date_to": today, "officer": so.user.username},
                                  **HTMX)
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert "2 events." in response.content.decode()


@pytest.mark.parametrize("params,text", [
    ({"csid": "123"}, "A CSID has 10 digits"),
    ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "on or before"),
    ({"date_from": "yesterday"}, "dd/mm/yyyy, for example 30/11/2026"),
    ({"date_to": "9999-12-31"}, "dd/mm/yyyy, for example 30/11/2026"),
])
def test_audit_search_bad_filters_are_400(auditor_client, params, text):
    response = auditor_client.get("/audit/", params)
    assert response.status_code == 400 and text in response.content.decode()


# --- navigation -----------------------------------------------------------------------------------------------------

def test_nav_shows_audit_to_auditors_and_admin_to_administrators(client, org_reference, auditor):
    client.force_login(auditor.user)
    html = client.get("/").content.decode()
    assert 'href="/audit/"' in html and 'href="/admin/"' not in html
    admin = OfficerFactory(role=Role.ADMINISTRATOR, position=None, user__is_staff=True)
    client.force_login(admin.user)
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html and 'href="/audit/"' in html


def test_service_officer_nav_has_no_audit_or_admin(so_client):
    html = so_client.get("/").content.decode()
    assert 'href="/audit/"' not in html and 'href="/admin/"' not in html


def test_htmx_request_from_an_expired_session_redirects_the_whole_page(client, db):
    response = client.get("/customers/search/", {"q": "x"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/?q=x")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/login/?next=")


def test_unknown_address_is_a_friendly_404(so_client):
    response = so_client.get("/no-such-page/")
    assert response.status_code == 404 and "There is no page at this address." in response.content.decode()


def test_home_lists_the_officers_recently_opened_customers(so_client, customer, org_reference):
    other = CustomerFactory(family_name="Zed")
    so_client.get(f"/customers/{customer.csid}/")
    so_client.get(f"/customers/{other.csid}/")
    so_client.get(f"/customers/{customer.csid}/")
    html = so_client.get("/").content.decode()
    recent = html.split('id="recent-h"')[1]
    assert recent.index(customer.csid) < recent.index(other.csid)
    assert recent.count(customer.csid) == 2  # link target and label, listed once


@pytest.mark.parametrize("role,shown,hidden", [
    (Role.SERVICE_OFFICER, ["Customers", "My work"], ["Team", "Audit", "Admin"]),
    (Role.TEAM_LEADER, ["Customers", "My work", "Team"], ["Audit", "Admin"]),
    (Role.AUDITOR, ["Customers", "Audit"], ["Team", "Admin"]),
])
def test_nav_entries_follow_permissions(client, org_reference, role, shown, hidden):
    from django.test import RequestFactory

    from casework.web.nav import nav_items

    officer = OfficerFactory(role=role)
    request = RequestFactory().get("/")
    request.user = officer.user
    labels = [item["label"] for item in nav_items(request)["nav_items"]]
    assert set(shown) <= set(labels)
    assert not set(hidden) & set(labels)


def test_administrator_gets_an_admin_link_on_the_customer_page(so_client, org_reference, customer):
    from django.test import Client

    assert "Open in the admin" not in so_client.get(f"/customers/{customer.csid}/").content.decode()
    admin = OfficerFactory(role=Role.ADMINISTRATOR, position=None, user__is_staff=True)
    client = Client()
    client.force_login(admin.user)
    html = client.get(f"/customers/{customer.csid}/").content.decode()
    assert f"/admin/customers/customer/{customer.pk}/change/" in html

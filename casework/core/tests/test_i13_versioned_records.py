"""Issue 13: optimistic concurrency on every editable record (docs/security.md, "Editable records and their
versions"). One table: for each record kind, two officers read the same version; the first writes, the second
writes from the same read and gets 409 saying what changed since; the first's change stands and the second wrote no
audit event. The same through the If-Match header; a malformed If-Match is 400 and writes nothing.

Measured on the old code: every row below except the customer and the PS plan had no version, and a stale write was
either applied over the first (registration, arrangement default → end, intray reassign, recategorise, offices,
teams, positions, officers: 200) or refused without saying what changed (a correction of a corrected record).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

import pytest
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers import services as cs
from casework.intrays import services as isv
from casework.org import models as om
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _client(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


@dataclass
class World:
    tl1: Any
    tl2: Any
    so: Any
    so2: Any
    admin1: Any
    admin2: Any
    team: Any
    case: Any
    debt: Any


@pytest.fixture
def world(reference):
    office = f.OfficeFactory(code="syd-i13", state="NSW")
    team = f.TeamFactory(name="Services Sydney i13", office=office)
    tl1 = f.OfficerFactory(role=Role.TEAM_LEADER, position__office=office, position__team=team)
    tl2 = f.OfficerFactory(role=Role.TEAM_LEADER, position__office=office, position__team=team)
    team.leader = tl1
    team.save()
    so = f.OfficerFactory(position__office=office, position__team=team)
    so2 = f.OfficerFactory(position__office=office, position__team=team)
    admin1 = f.OfficerFactory(role=Role.ADMINISTRATOR, position=None, user__is_staff=True)
    admin2 = f.OfficerFactory(role=Role.ADMINISTRATOR, position=None, user__is_staff=True)
    case = f.CaseFactory()
    debt = cs.debt_record(actor=tl1.user, case=case, debtor=case.payer, kind=cm.DebtKind.CHILD_SUPPORT_DEBT,
                          amount=Decimal("1200.00"), as_at=dt.date(2026, 11, 1), source="Ledger")
    return World(tl1, tl2, so, so2, admin1, admin2, team, case, debt)


@dataclass
class Kind:
    """One editable record: how to build it, read its version through the API, and the two writes."""

    row: Any  # the record (model instance)
    read: Callable[[APIClient], int]  # the version as the API shows it
    method: str
    url: str
    first: dict
    second: dict
    first_actor: Any
    second_actor: Any
    stands: Callable[[], bool]  # the first officer's change is what is stored


def _row_version(rows: list[dict], pk: int) -> int:
    return next(r["version"] for r in rows if r["id"] == pk)


def k_customer(w: World) -> Kind:
    c = w.case.payer
    return Kind(c, lambda api: api.get(f"/api/v1/customers/{c.csid}/").json()["customer"]["version"], "patch",
                f"/api/v1/customers/{c.csid}/", {"phone_mobile": "0411111111", "reason": "Rang"},
                {"phone_mobile": "0422222222", "reason": "Letter"}, w.tl1, w.tl2,
                lambda: cm.Customer.objects.get(pk=c.pk).phone_mobile == "0411111111")


def k_case_registration(w: World) -> Kind:
    case = w.case
    return Kind(case, lambda api: api.get(f"/api/v1/cases/{case.case_number}/").json()["version"], "post",
                f"/api/v1/cases/{case.case_number}/registration/",
                {"registration_status": "pending", "reason": "Awaiting papers"},
                {"registration_status": "ended", "reason": "Closed"}, w.tl1, w.tl2,
                lambda: cm.Case.objects.get(pk=case.pk).registration_status == "pending")


def k_case_roles(w: World) -> Kind:
    case = w.case
    payer = case.payer_id
    return Kind(case, lambda api: api.get(f"/api/v1/cases/{case.case_number}/").json()["version"], "post",
                f"/api/v1/cases/{case.case_number}/roles/", {"effective_from": "2026-01-01", "reason": "Reversal"},
                {"effective_from": "2026-02-01", "reason": "Reversal"}, w.tl1, w.tl2,
                lambda: cm.Case.objects.get(pk=case.pk).payee_id == payer
                and case.role_history.filter(from_date=dt.date(2026, 1, 1)).exists()
                and not case.role_history.filter(from_date=dt.date(2026, 2, 1)).exists())


def k_debt_correct(w: World) -> Kind:
    d = w.debt
    return Kind(d, lambda api: _row_version(api.get(f"/api/v1/customers/{w.case.payer.csid}/debts/").json(), d.pk),
                "post", f"/api/v1/debts/{d.pk}/correct/", {"amount": "1100.00", "reason": "Ledger fix"},
                {"amount": "900.00", "reason": "Other fix"}, w.tl1, w.tl2,
                lambda: cm.Debt.objects.get(superseded_by__isnull=True, case=w.case).amount == Decimal("1100.00"))


def k_payment_correct(w: World) -> Kind:
    p = cs.payment_received_record(actor=w.tl1.user, case=w.case, payer=w.case.payer, debt=w.debt,
                                   amount=Decimal("100.00"), received_on=dt.date(2026, 11, 20))
    return Kind(p, lambda api: _row_version(api.get(f"/api/v1/cases/{w.case.case_number}/payments/").json(), p.pk),
                "post", f"/api/v1/payments/{p.pk}/correct/", {"amount": "120.00", "reason": "Bank statement"},
                {"amount": "80.00", "reason": "Receipt"}, w.tl1, w.tl2,
                lambda: cm.PaymentReceived.objects.get(superseded_by__isnull=True).amount == Decimal("120.00"))


def k_care_correct(w: World) -> Kind:
    child = w.case.children.first() or cm.Child.objects.create(case=w.case, given_names="Kid", family_name="X",
                                                               date_of_birth=dt.date(2018, 1, 1))
    care = cs.care_arrangement_record(actor=w.tl1.user, case=w.case, child=child, carer=w.case.payee,
                                      care_percentage=60, effective_from=dt.date(2026, 1, 1))
    return Kind(care, lambda api: _row_version(api.get(f"/api/v1/cases/{w.case.case_number}/care/").json(), care.pk),
                "post", f"/api/v1/care/{care.pk}/correct/", {"care_percentage": 65, "reason": "Recount"},
                {"care_percentage": 55, "reason": "Other recount"}, w.tl1, w.tl2,
                lambda: cm.CareArrangement.objects.get(superseded_by__isnull=True).care_percentage == 65)


def _arrangement(w: World):
    return cs.payment_arrangement_create(actor=w.tl1.user, debt=w.debt, instalment=Decimal("100.00"),
                                         frequency="monthly", start_date=dt.date(2026, 12, 1))


def _arrangement_version(w: World, api: APIClient, pk: int) -> int:
    debts = api.get(f"/api/v1/customers/{w.case.payer.csid}/debts/").json()
    return next(a["version"] for d in debts for a in d["arrangements"] if a["id"] == pk)


def k_arrangement_amend(w: World) -> Kind:
    a = _arrangement(w)
    return Kind(a, lambda api: _arrangement_version(w, api, a.pk), "post", f"/api/v1/arrangements/{a.pk}/amend/",
                {"instalment": "150.00", "reason": "Can pay more"}, {"instalment": "50.00", "reason": "Hardship"},
                w.tl1, w.tl2,
                lambda: cm.PaymentArrangement.objects.get(status="active").instalment == Decimal("150.00"))


def k_arrangement_default_then_end(w: World) -> Kind:
    a = _arrangement(w)
    return Kind(a, lambda api: _arrangement_version(w, api, a.pk), "post", f"/api/v1/arrangements/{a.pk}/default/",
                {"reason": "Missed two"}, {"reason": "Paid out"}, w.tl1, w.tl2,
                lambda: cm.PaymentArrangement.objects.get(pk=a.pk).status == "defaulted")


def k_representative_end(w: World) -> Kind:
    rep = cs.representative_add(actor=w.tl1.user, customer=w.case.payer, name="Sam Lawyer", scope="full")
    csid = w.case.payer.csid
    return Kind(rep, lambda api: _row_version(api.get(f"/api/v1/customers/{csid}/representatives/").json(), rep.pk),
                "post", f"/api/v1/representatives/{rep.pk}/end/", {"reason": "Withdrawn"}, {"reason": "Expired"},
                w.tl1, w.tl2,
                lambda: AuditEvent.objects.get(action="representative.end").reason == "Withdrawn")


def k_intray_reassign(w: World) -> Kind:
    intray = isv.intray_create(actor=w.tl1.user, customer=w.case.payer, type_code="client_contact_required",
                               subject="Call back", assignee_officer=w.so)
    return Kind(intray, lambda api: api.get(f"/api/v1/intrays/{intray.pk}/").json()["version"], "post",
                f"/api/v1/intrays/{intray.pk}/reassign/", {"to_officer": w.so2.pk, "reason": "Leave"},
                {"to_officer": w.tl2.pk, "reason": "Escalate"}, w.so, w.tl1,
                lambda: type(intray).objects.get(pk=intray.pk).assignee_officer_id == w.so2.pk)


def k_intray_recategorise(w: World) -> Kind:
    intray = isv.correspondence_receive(actor=w.tl1.user, customer=w.case.payer, channel="email", category="income",
                                        received_on=dt.date(2026, 11, 27), subject="Email", assignee_officer=w.so)
    return Kind(intray, lambda api: api.get(f"/api/v1/intrays/{intray.pk}/").json()["version"], "post",
                f"/api/v1/intrays/{intray.pk}/recategorise/", {"category": "care", "reason": "About care"},
                {"category": "payment", "reason": "About payments"}, w.so, w.tl1,
                lambda: type(intray).objects.get(pk=intray.pk).correspondence.category == "care")


def _org_version(api: APIClient, url: str, key: str, value) -> int:
    return next(r["version"] for r in api.get(url).json() if r[key] == value)


def k_office(w: World) -> Kind:
    o = om.Office.objects.get(code="syd-i13")
    return Kind(o, lambda api: _org_version(api, "/api/v1/org/offices/", "code", o.code), "patch",
                f"/api/v1/org/offices/{o.code}/", {"name": "Sydney CBD", "reason": "Moved"},
                {"name": "Sydney Parramatta", "reason": "Moved too"}, w.admin1, w.admin2,
                lambda: om.Office.objects.get(pk=o.pk).name == "Sydney CBD")


def k_team(w: World) -> Kind:
    t = w.team
    return Kind(t, lambda api: _org_version(api, "/api/v1/org/teams/", "id", t.pk), "patch",
                f"/api/v1/org/teams/{t.pk}/", {"name": "Services Sydney East", "reason": "Renamed"},
                {"name": "Services Sydney West", "reason": "Renamed too"}, w.admin1, w.admin2,
                lambda: om.Team.objects.get(pk=t.pk).name == "Services Sydney East")


def k_position(w: World) -> Kind:
    p = w.so2.position
    return Kind(p, lambda api: _org_version(api, "/api/v1/org/positions/", "code", p.code), "patch",
                f"/api/v1/org/positions/{p.code}/", {"title": "Senior officer", "reason": "Regraded"},
                {"title": "Junior officer", "reason": "Regraded too"}, w.admin1, w.admin2,
                lambda: om.Position.objects.get(pk=p.pk).title == "Senior officer")


def k_officer(w: World) -> Kind:
    o = w.so2
    return Kind(o, lambda api: _org_version(api, "/api/v1/org/officers/", "username", o.user.username), "patch",
                f"/api/v1/org/officers/{o.user.username}/", {"role": Role.SPECIALIST_OFFICER, "reason": "Promoted"},
                {"is_active": False, "reason": "Left"}, w.admin1, w.admin2,
                lambda: om.Officer.objects.get(pk=o.pk).role == Role.SPECIALIST_OFFICER
                and om.Officer.objects.get(pk=o.pk).is_active)


KINDS = {
    "customer": k_customer,
    "case-registration": k_case_registration,
    "case-roles": k_case_roles,
    "debt-correct": k_debt_correct,
    "payment-correct": k_payment_correct,
    "care-correct": k_care_correct,
    "arrangement-amend": k_arrangement_amend,
    "arrangement-default-then-end": k_arrangement_default_then_end,
    "representative-end": k_representative_end,
    "intray-reassign": k_intray_reassign,
    "intray-recategorise": k_intray_recategorise,
    "office": k_office,
    "team": k_team,
    "position": k_position,
    "officer": k_officer,
}
# The stale second write of these goes to another endpoint than the first (default, then end from the same read).
SECOND_URL = {"arrangement-default-then-end": lambda url: url.replace("/default/", "/end/")}


def _send(api: APIClient, kind: Kind, url: str, body: dict, version: int | None, via: str):
    headers = {}
    if version is not None and via == "body":
        body = {**body, "version": version}
    elif version is not None:
        headers["HTTP_IF_MATCH"] = f'"{version}"'
    return getattr(api, kind.method)(url, body, format="json", **headers)


@pytest.mark.parametrize("via", ["body", "if_match"])
@pytest.mark.parametrize("name", list(KINDS))
def test_two_officers_from_the_same_read_the_second_gets_409_with_what_changed(world, name, via):
    kind = KINDS[name](world)
    first, second = _client(kind.first_actor), _client(kind.second_actor)
    read_1, read_2 = kind.read(first), kind.read(second)
    assert read_1 == read_2

    ok = _send(first, kind, kind.url, kind.first, read_1, via)
    assert ok.status_code in (200, 201), ok.json()
    events = AuditEvent.objects.exclude(action__in=("customer.read", "customer.view")).count()

    url_2 = SECOND_URL.get(name, lambda u: u)(kind.url)
    stale = _send(second, kind, url_2, kind.second, read_2, via)
    assert stale.status_code == 409, (stale.status_code, stale.json())
    body = stale.json()
    assert body["code"] == "conflict" and "someone else changed" in body["detail"].lower()
    assert body["current_version"] > read_2 and body["changed"], body
    change = body["changed"][0]
    assert change["by"] == kind.first_actor.user.username
    assert change["fields"], change  # the fields that changed, with their current values (or the correction's)
    assert kind.first_actor.user.username in body["detail"]
    assert kind.stands()
    # The stale write wrote nothing, not even an audit event.
    assert AuditEvent.objects.exclude(action__in=("customer.read", "customer.view")).count() == events


@pytest.mark.parametrize("name", list(KINDS))
def test_a_malformed_if_match_is_400_and_writes_nothing(world, name):
    kind = KINDS[name](world)
    api = _client(kind.first_actor)
    before = type(kind.row).objects.get(pk=kind.row.pk).version
    events = AuditEvent.objects.count()
    r = getattr(api, kind.method)(kind.url, kind.first, format="json", HTTP_IF_MATCH='"abc"')
    assert r.status_code == 400, r.json()
    assert "If-Match" in r.json()
    assert type(kind.row).objects.get(pk=kind.row.pk).version == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("name", ["debt-correct", "case-registration", "office", "intray-reassign"])
def test_a_write_without_a_version_still_applies_and_moves_the_version(world, name):
    """The version is optional on the API (older clients keep working, last write wins for them), as for the
    customer; the version moves all the same, so a client that does send one is protected."""
    kind = KINDS[name](world)
    api = _client(kind.first_actor)
    before = kind.read(api)
    r = getattr(api, kind.method)(kind.url, kind.first, format="json")
    assert r.status_code in (200, 201), r.json()
    assert kind.stands()
    assert type(kind.row).objects.get(pk=kind.row.pk).version == before + 1


def test_the_records_get_gives_its_version_as_etag(world):
    api = _client(world.tl1)
    r = api.get(f"/api/v1/cases/{world.case.case_number}/")
    assert r["ETag"] == f'"{r.json()["version"]}"'
    intray = isv.intray_create(actor=world.tl1.user, customer=world.case.payer, type_code="client_contact_required",
                               subject="Call back", assignee_officer=world.so)
    r = _client(world.so).get(f"/api/v1/intrays/{intray.pk}/")
    assert r["ETag"] == f'"{r.json()["version"]}"'


# Every write of an existing record: (path, method) in the OpenAPI schema.
VERSIONED_WRITES = [
    ("/api/v1/customers/{csid}/", "patch"),
    ("/api/v1/cases/{case_number}/registration/", "post"),
    ("/api/v1/cases/{case_number}/roles/", "post"),
    ("/api/v1/cases/{case_number}/roles/correct/", "post"),
    ("/api/v1/income/{income_id}/correct/", "post"),
    ("/api/v1/debts/{debt_id}/correct/", "post"),
    ("/api/v1/payments/{payment_id}/correct/", "post"),
    ("/api/v1/care/{care_id}/correct/", "post"),
    ("/api/v1/arrangements/{arrangement_id}/amend/", "post"),
    ("/api/v1/arrangements/{arrangement_id}/default/", "post"),
    ("/api/v1/arrangements/{arrangement_id}/end/", "post"),
    ("/api/v1/representatives/{representative_id}/end/", "post"),
    ("/api/v1/restrictions/{restriction_id}/end/", "post"),
    ("/api/v1/intrays/{id}/complete/", "post"),
    ("/api/v1/intrays/{id}/delete/", "post"),
    ("/api/v1/intrays/{id}/reassign/", "post"),
    ("/api/v1/intrays/{id}/recategorise/", "post"),
    ("/api/v1/intrays/{id}/matters/", "post"),
    ("/api/v1/intrays/{id}/matters/{matter_id}/address/", "post"),
    ("/api/v1/org/offices/{code}/", "patch"),
    ("/api/v1/org/teams/{id}/", "patch"),
    ("/api/v1/org/positions/{code}/", "patch"),
    ("/api/v1/org/officers/{username}/", "patch"),
    ("/api/v1/ps/records/{id}/plan/", "patch"),
]


def test_the_schema_documents_the_version_and_the_if_match_header(reference):
    """drf-spectacular lists ``version`` in each body and the optional If-Match header on each operation."""
    schema = _client(f.OfficerFactory()).get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    paths = schema["paths"]

    def find(path):  # path parameters are named by the view; match on the shape
        shape = re.sub(r"\{[^}]+\}", "{}", path)
        return next(v for k, v in paths.items() if re.sub(r"\{[^}]+\}", "{}", k) == shape)

    missing = []
    for path, method in VERSIONED_WRITES:
        op = find(path)[method]
        headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        if "If-Match" not in headers or "version" not in components[ref]["properties"]:
            missing.append(f"{method.upper()} {path}")
    assert not missing, missing
    start = find("/api/v1/intrays/{id}/start/")["post"]
    assert "If-Match" in [p["name"] for p in start["parameters"] if p["in"] == "header"]


def test_a_change_in_the_admin_moves_the_version_so_a_stale_api_write_is_refused(world):
    """The admin saves through AuditedModelAdmin, not the service: it moves the version all the same."""
    from django.test import Client

    office = om.Office.objects.get(code="syd-i13")
    api = _client(world.admin2)
    read = _org_version(api, "/api/v1/org/offices/", "code", office.code)
    admin = Client()
    admin.force_login(world.admin1.user)
    r = admin.post(f"/admin/org/office/{office.pk}/change/",
                   {"code": office.code, "name": "Sydney North", "state": office.state, "timezone": office.timezone,
                    "is_active": "on"})
    assert r.status_code == 302, r.content[:2000]
    assert om.Office.objects.get(pk=office.pk).version == read + 1
    stale = api.patch(f"/api/v1/org/offices/{office.code}/", {"name": "Sydney South", "reason": "x", "version": read},
                      format="json")
    assert stale.status_code == 409 and "Sydney North" in stale.json()["detail"]
    assert om.Office.objects.get(pk=office.pk).name == "Sydney North"

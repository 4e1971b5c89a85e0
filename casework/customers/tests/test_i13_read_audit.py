"""Issue 13: every read of customer data leaves an audit event naming the customer and the reader; a refused read
leaves none; a customer search is audited once (the query and how many it found).

Measured on the old code: of the read endpoints below only GET /api/v1/customers/<csid>/ and the customer page (both
``customer.view``) left an event; every other row of READS failed there with 0 events.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework.contacts import services as contact_services
from casework.core.models import AuditEvent
from casework.customers import services
from casework.customers.models import NoteKind
from casework.ps.tests.conftest import ps_org  # noqa: F401  (fixture)
from casework.ps.tests.helpers import allocate
from casework.testing.factories import PresentingIssueFactory, UserFactory

pytestmark = pytest.mark.django_db

READ_ACTIONS = ("customer.read", "customer.view")


class World:
    """One PS customer (the payer of a case) with a note, an issue, a letter, a contact, a referral intray and a PS
    record, and the PS Case Manager who works them (the reader)."""

    def __init__(self, org):
        self.org = org
        self.reader = org.cm
        self.customer = org.customer
        self.other = org.other
        self.case = org.case
        rec = allocate(org)
        self.ps_record = rec
        self.intray = rec.referral_intray if getattr(rec, "referral_intray", None) else None
        if self.intray is None:
            from casework.intrays.models import Intray

            self.intray = Intray.objects.filter(customer=self.customer).order_by("id").first()
        services.note_add(actor=org.cm.user, customer=self.customer, subject="Call", body="Spoke to the customer",
                          kind=NoteKind.GENERAL)
        PresentingIssueFactory(customer=self.customer)
        self.contact = contact_services.contact_start(actor=org.cm.user, customer=self.customer, channel="phone")
        api = APIClient()
        api.force_authenticate(org.cm.user)
        r = api.post("/api/v1/letters/", {"csid": self.customer.csid, "template_code": "mx1_1_request_contact",
                                          "case_number": self.case.case_number,
                                          "context": {"matter": "your debt"}}, format="json")
        assert r.status_code == 201, r.content
        self.letter_id = r.json()["id"]
        from casework.letters.services import letter_render

        letter_render(letter_id=self.letter_id)  # what the job does after commit (issue 15)

    def url(self, template: str) -> str:
        return template.format(csid=self.customer.csid, case=self.case.case_number, letter=self.letter_id,
                               intray=self.intray.pk, contact=self.contact.pk, ps=self.ps_record.pk)


# (name, url, web page?, both parties of the case?)
READS = [
    ("customer", "/api/v1/customers/{csid}/", False, False),
    ("customer cases", "/api/v1/customers/{csid}/cases/", False, False),
    ("case", "/api/v1/cases/{case}/", False, True),
    ("notes incl. internal", "/api/v1/customers/{csid}/notes/", False, False),
    ("issues", "/api/v1/customers/{csid}/issues/", False, False),
    ("debts", "/api/v1/customers/{csid}/debts/", False, False),
    ("income", "/api/v1/customers/{csid}/income/", False, False),
    ("dpos", "/api/v1/customers/{csid}/dpos/", False, False),
    ("representatives", "/api/v1/customers/{csid}/representatives/", False, False),
    ("restrictions", "/api/v1/customers/{csid}/restrictions/", False, False),
    ("case payments", "/api/v1/cases/{case}/payments/", False, True),
    ("case care", "/api/v1/cases/{case}/care/", False, True),
    ("case roles", "/api/v1/cases/{case}/roles/", False, True),
    ("ownership", "/api/v1/customers/{csid}/ownership/", False, False),
    ("issue handling", "/api/v1/customers/{csid}/ownership/issues/", False, False),
    ("routing", "/api/v1/routing/{csid}/", False, False),
    ("letters", "/api/v1/letters/?csid={csid}", False, False),
    ("letter", "/api/v1/letters/{letter}/", False, False),
    ("letter pdf", "/api/v1/letters/{letter}/pdf/", False, False),
    ("intray", "/api/v1/intrays/{intray}/", False, False),
    ("intrays of customer", "/api/v1/intrays/?customer={csid}", False, False),
    ("contacts", "/api/v1/contacts/?csid={csid}", False, False),
    ("contact", "/api/v1/contacts/{contact}/", False, False),
    ("contact finalise check", "/api/v1/contacts/{contact}/finalise/check/", False, False),
    ("ps records of customer", "/api/v1/ps/records/?csid={csid}", False, False),
    ("ps record with sensitive indicator", "/api/v1/ps/records/{ps}/", False, False),
    ("ps segment suggestion", "/api/v1/ps/records/{ps}/segment-suggestion/", False, False),
    ("ps readiness", "/api/v1/ps/records/{ps}/readiness/", False, False),
    ("web customer page", "/customers/{csid}/", True, False),
    ("web intray", "/work/intrays/{intray}/", True, False),
    ("web intrays of customer", "/work/?csid={csid}", True, False),
    ("web contact", "/contacts/{contact}/", True, False),
    ("web ps record", "/ps/records/{ps}/", True, False),
]


def _client(user, web: bool):
    if web:
        c = Client()
        c.force_login(user)
        return c
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def world(ps_org):  # noqa: F811
    return World(ps_org)


@pytest.mark.parametrize("name, template, web, both_parties", READS, ids=[r[0] for r in READS])
def test_each_read_of_customer_data_leaves_exactly_one_audit_event(world, name, template, web, both_parties):
    """Fails on the old code for every row except "customer" and "web customer page" (0 events: issue 13)."""
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _client(world.reader.user, web).get(world.url(template))
    assert response.status_code == 200, (name, response.status_code, response.content[:300])
    new = AuditEvent.objects.filter(id__gt=start)
    reads = new.filter(action__in=READ_ACTIONS)
    mine = reads.filter(customer_id=world.customer.pk, actor=world.reader.user)
    assert mine.count() == 1, (name, list(new.values_list("action", "customer_id", "after")))
    event = mine.get()
    assert event.actor_label == world.reader.user.username
    if event.action == "customer.read":
        assert event.target_type == "customer" and event.target_id == str(world.customer.pk)
        assert event.after["what"] and event.after["channel"] == ("ui" if web else "api")
    expected_others = {world.other.pk} if both_parties else set()
    assert set(reads.exclude(customer_id=world.customer.pk).values_list("customer_id", flat=True)) == expected_others
    assert reads.count() == 1 + len(expected_others)


@pytest.mark.parametrize("name, template, web, both_parties", READS, ids=[r[0] for r in READS])
def test_a_refused_read_leaves_no_read_event(world, name, template, web, both_parties):
    """A signed-in user with no officer role is refused every read (403) and no read event is written."""
    stranger = UserFactory()
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _client(stranger, web).get(world.url(template))
    assert response.status_code in (403, 404) if web else response.status_code == 403, (
        name, response.status_code, response.content[:300])
    assert not AuditEvent.objects.filter(id__gt=start, action__in=(*READ_ACTIONS, "customer.search")).exists()


def test_administrator_refused_notes_leaves_no_event(world):
    """An administrator may see the customer but not the notes (403): the refusal writes nothing."""
    from casework.org.roles import Role
    from casework.testing.factories import OfficerFactory

    admin = OfficerFactory(role=Role.ADMINISTRATOR)
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _client(admin.user, False).get(world.url("/api/v1/customers/{csid}/notes/"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(id__gt=start).exists()


@pytest.mark.parametrize("web", [False, True], ids=["api", "web"])
def test_a_search_is_audited_once_with_the_query_and_the_number_found(world, web):
    """Fails on the old code: a search left no event. One event per search, not one per result."""
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    query = world.customer.family_name
    if web:
        response = _client(world.reader.user, True).get("/customers/search/", {"q": query})
    else:
        response = _client(world.reader.user, False).get("/api/v1/customers/", {"q": query})
    assert response.status_code == 200
    events = AuditEvent.objects.filter(id__gt=start)
    assert list(events.values_list("action", flat=True)) == ["customer.search"]
    event = events.get()
    assert event.actor == world.reader.user
    assert event.after["query"] == query and event.after["results"] >= 1
    assert event.after["channel"] == ("ui" if web else "api")


def test_reads_are_searchable_by_customer_and_officer(world):
    """The auditor finds the reads by customer and by officer (docs/security.md threat model row)."""
    reader = _client(world.reader.user, False)
    assert reader.get(world.url("/api/v1/customers/{csid}/notes/")).status_code == 200
    auditor = _client(world.org.auditor.user, False)
    by_customer = auditor.get("/api/v1/audit/", {"csid": world.customer.csid, "action": "customer.read"}).json()
    by_officer = auditor.get("/api/v1/audit/", {"officer": world.reader.user.username,
                                                 "action": "customer.read"}).json()
    assert any(e["after"]["what"] == "notes" for e in by_customer["results"])
    assert any(e["after"]["what"] == "notes" for e in by_officer["results"])


def test_a_letter_preview_is_a_read_of_the_customer(world):
    """POST /api/v1/letters/preview/ stores nothing but shows the composed letter: one read event. Fails on the old
    code (no event)."""
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    r = _client(world.reader.user, False).post(
        "/api/v1/letters/preview/",
        {"csid": world.customer.csid, "template_code": "mx1_1_request_contact", "case_number": world.case.case_number,
         "context": {"matter": "your debt"}}, format="json")
    assert r.status_code == 200, r.content
    events = AuditEvent.objects.filter(id__gt=start)
    assert list(events.values_list("action", "customer_id")) == [("customer.read", world.customer.pk)]
    assert events.get().after["what"] == "letter_preview"


@pytest.mark.parametrize("web", [False, True], ids=["api", "web"])
def test_the_ps_activity_database_export_is_audited_once(world, web):
    """A bulk export is one ``customer.export`` event with the number of rows, not one per customer. Fails on the
    old code (no event)."""
    exporter = world.org.tl
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _client(exporter.user, web).get("/ps/export.csv" if web else "/api/v1/ps/export.csv")
    assert response.status_code == 200
    rows = response.content.decode().strip().splitlines()
    events = AuditEvent.objects.filter(id__gt=start)
    assert list(events.values_list("action", flat=True)) == ["customer.export"]
    event = events.get()
    assert event.actor == exporter.user
    assert event.after == {"what": "ps_activity_database", "rows": len(rows) - 1, "channel": "ui" if web else "api"}
    assert event.after["rows"] >= 1


def test_a_refused_export_leaves_no_event(world):
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert _client(UserFactory(), False).get("/api/v1/ps/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(id__gt=start).exists()


def test_the_mca_assessment_of_a_contact_is_an_audited_read(world):
    """GET /api/v1/contacts/<id>/mca/ (case details shown once proof of identity is confirmed): one read event.
    Fails on the old code (no event)."""
    c = _client(world.reader.user, False)
    assert c.post(f"/api/v1/contacts/{world.contact.pk}/poi/", {"method": "DOB and address"},
                  format="json").status_code == 200
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    r = c.get(f"/api/v1/contacts/{world.contact.pk}/mca/")
    assert r.status_code == 200, r.content
    events = AuditEvent.objects.filter(id__gt=start)
    assert list(events.values_list("action", "customer_id")) == [("customer.read", world.customer.pk)]
    assert events.get().after["what"] == "mca"


def test_read_services_write_one_event_each_and_refuse_an_anonymous_reader(world):
    """Service level: ``customer_data_read`` is one ``customer.read`` event (target the customer, what/channel/ids in
    ``after``); ``case_data_read`` one per party; an anonymous reader is refused and nothing is written; a job reads
    under its own name."""
    from django.contrib.auth.models import AnonymousUser

    from casework.core.context import job_context
    from casework.core.errors import NotPermitted

    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    services.customer_data_read(actor=world.reader.user, customer=world.customer, what="notes", detail={"count": 3})
    services.case_data_read(actor=world.reader.user, case=world.case, what="payments")
    with pytest.raises(NotPermitted):
        services.customer_data_read(actor=AnonymousUser(), customer=world.customer, what="notes")
    with pytest.raises(NotPermitted):
        services.customer_data_read(actor=None, customer=world.customer, what="notes")
    with job_context("nightly-check"):
        services.customer_data_read(actor=None, customer=world.customer.pk, what="ownership", channel="system")
    events = list(AuditEvent.objects.filter(id__gt=start).order_by("id"))
    assert [(e.action, e.customer_id, e.actor_label) for e in events] == [
        ("customer.read", world.customer.pk, world.reader.user.username),
        ("customer.read", world.case.payer_id, world.reader.user.username),
        ("customer.read", world.case.payee_id, world.reader.user.username),
        ("customer.read", world.customer.pk, "job:nightly-check"),
    ]
    assert events[0].target_type == "customer" and events[0].target_id == str(world.customer.pk)
    assert events[0].after == {"count": 3, "what": "notes", "channel": "api"}
    assert events[1].after == {"what": "payments", "channel": "api", "case_number": world.case.case_number}
    assert events[3].after == {"what": "ownership", "channel": "system"}

"""Issue 15, the bulk import (``import_bulk``, ``import_case_data --bulk``): on PostgreSQL new customers and cases are
written set-based by COPY; the outcome must be the row path's in every respect: the same customers, cases, children,
role periods and other records, the same source records, the same audit events, the same per-row outcomes and
rejection messages, on the documented fixtures and on a file of bad and awkward rows, at every chunk size. On SQLite
``--bulk`` is the row path, saying so."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from casework.core.models import AuditEvent
from casework.customers.csid import make_csid
from casework.customers.models import Case, Child, Customer
from casework.imports import readers, services
from casework.imports.models import SourceRecord
from casework.imports.tests.test_import import domain

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
postgres_only = pytest.mark.postgres_only


def _natural(kind: str, object_id: int):
    """A source record's local row by natural key (ids differ between two runs)."""
    if kind == "customer":
        return Customer.objects.get(pk=object_id).csid
    if kind == "case":
        return Case.objects.get(pk=object_id).case_number
    if kind == "child":
        child = Child.objects.select_related("case").get(pk=object_id)
        return child.case.case_number, child.given_names, child.date_of_birth
    return None  # other record types always take the row path


GENERATED = re.compile(r"^C\d{8}$")  # a case number drawn at random (``customers.services._new_case_number``)


def _drawn(value):
    if isinstance(value, tuple):
        return tuple(_drawn(v) for v in value)
    return "C<drawn>" if isinstance(value, str) and GENERATED.match(value) else value


def state() -> dict:
    out = {}
    for name, counter in _state().items():
        out[name] = Counter()
        for key, count in counter.items():
            out[name][_drawn(key)] += count
    return out


def _state() -> dict:
    events = AuditEvent.objects.exclude(action="import.run")
    csids = dict(Customer.objects.values_list("pk", "csid"))
    return {
        **domain(),
        "sources": Counter((s.record_type, s.source_key, s.fingerprint, _natural(s.record_type, s.object_id))
                           for s in SourceRecord.objects.all()),
        "events": Counter((action, target, actor, csids.get(customer_id))
                          for action, target, actor, customer_id in events.values_list(
                              "action", "target_type", "actor_label", "customer_id")),
        "customer_events": Counter(
            json.dumps({k: v for k, v in e.after.items() if k not in ("id", "created_at", "updated_at")},
                       sort_keys=True)
            for e in events.filter(action="customer.create")),
        "case_events": Counter(
            json.dumps({k: _drawn(v) for k, v in e.after.items()
                        if k not in ("id", "created_at", "payer_id", "payee_id")}, sort_keys=True)
            for e in events.filter(action__startswith="case.")),
    }


def run(importer, text: str, fmt: str = "jsonl", **kwargs) -> dict:
    outcomes: list[tuple[int, str]] = []
    result = importer(readers.rows(io.StringIO(text), fmt), source_name="t", on_outcome=lambda *o: outcomes.append(o),
                      **kwargs)
    return {"counts": result.as_dict(), "outcomes": sorted(outcomes),
            "rejections": [(r.line, r.record, r.source_key, r.reason) for r in result.rejections],
            "path": result.path}


def rolled_back(fn):
    """Run ``fn`` and read the state it left, then undo it (so both paths start from the same database)."""
    with transaction.atomic():
        out = fn(), state()
        transaction.set_rollback(True)
    return out


def both(text: str, fmt: str = "jsonl", chunk: int = services.CHUNK):
    rows = rolled_back(lambda: run(services.import_rows, text, fmt))
    bulk = rolled_back(lambda: run(services.import_bulk, text, fmt, chunk=chunk))
    return rows, bulk


def same(rows, bulk) -> None:
    (rows_run, rows_state), (bulk_run, bulk_state) = rows, bulk
    assert bulk_run["path"] == "bulk"
    assert {k: v for k, v in bulk_run.items() if k != "path"} == {k: v for k, v in rows_run.items() if k != "path"}
    for key in rows_state:
        assert bulk_state[key] == rows_state[key], key


def customer(key: str, number: int, **extra) -> dict:
    return {"record": "customer", "source_key": key, "csid": make_csid(number), "given_names": f"Given{number}",
            "family_name": "Bulk", "date_of_birth": "1980-01-01", "residence": "SA", **extra}


def case(key: str, payer: str, payee: str, **extra) -> dict:
    return {"record": "case", "source_key": key, "payer": payer, "payee": payee, "annual_liability": "4800.00",
            "role_history_from": "2024-01-01", **extra}


def child(key: str, **extra) -> dict:
    return {"source_key": key, "given_names": "Kim", "family_name": "Bulk", "date_of_birth": "2015-03-03", **extra}


def bad_file() -> str:
    """Good rows mixed with every way a customer or case row can fail or be awkward for a set-based write."""
    rows = [
        customer("C1", 810000001),
        customer("C2", 810000002, email="two@example.com", contact_preference="written_only"),
        customer("C3", 810000003, csid="8100000030"),  # wrong check digit
        customer("C4", 810000004, date_of_birth="1980-02-31"),  # not a date
        customer("C5", 810000005, residence="OS"),  # overseas without a country
        customer("C6", 810000006, residence="XX"),  # not a residence
        customer("C7", 810000001),  # a second key for C1's CSID: linked, not duplicated
        customer("C8", 810000008),
        customer("C8", 810000008, phone_mobile="0400 000 000"),  # the same key again, changed: updated
        customer("C9", 810000009),
        customer("C10", 700000001),  # the CSID of an officer-keyed customer: linked
        case("K1", "C1", "C2", case_number="BULK000001", children=[child("CH1")]),
        case("K2", "C1", "C11"),  # C11 comes later in the file
        customer("C11", 810000011),
        case("K3", "C1", "C1"),  # payer and payee the same
        case("K4", "C1", "C2", case_number="EXIST00001"),  # a case number an officer already has
        case("K5", "C2", "C9", case_number="BULK000005"),
        case("K6", "C9", "C2", case_number="BULK000005"),  # the same number twice in the file
        case("K7", "C2", "C9", children=[child("CH7", date_of_birth="2015-02-31")]),  # the child is bad
        case("K8", "C2", "C9", children=[child("CH1")]),  # CH1 is K1's child
        case("K9", "C9", "C11", children=[child("CH9a"), child("CH9a", given_names="Lee")]),  # one key, two kids
        case("K10", "C404", "C2"),  # unknown customer
        case("K11", "C3", "C2"),  # C3 was rejected
        case("K12", "C8", "C10", registration_status="nope"),
        case("K13", "C8", "C10", annual_liability="-5"),
        case("K14", "C8", "C10", role_history_from="1901-01-01"),
        case("K15", "C8", "C10", children=[child("CH15")], collection_type="private"),
        case("K16", "C7", "C11", case_number="BULK000016"),  # the linked customer and one from the row path
        {"record": "income", "source_key": "I1", "customer": "C12", "amount": "1.00", "source": "estimate",
         "tax_year": "2026", "effective_from": "2026-01-01"},  # C12 comes later: not imported yet
        customer("C12", 810000012),
        {"record": "income", "source_key": "I2", "customer": "C12", "amount": "1.00", "source": "estimate",
         "tax_year": "2026", "effective_from": "2026-01-01"},
        {"record": "care", "source_key": "CA1", "case": "K15", "child": "CH15", "carer": "C10",
         "care_percentage": "60", "effective_from": "2024-01-01"},
        {"record": "care", "source_key": "CA2", "case": "K17", "child": "CH17", "carer": "C12",
         "care_percentage": "60", "effective_from": "2024-01-01"},  # K17 comes later
        case("K17", "C12", "C11", children=[child("CH17")]),
        {"record": "customer", "source_key": "C13", "csid": make_csid(810000013)},  # missing fields
        {"record": "arrears", "source_key": "A1"},
    ]
    return "\n".join(json.dumps(r) for r in rows) + "\n{not json\n"


@pytest.fixture
def officer_keyed(reference):
    from casework.testing.factories import CaseFactory, CustomerFactory

    CustomerFactory(csid=make_csid(700000001), given_names="Keyed", family_name="Before")
    CaseFactory(case_number="EXIST00001")


@postgres_only
@pytest.mark.parametrize("name", ["example.jsonl", "example.csv"])
def test_the_bulk_path_gives_the_row_paths_outcome_on_the_fixtures(reference, name):
    path = FIXTURES / name
    rows, bulk = both(path.read_text(), readers.detect_format(path))
    same(rows, bulk)
    assert bulk[0]["counts"] == {"rows": 8, "created": 8, "updated": 0, "unchanged": 0, "rejected": 0}


@postgres_only
def test_the_events_built_in_sql_are_the_row_paths_to_the_timestamp(reference):
    """The bulk path builds its audit events' JSON in SQL: every value as ``core.audit.snapshot`` records it,
    including ``isoformat()``'s timestamps (microseconds only when there are some) and decimals as text."""
    from casework.core.audit import snapshot

    run(services.import_bulk, families(3))
    for event in AuditEvent.objects.filter(action="customer.create"):
        customer = Customer.objects.get(pk=event.target_id)
        assert event.after == snapshot(customer)
        assert (event.target_repr, event.target_version, event.customer_id) == (str(customer), 1, customer.pk)
    for event in AuditEvent.objects.filter(action="case.create"):
        case = Case.objects.get(pk=event.target_id)
        assert event.after == {**snapshot(case), "children": [
            snapshot(c, ["given_names", "family_name", "date_of_birth"]) for c in case.children.order_by("id")]}
        assert (event.target_repr, event.customer_id, event.actor_label) == (str(case), case.payer_id, "system:import")
    assert AuditEvent.objects.filter(action="case.party_added").count() == 3


@postgres_only
def test_bad_and_awkward_rows_have_the_row_paths_outcomes_and_messages(officer_keyed):
    rows, bulk = both(bad_file())
    same(rows, bulk)
    reasons = {line: reason for line, _, _, reason in bulk[0]["rejections"]}
    assert "check digit" in reasons[3] and "not imported" in reasons[13] and "not imported" in reasons[29]
    outcome = dict(bulk[0]["outcomes"])
    assert (outcome[7], outcome[9], outcome[11]) == ("unchanged", "updated", "updated")  # C7, C10 linked; C8 changed
    assert bulk[0]["counts"] == {"rows": 37, "created": 13, "updated": 2, "unchanged": 1, "rejected": 21}


@postgres_only
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 13])
def test_chunk_boundaries_do_not_change_the_outcome(officer_keyed, chunk):
    rows, bulk = both(bad_file(), chunk=chunk)
    same(rows, bulk)


@postgres_only
def test_running_the_same_file_again_changes_nothing_on_either_path(officer_keyed):
    run(services.import_bulk, (FIXTURES / "example.jsonl").read_text())
    before, events = state(), AuditEvent.objects.count()
    again = run(services.import_bulk, (FIXTURES / "example.csv").read_text(), "csv")
    assert again["counts"] == {"rows": 8, "created": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert state() == before and AuditEvent.objects.count() == events + 1  # only the run's own import.run
    assert run(services.import_rows, (FIXTURES / "example.jsonl").read_text())["counts"]["unchanged"] == 8


@postgres_only
def test_a_second_run_of_the_bad_file_has_the_row_paths_outcome_too(officer_keyed):
    """The second run differs from the first (rows that referred forward find their records now; C8's two versions
    alternate) but the two paths still agree."""
    run(services.import_bulk, bad_file())
    rows, bulk = both(bad_file(), chunk=5)
    same(rows, bulk)
    assert bulk[0]["counts"]["created"] == 3  # K2, I1 and CA2 now come after what they refer to


def families(n: int) -> str:
    rows = []
    for i in range(n):
        rows += [customer(f"P{i}", 820000000 + 2 * i), customer(f"Q{i}", 820000001 + 2 * i),
                 case(f"F{i}", f"P{i}", f"Q{i}", children=[child(f"FC{i}")])]
    return "\n".join(json.dumps(r) for r in rows) + "\n"


@postgres_only
def test_a_chunk_of_new_customers_and_cases_takes_the_same_statements_whatever_its_size(reference):
    counts = []
    for n in (2, 40):
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            result = run(services.import_bulk, families(n))
            transaction.set_rollback(True)
        assert result["counts"]["created"] == 3 * n
        counts.append(len(ctx.captured_queries))
    # source records, CSIDs, case numbers (given, drawn), ids of customers, cases and children, the savepoints,
    # the three INSERT … SELECT of the audit events, import.run; the COPYs go to psycopg directly. The row path takes
    # ~13 statements a row. Then the run's one seal of the audit chain at its end (5 statements, whatever the size;
    # the seal after each commit is off, issue 15).
    assert counts == [21, 21], counts


def test_bulk_on_sqlite_is_the_row_path_and_says_so(reference, tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("the fallback is for databases without COPY")
    out = io.StringIO()
    call_command("import_case_data", str(FIXTURES / "example.jsonl"), "--bulk", "--no-progress", stdout=out)
    assert services.BULK_FALLBACK in out.getvalue() and "created 8" in out.getvalue()
    assert run(services.import_bulk, (FIXTURES / "example.jsonl").read_text())["path"] == "rows"


@postgres_only
def test_the_command_imports_with_bulk_on_postgresql(reference):
    out = io.StringIO()
    call_command("import_case_data", str(FIXTURES / "example.csv"), "--bulk", "--no-progress", stdout=out)
    assert services.BULK_FALLBACK not in out.getvalue() and "created 8" in out.getvalue()
    assert AuditEvent.objects.get(action="import.run").after["path"] == "bulk"


@pytest.mark.parametrize("bulk", [False, True])
def test_an_import_chains_its_events_when_it_ends(reference, bulk):
    """The chain is no longer sealed after each commit (issue 15, ``AUDIT_SEAL_AFTER_COMMIT`` off): an import, like a
    job, seals once at its end, so no event it wrote is left unchained until the scheduled seal runs."""
    from casework.core.audit import audit_chain_verify
    from casework.core.models import AuditChainLink

    call_command("import_case_data", str(FIXTURES / "example.jsonl"), *(["--bulk"] if bulk else []),
                 "--no-progress", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="customer.create").exists()
    assert not AuditEvent.objects.exclude(pk__in=AuditChainLink.objects.values("event_id")).exists()
    assert audit_chain_verify()[1] is None

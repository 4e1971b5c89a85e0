"""The bulk import from the assessment and payments system: formats, upsert by source key, idempotence, rejections
with line numbers (nothing half-written), audited as ``system:import``, and a round trip of the demo data."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from casework.core.models import AuditEvent
from casework.customers.models import (
    CareArrangement,
    Case,
    Customer,
    Debt,
    IncomeRecord,
    PaymentArrangement,
    PaymentReceived,
)
from casework.imports import exporter, readers, services
from casework.imports.models import SourceRecord

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def domain() -> dict[str, Counter]:
    """Everything the import writes, by natural keys (never local ids), as multisets."""
    return {
        "customers": Counter(Customer.objects.values_list(
            "csid", "given_names", "family_name", "date_of_birth", "date_of_death", "email", "phone_mobile",
            "phone_home", "postal_address", "residence", "country", "preferred_contact_times", "contact_preference",
            "special_contact_arrangements")),
        "cases": Counter(
            (c.case_number, c.payer.csid, c.payee.csid, c.registration_status, c.collection_type, c.annual_liability,
             tuple(c.children.order_by("id").values_list("given_names", "family_name", "date_of_birth")),
             # every payer/payee period: the first from the case row, the later ones from role_reversal rows
             tuple(c.role_history.order_by("from_date").values_list("from_date", "payer__csid", "payee__csid")))
            for c in Case.objects.select_related("payer", "payee")),
        "income": Counter(IncomeRecord.objects.values_list(
            "customer__csid", "amount", "source", "tax_year", "effective_from")),
        "care": Counter(CareArrangement.objects.values_list(
            "case__case_number", "child__given_names", "child__date_of_birth", "carer__csid", "care_percentage",
            "effective_from")),
        "debts": Counter(Debt.objects.values_list("case__case_number", "debtor__csid", "kind", "amount", "as_at")),
        "arrangements": Counter(PaymentArrangement.objects.values_list(
            "debt__case__case_number", "debt__amount", "instalment", "frequency", "start_date", "status")),
        "payments": Counter(PaymentReceived.objects.filter(superseded_by__isnull=True).values_list(
            "case__case_number", "payer__csid", "amount", "received_on", "debt__amount", "method")),
    }


def run(path: Path, **kwargs) -> services.ImportResult:
    with open(path, encoding="utf-8", newline="") as stream:
        return services.import_rows(readers.rows(stream, readers.detect_format(path)), source_name=path.name,
                                    **kwargs)


def run_text(text: str, fmt: str = "jsonl") -> services.ImportResult:
    return services.import_rows(readers.rows(io.StringIO(text), fmt), source_name="test")


@pytest.mark.parametrize("name", ["example.jsonl", "example.csv"])
def test_the_documented_example_imports_cleanly_in_both_formats(reference, name):
    result = run(FIXTURES / name)
    assert result.as_dict() == {"rows": 8, "created": 8, "updated": 0, "unchanged": 0, "rejected": 0}
    case = Case.objects.get(case_number="APS0000501")
    assert (case.payer.csid, case.payee.csid) == ("7000000021", "7000000013")
    assert case.children.get().care_arrangements.get().care_percentage == 86
    assert PaymentArrangement.objects.get().debt.amount == 1450
    assert SourceRecord.objects.filter(record_type="child", source_key="APS-CH-9001").exists()


def test_running_it_twice_changes_nothing(reference):
    run(FIXTURES / "example.jsonl")
    before, events = domain(), AuditEvent.objects.exclude(action="import.run").count()
    second = run(FIXTURES / "example.csv")
    assert second.as_dict() == {"rows": 8, "created": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert domain() == before
    assert AuditEvent.objects.exclude(action="import.run").count() == events


def test_every_write_is_audited_as_system_import(reference):
    run(FIXTURES / "example.jsonl")
    events = AuditEvent.objects.exclude(actor_label__startswith="job:")
    assert set(events.values_list("actor_label", flat=True)) == {"system:import"}
    assert events.filter(actor__isnull=False).count() == 0
    actions = set(events.values_list("action", flat=True))
    assert {"customer.create", "case.create", "income.record", "debt.record", "import.run"} <= actions or \
        {"customer.create", "case.create", "debt.record", "import.run"} <= actions
    run_event = events.get(action="import.run")
    assert run_event.after["created"] == 8


def test_rejected_rows_name_their_line_and_reason_and_leave_nothing_half_written(reference):
    text = (FIXTURES / "example.jsonl").read_text().splitlines()
    bad_case = json.loads(text[2])
    bad_case.update(source_key="APS-K-502", case_number="APS0000502")
    bad_case["children"] = [{"source_key": "APS-CH-9002", "given_names": "Ben", "family_name": "Okafor",
                             "date_of_birth": "2015-02-31"}]
    lines = [
        text[0],
        text[1],
        "",
        "{not json",
        json.dumps({"record": "arrears", "source_key": "P1", "amount": "10"}),
        json.dumps(bad_case),  # the case is valid but its child is not: neither may be written
        json.dumps({"record": "income", "source_key": "I9", "customer": "APS-C-404", "amount": "1", "source":
                    "estimate", "tax_year": "2026", "effective_from": "2026-01-01"}),
        json.dumps({"record": "customer", "source_key": "C9", "csid": "7000000013"}),
    ]
    rejected = []
    result = services.import_rows(readers.rows(io.StringIO("\n".join(lines) + "\n"), "jsonl"), source_name="t",
                                  on_reject=rejected.append)
    assert result.created == 2 and result.rejected == 5
    by_line = {r.line: r.reason for r in rejected}
    assert set(by_line) == {4, 5, 6, 7, 8}
    assert "Not valid JSON" in by_line[4]
    assert "Unknown record type 'arrears'" in by_line[5] and "child_support_debt" in by_line[5]
    assert "date of birth" in by_line[6]
    assert "APS-C-404" in by_line[7] and "not imported" in by_line[7]
    assert "Missing given_names" in by_line[8]
    assert not Case.objects.filter(case_number="APS0000502").exists()
    assert not SourceRecord.objects.filter(source_key__in=["APS-K-502", "APS-CH-9002"]).exists()
    assert Customer.objects.filter(csid__in=["7000000013", "7000000021"]).count() == 2


def test_a_changed_customer_is_updated_with_a_reason_other_records_are_not_overwritten(reference):
    run(FIXTURES / "example.jsonl")
    lines = (FIXTURES / "example.jsonl").read_text().splitlines()
    customer = json.loads(lines[0])
    customer["phone_mobile"] = "0499 999 999"
    income = json.loads(lines[4])
    income["amount"] = "99999.00"
    result = run_text(json.dumps(customer) + "\n" + json.dumps(income) + "\n")
    assert (result.updated, result.rejected) == (1, 1)
    assert Customer.objects.get(csid="7000000013").phone_mobile == "0499 999 999"
    event = AuditEvent.objects.get(action="customer.update")
    assert event.actor_label == "system:import" and event.after == {"phone_mobile": "0499 999 999"}
    assert "Imported from the assessment and payments system" in event.reason
    assert "does not change an existing income" in result.rejections[0].reason
    assert not IncomeRecord.objects.filter(amount=99999).exists()


def test_an_existing_customer_with_the_same_csid_is_linked_not_duplicated(reference):
    from casework.testing.factories import CustomerFactory

    CustomerFactory(csid="7000000013", given_names="Harriet", family_name="Okafor")
    result = run(FIXTURES / "example.jsonl")
    assert result.rejected == 0
    assert Customer.objects.filter(csid="7000000013").count() == 1


def test_command_reports_rejections_and_exits_non_zero(reference, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("record,source_key,csid\ncustomer,X1,7000000013\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_case_data", str(path), "--no-progress", stdout=out)
    assert "1 rows rejected" in str(exc.value)
    assert "REJECTED line 2: customer X1: Missing given_names" in out.getvalue()
    good = io.StringIO()
    call_command("import_case_data", str(FIXTURES / "example.csv"), "--no-progress", stdout=good)
    assert "created 8" in good.getvalue()


def test_round_trip_of_the_demo_data_into_an_empty_database(reference, tmp_path):
    """Seed the demo, export it in the import format, roll the demo back (an empty database but for the reference
    data), import the file, compare everything the import carries."""
    from casework.core.context import job_context
    from casework.web import demo

    path = tmp_path / "demo.jsonl"
    with transaction.atomic():
        with job_context("seed_demo"):
            demo.seed()
        expected = domain()
        with open(path, "w", encoding="utf-8") as stream:
            n = exporter.write(stream, "jsonl", exporter.export_rows())
        transaction.set_rollback(True)
    assert Customer.objects.count() == 0 and n > 200
    assert sum(len(v) for v in expected.values()) > 200
    result = run(path)
    assert result.rejected == 0, [str(r) for r in result.rejections[:5]]
    assert domain() == expected
    # …and the CSV form of the same data is the same data (nothing new to write).
    csv_path = tmp_path / "demo.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as stream:
        exporter.write(stream, "csv", exporter.export_rows())
    again = run(csv_path)
    assert (again.created, again.updated, again.rejected) == (0, 0, 0), [str(r) for r in again.rejections[:3]]


def test_the_bench_file_imports_and_reimports_unchanged(reference):
    from casework.bench.imports import bench_import

    result = bench_import(13)
    assert result["first_run"]["created"] == 13 and result["first_run"]["rejected"] == 0
    assert result["second_run_unchanged"]["unchanged"] == 13
    assert result["first_run"]["peak_python_memory_mb"] is not None
    bulk = result["bulk"]  # issue 15: the bulk path in the same run (on SQLite it is the row path)
    assert bulk["first_run"]["created"] == 13 and bulk["second_run_unchanged"]["unchanged"] == 13
    assert bulk["customers_and_cases"]["created"] == 13 and bulk["customers_and_cases"]["rejected"] == 0


def test_payments_and_role_reversals_round_trip(reference, tmp_path):
    """Issue 12: payments received and role-reversal history were "planned" record types, rejected by the import.
    A case whose roles were reversed, with a debt and a payment against it, exports and imports back the same: the
    case row carries its first payer and payee, a role_reversal row each later period, then the facts."""
    import datetime as dt

    from casework.core import clock
    from casework.core.context import system_context
    from casework.customers import services as cs
    from casework.testing.factories import CaseFactory

    path = tmp_path / "roles.jsonl"
    with transaction.atomic():
        with system_context("test"), clock.freeze(dt.datetime(2026, 11, 2, 1, tzinfo=dt.UTC)):
            case = CaseFactory()
            from casework.customers.models import CaseRoleHistory

            CaseRoleHistory.objects.create(case=case, payer=case.payer, payee=case.payee, from_date=dt.date(2025, 1, 1))
            cs.case_roles_reverse(actor=None, case=case, effective_from=dt.date(2026, 7, 1), reason="Care changed")
            case.refresh_from_db()
            debt = cs.debt_record(actor=None, case=case, debtor=case.payer, kind="child_support_debt",
                                  amount="1200.00", as_at=dt.date(2026, 10, 1))
            cs.payment_received_record(actor=None, case=case, payer=case.payer, amount="150.00",
                                       received_on=dt.date(2026, 10, 15), debt=debt, method="BPAY")
        expected = domain()
        assert len(next(iter(expected["cases"]))[-1]) == 2 and expected["payments"]
        with open(path, "w", encoding="utf-8") as stream:
            exporter.write(stream, "jsonl", exporter.export_rows())
        transaction.set_rollback(True)
    assert Case.objects.count() == 0
    with clock.freeze(dt.datetime(2026, 11, 2, 1, tzinfo=dt.UTC)):
        result = run(path)
        assert result.rejected == 0, [str(r) for r in result.rejections[:5]]
        assert domain() == expected
        assert run(path).unchanged == result.created  # idempotent

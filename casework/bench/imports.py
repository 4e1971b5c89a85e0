"""Import benchmark: rows per second and peak Python memory of ``import_case_data`` on a generated JSON Lines file
(first run: everything created; second run: everything unchanged), by both paths in one run: the row path
(``import_rows``) and the bulk path (``import_bulk``, issue 15; on SQLite it is the row path) on files of the same
shape with their own keys, and the bulk path on a file of customers and cases only (what loading a book of
customers is), with the time 1.5M customers would take at that rate. Size: ``BENCH_IMPORT_ROWS`` (default
``BENCH_LARGE`` / 50, i.e. 4 000 rows with the defaults)."""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from casework.customers.csid import make_csid

BASE = 600_000_000


def generate(path: Path, rows: int, *, base: int = BASE, prefix: str = "B", parties_only: bool = False) -> int:
    """Families of 6 rows (two customers, a case with a child, an income, a debt, a care arrangement), written line by
    line; ``parties_only``: families of 3 (the customers and their case). ``base`` and ``prefix`` keep the CSIDs, keys
    and case numbers of two files apart."""
    written = 0
    size = 3 if parties_only else 6
    p, n = prefix, "I" if prefix == "B" else prefix  # source keys, case numbers
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while written < rows:
            a, b = make_csid(base + 2 * i), make_csid(base + 2 * i + 1)
            family = [
                {"record": "customer", "source_key": f"{p}-{a}", "csid": a, "given_names": "Alex", "family_name":
                 f"Bench{i}", "date_of_birth": "1980-01-01", "residence": "SA"},
                {"record": "customer", "source_key": f"{p}-{b}", "csid": b, "given_names": "Sam", "family_name":
                 f"Bench{i}", "date_of_birth": "1982-02-02", "residence": "TAS"},
                {"record": "case", "source_key": f"{p}K-{i}", "case_number": f"{n}{i:09d}", "payer": f"{p}-{a}",
                 "payee": f"{p}-{b}", "annual_liability": "4800.00", "role_history_from": "2024-01-01",
                 "children": [{"source_key": f"{p}C-{i}", "given_names": "Kim", "family_name": f"Bench{i}",
                               "date_of_birth": "2015-03-03"}]},
                {"record": "income", "source_key": f"{p}I-{i}", "customer": f"{p}-{a}", "amount": "65000.00",
                 "source": "ato_issued", "tax_year": "2025", "effective_from": "2025-07-01"},
                {"record": "debt", "source_key": f"{p}D-{i}", "case": f"{p}K-{i}", "debtor": f"{p}-{a}",
                 "kind": "child_support_debt", "amount": "800.00", "as_at": "2026-10-31"},
                {"record": "care", "source_key": f"{p}CA-{i}", "case": f"{p}K-{i}", "child": f"{p}C-{i}",
                 "carer": f"{p}-{b}", "care_percentage": "100", "effective_from": "2024-01-01"},
            ]
            for row in family[:size][: rows - written]:
                out.write(json.dumps(row) + "\n")
                written += 1
            i += 1
    return written


def _run(path: Path, *, bulk: bool = False, trace: bool = False) -> dict:
    """One import of the file. Timed without tracemalloc (which slows allocation-heavy Python two to three times, so
    it would penalise the bulk path most); ``trace`` runs it under tracemalloc for the peak only."""
    from casework.imports import readers, services

    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as stream:
        importer = services.import_bulk if bulk else services.import_rows
        result = importer(readers.rows(stream, "jsonl"), source_name=path.name)
    seconds = time.perf_counter() - t0
    out = {**result.as_dict(), "seconds": round(seconds, 2),
           "rows_per_second": round(result.rows / seconds, 1) if seconds else None, "path": result.path}
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["peak_python_memory_mb"] = round(peak / 2**20, 1)
    return out


def bench_import(rows: int) -> dict:
    """Both paths in one run, each on its own file of ``rows`` rows: the row path, then the bulk path on families of
    the same shape (first run and unchanged), then the bulk path on customers and cases only. Then the peak Python
    memory of each path, from a run of its own under tracemalloc (the row path: 600 rows, it streams; the bulk
    path: ``rows`` rows of customers and cases, it holds a chunk)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-import.jsonl"
        generate(path, rows)
        first = _run(path)
        second = _run(path)
        bulk_path = Path(tmp) / "bench-import-bulk.jsonl"
        generate(bulk_path, rows, base=BASE + 30_000_000, prefix="X")
        bulk_first = _run(bulk_path, bulk=True)
        bulk_second = _run(bulk_path, bulk=True)
        parties_path = Path(tmp) / "bench-import-parties.jsonl"
        generate(parties_path, rows, base=BASE + 70_000_000, prefix="Y", parties_only=True)
        parties = _run(parties_path, bulk=True)
        traced = Path(tmp) / "bench-import-traced.jsonl"
        generate(traced, min(rows, 600), base=BASE + 40_000_000, prefix="M")
        first["peak_python_memory_mb"] = _run(traced, trace=True)["peak_python_memory_mb"]
        generate(traced, rows, base=BASE + 80_000_000, prefix="N", parties_only=True)
        parties["peak_python_memory_mb"] = _run(traced, bulk=True, trace=True)["peak_python_memory_mb"]
    customers = parties["created"] * 2 // 3
    parties["customers_per_second"] = round(customers / parties["seconds"], 1) if parties["seconds"] else None
    parties["minutes_for_1_5m_customers"] = (round(1_500_000 / parties["customers_per_second"] / 60, 1)
                                            if parties["customers_per_second"] else None)
    return {"rows": rows, "first_run": first, "second_run_unchanged": second,
            "bulk": {"first_run": bulk_first, "second_run_unchanged": bulk_second, "customers_and_cases": parties}}

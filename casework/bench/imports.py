"""Import benchmark: rows per second and peak Python memory of ``import_case_data`` on a generated JSON Lines file
(first run: everything created; second run: everything unchanged). Size: ``BENCH_IMPORT_ROWS`` (default
``BENCH_LARGE`` / 50, i.e. 4 000 rows with the defaults)."""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from casework.customers.csid import make_csid

BASE = 600_000_000


def generate(path: Path, rows: int) -> int:
    """Families of 6 rows (two customers, a case with a child, an income, a debt), written line by line."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while written < rows:
            a, b = make_csid(BASE + 2 * i), make_csid(BASE + 2 * i + 1)
            family = [
                {"record": "customer", "source_key": f"B-{a}", "csid": a, "given_names": "Alex", "family_name":
                 f"Bench{i}", "date_of_birth": "1980-01-01", "residence": "SA"},
                {"record": "customer", "source_key": f"B-{b}", "csid": b, "given_names": "Sam", "family_name":
                 f"Bench{i}", "date_of_birth": "1982-02-02", "residence": "TAS"},
                {"record": "case", "source_key": f"BK-{i}", "case_number": f"I{i:09d}", "payer": f"B-{a}",
                 "payee": f"B-{b}", "annual_liability": "4800.00", "role_history_from": "2024-01-01",
                 "children": [{"source_key": f"BC-{i}", "given_names": "Kim", "family_name": f"Bench{i}",
                               "date_of_birth": "2015-03-03"}]},
                {"record": "income", "source_key": f"BI-{i}", "customer": f"B-{a}", "amount": "65000.00",
                 "source": "ato_issued", "tax_year": "2025", "effective_from": "2025-07-01"},
                {"record": "debt", "source_key": f"BD-{i}", "case": f"BK-{i}", "debtor": f"B-{a}",
                 "kind": "child_support_debt", "amount": "800.00", "as_at": "2026-10-31"},
                {"record": "care", "source_key": f"BCA-{i}", "case": f"BK-{i}", "child": f"BC-{i}",
                 "carer": f"B-{b}", "care_percentage": "100", "effective_from": "2024-01-01"},
            ]
            for row in family[: rows - written]:
                out.write(json.dumps(row) + "\n")
                written += 1
            i += 1
    return written


def _run(path: Path) -> dict:
    from casework.imports import readers, services

    tracemalloc.start()
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as stream:
        result = services.import_rows(readers.rows(stream, "jsonl"), source_name=path.name)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {**result.as_dict(), "seconds": round(seconds, 2),
            "rows_per_second": round(result.rows / seconds, 1) if seconds else None,
            "peak_python_memory_mb": round(peak / 2**20, 1)}


def bench_import(rows: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-import.jsonl"
        generate(path, rows)
        first = _run(path)
        second = _run(path)
    return {"rows": rows, "first_run": first, "second_run_unchanged": second}

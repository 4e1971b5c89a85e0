"""The printed target table (issue 15): each target judged from the run's figures, "not run" when a phase was
left out."""

from __future__ import annotations

from casework.bench import targets


def _by_what(rows):
    return {r["what"]: r for r in rows}


def test_targets_are_judged_from_the_figures():
    results = {
        "http": {"scenarios": {
            "worklist@1": {"p95_ms": 20.0}, "worklist@5": {"p95_ms": 49.0, "failures": 0},
            "customer_page@1": {"p95_ms": 30.0}, "customer_page@5": {"p95_ms": 51.0, "failures": 0},
            "mixed@5": {"requests_per_second": 150.0, "p95_ms": 120.0},
        }},
        "page_queries": {"customer_page": {"queries": 12}},
        "benchmarks": {"customer_search_common_prefix": {"large": {"p95_ms": 19.9}}},
        "ratios": {"routing": {"app": {"per_second": 4999.0}, "pgbench": {"per_second": 9000.0}},
                   "lock_unlock": {"app": {"per_second": 30.0}, "pgbench": {"per_second": 100.0},
                                   "ratio_app_to_sql": 0.3}},
        "sweeps": {"sla_breach": {"rows_per_second": 6000.0, "night_seconds_estimate": 61.0},
                   "auto_unlock": {"rows_per_second": 2500.0, "every_unlock_audited": False, "audited": 9,
                                   "unlocked": 10}},
        # 200,000 customers in 33 s: 6,060/s, 1.5M projected at 248 s.
        "load": {"small": {"rows": 10, "customers_loaded": 20_000, "seconds": 3.0, "customers_per_second": 6667},
                 "large": {"rows": 90, "customers_loaded": 180_000, "seconds": 30.0, "customers_per_second": 6000}},
        "sqlite_embedded": {"mixed@5": {"failures": 0, "requests": 100, "p95_ms": 300.0}},
        "import": {"first_run": {"rows_per_second": 72.0}, "bulk": {
            "first_run": {"rows_per_second": 400.0},
            "customers_and_cases": {"customers_per_second": 4800.0, "minutes_for_1_5m_customers": 5.2,
                                    "path": "bulk"}}},
    }
    met = {what: r["met"] for what, r in _by_what(targets.rows(results)).items()}
    assert met == {
        "worklist page over HTTP, 5 users": True,
        "customer page over HTTP, 5 users": False,
        "customer page queries": True,
        "mixed officer load, 5 users": False,  # the rate is met, the p95 is not
        "name search, common surname, any prefix": True,
        "call routing (route_call) per process": False,
        "lock + unlock vs raw SQL (pgbench), same run": True,
        "SLA-breach sweep": False,  # the rate is met, the night is not
        "automatic-unlock sweep": False,  # fast, but an unlock went unaudited
        "loading 1.5M customers (bench loader, COPY)": True,
        "loading 1.5M customers (import_case_data --bulk, COPY)": False,  # 5.2 min
        "SQLite embedded default, 5 users (mixed load)": True,
    }


def test_a_phase_left_out_is_not_run_not_failed():
    rows = targets.rows({})
    assert all(r["met"] is None for r in rows)
    assert "not run" in targets.table(rows)


def test_an_import_that_found_its_rows_already_imported_says_so():
    """A second ``make bench`` on a loaded database finds the generated import files' rows already imported (every
    row unchanged): no rate to report, and it says why instead of "0.0 customers/s, 1.5M ~None min"."""
    results = {"import": {"first_run": {"rows_per_second": 800.0}, "bulk": {
        "customers_and_cases": {"created": 0, "customers_per_second": 0.0, "minutes_for_1_5m_customers": None,
                                "path": "bulk"}}}}
    row = _by_what(targets.rows(results))["loading 1.5M customers (import_case_data --bulk, COPY)"]
    assert row["met"] is None and "already imported" in row["measured"]

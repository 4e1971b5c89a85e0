"""Run with ``make bench`` (or ``python -m casework.bench``).

Environment: BENCH_DATABASE_URL (default: PostgreSQL at postgres://postgres@127.0.0.1:5432/casework_bench, created
if missing; falls back to a SQLite file under var/bench/ when PostgreSQL is unreachable), BENCH_SMALL (default
20000 customers), BENCH_LARGE (default 200000; 1500000 for the national scale), BENCH_REPEAT (default 300),
BENCH_IMPORT_ROWS (default BENCH_LARGE / 50, at most 6000: rows of the generated import file), BENCH_HTTP_SECONDS
(default 20 per
scenario and concurrency), BENCH_RATIO_SECONDS (default 10 per side), BENCH_SWEEP_ROWS / BENCH_UNLOCK_ROWS (default
2000 / 500: the generated sweep backlogs), BENCH_SKIP (comma-separated phases to leave out: reads, http, ratios,
sweeps, profiles, sqlite, import); BENCH_SQLITE_CUSTOMERS (default 5000: the embedded default's run).
Results: var/bench/results-<UTC time>.json with the machine noted, and the target table on stdout.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench"


def _database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    try:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3, autocommit=True) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname='casework_bench'").fetchone():
                c.execute("CREATE DATABASE casework_bench")
        return "postgres://postgres@127.0.0.1:5432/casework_bench"
    except Exception:  # noqa: BLE001 - any connection failure means: use the embedded database
        OUT.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{OUT / 'bench.sqlite3'}"


def _machine(connection) -> dict:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = fh.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        db_version = cursor.fetchone()[0]
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "database": f"{connection.vendor} {db_version}",
    }


def timed(fn, repeat: int) -> dict:
    samples = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples) * 1000, 4),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 4),
        "repeat": repeat,
    }


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def main() -> int:
    database_url = _database_url()
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from . import suites, targets

    small = int(os.environ.get("BENCH_SMALL", "20000"))
    large = int(os.environ.get("BENCH_LARGE", "200000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "300"))
    skip = {x.strip() for x in os.environ.get("BENCH_SKIP", "").split(",") if x.strip()}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    results = {"machine": _machine(connection), "scales": {"small": small, "large": large}, "benchmarks": {},
               "load": {}, "loadavg": {"start": _loadavg()}}

    def progress(hi: int, rows: int, seconds: float) -> None:
        print(f"  loaded up to customer {hi}: {rows} rows in {seconds:.0f}s", flush=True)

    for scale_name, n in (("small", small), ("large", large)):
        res = suites.load(n, progress=progress)
        results["load"][scale_name] = res
        print(f"[{scale_name}] {n} customers: {res['customers_loaded']} loaded, {res['rows']} rows in {res['seconds']}s"
              f" ({res['rows_per_second']} rows/s, {res['customers_per_second']} customers/s)", flush=True)
        if "reads" in skip:
            continue
        for name, fn in suites.benchmarks():
            res = timed(fn, repeat)
            results["benchmarks"].setdefault(name, {})[scale_name] = res
            print(f"[{scale_name}] {name}: median {res['median_ms']} ms, p95 {res['p95_ms']} ms", flush=True)
    for name, by_scale in results["benchmarks"].items():
        if "small" in by_scale and "large" in by_scale and by_scale["small"]["median_ms"] > 0:
            by_scale["ratio_large_to_small"] = round(by_scale["large"]["median_ms"] / by_scale["small"]["median_ms"], 2)
    results["data_ratio"] = round(large / small, 2)
    results["loadavg"]["after_load"] = _loadavg()
    from .http import page_queries

    results["page_queries"] = page_queries(large)
    print(f"[queries] {results['page_queries']}", flush=True)
    if "http" not in skip:
        from .http import bench_http

        results["http"] = bench_http(database_url, large, seconds=float(os.environ.get("BENCH_HTTP_SECONDS", "20")))
        results["loadavg"]["after_http"] = _loadavg()
    if "ratios" not in skip and connection.vendor == "postgresql":
        from .ratios import bench_ratios

        results["ratios"] = bench_ratios(database_url, large,
                                         seconds=float(os.environ.get("BENCH_RATIO_SECONDS", "10")))
        results["loadavg"]["after_ratios"] = _loadavg()
    if "sweeps" not in skip:
        from .sweeps import bench_sweeps

        results["sweeps"] = bench_sweeps(large, sla_rows=int(os.environ.get("BENCH_SWEEP_ROWS", "2000")),
                                         unlock_rows=int(os.environ.get("BENCH_UNLOCK_ROWS", "500")))
        results["loadavg"]["after_sweeps"] = _loadavg()
    if "profiles" not in skip:
        from .targets import run_profiles

        results["profiles"] = run_profiles(large, OUT)
        for name, prof in results["profiles"].items():
            print(f"[profile] {name}: {prof['ms_per_call']} ms/call, {prof['queries_per_call']} queries/call, "
                  f"SQL {prof['sql_share']}", flush=True)
    if "sqlite" not in skip:
        # The embedded default in a child process: its own database settings (SQLite), its own server (runserver).
        import subprocess

        child = subprocess.run([sys.executable, "-m", "casework.bench.sqlite_users"], cwd=ROOT, capture_output=True,
                               text=True, check=False)
        try:
            results["sqlite_embedded"] = json.loads(child.stdout.strip().splitlines()[-1])
            res = results["sqlite_embedded"]["mixed@5"]
            print(f"[sqlite] embedded default, mixed @5 users: {res['failures']} failures, p95 {res['p95_ms']} ms, "
                  f"{res['requests_per_second']} req/s", flush=True)
        except (IndexError, ValueError):
            results["sqlite_embedded"] = {"error": (child.stderr or child.stdout)[-1000:]}
            print(f"[sqlite] failed: {results['sqlite_embedded']['error']}", flush=True)
    if "import" not in skip:
        from .imports import bench_import

        # The rate does not depend on the file's size (it is streamed): at most 6 000 rows by default.
        import_rows = int(os.environ.get("BENCH_IMPORT_ROWS", str(min(6000, max(600, large // 50)))))
        results["import"] = bench_import(import_rows)
        first = results["import"]["first_run"]
        print(f"[import] {import_rows} rows: {first['rows_per_second']} rows/s, peak {first['peak_python_memory_mb']} MB "
              f"(second run, unchanged: {results['import']['second_run_unchanged']['rows_per_second']} rows/s)",
              flush=True)
        bulk = results["import"]["bulk"]
        parties = bulk["customers_and_cases"]
        print(f"[import --bulk, {bulk['first_run']['path']} path] the same shape: "
              f"{bulk['first_run']['rows_per_second']} rows/s (unchanged: "
              f"{bulk['second_run_unchanged']['rows_per_second']} rows/s); customers and cases only: "
              f"{parties['rows_per_second']} rows/s = {parties['customers_per_second']} customers/s, 1.5M customers "
              f"~{parties['minutes_for_1_5m_customers']} min, peak {parties['peak_python_memory_mb']} MB", flush=True)
    results["loadavg"]["end"] = _loadavg()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets.rows(results)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = OUT / f"results-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(targets.table(results["targets"]))
    print(f"\n{large} customers, {results['total_seconds']}s in all; load average {results['loadavg']}; "
          f"results in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

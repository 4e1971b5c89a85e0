"""Run with ``make bench`` (or ``python -m casework.bench``).

Environment: BENCH_DATABASE_URL (default: PostgreSQL at postgres://postgres@127.0.0.1:5432/casework_bench, created
if missing; falls back to a SQLite file under var/bench/ when PostgreSQL is unreachable), BENCH_SMALL (default
20000 customers), BENCH_LARGE (default 200000; 1500000 for the national scale), BENCH_REPEAT (default 300), BENCH_IMPORT_ROWS
(default BENCH_LARGE / 50: rows of the generated import file).
Results: var/bench/results-<UTC time>.json with the machine noted, and a summary on stdout.
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


def main() -> int:
    os.environ["DATABASE_URL"] = _database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from . import suites

    small = int(os.environ.get("BENCH_SMALL", "20000"))
    large = int(os.environ.get("BENCH_LARGE", "200000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "300"))
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    results = {"machine": _machine(connection), "scales": {"small": small, "large": large}, "benchmarks": {}}
    for scale_name, n in (("small", small), ("large", large)):
        t0 = time.perf_counter()
        suites.load(n)
        load_s = round(time.perf_counter() - t0, 1)
        print(f"[{scale_name}] {n} customers loaded in {load_s}s", flush=True)
        for name, fn in suites.benchmarks():
            res = timed(fn, repeat)
            results["benchmarks"].setdefault(name, {})[scale_name] = res
            print(f"[{scale_name}] {name}: median {res['median_ms']} ms, p95 {res['p95_ms']} ms", flush=True)
    for name, by_scale in results["benchmarks"].items():
        if "small" in by_scale and "large" in by_scale and by_scale["small"]["median_ms"] > 0:
            by_scale["ratio_large_to_small"] = round(by_scale["large"]["median_ms"] / by_scale["small"]["median_ms"], 2)
    results["data_ratio"] = round(large / small, 2)
    from .imports import bench_import

    import_rows = int(os.environ.get("BENCH_IMPORT_ROWS", str(max(600, large // 50))))
    results["import"] = bench_import(import_rows)
    first = results["import"]["first_run"]
    print(f"[import] {import_rows} rows: {first['rows_per_second']} rows/s, peak {first['peak_python_memory_mb']} MB "
          f"(second run, unchanged: {results['import']['second_run_unchanged']['rows_per_second']} rows/s)", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = OUT / f"results-{stamp}.json"
    path.write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v.get("ratio_large_to_small") for k, v in results["benchmarks"].items()}, indent=2))
    print(f"data grew {results['data_ratio']}x; results in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

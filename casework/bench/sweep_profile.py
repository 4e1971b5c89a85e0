"""The sweep phase of ``make bench`` on its own, with a profile (issue 15): ``python -m casework.bench.sweep_profile``.

Loads (or tops up) the bench book to ``BENCH_LARGE`` customers, then for each sweep: a timed run over a fresh backlog
(``BENCH_SWEEP_ROWS`` / ``BENCH_UNLOCK_ROWS``, as ``sweeps.bench_sweeps``), then a profiled run over a second, smaller
backlog (``BENCH_PROFILE_ROWS``, default 2 000; ``BENCH_PROFILE_UNLOCK_ROWS`` for the unlock
sweep, default the same): cProfile's functions with the most cumulative and own time, and the
SQL queries per chunk of 1 000. Prints one JSON document (and the top lines as text); ``BENCH_DATABASE_URL`` as for
``make bench`` (use your own database on a shared machine). Nothing here is asserted: the tests assert query counts.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _top(prof: cProfile.Profile, key: str, n: int) -> list[str]:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats(key).print_stats(n)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return [line for line in lines[start:] if line.strip()]


def _profiled(fn, *, chunks: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prof = cProfile.Profile()
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        prof.enable()
        result = fn()
        prof.disable()
        sec = time.perf_counter() - t0
    return {
        "seconds_under_profile": round(sec, 2), "result": result, "queries": len(ctx.captured_queries),
        "queries_per_chunk": round(len(ctx.captured_queries) / max(chunks, 1), 1),
        "top_cumulative": _top(prof, "cumulative", 25), "top_own": _top(prof, "tottime", 20),
    }


def main() -> int:
    from . import __main__ as bench

    os.environ["DATABASE_URL"] = bench._database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from casework.core.models import AuditEvent
    from casework.intrays.jobs import sla_breach_job
    from casework.ownership.jobs import auto_unlock_due_report

    from . import suites
    from .sweeps import auto_unlock_backlog, bench_sweeps, sla_backlog

    n = int(os.environ.get("BENCH_LARGE", "20000"))
    sla_rows = int(os.environ.get("BENCH_SWEEP_ROWS", "10000"))
    unlock_rows = int(os.environ.get("BENCH_UNLOCK_ROWS", "1500"))
    prof_rows = int(os.environ.get("BENCH_PROFILE_ROWS", "2000"))
    prof_unlock_rows = int(os.environ.get("BENCH_PROFILE_UNLOCK_ROWS", str(prof_rows)))
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    loaded = suites.load(n)
    out: dict = {"customers": n, "loaded": loaded, "loadavg_start": list(os.getloadavg())}
    out["timed"] = bench_sweeps(n, sla_rows=sla_rows, unlock_rows=unlock_rows, log=lambda s: print(s, flush=True))
    out["loadavg_after_timed"] = list(os.getloadavg())

    made = sla_backlog(n, prof_rows)
    out["sla_profile"] = _profiled(sla_breach_job, chunks=(made + 999) // 1000)
    out["sla_profile"]["backlog"] = made
    locks = auto_unlock_backlog(n, prof_unlock_rows)
    prof = _profiled(auto_unlock_due_report, chunks=(len(locks) + 999) // 1000)
    prof["backlog"] = len(locks)
    prof["audited"] = AuditEvent.objects.filter(action="ownership.auto_unlock", target_type="lock",
                                                target_id__in=[str(i) for i in locks]).count()
    out["unlock_profile"] = prof
    out["loadavg_end"] = list(os.getloadavg())
    for name in ("sla_profile", "unlock_profile"):
        p = out[name]
        print(f"\n== {name}: {p['backlog']} rows, {p['seconds_under_profile']} s under cProfile, {p['queries']} queries "
              f"({p['queries_per_chunk']} per chunk of 1,000)")
        print("\n".join(p["top_cumulative"]))
        print("-- own time")
        print("\n".join(p["top_own"]))
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

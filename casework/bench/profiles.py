"""Where the time goes (issue 15: "the remaining gap explained with a profile"): the operations whose targets are
rates, run a few times under cProfile after the measurements (never during them), with the SQL they issue.

Each profile gives: calls, seconds per call, SQL queries per call and the share of the time spent in SQL (Django's
query capture), and the functions with the most time of their own. The ``.prof`` files are written next to the JSON
(``python -m pstats var/bench/<name>.prof``)."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext


def profile(name: str, fn, calls: int, out_dir: Path) -> dict:
    prof = cProfile.Profile()
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        prof.enable()
        for i in range(calls):
            fn(i)
        prof.disable()
        seconds = time.perf_counter() - t0
    out_dir.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(out_dir / f"{name}.prof"))
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    top = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:8]  # by own time
    sql_s = sum(float(x["time"]) for x in q.captured_queries)
    return {
        "calls": calls,
        "ms_per_call": round(seconds / calls * 1000, 2),
        "queries_per_call": round(len(q.captured_queries) / calls, 1),
        "sql_share": round(sql_s / seconds, 2) if seconds else None,
        "top_own_time": [
            {"function": f"{Path(file).name}:{line}({func})", "own_ms_per_call": round(st[2] / calls * 1000, 3)}
            for (file, line, func), st in top
        ],
    }

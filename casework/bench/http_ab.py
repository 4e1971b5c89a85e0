"""Two or more production servers compared in one run (issue 15): before/after, or one setting against another.

``python -m casework.bench.http_ab`` with ``BENCH_DATABASE_URL`` (a database ``make bench`` loaded) and
``BENCH_AB``: a JSON list of variants, each ``{"name": ..., "root": <a checkout, default this one>, "env": {...}}``
(e.g. ``[{"name": "before", "root": "/work/wt/base"}, {"name": "after"}]``, or ``{"env": {"GUNICORN_THREADS": "4",
"WEB_CONCURRENCY": "2"}}``). Every variant's gunicorn runs at the same time (idle when not measured); each scenario
of ``http.SCENARIOS`` at each concurrency (``BENCH_AB_USERS``, default ``1,5``) is run on every variant back to back,
the order alternating from one scenario to the next and ``BENCH_AB_ROUNDS`` times (default 1), so the machine's load
moves both sides alike. ``BENCH_HTTP_SECONDS`` per run (default 10). Prints one line per run and a table; writes
``var/bench/http_ab-<UTC>.json``. Compare within one run only.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds user + system) of a process, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by a gunicorn master and its workers (each worker's threads included)."""
    total = (_stat(pid) or (0, 0.0))[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st and st[0] == pid:
                total += st[1]
    return total


def database_cpu(dbname: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to the bench database (same machine)."""
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        pids = [r[0] for r in c.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [dbname])]
    return sum((_stat(p) or (0, 0.0))[1] for p in pids)


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/casework_bench"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from .http import SCENARIOS, Officer, Server, collect_static, drive, lock_officers, prepare_officers
    from .loader import CUSTOMERS_PER_OFFICER

    dbname = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_customer")
        n_customers = cursor.fetchone()[0]
    variants = json.loads(os.environ.get("BENCH_AB") or '[{"name": "this"}]')
    users_list = [int(x) for x in os.environ.get("BENCH_AB_USERS", "1,5").split(",")]
    rounds = int(os.environ.get("BENCH_AB_ROUNDS", "1"))
    seconds = float(os.environ.get("BENCH_HTTP_SECONDS", "10"))
    only = {x for x in os.environ.get("BENCH_AB_SCENARIOS", "").split(",") if x}
    numbers = [k for k in lock_officers(max(users_list)) if k * CUSTOMERS_PER_OFFICER < n_customers]
    prepare_officers(numbers)
    collect_static(url)
    connection.close()
    servers = {}
    results: dict = {"customers": n_customers, "variants": variants, "seconds": seconds, "runs": [],
                     "loadavg": {"start": list(os.getloadavg())}}
    try:
        for v in variants:
            servers[v["name"]] = Server(url, root=Path(v.get("root") or ROOT), extra_env=v.get("env"))
        for s in servers.values():
            s.wait_ready()
        # Each variant's officers sign in once (a sign-in hashes the password twice: seconds on a loaded machine);
        # a run with k users takes the first k of them.
        signed_in = {}
        for vname, server in servers.items():
            signed_in[vname] = [Officer(server.base, numbers[u % len(numbers)], n_customers, max(users_list), u)
                                for u in range(max(users_list))]
            for o in signed_in[vname]:
                o.sign_in()
        flip = False
        for rnd in range(rounds):
            for name, mix in SCENARIOS:
                if only and name not in only:
                    continue
                for users in users_list:
                    order = list(servers.items())
                    if flip:
                        order.reverse()
                    flip = not flip
                    for vname, server in order:
                        officers = signed_in[vname][:users]
                        cpu0 = server_cpu(server.proc.pid), database_cpu(dbname)
                        res = drive(officers, mix, seconds)
                        cpu1 = server_cpu(server.proc.pid), database_cpu(dbname)
                        # CPU per request, for sizing: the run's CPU (2 s warm-up included) scaled to the measured
                        # window, over the requests answered in it.
                        done = max(1, res["requests"]) * (seconds + 2.0) / seconds
                        res["app_cpu_ms_per_request"] = round((cpu1[0] - cpu0[0]) * 1000 / done, 1)
                        res["db_cpu_ms_per_request"] = round((cpu1[1] - cpu0[1]) * 1000 / done, 1)
                        res.update({"variant": vname, "scenario": name, "round": rnd, "loadavg": list(os.getloadavg())})
                        results["runs"].append(res)
                        print(f"[ab] {vname:>10} {name} @{users}: p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, "
                              f"{res['requests_per_second']} req/s, {res['failures']} failures, CPU/request "
                              f"app {res['app_cpu_ms_per_request']} ms db {res['db_cpu_ms_per_request']} ms "
                              f"(load {res['loadavg'][0]:.1f})", flush=True)
    finally:
        for s in servers.values():
            s.stop()
    results["loadavg"]["end"] = list(os.getloadavg())
    out = ROOT / "var" / "bench" / f"http_ab-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\n| scenario | users | " + " | ".join(f"{v['name']} p50 / p95 ms, req/s" for v in variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    for rnd in range(rounds):
        for name, _mix in SCENARIOS:
            for users in users_list:
                cells = []
                for v in variants:
                    r = next((x for x in results["runs"] if x["variant"] == v["name"] and x["scenario"] == name
                              and x["users"] == users and x["round"] == rnd), None)
                    cells.append(f"{r['p50_ms']} / {r['p95_ms']}, {r['requests_per_second']}" if r else "-")
                print(f"| {name} | {users} | " + " | ".join(cells) + " |")
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The app against raw SQL in the same run (issue 15): the call-routing lookup and the lock + unlock cycle, each
timed as the app's own calls in this process and as the equivalent SQL transactions under ``pgbench`` (started from
this process, against the same database, one client each, prepared statements). The ratio is app / pgbench.

The pgbench scripts are the minimum the database must do for the same result:

* routing: the customer joined to its call-routing row (``ownership_customerroute``: the active lock's area, position
  and officer and the next scheduled automatic unlock, issue 15), the query ``route_call`` runs, keyed by the
  customer's id (pgbench cannot compute a CSID's check digit; both are unique index lookups);
* lock + unlock: two transactions, as ``customer_lock`` and ``customer_unlock`` make them: the customer row locked
  (``FOR UPDATE``), the active lock read, the lock inserted and audited; then the customer row locked, the lock ended
  and the unlock audited. Customers are the loader's lock-and-unlock pool (those with an income record).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from .loader import csid

ROUTING_SQL = """\\set k random(1, {pool})
SELECT c.id, r.lock_id, r.area_code, r.area_name, r.position_code, r.officer_username, r.auto_unlock_due_at
FROM customers_customer c
LEFT JOIN ownership_customerroute r ON r.customer_id = c.id
WHERE c.id = :k + {first_id} - 1;
"""

LOCK_UNLOCK_SQL = """\\set k random({lo}, {hi})
SELECT customer_id AS cid FROM customers_incomerecord WHERE id >= :k ORDER BY id LIMIT 1 \\gset
BEGIN;
SELECT id FROM customers_customer WHERE id = :cid FOR UPDATE;
SELECT id FROM ownership_lock WHERE customer_id = :cid AND is_active;
INSERT INTO ownership_lock (customer_id, area_id, position_id, officer_id, kind, reason, step_ids, is_active,
  started_at, started_by_id, ended_by_label, end_kind, end_reason, end_step_ids)
  VALUES (:cid, {area}, {position}, {officer}, 'lock', 'pgbench', '["CMA-2.10"]', true, now(), {user}, '', '', '', '[]')
  ON CONFLICT (customer_id) WHERE is_active DO NOTHING;
INSERT INTO core_auditevent (occurred_at, actor_id, actor_label, action, target_type, target_id, target_repr,
  customer_id, after, reason, step_ids, request_id)
  VALUES (now(), {user}, 'pgbench', 'ownership.lock', 'lock', '0', '', :cid, '{{}}', 'pgbench', '[]', '');
COMMIT;
BEGIN;
SELECT id FROM customers_customer WHERE id = :cid FOR UPDATE;
UPDATE ownership_lock SET is_active = false, ended_at = now(), ended_by_id = {user}, end_kind = 'unlocked',
  end_reason = 'pgbench' WHERE customer_id = :cid AND is_active;
INSERT INTO core_auditevent (occurred_at, actor_id, actor_label, action, target_type, target_id, target_repr,
  customer_id, before, reason, step_ids, request_id)
  VALUES (now(), {user}, 'pgbench', 'ownership.unlock', 'lock', '0', '', :cid, '{{}}', 'pgbench', '[]', '');
COMMIT;
"""


def pgbench(database_url: str, script: str, seconds: float, clients: int = 1) -> dict:
    """Run a pgbench custom script; returns transactions (script runs) per second."""
    exe = shutil.which("pgbench")
    if exe is None:
        return {"error": "pgbench not found (scripts/install-system-deps.sh installs postgresql-client)"}
    url = urlparse(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "script.sql"
        path.write_text(script)
        cmd = [exe, "-n", "-M", "prepared", "-c", str(clients), "-j", str(clients), "-T", str(int(seconds)),
               "-f", str(path), "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
               "-U", url.username or "postgres", url.path.lstrip("/")]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    lat = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    if out.returncode != 0 or not m:
        return {"error": (out.stderr or out.stdout)[-500:]}
    return {"per_second": round(float(m.group(1)), 1), "latency_ms": float(lat.group(1)) if lat else None,
            "failed": int(failed.group(1)) if failed else 0, "clients": clients}


def _rate(fn, seconds: float) -> dict:
    """Calls per second of ``fn`` for ``seconds``, with this process's CPU time per call (less sensitive than the
    rate to what else runs on a shared machine: the wall time includes waiting for a core)."""
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    end = t0 + seconds
    while time.perf_counter() < end:
        fn(n)
        n += 1
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"per_second": round(n / elapsed, 1), "calls": n, "latency_ms": round(elapsed / n * 1000, 3),
            "cpu_ms": round(cpu / n * 1000, 3)}


def bench_ratios(database_url: str, n_customers: int, *, seconds: float, log=print) -> dict:
    """Routing and lock + unlock: the app's calls in this process, then pgbench, then the ratio."""
    from django.db.models import Max, Min

    from casework.customers.models import Customer, IncomeRecord
    from casework.customers.services import customer_data_read
    from casework.ownership import services
    from casework.ownership.selectors import route_call

    from .http import lock_officers
    from .suites import officer_user

    import random

    out: dict = {}
    rng = random.Random(15)
    routing_app = _rate(lambda i: route_call(csid=csid(rng.randrange(n_customers))), seconds)
    span = Customer.objects.filter(csid__gte=csid(0), csid__lt=csid(n_customers)).aggregate(lo=Min("id"), hi=Max("id"))
    routing_sql = pgbench(database_url, ROUTING_SQL.format(pool=span["hi"] - span["lo"] + 1, first_id=span["lo"]),
                          seconds)
    out["routing"] = {"app": routing_app, "pgbench": routing_sql}
    # What the API adds per call (``GET /api/v1/routing/<csid>/``): the read audited (issue 13, one ``customer.read``
    # event in its own transaction; its hash-chain link by the scheduled seal since issue 15). Kept: every read of a
    # customer is audited.
    reader = officer_user(lock_officers(1)[0])

    def audited(i: int) -> None:
        route = route_call(csid=csid(rng.randrange(n_customers)))
        customer_data_read(actor=reader, customer=route.customer_id, what="routing")

    out["routing_audited"] = {"app": _rate(audited, seconds), "pgbench": {}}

    # Lock + unlock: the app cycles through the pool in [n/2, 3n/4); pgbench through the income rows of [3n/4, n)'s
    # neighbourhood (income ids follow the load order); the sweeps use their own backlog.
    user = officer_user(lock_officers(1)[0])
    officer = user.officer
    start = n_customers // 2 + (1 - n_customers // 2) % 3  # first i % 3 == 1 at or after n/2
    pool = list(range(start, (3 * n_customers) // 4, 3))
    customers = {}

    def cycle(k: int) -> None:
        i = pool[k % len(pool)]
        customer = customers.get(i) or Customer.objects.get(csid=csid(i))
        customers[i] = customer
        services.customer_lock(actor=user, customer=customer, reason="bench")
        services.customer_unlock(actor=user, customer=customer, reason="bench", decision_explained=True,
                                 contact_attempted=True)

    lock_app = _rate(cycle, seconds)
    incomes = IncomeRecord.objects.filter(customer__csid__gte=csid((3 * n_customers) // 4),
                                          customer__csid__lt=csid(n_customers)).aggregate(lo=Min("id"), hi=Max("id"))
    lock_sql = pgbench(database_url, LOCK_UNLOCK_SQL.format(
        lo=incomes["lo"], hi=incomes["hi"], area=officer.position.business_area_id, position=officer.position_id,
        officer=officer.pk, user=user.pk), seconds)
    out["lock_unlock"] = {"app": lock_app, "pgbench": lock_sql}
    for name, r in out.items():
        if "per_second" in r["pgbench"]:
            r["ratio_app_to_sql"] = round(r["app"]["per_second"] / r["pgbench"]["per_second"], 3)
        log(f"[ratio] {name}: app {r['app']['per_second']}/s, pgbench {r['pgbench'].get('per_second')}/s, "
            f"ratio {r.get('ratio_app_to_sql')}, app CPU {r['app']['cpu_ms']} ms/call"
            + (f" ({r['pgbench']['error']})" if "error" in r["pgbench"] else ""))
    return out

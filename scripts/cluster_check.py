"""`make cluster-check`: the scale-out topology on one machine, and three proofs.

Starts a PostgreSQL streaming replica of the local primary (pg_basebackup into a second cluster on another port),
two gunicorn app servers and two django-q2 job workers on the Redis broker, all against one primary database, then
proves:
  1. a lock race across both app servers has exactly one winner (the others get 409);
  2. a scheduled job runs once per period although two workers poll the schedule;
  3. a report read from the replica (PS export under reporting_reads) matches the primary after catch-up.
Everything it starts is stopped and removed at the end. Needs root (to run the replica as the postgres user).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PRIMARY = os.environ.get("CLUSTER_PRIMARY", "postgres://postgres@127.0.0.1:5432")
REPLICA_PORT = int(os.environ.get("CLUSTER_REPLICA_PORT", "5441"))
REPLICA_DIR = Path(os.environ.get("CLUSTER_REPLICA_DIR", "/tmp/casework-cluster-replica"))
DB = os.environ.get("CLUSTER_DB", "casework_cluster")
REDIS = os.environ.get("CLUSTER_REDIS", "redis://127.0.0.1:6379/7")
PORTS = (8211, 8212)
PASSWORD = "casework-demo"

started: list[subprocess.Popen] = []


def say(msg: str) -> None:
    print(f"[cluster-check] {msg}", flush=True)


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        DATABASE_URL=f"{PRIMARY}/{DB}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
        Q_REDIS_URL=REDIS,
        SECRET_KEY="cluster-check-" + "x" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        LOG_LEVEL="ERROR",
        Q_WORKERS="1",
    )
    e.update(extra)
    return e


def run(*cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def as_postgres(*cmd: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, cwd="/tmp")


def sql(url: str, query: str):
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cur = conn.execute(query)
        return cur.fetchall() if cur.description else None


def allow_local_replication() -> None:
    """The local primary trusts 127.0.0.1 for databases; a replication connection needs its own pg_hba line."""
    hba = Path(sql(f"{PRIMARY}/postgres", "SHOW hba_file")[0][0])
    line = "host replication all 127.0.0.1/32 trust"
    if line not in hba.read_text():
        with hba.open("a") as fh:
            fh.write(f"\n# make cluster-check: streaming replica on this machine\n{line}\n")
        sql(f"{PRIMARY}/postgres", "SELECT pg_reload_conf()")
        say(f"added '{line}' to {hba}")


def start_replica() -> None:
    stop_replica()
    REPLICA_DIR.parent.mkdir(parents=True, exist_ok=True)
    as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
                "-D", str(REPLICA_DIR), "-R", "-X", "stream", "-c", "fast")
    # Debian keeps the primary's configuration outside its data directory: the replica gets its own, minimal one.
    for name, text in {
        "postgresql.conf": f"port = {REPLICA_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '/tmp'\n"
                           "hot_standby = on\n",
        "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        "pg_ident.conf": "",
    }.items():
        (REPLICA_DIR / name).write_text(text)
        shutil.chown(REPLICA_DIR / name, "postgres", "postgres")
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(REPLICA_DIR), "-l", str(REPLICA_DIR / "replica.log"), "-w", "start")
    recovering = sql(f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/postgres", "SELECT pg_is_in_recovery()")[0][0]
    assert recovering, "the replica is not in recovery (not a standby)"
    say(f"streaming replica on port {REPLICA_PORT} (pg_is_in_recovery = true)")


def stop_replica() -> None:
    if (REPLICA_DIR / "postmaster.pid").exists():
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(REPLICA_DIR), "-m",
                        "fast", "-w", "stop"], cwd="/tmp", check=False)
    shutil.rmtree(REPLICA_DIR, ignore_errors=True)


def prepare_database() -> None:
    sql(f"{PRIMARY}/postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    sql(f"{PRIMARY}/postgres", f'CREATE DATABASE "{DB}"')
    e = env(DATABASE_REPLICA_URL="")
    run(PY, "manage.py", "migrate", "--noinput", "-v", "0", env=e)
    run(PY, "manage.py", "load_reference", env=e, stdout=subprocess.DEVNULL)
    run(PY, "manage.py", "seed_demo", "--force", env=e, stdout=subprocess.DEVNULL)
    say(f"database {DB}: migrated, reference and demo data loaded")


def start_cluster() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    e = env()
    for port in PORTS:
        started.append(subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT, env={**e, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "GUNICORN_ACCESS_LOG": ""},
            start_new_session=True))
    for n in range(2):
        started.append(subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT, env=e, start_new_session=True,
                                        stdout=subprocess.DEVNULL))
    for port in PORTS:
        deadline = time.time() + 120
        while True:
            try:
                status, body = http("GET", port, "/api/v1/ready/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit(f"app server on {port} never became ready")
            time.sleep(1)
    say(f"two app servers ready on {PORTS} (readiness checks database, migrations, reference data, Redis broker); "
        "two job workers on the Redis broker")


def stop_cluster() -> None:
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in started:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def http(method: str, port: int, path: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def token_for(username: str, port: int) -> str:
    status, body = http("POST", port, "/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    assert status == 200, (username, status, body[:200])
    return json.loads(body)["token"]


def django_setup() -> None:
    os.environ.update(env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def lock_race() -> None:
    from casework.customers.models import Customer
    from casework.ownership.models import Lock

    locked = Lock.objects.filter(ended_at__isnull=True).values("customer_id")
    customer = Customer.objects.exclude(pk__in=locked).order_by("pk").first()
    officers = ["so_nsw", "so_wa", "so_collect", "tl_nsw", "tl_wa", "ps_cm"]
    tokens = [token_for(name, PORTS[i % 2]) for i, name in enumerate(officers)]
    # Every officer tries twice, once on each app server, all at the same moment.
    attempts = [(PORTS[(i + k) % 2], tokens[i], officers[i]) for i in range(len(officers)) for k in range(2)]
    path = f"/api/v1/customers/{customer.csid}/ownership/lock/"
    body = {"reason": "cluster-check lock race: collection information received (CMA-2.10)"}
    with concurrent.futures.ThreadPoolExecutor(len(attempts)) as pool:
        results = list(pool.map(lambda a: http("POST", a[0], path, body, a[1]), attempts))
    for (port, _, who), (status, text) in zip(attempts, results):
        if status not in (201, 409):
            say(f"  {who} on {port}: {status} {text[:160]!r}")
    statuses = sorted(status for status, _ in results)
    winners = {a[2] for a, (status, _) in zip(attempts, results) if status == 201}
    active = Lock.objects.filter(customer=customer, ended_at__isnull=True).count()
    say(f"lock race on {customer.csid}: {len(attempts)} requests by {len(officers)} officers over 2 servers -> "
        f"statuses {statuses}; winners {sorted(winners)}; active locks {active}")
    assert len(winners) == 1 and active == 1, "a lock race must have exactly one winner"
    assert all(s in (201, 403, 409) for s in statuses), "losers get a refusal, never a server error"


def scheduled_once_per_period(wait_seconds: int) -> None:
    import redis
    from django_q.models import Schedule

    from casework.core import clock

    Schedule.objects.filter(name="cluster-check-probe").delete()
    Schedule.objects.create(name="cluster-check-probe", func="casework.core.cluster_probe.tick",
                            schedule_type=Schedule.MINUTES, minutes=1, repeats=-1, next_run=clock.now())
    client = redis.Redis.from_url(REDIS)
    deadline = time.time() + wait_seconds
    periods: dict[str, int] = {}
    while time.time() < deadline:
        time.sleep(5)
        keys = client.keys("casework:cluster-check:runs:*")
        periods = {k.decode().rsplit(":", 1)[1]: int(client.get(k)) for k in keys}
        if len(periods) >= 2:
            break
    who = [w.decode() for w in client.lrange("casework:cluster-check:who", 0, -1)]
    Schedule.objects.filter(name="cluster-check-probe").delete()
    say(f"scheduled probe (every minute, two workers): runs per period {dict(sorted(periods.items()))}; by {who}")
    assert len(periods) >= 2, "the scheduled job did not run in two periods"
    assert all(count == 1 for count in periods.values()), "a scheduled job ran more than once in a period"


def replica_report() -> None:
    from django.db import connections

    from casework.core.db_router import reporting_reads
    from casework.org.models import Officer
    from casework.ownership.models import Lock
    from casework.ps import selectors
    from casework.ps.api import export_csv_response

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.time() + 60
    with connections["replica"].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            recovering, caught_up = cursor.fetchone()
            if caught_up or time.time() > deadline:
                break
            time.sleep(0.5)
    assert recovering and caught_up, "the replica did not catch up"
    primary_locks = Lock.objects.using("default").filter(ended_at__isnull=True).count()
    with reporting_reads() as alias:
        replica_locks = Lock.objects.filter(ended_at__isnull=True).count()
    ps_tl = Officer.objects.select_related("user").get(user__username="ps_tl")
    replica_lines = len(export_csv_response(ps_tl.user).content.splitlines())  # read under reporting_reads()
    primary_rows = len(list(selectors.export_rows(user=ps_tl.user)))  # outside it: the primary
    say(f"report from '{alias}': {replica_locks} active locks (primary {primary_locks}); PS export "
        f"{replica_lines} lines from the replica, {primary_rows} rows on the primary")
    assert alias == "replica" and replica_locks == primary_locks
    assert replica_lines == primary_rows


def main() -> int:
    t0 = time.time()
    if os.geteuid() != 0:
        say("needs root (runs the replica as the postgres user)")
        return 1
    try:
        allow_local_replication()
        prepare_database()
        start_replica()
        start_cluster()
        django_setup()
        lock_race()
        replica_report()
        scheduled_once_per_period(int(os.environ.get("CLUSTER_WAIT_SECONDS", "200")))
    finally:
        stop_cluster()
        stop_replica()
        try:
            sql(f"{PRIMARY}/postgres", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - best effort clean-up
            say(f"could not drop {DB}: {exc}")
    say(f"passed in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What officers feel: whole pages over HTTP under the production server (issue 15).

``serve(...)`` starts gunicorn as ``make serve-prod`` does (``config/gunicorn.conf.py``, production settings,
whitenoise, connection pool) on a free port against the bench database; ``Officer`` signs in through the login page
(session cookie, for pages) and ``POST /api/v1/auth/token/`` (token, for the API calls); ``drive(...)`` is a bounded
closed-loop client: ``users`` threads, each one officer with its own connection, issuing the next request as soon as
the last one answered (no think time) for ``seconds``. Latencies are whole requests as the client sees them.

Operations: ``page`` (customer page), ``worklist`` (``/work/``), ``search`` (the name search partial, a prefix of a
common surname), ``routing`` (``GET /api/v1/routing/<csid>/``), ``lock_unlock`` (lock then unlock through the API:
two requests, one cycle). ``MIX`` is the issue's officer mix.
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .env import _env  # noqa: F401 (used below; also imported from here)
from .loader import CUSTOMERS_PER_OFFICER, N_POSITIONS, csid, family_name

ROOT = Path(__file__).resolve().parents[2]
MIX = {"page": 30, "routing": 25, "worklist": 20, "search": 15, "lock_unlock": 10}
PASSWORD = "bench-Officer-pass-1"  # bench officers only, set by prepare_officers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collect_static(database_url: str) -> None:
    """Hashed static files (whitenoise's manifest), collected once as serve-prod does."""
    if (ROOT / "var" / "static" / "staticfiles.json").exists():
        return
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                   env=_env(database_url, 0))


class Server:
    """gunicorn under the production settings, as ``scripts/serve-prod.sh`` starts it (without the job worker; gthread
    workers, one per core, 4 threads each, unless ``WEB_CONCURRENCY``/``GUNICORN_THREADS`` say otherwise); or,
    ``embedded``, runserver on SQLite as ``make run`` does."""

    def __init__(self, database_url: str, *, workers: int | None = None, embedded: bool = False,
                 root: Path = ROOT, extra_env: dict | None = None):
        """``root``: the checkout to serve (another worktree, to compare two versions in one run); ``extra_env``:
        settings for this server only (e.g. ``GUNICORN_THREADS``)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        if embedded:
            # The embedded default (`make run`, scripts/serve.sh): runserver, DEBUG on, SQLite.
            env = dict(os.environ, DATABASE_URL=database_url, DEBUG="true", PYTHONPATH=str(ROOT),
                       DJANGO_SETTINGS_MODULE="config.settings")
            cmd = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
            self.workers, self.threads = 1, 1
        else:
            env = _env(database_url, self.port, root)
            env.update(extra_env or {})
            if workers:
                env["WEB_CONCURRENCY"] = str(workers)
            # As config/gunicorn.conf.py reads them.
            self.workers = int(env.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)))
            self.threads = int(env.get("GUNICORN_THREADS", "4"))
            cmd = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        self.log = open(ROOT / "var" / "bench" / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see var/bench/server.log")
            try:
                if requests.get(self.base + "/api/v1/health/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /api/v1/health/ in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def lock_officers(k: int) -> list[int]:
    """Bench officer numbers whose position is in SERVICES (the front line, which may lock an unowned customer):
    positions cycle DPO, ICS, SERVICES over the sorted area codes, so positions 2, 5 and 8."""
    out, j = [], 0
    while len(out) < k:
        if j % N_POSITIONS in (2, 5, 8):
            out.append(j)
        j += 1
    return out


def prepare_officers(numbers: list[int]) -> None:
    """Give these bench officers a password (bench data only) so they can sign in like anyone else."""
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(username__in=[f"bench-officer-{k}" for k in numbers]):
        if not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])


@dataclass
class Officer:
    base: str
    number: int
    n_customers: int
    users: int
    slot: int
    session: object = None
    token: str = ""
    rng: random.Random = field(default_factory=random.Random)
    cycle: int = 0

    def sign_in(self) -> None:
        import requests

        self.session = requests.Session()
        username = f"bench-officer-{self.number}"
        page = self.session.get(self.base + "/login/", timeout=10)
        page.raise_for_status()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        r = self.session.post(self.base + "/login/", data={
            "username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else "",
        }, headers={"Referer": self.base + "/login/"}, timeout=10, allow_redirects=False)
        if r.status_code != 302:
            raise RuntimeError(f"sign-in of {username} failed: HTTP {r.status_code}")
        r = requests.post(self.base + "/api/v1/auth/token/", json={"username": username, "password": PASSWORD},
                          timeout=10)
        r.raise_for_status()
        self.token = r.json()["token"]
        self.rng = random.Random(self.number)

    def _customer(self) -> str:
        return csid(self.rng.randrange(self.n_customers))

    def _api(self) -> dict:
        return {"Authorization": f"Token {self.token}"}

    def op(self, name: str) -> list[int]:
        """Run one operation; returns the HTTP status of each request it made."""
        s = self.session
        if name == "page":
            return [s.get(f"{self.base}/customers/{self._customer()}/", timeout=30).status_code]
        if name == "worklist":
            return [s.get(f"{self.base}/work/", timeout=30).status_code]
        if name == "search":
            surname = family_name(self.rng.randrange(self.n_customers))
            prefix = surname[: self.rng.randint(3, len(surname))]
            return [s.get(f"{self.base}/customers/search/", params={"q": prefix}, timeout=30).status_code]
        if name == "routing":
            return [s.get(f"{self.base}/api/v1/routing/{self._customer()}/", headers=self._api(), timeout=30)
                    .status_code]
        if name == "lock_unlock":
            # The loader's lock-and-unlock pool (i % 3 == 1) in the lower half of the book (the sweeps use the upper
            # half), one customer per cycle, shared with no other user of this run.
            i = 3 * (self.slot + self.users * (self.cycle % max(1, self.n_customers // (6 * self.users)))) + 1
            self.cycle += 1
            url = f"{self.base}/api/v1/customers/{csid(i)}/ownership/"
            a = s.post(url + "lock/", json={"reason": "bench"}, headers=self._api(), timeout=30).status_code
            b = s.post(url + "unlock/", json={"reason": "bench", "decision_explained": True,
                                              "contact_attempted": True}, headers=self._api(), timeout=30).status_code
            return [a, b]
        raise ValueError(name)


def _pct(samples: list[float], p: float) -> float:
    if not samples:
        return 0.0
    return round(samples[min(len(samples) - 1, int(len(samples) * p))] * 1000, 1)


def drive(officers: list[Officer], mix: dict[str, int], seconds: float, warmup: float = 2.0) -> dict:
    """Every officer in its own thread, closed loop, for ``seconds`` after ``warmup``. Returns p50/p95 per
    operation and overall, requests per second and failures (any status >= 400, or an exception)."""
    names, weights = list(mix), list(mix.values())
    samples: dict[str, list[float]] = {n: [] for n in names}
    counts = {"requests": 0, "failures": 0}
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic()
    t_measure, t_end = start + warmup, start + warmup + seconds

    def run(officer: Officer) -> None:
        rng = random.Random(officer.number * 7919)
        while True:
            t0 = time.monotonic()
            if t0 >= t_end:
                return
            name = rng.choices(names, weights)[0]
            try:
                statuses = officer.op(name)
                failed = [st for st in statuses if st >= 400]
            except Exception as exc:  # noqa: BLE001 - a failure to count, not to stop the run
                statuses, failed = [0], [repr(exc)]
            t1 = time.monotonic()
            if t0 >= t_measure:
                with lock:
                    samples[name].append(t1 - t0)
                    counts["requests"] += len(statuses)
                    if failed:
                        counts["failures"] += 1
                        if len(errors) < 5:
                            errors.append(f"{name}: {failed}")

    threads = [threading.Thread(target=run, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_samples = sorted(x for v in samples.values() for x in v)
    out = {
        "users": len(officers), "seconds": seconds, "requests": counts["requests"], "failures": counts["failures"],
        "requests_per_second": round(counts["requests"] / seconds, 1),
        "operations_per_second": round(len(all_samples) / seconds, 1),
        "p50_ms": _pct(all_samples, 0.50), "p95_ms": _pct(all_samples, 0.95),
        "by_operation": {},
    }
    for name, v in samples.items():
        v.sort()
        out["by_operation"][name] = {"n": len(v), "p50_ms": _pct(v, 0.50), "p95_ms": _pct(v, 0.95)}
    if errors:
        out["errors"] = errors
    return out


SCENARIOS = [
    ("worklist", {"worklist": 1}),
    ("customer_page", {"page": 1}),
    ("mixed", MIX),
]


def bench_http(database_url: str, n_customers: int, *, seconds: float, concurrency=(1, 5), log=print) -> dict:
    """Start the production server, sign the officers in, run every scenario at each concurrency."""
    numbers = lock_officers(max(concurrency))
    # Every officer's worklist is a real one: lock_officers are officers of customers below n_customers.
    numbers = [k for k in numbers if k * CUSTOMERS_PER_OFFICER < n_customers] or numbers[:1]
    prepare_officers(numbers)
    collect_static(database_url)
    server = Server(database_url)
    results: dict = {"server": {"workers": server.workers, "threads": server.threads,
                                "worker_class": "gthread" if server.threads > 1 else "sync"}, "scenarios": {}}
    try:
        server.wait_ready()
        for name, mix in SCENARIOS:
            for users in concurrency:
                officers = [Officer(server.base, numbers[u % len(numbers)], n_customers, users, u)
                            for u in range(users)]
                for o in officers:
                    o.sign_in()
                res = drive(officers, mix, seconds)
                results["scenarios"][f"{name}@{users}"] = res
                log(f"[http] {name} @{users} users: p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, "
                    f"{res['requests_per_second']} req/s, {res['failures']} failures")
    finally:
        server.stop()
    return results


def page_queries(n_customers: int) -> dict:
    """SQL queries per page for one bench officer (Django's test client in this process, the same views)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    number = lock_officers(1)[0]
    user = get_user_model().objects.get(username=f"bench-officer-{number}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pages = {
        # Customer i is locked to its officer when i % 3 == 0 and i is odd (loader.py): +5 for officer 2's range.
        "customer_page": f"/customers/{csid(number * CUSTOMERS_PER_OFFICER + 5)}/",
        "customer_page_unlocked": f"/customers/{csid(number * CUSTOMERS_PER_OFFICER + 1)}/",
        "worklist": "/work/",
        "home": "/",
        "search": "/customers/search/?q=smith0",
    }
    out = {}
    for name, url in pages.items():
        client.get(url)  # warm (first-request caches)
        with CaptureQueriesContext(connection) as q:
            status = client.get(url).status_code
        out[name] = {"queries": len(q.captured_queries), "status": status}
    return out

"""The fixed cost of a request (issue 15): one whole request under the production settings, in this process.

``python -m casework.bench.request_cost`` (``BENCH_DATABASE_URL``: a bench database loaded by ``make bench``; the
production settings as ``http._env`` sets them for gunicorn) builds Django's WSGI handler with the production
middleware stack (security, CSP, whitenoise, request ids, sessions, common, CSRF, auth, messages, clickjacking, htmx,
officer time zone, axes), then sends it whole WSGI requests (``RequestFactory`` environs, the browser's cookies or
the API token) for:

* ``null`` - an authenticated request to a view that returns a few bytes: the middleware stack alone;
* ``shell`` - the page shell (``web/base.html`` with every context processor: navigation, unread count, officer);
* ``home`` (``/``), ``worklist`` (``/work/``), ``routing`` (``GET /api/v1/routing/<csid>/``, token) and ``health``
  (``/api/v1/health/``, anonymous).

For each: ms per request (median and p95 of ``BENCH_REQUESTS`` requests after a warm-up, no profiler), queries per
request and their time, the time each middleware spends itself (timing shims between the middlewares, the view and
template rendering being the innermost part), and, under cProfile, the own time by package. Prints one table per
target and writes ``var/bench/request_cost-<UTC>.json``. Figures are comparable within one run only.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench"

# --- timing shims between the middlewares ------------------------------------------------------------------------
_marks: list[tuple[str, float]] = []
_stage = ["outside"]


def _shim(index: int):
    class Shim:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            _marks.append((f"in:{index}", time.perf_counter()))
            _stage[0] = f"mw{index}" if index < len(_NAMES) else "view"
            try:
                return self.get_response(request)
            finally:
                _marks.append((f"out:{index}", time.perf_counter()))
                _stage[0] = f"mw{index - 1}" if index > 0 else "outside"

    Shim.__name__ = f"Shim{index}"
    return Shim


_NAMES: list[str] = []


def _exclusive_times() -> dict[str, float]:
    """Time of each middleware (request and response halves) and of the view, from one request's marks."""
    t = dict(_marks)
    out = {}
    n = len(_NAMES)
    for i, name in enumerate(_NAMES):
        out[name] = (t[f"in:{i + 1}"] - t[f"in:{i}"]) + (t[f"out:{i}"] - t[f"out:{i + 1}"])
    out["view + template"] = t[f"out:{n}"] - t[f"in:{n}"]
    return out


def _null_view(request):
    from django.http import HttpResponse

    return HttpResponse(b"ok", content_type="text/plain")


def _shell_view(request):
    from django.shortcuts import render

    return render(request, "web/base.html", {})


# --- a tiny browser: cookies kept between requests ------------------------------------------------------------------
class Browser:
    def __init__(self, handler, *, token: str = "", cookies: dict | None = None):
        from django.test import RequestFactory

        self.handler = handler
        self.rf = RequestFactory(HTTP_HOST="127.0.0.1")
        self.cookies = dict(cookies or {})
        self.token = token

    def get(self, path: str) -> tuple[int, bytes, dict]:
        headers = {}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        environ = self.rf.get(path, headers=headers).environ
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status_headers = {}

        def start_response(status, headers, exc_info=None):
            status_headers["status"] = int(status.split()[0])
            status_headers["headers"] = headers

        body = b"".join(self.handler(environ, start_response))
        for key, value in status_headers["headers"]:
            if key.lower() == "set-cookie":
                c = SimpleCookie()
                c.load(value)
                for morsel in c.values():
                    if morsel.value:
                        self.cookies[morsel.key] = morsel.value
                    else:
                        self.cookies.pop(morsel.key, None)
        return status_headers["status"], body, dict(status_headers["headers"])


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        rest = filename.split("site-packages/", 1)[1]
        parts = rest.split("/")
        if parts[0] == "django" and len(parts) > 2:
            return "django." + (parts[1] if parts[1] != "contrib" else "contrib." + parts[2])
        return parts[0]
    if "/casework/" in filename:
        parts = filename.split("/casework/", 1)[1].split("/")
        return "casework." + parts[0]
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "stdlib"


def _profile(fn, n: int) -> dict:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        by_package[_package(filename)] += tt
    total = sum(by_package.values())
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:12]
    functions = sorted(
        ((f"{Path(f).name}:{line}({name})", ct / n * 1000) for (f, line, name), (_cc, _nc, _tt, ct, _c)
         in stats.stats.items()), key=lambda kv: -kv[1])
    wanted = ("render", "get_user", "load(", "has_perm", "nav_items", "process_response", "csp", "build_policy",
              "getconn", "putconn", "_get_session", "execute(", "get_token", "authenticate", "unread")
    picked = [(k, round(v, 2)) for k, v in functions if any(w in k for w in wanted)][:25]
    return {"ms_per_request_under_profile": round(total / n * 1000, 2),
            "own_time_by_package_ms": {k: round(v / n * 1000, 2) for k, v in top},
            "cumulative_ms_selected": dict(picked)}


def measure(browser: Browser, path: str, *, n: int, warm: int = 20) -> dict:
    from django.db import connection

    for _ in range(warm):
        status, _body, _h = browser.get(path)
    times, per_mw = [], defaultdict(list)
    sql = {"n": 0, "ms": 0.0, "by_stage": defaultdict(int)}

    def wrapper(execute, sql_, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql_, params, many, context)
        finally:
            sql["n"] += 1
            sql["ms"] += (time.perf_counter() - t0) * 1000
            sql["by_stage"][_stage[0]] += 1

    queries_seen: list[str] = []

    def record(execute, sql_, params, many, context):
        queries_seen.append(f"[{_stage[0]}] {sql_[:160]}")
        return execute(sql_, params, many, context)

    with connection.execute_wrapper(record):
        browser.get(path)
    cpu = []
    for _ in range(n):
        _marks.clear()
        with connection.execute_wrapper(wrapper):
            t0, c0 = time.perf_counter(), time.process_time()
            status, _body, _h = browser.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        for k, v in _exclusive_times().items():
            per_mw[k].append(v * 1000)
    times.sort()
    stage_names = {f"mw{i}": name for i, name in enumerate(_NAMES)} | {"view": "view + template"}
    return {
        "path": path, "status": status, "requests": n,
        "p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(n * 0.95) - 1], 2),
        # CPU of this process (the app's share, the database's is not in it): steadier than wall time on a busy
        # machine.
        "app_cpu_ms_median": round(statistics.median(cpu), 2), "app_cpu_ms_mean": round(statistics.fmean(cpu), 2),
        "queries_per_request": round(sql["n"] / n, 2), "sql_ms_per_request": round(sql["ms"] / n, 2),
        "queries_by_stage": {stage_names.get(k, k): round(v / n, 2) for k, v in sql["by_stage"].items()},
        "queries": queries_seen,
        "median_ms_by_part": {k: round(statistics.median(v), 3) for k, v in per_mw.items()},
        "profile": _profile(lambda: browser.get(path), max(20, n // 2)),
    }


def _setup() -> str:
    # The environment first, then django.setup(), then anything that imports models (.http imports .loader, which
    # imports the audit models: importing it first raised AppRegistryNotReady).
    from .env import _env

    url = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/casework_bench"
    env = _env(url, 0)
    for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "ALLOWED_HOSTS", "DB_POOL", "SECURE_SSL_REDIRECT",
                "SECURE_COOKIES", "SECRET_KEY", "AXES_FAILURE_LIMIT"):
        os.environ[key] = env[key]
    os.environ.setdefault("LOG_FORMAT", "json")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


def main() -> int:
    url = _setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path as url_path
    from knox.models import AuthToken

    from .http import collect_static, lock_officers
    from .loader import CUSTOMERS_PER_OFFICER, csid

    collect_static(url)  # the production settings' manifest storage: without it every page is a 500

    n = int(os.environ.get("BENCH_REQUESTS", "200"))
    number = lock_officers(1)[0]
    user = get_user_model().objects.get(username=f"bench-officer-{number}")
    login = Client(HTTP_HOST="127.0.0.1")
    login.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: login.cookies[settings.SESSION_COOKIE_NAME].value}
    _instance, token = AuthToken.objects.create(user)

    _NAMES[:] = [m.rsplit(".", 1)[1] for m in settings.MIDDLEWARE]
    shims = [f"{__name__}._SHIM{i}" for i in range(len(_NAMES) + 1)]
    for i in range(len(_NAMES) + 1):
        globals()[f"_SHIM{i}"] = _shim(i)
    middleware = [x for pair in zip(shims, settings.MIDDLEWARE) for x in pair] + [shims[-1]]

    import config.urls as project_urls

    class Urls:
        urlpatterns = [url_path("bench/null/", _null_view), url_path("bench/shell/", _shell_view),
                       *project_urls.urlpatterns]

    sys.modules[f"{__name__}.urls"] = Urls
    results = {"settings": settings.SETTINGS_MODULE, "middleware": _NAMES,
               "session_engine": settings.SESSION_ENGINE, "targets": {}}
    customer = csid(number * CUSTOMERS_PER_OFFICER + 5)
    targets = [("null", "/bench/null/", False), ("shell", "/bench/shell/", False), ("home", "/", False),
               ("worklist", "/work/", False), ("customer", f"/customers/{customer}/", False), ("routing", f"/api/v1/routing/{customer}/", True),
               ("health", "/api/v1/health/", None)]
    only = {x for x in os.environ.get("BENCH_TARGETS", "").split(",") if x}
    with override_settings(MIDDLEWARE=middleware, ROOT_URLCONF=f"{__name__}.urls"):
        handler = WSGIHandler()
        for name, path, api in targets:
            if only and name not in only:
                continue
            browser = Browser(handler, token=token if api else "", cookies=cookies if api is False else None)
            res = measure(browser, path, n=n)
            results["targets"][name] = res
            print(f"\n== {name} {path}: HTTP {res['status']}, p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, "
                  f"app CPU {res['app_cpu_ms_median']} ms (mean {res['app_cpu_ms_mean']}), "
                  f"{res['queries_per_request']} queries ({res['sql_ms_per_request']} ms)", flush=True)
            print("   by part (median ms): " + ", ".join(f"{k} {v}" for k, v in res["median_ms_by_part"].items()
                                                       if v >= 0.01))
            print(f"   queries by stage: {res['queries_by_stage']}")
            for q in res["queries"]:
                print(f"     {q}")
            prof = res["profile"]
            print(f"   under cProfile {prof['ms_per_request_under_profile']} ms/request; own time by package: "
                  + ", ".join(f"{k} {v}" for k, v in prof["own_time_by_package_ms"].items()))
            print("   cumulative: " + ", ".join(f"{k} {v}" for k, v in prof["cumulative_ms_selected"].items()))
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"request_cost-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

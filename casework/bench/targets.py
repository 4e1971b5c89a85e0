"""Issue 15's target table: each target with this run's figure next to it, met or not (``rows``), printed as a
table (``table``); and the profiles that explain the gaps (``run_profiles``)."""

from __future__ import annotations

from pathlib import Path


def _get(d: dict, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _row(what: str, target: str, measured: str, met: bool | None) -> dict:
    return {"what": what, "target": target, "measured": measured, "met": met}


def _cmp(value, ok) -> bool | None:
    return None if value is None else bool(ok(value))


def rows(r: dict) -> list[dict]:
    out = []
    http = _get(r, "http", "scenarios", default={})
    for key, what in (("worklist@5", "worklist page over HTTP, 5 users"),
                      ("customer_page@5", "customer page over HTTP, 5 users")):
        p95 = _get(http, key, "p95_ms")
        p95_1 = _get(http, key.replace("@5", "@1"), "p95_ms")
        fails = _get(http, key, "failures")
        out.append(_row(what, "p95 < 50 ms",
                        f"p95 {p95} ms (1 user: {p95_1} ms), {fails} failures" if p95 is not None else "not run",
                        _cmp(p95, lambda v: v < 50)))
    q = _get(r, "page_queries", "customer_page", "queries")
    out.append(_row("customer page queries", "<= 12", f"{q}" if q is not None else "not run", _cmp(q, lambda v: v <= 12)))
    rps, p95 = _get(http, "mixed@5", "requests_per_second"), _get(http, "mixed@5", "p95_ms")
    out.append(_row("mixed officer load, 5 users", ">= 150 req/s, p95 < 100 ms",
                    f"{rps} req/s, p95 {p95} ms" if rps is not None else "not run",
                    None if rps is None else (rps >= 150 and p95 < 100)))
    s = _get(r, "benchmarks", "customer_search_common_prefix", "large", "p95_ms")
    out.append(_row("name search, common surname, any prefix", "p95 < 20 ms",
                    f"p95 {s:.1f} ms (selector, 8 prefixes of one surname)" if s is not None else "not run", _cmp(s, lambda v: v < 20)))
    rc = _get(r, "ratios", "routing", "app", "per_second")
    out.append(_row("call routing (route_call) per process", ">= 5,000/s",
                    f"{rc}/s (pgbench, same SQL: {_get(r, 'ratios', 'routing', 'pgbench', 'per_second')}/s)"
                    if rc is not None else "not run", _cmp(rc, lambda v: v >= 5000)))
    ratio = _get(r, "ratios", "lock_unlock", "ratio_app_to_sql")
    out.append(_row("lock + unlock vs raw SQL (pgbench), same run", ">= 25 % (goal 50 %)",
                    f"{ratio * 100:.1f} % ({_get(r, 'ratios', 'lock_unlock', 'app', 'per_second')}/s vs "
                    f"{_get(r, 'ratios', 'lock_unlock', 'pgbench', 'per_second')}/s)" if ratio is not None else "not run",
                    _cmp(ratio, lambda v: v >= 0.25)))
    sla = _get(r, "sweeps", "sla_breach", default={})
    rate, night = sla.get("rows_per_second"), sla.get("night_seconds_estimate")
    out.append(_row("SLA-breach sweep", ">= 5,000 rows/s, a night < 60 s",
                    f"{rate} rows/s with the seal ({sla.get('chunk_rows_per_second')} in the chunks), a night "
                    f"(~{sla.get('breaches_per_night_estimate')} rows) ~{night} s" if rate is not None else "not run",
                    None if rate is None else (rate >= 5000 and night is not None and night < 60)))
    au = _get(r, "sweeps", "auto_unlock", default={})
    rate = au.get("rows_per_second")
    out.append(_row("automatic-unlock sweep", ">= 2,000 rows/s, every unlock audited",
                    f"{rate} rows/s with the seal ({au.get('chunk_rows_per_second')} in the chunks), "
                    f"{au.get('audited')}/{au.get('unlocked')} audited" if rate is not None else "not run",
                    None if rate is None else (rate >= 2000 and bool(au.get("every_unlock_audited")))))
    loads = [v for v in _get(r, "load", default={}).values() if v.get("customers_per_second")]
    if loads:
        rows_ = sum(v["rows"] for v in loads)
        customers = sum(v["customers_loaded"] for v in loads)
        seconds = sum(v["seconds"] for v in loads)
        per_s = customers / seconds
        projected = 1_500_000 / per_s
        measured = (f"{customers:,} customers ({rows_:,} rows) in {seconds:.0f} s = {per_s:,.0f}/s"
                    f"{'' if customers >= 1_500_000 else f'; 1.5M projected {projected / 60:.1f} min'}")
        out.append(_row("loading 1.5M customers (bench loader, COPY)", "< 5 min", measured, projected < 300))
    else:
        out.append(_row("loading 1.5M customers (bench loader, COPY)", "< 5 min", "already loaded: nothing to time",
                        None))
    bulk = _get(r, "import", "bulk", default={})
    parties = bulk.get("customers_and_cases", {})
    minutes = parties.get("minutes_for_1_5m_customers")
    out.append(_row(
        "loading 1.5M customers (import_case_data --bulk, COPY)", "< 5 min",
        f"{parties.get('customers_per_second')} customers/s (customers and cases, {parties.get('path')} path): 1.5M "
        f"~{minutes} min; mixed file {_get(bulk, 'first_run', 'rows_per_second')} rows/s vs row path "
        f"{_get(r, 'import', 'first_run', 'rows_per_second')} rows/s" if minutes is not None
        else "already imported by an earlier run on this database: nothing to time"
        if parties and not parties.get("created") else "not run",
        None if minutes is None else (minutes < 5 and parties.get("path") == "bulk")))
    emb = _get(r, "sqlite_embedded", "mixed@5")
    out.append(_row("SQLite embedded default, 5 users (mixed load)", "0 failures",
                    f"{emb['failures']} failures of {emb['requests']} requests, p95 {emb['p95_ms']} ms"
                    if emb else "not run", None if not emb else emb["failures"] == 0))
    return out


def table(rows_: list[dict]) -> str:
    head = ("what", "target", "measured", "met")
    cells = [[x["what"], x["target"], x["measured"],
              {True: "met", False: "NOT met", None: "-"}[x["met"]]] for x in rows_]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    line = lambda c: "| " + " | ".join(v.ljust(w) for v, w in zip(c, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def run_profiles(n_customers: int, out_dir: Path) -> dict:
    """cProfile of the rate targets, after the measurements: route_call, the lock + unlock cycle, the customer page,
    the worklist page, one SLA breach and one automatic unlock per call."""
    import random

    from django.contrib.auth import get_user_model
    from django.test import Client

    from casework.customers.models import Customer
    from casework.intrays import services as intray_services
    from casework.intrays.models import Intray
    from casework.ownership import services
    from casework.ownership.selectors import route_call

    from .http import lock_officers
    from .loader import CUSTOMERS_PER_OFFICER, csid
    from .profiles import profile
    from .sweeps import auto_unlock_backlog, sla_backlog

    rng = random.Random(16)
    out: dict = {}
    out["route_call"] = profile("route_call", lambda i: route_call(csid=csid(rng.randrange(n_customers))), 200,
                                out_dir)
    number = lock_officers(1)[0]
    user = get_user_model().objects.select_related("officer__position").get(username=f"bench-officer-{number}")
    start = n_customers // 2 + 3 * 5000  # past the customers the ratio run cycles through
    start += (1 - start) % 3  # the lock-and-unlock pool: i % 3 == 1
    pool = list(range(start, (3 * n_customers) // 4, 3))[:30] or [1]
    customers = {c.csid: c for c in Customer.objects.filter(csid__in=[csid(i) for i in pool])}

    def cycle(i: int) -> None:
        customer = customers[csid(pool[i % len(pool)])]
        services.customer_lock(actor=user, customer=customer, reason="bench")
        services.customer_unlock(actor=user, customer=customer, reason="bench", decision_explained=True,
                                 contact_attempted=True)

    out["lock_unlock"] = profile("lock_unlock", cycle, 20, out_dir)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    out["customer_page"] = profile(
        "customer_page", lambda i: client.get(f"/customers/{csid(number * CUSTOMERS_PER_OFFICER + i)}/"), 20, out_dir)
    out["worklist_page"] = profile("worklist_page", lambda i: client.get("/work/"), 20, out_dir)
    sla_backlog(n_customers, 50)
    from casework.intrays import selectors as intray_selectors
    from casework.core import clock

    pending = [pk for _, pk in intray_selectors.sla_candidates(before=clock.latest_today(), batch=50)]
    from casework.core.context import job_context

    with job_context("bench.profile"):
        out["sla_breach_row"] = profile(
            "sla_breach_row", lambda i: intray_services.intray_sla_breach_record(intray=Intray(pk=pending[i])),
            len(pending) or 1, out_dir) if pending else {}
    from casework.ownership.models import AutoUnlock

    lock_ids = auto_unlock_backlog(n_customers, 30)
    autos = list(AutoUnlock.objects.filter(lock_id__in=lock_ids).order_by("pk"))
    with job_context("bench.profile"):
        out["auto_unlock_row"] = profile(
            "auto_unlock_row", lambda i: services.auto_unlock_run(auto=autos[i]), len(autos), out_dir) if autos else {}
    return {k: v for k, v in out.items() if v}

"""The bench's own bulk loader (issue 15): N customers with their cases, locks, intrays, notes and audit rows, by
COPY on PostgreSQL (psycopg's ``cursor.copy``) and ``executemany`` on SQLite.

This is benchmark data, not a production path (bulk loads from other systems go through ``casework/imports/``,
audited). It writes the tables directly so that 1.5M customers load in minutes, not the best part of an hour.

* Officers and positions are read (or created in bulk) ONCE per run, never per batch.
* Idempotent by key range: customer ``i`` has the CSID ``make_csid(BASE + i)``, and every other row of customer ``i``
  is written in the same transaction as the customer. The next customer to load is one past the highest CSID of the
  bench range, so ``load(n)`` on an already loaded database tops it up from where it stopped (or does nothing).
* Customers ``i % 3 == 0`` are locked (alternately to their officer and to a position); customers ``i % 3 == 1``
  are the pool the lock-and-unlock benchmarks use (with an ATO-issued income, so an unlock needs no MCA).
* Open intrays already overdue are written with their SLA breach recorded (as the nightly sweep would have left
  them), so the sweep benchmark measures only the backlog it generates itself.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from casework.core import clock
from casework.customers.csid import make_csid

BASE = 300_000_000
FAMILY = [
    "Nguyen", "Smith", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin", "Anderson", "Thompson",
    "Walker", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King", "Davis", "Wright", "Evans", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Singh", "Chen", "Wang", "Li", "Zhang", "Kaur", "Murphy",
]
GIVEN = ["Olivia", "Jack", "Charlotte", "Noah", "Amelia", "William", "Isla", "Oliver", "Mia", "Thomas", "Ava", "Leo"]
CUSTOMERS_PER_OFFICER = 200  # officers grow with the customer book, so each queue stays the size of a real one
N_POSITIONS = 10
INTRAYS_PER_CUSTOMER = 5
BATCH = 20_000  # customers per transaction (and per key range)

CUSTOMER_COLS = ("id", "csid", "given_names", "family_name", "search_name", "date_of_birth", "email", "phone_mobile",
                 "phone_home", "postal_address", "postal_address_is_silent", "residence", "country",
                 "preferred_contact_times", "contact_preference", "special_contact_arrangements", "version",
                 "created_at", "updated_at")
CASE_COLS = ("case_number", "payer_id", "payee_id", "registration_status", "collection_type", "annual_liability",
             "created_at", "version")
LOCK_COLS = ("customer_id", "area_id", "position_id", "officer_id", "kind", "reason", "step_ids", "is_active",
             "started_at", "ended_by_label", "end_kind", "end_reason", "end_step_ids")
INTRAY_COLS = ("type_id", "customer_id", "subject", "details", "status", "assignee_officer_id", "assignee_position_id",
               "office_id", "created_at", "received_at", "due_date", "closed_at", "outcome", "delete_reason",
               "sla_breached_at", "step_ids", "version")
INCOME_COLS = ("customer_id", "amount", "source", "tax_year", "effective_from", "recorded_at", "correction_reason",
               "version")
NOTE_COLS = ("customer_id", "kind", "subject", "body", "author_id", "created_at", "ref_id", "step_ids")
ROUTE_COLS = ("customer_id", "lock_id", "area_code", "area_name", "position_code", "officer_username", "updated_at")
AUDIT_COLS = ("occurred_at", "actor_label", "action", "target_type", "target_id", "target_repr", "customer_id",
              "reason", "step_ids", "request_id")


def family_name(i: int) -> str:
    return f"{FAMILY[i % len(FAMILY)]}{i // len(FAMILY) % 997:03d}"


def csid(i: int) -> str:
    return make_csid(BASE + i)


@dataclass
class Org:
    """The bench office: N_POSITIONS positions over three areas and one Service Officer per CUSTOMERS_PER_OFFICER
    customers. ``officers[k]`` is (officer id, user id, position index)."""

    office_id: int
    intray_type_id: int
    positions: list[tuple[int, int]]  # (position id, area id)
    officers: list[tuple[int, int, int]] = field(default_factory=list)
    areas: dict[int, tuple[str, str]] = field(default_factory=dict)  # area id -> (code, name), for the routing rows


def ensure_org(n_officers: int) -> Org:
    """Read the bench office, positions and officers once; create what is missing in bulk (idempotent)."""
    from django.contrib.auth import get_user_model

    from casework.intrays.models import IntrayType
    from casework.org.models import BusinessArea, Office, Officer, Position

    User = get_user_model()
    office, _ = Office.objects.get_or_create(code="bench-sydney", defaults={"name": "Bench", "state": "NSW"})
    areas = list(BusinessArea.objects.filter(code__in=["SERVICES", "DPO", "ICS"]).order_by("code"))
    positions = []
    for k in range(N_POSITIONS):
        pos, _ = Position.objects.get_or_create(
            code=f"bench-pos-{k}",
            defaults={"title": f"Bench {k}", "business_area": areas[k % len(areas)], "office": office},
        )
        positions.append((pos.pk, pos.business_area_id))
    names = [f"bench-officer-{k}" for k in range(n_officers)]
    users = dict(User.objects.filter(username__startswith="bench-officer-").values_list("username", "id"))
    missing = [name for name in names if name not in users]
    if missing:
        User.objects.bulk_create([User(username=name) for name in missing], batch_size=5000)
        users = dict(User.objects.filter(username__startswith="bench-officer-").values_list("username", "id"))
    have = dict(Officer.objects.filter(user_id__in=users.values()).values_list("user_id", "id"))
    new = [
        Officer(user_id=users[name], role="service_officer", position_id=positions[k % N_POSITIONS][0])
        for k, name in enumerate(names) if users[name] not in have
    ]
    if new:
        Officer.objects.bulk_create(new, batch_size=5000)
        have = dict(Officer.objects.filter(user_id__in=users.values()).values_list("user_id", "id"))
    officers = [(have[users[name]], users[name], k % N_POSITIONS) for k, name in enumerate(names)]
    itype = IntrayType.objects.get(code="general_follow_up").pk
    return Org(office_id=office.pk, intray_type_id=itype, positions=positions, officers=officers,
               areas={a.pk: (a.code, a.name) for a in areas})


def _next_in(lo: int, hi: int) -> int:
    """The first customer of [lo, hi) not yet loaded: one past the highest bench CSID in the range (lo when none)."""
    from django.db.models import Max

    from casework.customers.models import Customer

    top = Customer.objects.filter(csid__gte=csid(lo), csid__lt=csid(hi)).aggregate(m=Max("csid"))["m"]
    return lo if top is None else int(top[:9]) - BASE + 1


def todo(n: int) -> list[tuple[int, int]]:
    """The key ranges still to load for n customers. Ranges are aligned on BATCH, so every run (and every worker)
    cuts the same ranges; each range is written in one transaction in customer order, so a range is loaded up to
    its highest CSID and a run that stopped half-way, or a smaller earlier load, is topped up from there."""
    out = []
    for lo in range(0, n, BATCH):
        hi = min(n, lo + BATCH)
        start = _next_in(lo, hi)
        if start < hi:
            out.append((start, hi))
    return out


def loaded() -> int:
    """How many bench customers are loaded: one past the highest CSID of the bench range (0 when none)."""
    return _next_in(0, 100_000_000)


class _Writer:
    """Rows to one table, by COPY (PostgreSQL) or executemany (SQLite). Values are already strings or None."""

    def __init__(self, cursor, vendor: str):
        self.cursor, self.pg = cursor, vendor == "postgresql"
        self.rows = 0
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def write(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        self.rows += len(rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        t0 = time.perf_counter()
        self._write(table, cols, rows)
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - t0

    def _write(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
        if self.pg:
            raw = self.cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                copy.write("".join(
                    "\t".join(r"\N" if v is None else v for v in row) + "\n" for row in rows
                ))
        else:
            marks = ", ".join("?" for _ in cols)
            self.cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)

    def done(self) -> dict[str, tuple[int, float]]:
        return {t: (self.counts[t], self.seconds[t]) for t in self.seconds}

    def ids(self, table: str, k: int) -> list[int]:
        """k fresh primary keys for ``table``."""
        if self.pg:
            self.cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [k]
            )
            return [r[0] for r in self.cursor.fetchall()]
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our own table name
        top = self.cursor.fetchone()[0]
        return list(range(top + 1, top + 1 + k))


@dataclass
class _Ctx:
    org: Org
    pg: bool
    fast_pg: bool
    ts: str
    true: str
    false: str
    dues: list[str]
    dobs: list[str]


def _context(org: Org) -> _Ctx:
    pg = connection.vendor == "postgresql"
    now = clock.now()
    today = clock.local_today(None)
    return _Ctx(
        org=org, pg=pg, fast_pg=pg and _is_superuser(),
        ts=now.isoformat() if pg else now.replace(tzinfo=None).isoformat(" "),
        true="t" if pg else "1", false="f" if pg else "0",
        dues=[(today + dt.timedelta(days=d - 30)).isoformat() for d in range(90)],
        dobs=[(dt.date(1960, 1, 1) + dt.timedelta(days=d)).isoformat() for d in range(15000)],
    )


def load_range(lo: int, hi: int, ctx: _Ctx) -> dict[str, tuple[int, float]]:
    """Customers lo..hi-1 and their rows, in one transaction. Returns {table: (rows, seconds)}."""
    org, ts, true, false = ctx.org, ctx.ts, ctx.true, ctx.false
    office, itype = str(org.office_id), str(org.intray_type_id)
    positions = [(str(p), str(a)) for p, a in org.positions]
    officers = org.officers
    with transaction.atomic(), connection.cursor() as cursor:
        if ctx.fast_pg:
            # Generated rows reference only keys read or reserved in this run: skip the per-row foreign-key
            # triggers (the usual bulk-load setting; superuser only, this transaction only).
            cursor.execute("SET LOCAL session_replication_role = replica")
        w = _Writer(cursor, connection.vendor)
        ids = w.ids("customers_customer", hi - lo)
        cid = {i: str(ids[i - lo]) for i in range(lo, hi)}
        customers, cases, locks, incomes, intrays, notes, audits = [], [], [], [], [], [], []
        routes = []  # issue 15: the routing row of each locked customer (ownership.CustomerRoute)
        lock_ids = iter(w.ids("ownership_lock", len(range(lo + (-lo) % 3, hi, 3))))
        for i in range(lo, hi):
            c = cid[i]
            fam, given = family_name(i), GIVEN[(i // 7) % len(GIVEN)]
            customers.append((c, csid(i), given, fam, f"{fam} {given}".lower(), ctx.dobs[i % 15000], "", "", "", "",
                              false, "NSW", "", "", "any", "", "1", ts, ts))
            if i % 2 == 0 and i + 1 < hi:
                cases.append((f"B{i:09d}", c, cid[i + 1], "registered", "agency", "4800.00", ts, "1"))
            officer_id, user_id, officer_pos = officers[i // CUSTOMERS_PER_OFFICER]
            officer_id, user_id = str(officer_id), str(user_id)
            if i % 3 == 0:  # every third customer locked, alternately to its officer and to a position
                lock_id = str(next(lock_ids))
                if i % 2:
                    pos_k = officer_pos
                    pos_id, area_id = positions[pos_k]
                    locks.append((lock_id, c, area_id, pos_id, officer_id, "lock", "bench", "[]", true, ts, "", "",
                                  "", "[]"))
                else:
                    pos_k = i % N_POSITIONS
                    pos_id, area_id = positions[pos_k]
                    locks.append((lock_id, c, area_id, pos_id, None, "lock", "bench", "[]", true, ts, "", "", "",
                                  "[]"))
                area_code, area_name = org.areas[int(area_id)]
                routes.append((c, lock_id, area_code, area_name, f"bench-pos-{pos_k}",
                               f"bench-officer-{i // CUSTOMERS_PER_OFFICER}" if i % 2 else "", ts))
                audits.append((ts, "bench", "ownership.lock", "customer", c, "", c, "bench", "[]", ""))
            elif i % 3 == 1:
                # The lock-and-unlock pool (never locked here): an ATO-issued income, so no Minimum Collection
                # Activity is required before the unlock (CMA-2.1, CMA-3.4).
                incomes.append((c, "65000.00", "ato_issued", "2025", "2024-07-01", ts, "", "1"))
            for k in range(INTRAYS_PER_CUSTOMER):
                to_officer = (i + k) % 4 != 0
                due_k = (i + k) % 90
                is_open = k < 2
                intrays.append((
                    itype, c, "bench", "", "open" if is_open else "done",
                    officer_id if to_officer else None,
                    None if to_officer else positions[(i + k) % N_POSITIONS][0],
                    office, ts, ts, ctx.dues[due_k], None if is_open else ts, "", "",
                    ts if is_open and due_k < 30 else None, "[]", "1",
                ))
            notes.append((c, "general", "bench", "Bench note.", user_id, ts, "", "[]"))
            audits.append((ts, "bench", "customer.view", "customer", c, "", c, "", "[]", ""))
        w.write("customers_customer", CUSTOMER_COLS, customers)
        w.write("customers_case", CASE_COLS, cases)
        w.write("ownership_lock", ("id", *LOCK_COLS), locks)
        w.write("ownership_customerroute", ROUTE_COLS, routes)
        w.write("customers_incomerecord", INCOME_COLS, incomes)
        w.write("intrays_intray", INTRAY_COLS, intrays)
        w.write("customers_note", NOTE_COLS, notes)
        w.write("core_auditevent", AUDIT_COLS, audits)
        return w.done()


def load(n: int, *, workers: int | None = None, progress=None) -> dict:
    """Grow the bench data to n customers (idempotent, tops up): the key ranges still missing, by ``workers``
    threads (default BENCH_LOAD_WORKERS or 2 on PostgreSQL, each with its own connection; 1 on SQLite, whose writes
    serialise). Returns rows written, seconds, rows/s and the seconds per table."""
    import os
    import threading

    t0 = time.perf_counter()
    org = ensure_org(n // CUSTOMERS_PER_OFFICER + 1)
    ctx = _context(org)
    ranges = todo(n)
    customers = sum(hi - lo for lo, hi in ranges)
    if workers is None:
        workers = int(os.environ.get("BENCH_LOAD_WORKERS", "2")) if ctx.pg else 1
    totals: dict[str, list[float]] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()
    queue = list(reversed(ranges))

    def work() -> None:
        from django.db import connections

        try:
            while not errors:
                with lock:
                    if not queue:
                        return
                    lo, hi = queue.pop()
                done = load_range(lo, hi, ctx)
                with lock:
                    for table, (rows, sec) in done.items():
                        tot = totals.setdefault(table, [0, 0.0])
                        tot[0] += rows
                        tot[1] += sec
                    if progress:
                        progress(hi, sum(int(t[0]) for t in totals.values()), time.perf_counter() - t0)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    if workers <= 1:
        work()
    else:
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    written = sum(int(t[0]) for t in totals.values())
    analyse_s = 0.0
    if written:
        t1 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        analyse_s = time.perf_counter() - t1
    seconds = time.perf_counter() - t0
    return {
        "customers_requested": n, "customers_loaded": customers, "ranges": len(ranges), "workers": workers,
        "rows": written, "seconds": round(seconds, 1), "analyse_seconds": round(analyse_s, 1),
        "rows_per_second": round(written / seconds) if written and seconds else None,
        "customers_per_second": round(customers / seconds) if written and seconds else None,
        "officers": len(org.officers), "foreign_key_triggers_skipped": ctx.fast_pg,
        "rows_per_table": {t: int(v[0]) for t, v in totals.items()},
        "seconds_per_table": {t: round(v[1], 1) for t, v in totals.items()},
    }


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])

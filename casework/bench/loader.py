"""The bench's own bulk loader (issue 15): N customers with their cases, locks, intrays, notes and audit rows, by
COPY on PostgreSQL (psycopg's ``cursor.copy``) and ``executemany`` on SQLite.

This is benchmark data, not a production path (bulk loads from other systems go through ``casework/imports/``,
audited). It writes the tables directly so that 1.5M customers load in minutes, not the best part of an hour.

* Rows are generated as COPY text, CHUNK customers per block, and streamed into one COPY per table per key range
  (SQLite splits the same text into rows for executemany). Customer and lock ids are reserved from the sequences.
* A big load (``indexes="auto"``: at least DROP_AT_LEAST customers that at least double the customers table) drops
  the non-unique indexes of the tables it writes and recreates them after, in parallel (saved in DROPPED until
  recreated, so a failed or killed load loses none); ANALYZE of those tables at the end.
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
from casework.core.audit import audit_chain_seal
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


CHUNK = 2_000  # customers per text block written to a COPY (the stream: generated while the server consumes)
TABLES = ("customers_customer", "customers_case", "ownership_lock", "ownership_customerroute",
          "customers_incomerecord", "intrays_intray", "customers_note", "core_auditevent")


class _Writer:
    r"""Rows to one table, by COPY (PostgreSQL) or executemany (SQLite). Rows arrive as blocks of COPY text lines
    (tab-separated, ``\N`` for NULL; generated values never contain a tab, newline or backslash)."""

    def __init__(self, cursor, vendor: str):
        self.cursor, self.pg = cursor, vendor == "postgresql"
        self.rows = 0
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def write(self, table: str, cols: tuple[str, ...], blocks) -> None:
        """Stream ``blocks`` (an iterable of text blocks, built lazily) into ``table``: one COPY on PostgreSQL, so
        the next block is generated while the server takes the last one."""
        t0 = time.perf_counter()
        rows = 0
        if self.pg:
            raw = self.cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for block in blocks:
                    if block:
                        rows += block.count("\n")
                        copy.write(block)
        else:
            marks = ", ".join("?" for _ in cols)
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608 - our own names
            for block in blocks:
                batch = [tuple(None if v == r"\N" else v for v in line.split("\t")) for line in block.splitlines()]
                rows += len(batch)
                if batch:
                    self.cursor.executemany(sql, batch)
        if rows:
            self.rows += rows
            self.counts[table] = self.counts.get(table, 0) + rows
            self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - t0

    def done(self) -> dict[str, tuple[int, float]]:
        return {t: (self.counts[t], self.seconds[t]) for t in self.seconds}

    def ids(self, table: str, k: int) -> list[int]:
        """k fresh primary keys for ``table`` (reserved from its sequence on PostgreSQL)."""
        if not k:
            return []
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


class _Range:
    """The COPY text of customers lo..hi-1, table by table, CHUNK customers per block. Customer ids and lock ids are
    reserved before any row is written, so no row needs another's id read back."""

    def __init__(self, lo: int, hi: int, ctx: _Ctx, customer_ids: list[int], lock_ids: list[int]):
        self.lo, self.hi, self.ctx = lo, hi, ctx
        self.cid = [str(x) for x in customer_ids]  # customer i -> cid[i - lo]
        self.first_lock = lo + (-lo) % 3  # locked customers: first_lock, first_lock + 3, ...
        self.lock_id = [str(x) for x in lock_ids]  # locked customer i -> lock_id[(i - first_lock) // 3]

    def blocks(self, table_fn):
        for a in range(self.lo, self.hi, CHUNK):
            yield table_fn(a, min(self.hi, a + CHUNK))

    def customers(self, a: int, b: int) -> str:
        c, lo, ctx = self.cid, self.lo, self.ctx
        tail = f"\t\t\t\t\t{ctx.false}\tNSW\t\t\tany\t\t1\t{ctx.ts}\t{ctx.ts}\n"
        out = []
        for i in range(a, b):
            fam, given = family_name(i), GIVEN[(i // 7) % len(GIVEN)]
            out.append(f"{c[i - lo]}\t{csid(i)}\t{given}\t{fam}\t{fam.lower()} {given.lower()}\t"
                       f"{ctx.dobs[i % 15000]}{tail}")
        return "".join(out)

    def cases(self, a: int, b: int) -> str:
        c, lo, ts = self.cid, self.lo, self.ctx.ts
        return "".join(f"B{i:09d}\t{c[i - lo]}\t{c[i + 1 - lo]}\tregistered\tagency\t4800.00\t{ts}\t1\n"
                       for i in range(a + a % 2, b, 2) if i + 1 < self.hi)

    def _lock_rows(self, a: int, b: int):
        """(customer i, lock id, position index, officer index or None) of each locked customer in [a, b): every
        third customer, alternately to its officer (odd i) and to a position."""
        start = a + (-a) % 3
        for i in range(start, b, 3):
            lock_id = self.lock_id[(i - self.first_lock) // 3]
            k = i // CUSTOMERS_PER_OFFICER
            if i % 2:
                yield i, lock_id, self.ctx.org.officers[k][2], k
            else:
                yield i, lock_id, i % N_POSITIONS, None

    def locks(self, a: int, b: int) -> str:
        c, lo, ctx = self.cid, self.lo, self.ctx
        org, ts, true = ctx.org, ctx.ts, ctx.true
        out = []
        for i, lock_id, pos_k, k in self._lock_rows(a, b):
            pos_id, area_id = org.positions[pos_k]
            officer = r"\N" if k is None else str(org.officers[k][0])
            out.append(f"{lock_id}\t{c[i - lo]}\t{area_id}\t{pos_id}\t{officer}\tlock\tbench\t[]\t{true}\t{ts}"
                       f"\t\t\t\t[]\n")
        return "".join(out)

    def routes(self, a: int, b: int) -> str:
        """The call-routing row of each locked customer (ownership.CustomerRoute, issue 15), as the lock's save
        would have written it."""
        c, lo, org, ts = self.cid, self.lo, self.ctx.org, self.ctx.ts
        out = []
        for i, lock_id, pos_k, k in self._lock_rows(a, b):
            area_code, area_name = org.areas[org.positions[pos_k][1]]
            user = "" if k is None else f"bench-officer-{k}"
            out.append(f"{c[i - lo]}\t{lock_id}\t{area_code}\t{area_name}\tbench-pos-{pos_k}\t{user}\t{ts}\n")
        return "".join(out)

    def incomes(self, a: int, b: int) -> str:
        # The lock-and-unlock pool (i % 3 == 1, never locked here): an ATO-issued income, so no Minimum Collection
        # Activity is required before the unlock (CMA-2.1, CMA-3.4).
        c, lo, ts = self.cid, self.lo, self.ctx.ts
        return "".join(f"{c[i - lo]}\t65000.00\tato_issued\t2025\t2024-07-01\t{ts}\t\t1\n"
                       for i in range(a + (1 - a) % 3, b, 3))

    def intrays(self, a: int, b: int) -> str:
        """Five per customer: two open (due dates over three months; already overdue ones with their breach
        recorded), three done; three of four to the customer's officer, the others to a position."""
        c, lo, ctx = self.cid, self.lo, self.ctx
        org, ts, dues = ctx.org, ctx.ts, ctx.dues
        head = f"{org.intray_type_id}\t"
        office = org.office_id
        positions = [str(p) for p, _ in org.positions]
        officers = [str(o[0]) for o in org.officers]
        out = []
        for i in range(a, b):
            cust = c[i - lo]
            officer = officers[i // CUSTOMERS_PER_OFFICER]
            for k in range(INTRAYS_PER_CUSTOMER):
                assignee = (f"{officer}\t\\N" if (i + k) % 4 else f"\\N\t{positions[(i + k) % N_POSITIONS]}")
                due_k = (i + k) % 90
                if k < 2:  # open
                    state, closed, breached = "open", r"\N", ts if due_k < 30 else r"\N"
                else:
                    state, closed, breached = "done", ts, r"\N"
                out.append(f"{head}{cust}\tbench\t\t{state}\t{assignee}\t{office}\t{ts}\t{ts}\t{dues[due_k]}\t"
                           f"{closed}\t\t\t{breached}\t[]\t1\n")
        return "".join(out)

    def notes(self, a: int, b: int) -> str:
        c, lo, ctx = self.cid, self.lo, self.ctx
        users = [str(o[1]) for o in ctx.org.officers[a // CUSTOMERS_PER_OFFICER:(b - 1) // CUSTOMERS_PER_OFFICER + 1]]
        k0, ts = a // CUSTOMERS_PER_OFFICER, ctx.ts
        return "".join(f"{c[i - lo]}\tgeneral\tbench\tBench note.\t{users[i // CUSTOMERS_PER_OFFICER - k0]}\t{ts}"
                       f"\t\t[]\n" for i in range(a, b))

    def audits(self, a: int, b: int) -> str:
        """One ``customer.view`` per customer, one ``ownership.lock`` per lock."""
        c, lo, ts = self.cid, self.lo, self.ctx.ts
        out = [f"{ts}\tbench\townership.lock\tcustomer\t{c[i - lo]}\t\t{c[i - lo]}\tbench\t[]\t\n"
               for i, *_ in self._lock_rows(a, b)]
        out.extend(f"{ts}\tbench\tcustomer.view\tcustomer\t{c[i - lo]}\t\t{c[i - lo]}\t\t[]\t\n" for i in range(a, b))
        return "".join(out)


def load_range(lo: int, hi: int, ctx: _Ctx) -> dict[str, tuple[int, float]]:
    """Customers lo..hi-1 and their rows, in one transaction. Returns {table: (rows, seconds)}."""
    with transaction.atomic(), connection.cursor() as cursor:
        if ctx.fast_pg:
            # Generated rows reference only keys read or reserved in this run: skip the per-row foreign-key
            # triggers (the usual bulk-load setting; superuser only, this transaction only).
            cursor.execute("SET LOCAL session_replication_role = replica")
        if ctx.pg:
            cursor.execute("SET LOCAL synchronous_commit = off")  # bench data: a crash loses at most the range
        w = _Writer(cursor, connection.vendor)
        rng = _Range(lo, hi, ctx, w.ids("customers_customer", hi - lo),
                     w.ids("ownership_lock", len(range(lo + (-lo) % 3, hi, 3))))
        w.write("customers_customer", CUSTOMER_COLS, rng.blocks(rng.customers))
        w.write("customers_case", CASE_COLS, rng.blocks(rng.cases))
        w.write("ownership_lock", ("id", *LOCK_COLS), rng.blocks(rng.locks))
        w.write("ownership_customerroute", ROUTE_COLS, rng.blocks(rng.routes))
        w.write("customers_incomerecord", INCOME_COLS, rng.blocks(rng.incomes))
        w.write("intrays_intray", INTRAY_COLS, rng.blocks(rng.intrays))
        w.write("customers_note", NOTE_COLS, rng.blocks(rng.notes))
        w.write("core_auditevent", AUDIT_COLS, rng.blocks(rng.audits))
        return w.done()


DROPPED = "bench_loader_dropped_index"  # the definitions of the indexes a load dropped, until it recreates them
DROP_AT_LEAST = 100_000  # "auto": drop the secondary indexes only for a load of at least this many customers ...
# ... that at least doubles the customers table (a first load, or a national top-up of a small book)


def _parallel(workers: int, items: list, fn) -> None:
    """fn(item) for every item, by ``workers`` threads each on its own connection (closed at the end)."""
    import threading

    from django.db import connections

    errors: list[BaseException] = []
    lock = threading.Lock()
    queue = list(reversed(items))

    def work() -> None:
        try:
            while not errors:
                with lock:
                    if not queue:
                        return
                    item = queue.pop()
                fn(item)
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


def _drop_secondary_indexes() -> list[str]:
    """Drop the non-unique indexes of the tables the loader writes (none backs a constraint: unique and primary keys
    stay, so the loader's own duplicate checks stay on), after saving their definitions in DROPPED in the same
    transaction: a load that dies before recreating them leaves them there for the next load to recreate."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {DROPPED} (name text PRIMARY KEY, definition text NOT NULL)")
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace"
            " AND NOT x.indisunique AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [list(TABLES)],
        )
        found = cursor.fetchall()
        for name, definition in found:
            cursor.execute(f"INSERT INTO {DROPPED} (name, definition) VALUES (%s, %s)", [name, definition])
            cursor.execute(f'DROP INDEX "{name}"')
    return [name for name, _ in found]


def _recreate_indexes(workers: int) -> list[str]:
    """Recreate every index listed in DROPPED (this load's, or a killed load's), largest tables first, spread over
    ``workers`` connections; each one removed from the list in its CREATE INDEX's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DROPPED])
        if not cursor.fetchone()[0]:
            return []
        cursor.execute(f"SELECT name, definition FROM {DROPPED}")
        todo_ = cursor.fetchall()
    # The big ones first, so the last to finish is a small one: intrays (5 per customer), audit, the rest.
    weight = {"intrays_intray": 0, "core_auditevent": 1, "customers_customer": 2, "customers_note": 3}
    todo_.sort(key=lambda nd: weight.get(nd[1].split(" ON ", 1)[1].split()[0].rsplit(".", 1)[-1], 9))

    def create(item: tuple[str, str]) -> None:
        name, definition = item
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # CREATE INDEX refuses a table with deferred foreign-key checks pending in the transaction (only ever
            # the case when the load runs inside an outer transaction, as in the tests): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(definition)
            cursor.execute(f"DELETE FROM {DROPPED} WHERE name = %s", [name])

    _parallel(workers, todo_, create)
    return [name for name, _ in todo_]


def _customers_present() -> int:
    from casework.customers.models import Customer

    return Customer.objects.count()


def load(n: int, *, workers: int | None = None, indexes: str | None = None, progress=None) -> dict:
    """Grow the bench data to n customers (idempotent, tops up): the key ranges still missing, by ``workers``
    threads (default BENCH_LOAD_WORKERS or 2 on PostgreSQL, each with its own connection; 1 on SQLite, whose writes
    serialise). ``indexes`` (default BENCH_LOAD_INDEXES or "auto"; PostgreSQL as a superuser only): "drop" drops
    the non-unique indexes of the loaded tables before the load and recreates them after (CREATE INDEX sorts once
    instead of maintaining each b-tree row by row); "keep" keeps them; "auto" drops them for a load of at least
    DROP_AT_LEAST customers that at least doubles the customers table. Then ANALYZE of the loaded tables.
    Returns rows written, seconds (and where they went), rows/s and the seconds per table."""
    import os
    import threading

    t0 = time.perf_counter()
    org = ensure_org(n // CUSTOMERS_PER_OFFICER + 1)
    ctx = _context(org)
    ranges = todo(n)
    customers = sum(hi - lo for lo, hi in ranges)
    if workers is None:
        workers = int(os.environ.get("BENCH_LOAD_WORKERS", "2")) if ctx.pg else 1
    mode = indexes or os.environ.get("BENCH_LOAD_INDEXES", "auto")
    if mode not in ("auto", "drop", "keep"):
        raise ValueError(f"indexes must be auto, drop or keep, not {mode!r}")
    drop = ctx.fast_pg and customers > 0 and (
        mode == "drop" or (mode == "auto" and customers >= DROP_AT_LEAST and customers >= _customers_present())
    )
    dropped = _drop_secondary_indexes() if drop else []
    t_load = time.perf_counter()
    totals: dict[str, list[float]] = {}
    lock = threading.Lock()

    def one_range(item: tuple[int, int]) -> None:
        lo, hi = item
        done = load_range(lo, hi, ctx)
        with lock:
            for table, (rows, sec) in done.items():
                tot = totals.setdefault(table, [0, 0.0])
                tot[0] += rows
                tot[1] += sec
            if progress:
                progress(hi, sum(int(t[0]) for t in totals.values()), time.perf_counter() - t0)

    try:
        _parallel(workers, ranges, one_range)
    finally:
        t_index = time.perf_counter()
        recreated = _recreate_indexes(workers) if ctx.fast_pg else []
    load_s, index_s = t_index - t_load, time.perf_counter() - t_index
    written = sum(int(t[0]) for t in totals.values())
    analyse_s = 0.0
    if written:
        t1 = time.perf_counter()
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"ANALYZE {table}")
        analyse_s = time.perf_counter() - t1
    # The loaded audit events are chained now, as a real trail is, so the first audited request of the measurements
    # does not chain millions of them (it did at 1.5M: a minute inside the HTTP phase).
    t1 = time.perf_counter()
    chained = audit_chain_seal(everything=True) if written else 0
    chain_s = time.perf_counter() - t1
    if chained:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditchainlink")
    seconds = time.perf_counter() - t0
    return {
        "customers_requested": n, "customers_loaded": customers, "ranges": len(ranges), "workers": workers,
        "rows": written, "seconds": round(seconds, 1), "copy_seconds": round(load_s, 1),
        "index_seconds": round(index_s, 1), "analyse_seconds": round(analyse_s, 1),
        "chain_seconds": round(chain_s, 1), "events_chained": chained,
        "indexes": mode, "indexes_dropped": len(dropped), "indexes_recreated": len(recreated),
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

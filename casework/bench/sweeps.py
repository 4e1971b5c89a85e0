"""Sweep rates (issue 15): the nightly jobs as they are (``intrays.jobs.sla_breach_job`` and
``ownership.jobs.auto_unlock_due_report``), timed on a backlog this module generates, in rows per second.

* SLA breach: ``rows`` open intrays already overdue with no breach recorded (the loader records the breaches of its
  own overdue intrays, so the sweep sees only this backlog), to the bench officers of the upper quarter of the book.
  The bench office has no teams, so no Team Leader notice intray is created per breach (a real night creates one
  each): the measured rate is an upper bound.
* Automatic unlock: ``rows`` customers of the loader's lock-and-unlock pool in the upper quarter of the book, each
  locked to a bench officer with a scheduled automatic unlock already due. Every unlock must be audited
  (``ownership.auto_unlock``): the count is checked and reported.

Each sweep reports two rates: ``rows_per_second`` for the whole job as scheduled (its chunks, then the audit chain's
seal when the job ends: what the target is read against) and ``chunk_rows_per_second`` for its chunks alone (the job
less ``seal_seconds``, the time in ``core.audit.audit_chain_seal`` during the run).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator

from django.db import connection, transaction

from casework.core import clock

from .loader import CUSTOMERS_PER_OFFICER, INTRAY_COLS, LOCK_COLS, _context, _Writer, csid, ensure_org


def _customer_ids(lo: int, hi: int, step: int, k: int) -> list[int]:
    from casework.customers.models import Customer

    wanted = [csid(i) for i in range(lo, hi, step)][:k]
    found = dict(Customer.objects.filter(csid__in=wanted).values_list("csid", "id"))
    return [found[c] for c in wanted if c in found]


def _block(rows) -> list[str]:
    r"""Rows of text values (None for NULL) as the one COPY text block ``_Writer.write`` takes (tab-separated,
    ``\N`` for NULL)."""
    return ["".join("\t".join(r"\N" if v is None else v for v in row) + "\n" for row in rows)]


def sla_backlog(n_customers: int, rows: int) -> int:
    """``rows`` overdue open intrays without a recorded breach (two per customer of the upper quarter)."""
    org = ensure_org(n_customers // CUSTOMERS_PER_OFFICER + 1)
    ctx = _context(org)
    ids = _customer_ids((3 * n_customers) // 4, n_customers, 1, (rows + 1) // 2)
    due = (clock.local_today(None) - dt.timedelta(days=3)).isoformat()
    officer = str(org.officers[((3 * n_customers) // 4) // CUSTOMERS_PER_OFFICER][0])
    out = []
    for c in ids:
        for _ in range(2):
            if len(out) < rows:
                out.append((str(org.intray_type_id), str(c), "bench backlog", "", "open", officer, None,
                            str(org.office_id), ctx.ts, ctx.ts, due, None, "", "", None, "[]", "1"))
    with transaction.atomic(), connection.cursor() as cursor:
        _Writer(cursor, connection.vendor).write("intrays_intray", INTRAY_COLS, _block(out))
    return len(out)


def auto_unlock_backlog(n_customers: int, rows: int) -> list[int]:
    """``rows`` pool customers locked to a SERVICES bench officer with an automatic unlock due; returns lock ids."""
    from casework.org.models import Officer
    from casework.ownership.models import AutoUnlock, Lock

    from .http import lock_officers

    org = ensure_org(n_customers // CUSTOMERS_PER_OFFICER + 1)
    ctx = _context(org)
    from casework.customers.models import Customer

    # The pool (customers with an income record) in the upper quarter, not locked now.
    ids = list(
        Customer.objects.filter(csid__gte=csid((3 * n_customers) // 4), csid__lt=csid(n_customers),
                                incomes__isnull=False)
        .exclude(pk__in=Lock.objects.filter(is_active=True).values("customer_id"))
        .order_by("csid").values_list("id", flat=True)[:rows]
    )
    officer = Officer.objects.select_related("position").get(user__username=f"bench-officer-{lock_officers(1)[0]}")
    with transaction.atomic(), connection.cursor() as cursor:
        w = _Writer(cursor, connection.vendor)
        lock_ids = w.ids("ownership_lock", len(ids))
        w.write("ownership_lock", ("id", *LOCK_COLS), _block(
            (str(lid), str(c), str(officer.position.business_area_id), str(officer.position_id), str(officer.pk),
             "lock", "bench", "[]", ctx.true, ctx.ts, "", "", "", "[]")
            for lid, c in zip(lock_ids, ids)
        ))
    past = clock.now() - dt.timedelta(minutes=5)
    AutoUnlock.objects.bulk_create([
        AutoUnlock(customer_id=c, lock_id=lid, due_at=past, created_at=past, letter_ids=[], reason="bench backlog",
                   created_by_id=officer.user_id)
        for lid, c in zip(lock_ids, ids)
    ], batch_size=5000)
    return lock_ids


@contextlib.contextmanager
def _seal_timer() -> Iterator[list[float]]:
    """The seconds spent sealing the audit chain inside the block (``core.audit.audit_chain_seal``, wherever it is
    called from: the job's end, a commit), so the chunks can be timed apart from the seal."""
    from casework.core import audit

    spent = [0.0]
    real = audit.audit_chain_seal

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    audit.audit_chain_seal = timed
    try:
        yield spent
    finally:
        audit.audit_chain_seal = real


def _rates(done: int, sec: float, seal: float) -> dict:
    chunks = sec - seal
    return {"seconds": round(sec, 2), "seal_seconds": round(seal, 3),
            "rows_per_second": round(done / sec, 1) if sec else 0.0,
            "chunk_rows_per_second": round(done / chunks, 1) if chunks > 0 else 0.0}


def bench_sweeps(n_customers: int, *, sla_rows: int, unlock_rows: int, log=print) -> dict:
    from casework.core.models import AuditEvent
    from casework.intrays.jobs import sla_breach_job
    from casework.intrays.models import Intray
    from casework.ownership.jobs import auto_unlock_due_report

    out: dict = {}
    made = sla_backlog(n_customers, sla_rows)
    with _seal_timer() as seal:
        t0 = time.perf_counter()
        recorded = sla_breach_job()
        sec = time.perf_counter() - t0
    open_intrays = Intray.objects.filter(status__in=["open", "in_progress"]).count()
    rates = _rates(recorded, sec, seal[0])
    rate = rates["rows_per_second"]
    per_night = open_intrays / 90  # the loader spreads due dates over 90 days: 1/90 of open intrays fall due a day
    out["sla_breach"] = {
        "backlog": made, "recorded": recorded, **rates,
        "open_intrays": open_intrays, "breaches_per_night_estimate": round(per_night),
        "night_seconds_estimate": round(per_night / rate, 1) if rate else None,
    }
    log(f"[sweep] SLA breach: {recorded} of {made} in {sec:.2f}s = {rate:.0f} rows/s with the seal "
        f"({rates['seal_seconds']}s), {rates['chunk_rows_per_second']:.0f} rows/s in the chunks; a night "
        f"(~{per_night:.0f} breaches) ≈ {out['sla_breach']['night_seconds_estimate']}s")

    lock_ids = auto_unlock_backlog(n_customers, unlock_rows)
    with _seal_timer() as seal:
        t0 = time.perf_counter()
        report = auto_unlock_due_report()
        sec = time.perf_counter() - t0
    audited = AuditEvent.objects.filter(action="ownership.auto_unlock", target_type="lock",
                                        target_id__in=[str(i) for i in lock_ids]).count()
    rates = _rates(report["unlocked"], sec, seal[0])
    out["auto_unlock"] = {
        "backlog": len(lock_ids), "unlocked": report["unlocked"], "refused": report["refused"],
        "cancelled": report["cancelled"], "failed": len(report["failed"]), "audited": audited,
        "every_unlock_audited": audited == report["unlocked"], **rates,
    }
    log(f"[sweep] auto-unlock: {report['unlocked']} of {len(lock_ids)} in {sec:.2f}s = "
        f"{rates['rows_per_second']:.0f} rows/s with the seal ({rates['seal_seconds']}s), "
        f"{rates['chunk_rows_per_second']:.0f} rows/s in the chunks, "
        f"{audited} audited, {report['refused']} refused, {len(report['failed'])} failed")
    return out

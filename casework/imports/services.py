"""The bulk import from the agency's assessment and payments system (``manage.py import_case_data FILE``).

Streaming: rows are read one at a time (``readers``) and written in batches of ``BATCH`` rows per transaction; each
row runs in its own savepoint, so a rejected row leaves nothing behind and does not undo its neighbours. Every write
goes through the customers services (the same validation and guards as the officer screens and the API) and is
audited as ``system:import``. Upsert by the source system's keys (``SourceRecord``): a row identical to the one last
imported is skipped without a write, so running the same file twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from casework.core import clock
from casework.core.audit import audit_chain_seal, audit_record, audit_record_select
from casework.core.copy import copy_rows
from casework.core.context import system_context
from casework.core.errors import DomainError
from casework.customers import services as cs
from casework.customers.csid import normalise_csid
from casework.customers.models import Case, CaseRoleHistory, Child, Customer, Debt, PaymentArrangement

from . import schema
from .models import SourceRecord

SYSTEM = "import"
BATCH = 500
REASON = "Imported from the assessment and payments system"
MODELS = {"customer": Customer, "case": Case, "child": Child, "debt": Debt, "arrangement": PaymentArrangement}
_CACHE_LIMIT = 50_000
KEEP_REJECTIONS = 1000  # kept in the result; every rejection is also streamed to ``on_reject``


@dataclass
class Rejection:
    line: int
    record: str
    source_key: str
    reason: str

    def __str__(self) -> str:
        what = f"{self.record} {self.source_key}".strip()
        return f"line {self.line}: {what}: {self.reason}" if what else f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    path: str = "rows"  # "bulk" when import_bulk wrote set-based (PostgreSQL)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}


def _not_imported(kind: str, key: str, field_name: str) -> schema.RowError:
    return schema.RowError(f"{field_name} refers to {kind} '{key}', which is not imported (put it earlier in the "
                           "file).")


class _Importer:
    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], int] = {}
        # The bulk path writes a chunk's new customers and cases before the chunk's other rows: what it wrote, by the
        # line it came from, so a row before that line still cannot refer to it (as on the row path).
        self.later: dict[tuple[str, str], int] = {}
        self.line = 0

    # ---------------------------------------------------------------- source keys

    def _record(self, kind: str, key: str) -> SourceRecord | None:
        return SourceRecord.objects.filter(record_type=kind, source_key=key).first()

    def _resolve(self, kind: str, key: str, field_name: str):
        if self.later.get((kind, key), 0) > self.line:
            raise _not_imported(kind, key, field_name)
        cached = self.cache.get((kind, key))
        if cached is None:
            rec = self._record(kind, key)
            if rec is None:
                raise _not_imported(kind, key, field_name)
            cached = rec.object_id
        model = MODELS.get(kind)
        return model.objects.get(pk=cached) if model is not None else cached

    def _remember(self, kind: str, key: str, object_id: int, fp: str, existing: SourceRecord | None) -> None:
        now = clock.now()
        if existing is None:
            SourceRecord.objects.create(record_type=kind, source_key=key, object_id=object_id, fingerprint=fp,
                                        first_imported_at=now, last_imported_at=now)
        else:
            SourceRecord.objects.filter(pk=existing.pk).update(object_id=object_id, fingerprint=fp,
                                                               last_imported_at=now)
        if len(self.cache) > _CACHE_LIMIT:
            self.cache.clear()
        self.cache[(kind, key)] = object_id

    # ---------------------------------------------------------------- one row

    def row(self, raw: dict[str, Any]) -> str:
        """Import one row in the caller's savepoint. Returns created | updated | unchanged; raises RowError."""
        row = schema.normalise(raw)
        kind, key = row["record"], row["source_key"]
        fp = schema.fingerprint(row)
        existing = self._record(kind, key)
        if existing is not None and existing.fingerprint == fp:
            self.cache[(kind, key)] = existing.object_id
            return "unchanged"
        if existing is not None and kind != "customer":
            raise schema.RowError(
                f"This {kind} was imported before with different values; the import does not change an existing "
                f"{kind} (correct it in the system, with a reason)."
            )
        return getattr(self, f"_{kind}")(row, key, fp, existing)

    def _customer(self, row, key, fp, existing) -> str:
        values = _customer_values(row)
        local = (Customer.objects.get(pk=existing.object_id) if existing is not None
                 else Customer.objects.filter(csid=normalise_csid(row["csid"])).first())
        if local is None:
            customer = cs.customer_create(actor=None, csid=row["csid"], **values)
            self._remember("customer", key, customer.pk, fp, existing)
            return "created"
        if existing is not None and normalise_csid(row["csid"]) != local.csid:
            raise schema.RowError("A customer's CSID cannot change.")
        before = local.updated_at
        customer = cs.customer_update(actor=None, customer=local, reason=REASON, **values)
        self._remember("customer", key, customer.pk, fp, existing)
        return "updated" if customer.updated_at != before else "unchanged"

    def _case(self, row, key, fp, existing) -> str:
        payer = self._resolve("customer", row["payer"], "payer")
        payee = self._resolve("customer", row["payee"], "payee")
        number = row.get("case_number")
        if number and Case.objects.filter(case_number=number).exists():
            raise schema.RowError(f"Case {number} already exists and was not imported under this key.")
        children = row.get("children", [])
        case = cs.case_create(
            actor=None, payer=payer, payee=payee, case_number=number,
            **_case_values(row),
        )
        made = list(case.children.order_by("id").values_list("id", flat=True))
        for child, child_id in zip(children, made, strict=True):
            if self._record("child", child["source_key"]) is not None:
                raise schema.RowError(f"Child {child['source_key']} was already imported with another case.")
            self._remember("child", child["source_key"], child_id, schema.fingerprint(child), None)
        self._remember("case", key, case.pk, fp, existing)
        return "created"

    def _income(self, row, key, fp, existing) -> str:
        record = cs.income_record_add(
            actor=None, customer=self._resolve("customer", row["customer"], "customer"), amount=row["amount"],
            source=row["source"], tax_year=_int(row["tax_year"], "tax_year"),
            effective_from=_date(row["effective_from"], "effective_from"), reason=REASON,
        )
        self._remember("income", key, record.pk, fp, existing)
        return "created"

    def _care(self, row, key, fp, existing) -> str:
        record = cs.care_arrangement_record(
            actor=None, case=self._resolve("case", row["case"], "case"),
            child=self._resolve("child", row["child"], "child"),
            carer=self._resolve("customer", row["carer"], "carer"),
            care_percentage=_int(row["care_percentage"], "care_percentage"),
            effective_from=_date(row["effective_from"], "effective_from"),
        )
        self._remember("care", key, record.pk, fp, existing)
        return "created"

    def _debt(self, row, key, fp, existing) -> str:
        debt = cs.debt_record(
            actor=None, case=self._resolve("case", row["case"], "case"),
            debtor=self._resolve("customer", row["debtor"], "debtor"), kind=row["kind"], amount=row["amount"],
            as_at=_date(row["as_at"], "as_at"),
        )
        self._remember("debt", key, debt.pk, fp, existing)
        return "created"

    def _arrangement(self, row, key, fp, existing) -> str:
        status = row.get("status", "active")
        if status not in ("active", "defaulted", "ended"):
            raise schema.RowError("status must be active, defaulted or ended.")
        arrangement = cs.payment_arrangement_create(
            actor=None, debt=self._resolve("debt", row["debt"], "debt"), instalment=row["instalment"],
            frequency=row["frequency"], start_date=_date(row["start_date"], "start_date"),
            from_system_of_record=True,
        )
        if status == "defaulted":
            arrangement = cs.payment_arrangement_default(actor=None, arrangement=arrangement, reason=REASON)
        # "ended": the next arrangement of the same debt in the file replaces (and so ends) it.
        self._remember("arrangement", key, arrangement.pk, fp, existing)
        return "created"


    def _payment(self, row, key, fp, existing) -> str:
        debt = self._resolve("debt", row["debt"], "debt") if row.get("debt") else None
        payment = cs.payment_received_record(
            actor=None, case=self._resolve("case", row["case"], "case"),
            payer=self._resolve("customer", row["payer"], "payer"), amount=row["amount"],
            received_on=_date(row["received_on"], "received_on"), debt=debt, method=row.get("method", ""),
        )
        self._remember("payment", key, payment.pk, fp, existing)
        return "created"

    def _role_reversal(self, row, key, fp, existing) -> str:
        case = cs.case_roles_reverse(
            actor=None, case=self._resolve("case", row["case"], "case"),
            effective_from=_date(row["effective_from"], "effective_from"), reason=row.get("reason") or REASON,
        )
        period = case.role_history.order_by("-from_date", "-id").first()
        self._remember("role_reversal", key, period.pk, fp, existing)
        return "created"


def _customer_values(row: dict[str, Any]) -> dict[str, Any]:
    """A customer row's fields as ``customers.services.customer_create``/``customer_build`` take them."""
    values = {k: row.get(k, "") for k in ("given_names", "family_name", "date_of_birth", "residence",
                                            *schema.CUSTOMER_OPTIONAL)}
    values["date_of_death"] = row.get("date_of_death")
    if not row.get("contact_preference"):
        values.pop("contact_preference")
    return values


def _case_values(row: dict[str, Any]) -> dict[str, Any]:
    """A case row's fields (but its parties and number) as ``customers.services.case_create``/``case_build`` take
    them."""
    return dict(
        registration_status=row.get("registration_status", "registered"),
        collection_type=row.get("collection_type", "agency"),
        annual_liability=row.get("annual_liability", "0"),
        children=[{k: c[k] for k in ("given_names", "family_name", "date_of_birth")} for c in row.get("children", [])],
        role_history_from=_date(row.get("role_history_from"), "role_history_from"),
    )


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise schema.RowError(f"{name} must be a date as YYYY-MM-DD.") from None


def _int(value: Any, name: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise schema.RowError(f"{name} must be a whole number.") from None


def _reason(exc: DomainError) -> str:
    details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
    return f"{exc.message} ({details})" if details else exc.message


class _Run:
    """One run's result and callbacks; ``row_path`` imports one row in its own savepoint and counts the outcome."""

    def __init__(self, on_row, on_reject, on_outcome) -> None:
        self.result = ImportResult()
        self.importer = _Importer()
        self.on_row, self.on_reject, self.on_outcome = on_row, on_reject, on_outcome

    def count(self, line: int, outcome: str) -> None:
        setattr(self.result, outcome, getattr(self.result, outcome) + 1)
        if self.on_outcome is not None:
            self.on_outcome(line, outcome)
        if self.on_row is not None:
            self.on_row()

    def row_path(self, line: int, raw: dict[str, Any]) -> None:
        self.importer.line = line
        try:
            with transaction.atomic():
                outcome = self.importer.row(raw)
        except (schema.RowError, DomainError) as exc:
            reason = exc.reason if isinstance(exc, schema.RowError) else _reason(exc)
            rejection = Rejection(line, str(raw.get("record") or ""), str(raw.get("source_key") or ""), reason)
            if len(self.result.rejections) < KEEP_REJECTIONS:
                self.result.rejections.append(rejection)
            if self.on_reject is not None:
                self.on_reject(rejection)
            outcome = "rejected"
        self.count(line, outcome)

    def finish(self, source_name: str, **extra: Any) -> ImportResult:
        with transaction.atomic():
            # The target id is bounded (64 characters); the whole file name is kept in the event's data.
            audit_record(actor=None, action="import.run", target=("import", Path(source_name).name[-64:]),
                         after={**self.result.as_dict(), "source": source_name, **extra}, reason=REASON)
        # The run's events chained once at its end, as a job's are (issue 15: no seal after each commit by default).
        audit_chain_seal()
        return self.result


def import_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    source_name: str,
    on_row: Callable[[], None] | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    on_outcome: Callable[[int, str], None] | None = None,
    batch: int = BATCH,
) -> ImportResult:
    """Import ``(line number, row)`` pairs as ``system:import``. Each row is all-or-nothing (a savepoint); rows are
    committed ``batch`` at a time. Rejections are reported through ``on_reject`` as they happen (and kept in the
    result); ``on_outcome(line, outcome)`` hears every row's outcome (created, updated, unchanged, rejected). An
    ``import.run`` audit event records the counts."""
    run = _Run(on_row, on_reject, on_outcome)
    with system_context(SYSTEM):
        iterator: Iterator[tuple[int, dict[str, Any]]] = iter(rows)
        done = False
        while not done:
            with transaction.atomic():
                for _ in range(batch):
                    try:
                        line, raw = next(iterator)
                    except StopIteration:
                        done = True
                        break
                    run.row_path(line, raw)
        return run.finish(source_name)


# --- The bulk path (issue 15) -------------------------------------------------------------------------------------

CHUNK = 5_000
BULK_FALLBACK = ("--bulk needs PostgreSQL (COPY): this database is not, so the file was imported row by row (the "
                 "same outcome, slower).")


def import_bulk(
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    source_name: str,
    on_row: Callable[[], None] | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    on_outcome: Callable[[int, str], None] | None = None,
    chunk: int = CHUNK,
) -> ImportResult:
    """``import_rows`` with new customers and cases written set-based, ``chunk`` rows per transaction (PostgreSQL).

    Per chunk: the rows are parsed as the row path parses them; the chunk's source records, CSIDs, case numbers and
    children's keys are read in one statement each; a new customer or case that is the only row of its key (and CSID,
    case number, children's keys) in the chunk, whose references resolve to a record imported before it, and that the
    customers services' own builders (``customer_build``, ``case_build``, the row path's code) accept, is written by
    ``COPY`` with its source record, and the row path's audit events are built in SQL from the rows written
    (``core.audit.audit_record_select``, one ``INSERT … SELECT`` per action); a row identical to the one last
    imported is unchanged without a write. Every other row (other record types, changes, links to an existing CSID, duplicates within the chunk, and every row that fails a check) then
    goes through the row path, in file order, so its outcome and message are the row path's; a row still cannot
    refer to a record that comes after it. On another database this is ``import_rows`` (``result.path`` says
    which)."""
    if connection.vendor != "postgresql":
        result = import_rows(rows, source_name=source_name, on_row=on_row, on_reject=on_reject, on_outcome=on_outcome)
        result.path = "rows"
        return result
    run = _Run(on_row, on_reject, on_outcome)
    with system_context(SYSTEM):
        iterator = iter(rows)
        while True:
            pairs = list(islice(iterator, chunk))
            if not pairs:
                break
            with transaction.atomic():
                _bulk_chunk(run, pairs)
        result = run.finish(source_name, path="bulk")
    result.path = "bulk"
    return result


@dataclass
class _Parsed:
    line: int
    raw: dict[str, Any]
    row: dict[str, Any] | None = None
    fp: str = ""
    kind: str = ""
    key: str = ""


def _bulk_chunk(run: _Run, pairs: list[tuple[int, dict[str, Any]]]) -> None:
    parsed: list[_Parsed] = []
    for line, raw in pairs:
        item = _Parsed(line, raw)
        try:
            item.row = schema.normalise(raw)
        except schema.RowError:
            pass  # the row path rejects it with the same reason
        else:
            item.fp = schema.fingerprint(item.row)
            item.kind, item.key = item.row["record"], item.row["source_key"]
        parsed.append(item)
    ok = [p for p in parsed if p.row is not None]
    keys = Counter((p.kind, p.key) for p in ok)
    customers = [p for p in ok if p.kind == "customer"]
    cases = [p for p in ok if p.kind == "case"]
    csids = Counter(normalise_csid(p.row["csid"]) for p in customers)
    numbers = Counter(p.row["case_number"] for p in cases if p.row.get("case_number"))
    child_keys = Counter(c["source_key"] for p in cases for c in p.row.get("children", []))
    wanted = set(keys) | {("customer", p.row[f]) for p in cases for f in ("payer", "payee")} | {
        ("child", k) for k in child_keys}
    known = _source_records(wanted)
    existing_csids = _existing(Customer, "csid", list(csids))
    existing_numbers = _existing(Case, "case_number", list(numbers))

    by_line: dict[int, str] = {}  # line -> the outcome decided here (the rest take the row path)
    new_customers: list[tuple[_Parsed, Customer]] = []
    chunk_customers: dict[str, tuple[int, int]] = {}  # source key -> (line, index in new_customers)
    for p in ok:
        if keys[(p.kind, p.key)] != 1:
            continue
        rec = known.get((p.kind, p.key))
        if rec is not None:
            if rec[1] == p.fp:
                by_line[p.line] = "unchanged"
                run.importer.cache[(p.kind, p.key)] = rec[0]
            continue
        if p.kind != "customer":
            continue
        csid = normalise_csid(p.row["csid"])
        if csids[csid] != 1 or csid in existing_csids:
            continue
        try:
            customer = cs.customer_build(actor=None, database=False, csid=p.row["csid"], **_customer_values(p.row))
        except (schema.RowError, DomainError):
            continue
        chunk_customers[p.key] = (p.line, len(new_customers))
        new_customers.append((p, customer))
        by_line[p.line] = "created"

    ids = _next_ids(Customer, len(new_customers))
    for (_, customer), pk in zip(new_customers, ids, strict=True):
        customer.pk = pk

    def party(key: str, line: int) -> Customer | None:
        if key in chunk_customers:
            born, index = chunk_customers[key]
            return new_customers[index][1] if born < line else None
        rec = known.get(("customer", key))
        return Customer(pk=rec[0]) if rec is not None else None

    new_cases: list[tuple[_Parsed, cs.CaseDraft]] = []
    for p in cases:
        if p.line in by_line or keys[(p.kind, p.key)] != 1 or known.get((p.kind, p.key)) is not None:
            continue
        number = p.row.get("case_number")
        kids = p.row.get("children", [])
        if number and (numbers[number] != 1 or number in existing_numbers):
            continue
        if any(child_keys[c["source_key"]] != 1 or ("child", c["source_key"]) in known for c in kids):
            continue
        payer, payee = party(p.row["payer"], p.line), party(p.row["payee"], p.line)
        if payer is None or payee is None:
            continue
        try:
            draft = cs.case_build(actor=None, payer=payer, payee=payee, case_number=number, database=False,
                                  **_case_values(p.row))
        except (schema.RowError, DomainError):
            continue
        new_cases.append((p, draft))
    # A drawn case number that is taken, drawn twice or given to another row of the chunk sends its row to the row
    # path, which draws again.
    drawn = Counter(d.case.case_number for p, d in new_cases if not p.row.get("case_number"))
    taken = _existing(Case, "case_number", [n for n in drawn if n not in numbers])
    new_cases = [(p, d) for p, d in new_cases if p.row.get("case_number") or (
        drawn[d.case.case_number] == 1 and d.case.case_number not in taken and d.case.case_number not in numbers)]
    for p, _ in new_cases:
        by_line[p.line] = "created"

    from psycopg import errors as pg_errors

    try:
        with transaction.atomic():
            written = _write(new_customers, new_cases)
    except (IntegrityError, pg_errors.IntegrityError):
        # Someone else wrote one of these keys, CSIDs or case numbers meanwhile: the row path decides each row.
        for p, _ in (*new_customers, *new_cases):
            by_line.pop(p.line, None)
    else:
        for kind, key, object_id, line in written:
            run.importer.cache[(kind, key)] = object_id
            run.importer.later[(kind, key)] = line
    for item in parsed:
        outcome = by_line.get(item.line)
        if outcome is None:
            run.row_path(item.line, item.raw)
        else:
            run.count(item.line, outcome)
    run.importer.later.clear()
    if len(run.importer.cache) > _CACHE_LIMIT:
        run.importer.cache.clear()


def _source_records(wanted: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """(record type, source key) -> (local id, fingerprint) of those already imported: one statement."""
    if not wanted:
        return {}
    kinds, keys = zip(*wanted)
    table = connection.ops.quote_name(SourceRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.record_type, s.source_key, s.object_id, s.fingerprint FROM {table} s "
            "JOIN unnest(%s::varchar[], %s::varchar[]) AS w(kind, key) ON s.record_type = w.kind "
            "AND s.source_key = w.key", [list(kinds), list(keys)])
        return {(kind, key): (object_id, fp) for kind, key, object_id, fp in cursor.fetchall()}


def _existing(model, column: str, values: list[str]) -> set[str]:
    """Which of ``values`` a unique column already holds: one statement."""
    if not values:
        return set()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)", [values])
        return {row[0] for row in cursor.fetchall()}


def _next_ids(model, count: int) -> list[int]:
    """``count`` ids from the table's own sequence (what an insert would take), in order."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [model._meta.db_table, count])
        return sorted(row[0] for row in cursor.fetchall())


def _copy(model, objs: Iterable[Any], *, with_pk: bool = True) -> None:
    """The instances into their table by one ``COPY`` of their attribute values (psycopg adapts each Python value as
    an insert would). ``auto_now``/``auto_now_add`` fields are filled on the instance first, as ``save()`` does."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    names = [f.attname for f in fields]
    now = timezone.now()

    def values(obj) -> list[Any]:
        for name in stamped:
            obj.__dict__[name] = now
        return [obj.__dict__[name] for name in names]

    copy_rows(model, [f.name for f in fields], map(values, objs))


SOURCE_COLUMNS = ("record_type", "source_key", "object_id", "fingerprint", "first_imported_at", "last_imported_at")


def _write(new_customers: list[tuple[_Parsed, Customer]],
           new_cases: list[tuple[_Parsed, Any]]) -> list[tuple[str, str, int, int]]:
    """The chunk's new customers and cases, their children and first payer/payee periods, their source records and
    the row path's audit events (``customer.create``; ``case.create`` and ``case.party_added``, built in SQL). Returns
    (record type, source key, local id, line) of every source record written."""
    now = clock.now()
    sources: list[tuple[str, str, int, str, Any, Any]] = []
    written: list[tuple[str, str, int, int]] = []

    def remember(kind: str, key: str, object_id: int, fp: str, line: int) -> None:
        sources.append((kind, key, object_id, fp, now, now))
        written.append((kind, key, object_id, line))

    _copy(Customer, (c for _, c in new_customers))
    for p, customer in new_customers:
        remember("customer", p.key, customer.pk, p.fp, p.line)
    if new_cases:
        case_ids = _next_ids(Case, len(new_cases))
        child_ids = iter(_next_ids(Child, sum(len(d.children) for _, d in new_cases)))
        children: list[Child] = []
        periods: list[CaseRoleHistory] = []
        for (p, draft), pk in zip(new_cases, case_ids, strict=True):
            case = draft.case
            case.pk = pk
            for child, spec in zip(draft.children, p.row.get("children", []), strict=True):
                child.pk = next(child_ids)
                child.case = case
                children.append(child)
                remember("child", spec["source_key"], child.pk, schema.fingerprint(spec), p.line)
            periods.append(CaseRoleHistory(case_id=pk, payer_id=case.payer_id, payee_id=case.payee_id,
                                           from_date=draft.roles_from))
            remember("case", p.key, pk, p.fp, p.line)
        _copy(Case, (d.case for _, d in new_cases))
        _copy(Child, children)
        _copy(CaseRoleHistory, periods, with_pk=False)
    copy_rows(SourceRecord, SOURCE_COLUMNS, sources)
    _audit_in_sql([c.pk for _, c in new_customers], [d.case.pk for _, d in new_cases])
    return written


def _json_sql(model, alias: str, names: Iterable[str] | None = None) -> str:
    """``jsonb_build_object`` of a row's fields as ``core.audit.snapshot`` records them (attribute names; dates and
    times in ISO 8601 as ``isoformat()`` writes them, decimals as text), so an event built in SQL is the event the
    row path records."""
    fields = [model._meta.get_field(n) for n in names] if names is not None else model._meta.concrete_fields
    parts = []
    for f in fields:
        col = f"{alias}.{connection.ops.quote_name(f.column)}"
        if isinstance(f, models.DateTimeField):
            # isoformat(): seconds, then ".ffffff" only when there are microseconds, then the UTC offset
            expr = (f"to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
                    f"mod(date_part('microseconds', {col})::bigint, 1000000) = 0 THEN '' ELSE "
                    f"to_char({col} AT TIME ZONE 'UTC', '.US') END || '+00:00'")
            expr = f"CASE WHEN {col} IS NULL THEN NULL ELSE {expr} END"
        elif isinstance(f, models.DecimalField):
            expr = f"{col}::text"
        else:
            expr = col
        parts.append(f"'{f.attname}', {expr}")
    return f"jsonb_build_object({', '.join(parts)})"


def _audit_in_sql(customer_ids: list[int], case_ids: list[int]) -> None:
    """The row path's audit events of the chunk's new customers (``customer.create``) and cases (``case.create``,
    ``case.party_added``; ``customers.services.case_create_events``), built in SQL from the rows just written: one
    ``INSERT … SELECT`` per action (``core.audit.audit_record_select``), no Python object per event."""
    qn = connection.ops.quote_name
    if customer_ids:
        audit_record_select(action="customer.create", params=[customer_ids], select_sql=(
            f"SELECT 'customer', c.id::text, left(btrim(c.given_names || ' ' || c.family_name) || ' (' || c.csid "
            f"|| ')', 200), c.id, {_json_sql(Customer, 'c')}, c.version FROM {qn(Customer._meta.db_table)} c "
            "WHERE c.id = ANY(%s) ORDER BY c.id"))
    if case_ids:
        kids = _json_sql(Child, "ch", ("given_names", "family_name", "date_of_birth"))
        cases = f"{qn(Case._meta.db_table)} k"
        audit_record_select(action="case.create", params=[case_ids], select_sql=(
            f"SELECT 'case', k.id::text, left('Case ' || k.case_number, 200), k.payer_id, {_json_sql(Case, 'k')} || "
            f"jsonb_build_object('children', coalesce((SELECT jsonb_agg({kids} ORDER BY ch.id) FROM "
            f"{qn(Child._meta.db_table)} ch WHERE ch.case_id = k.id), '[]'::jsonb)), k.version FROM {cases} "
            "WHERE k.id = ANY(%s) ORDER BY k.id"))
        audit_record_select(action="case.party_added", params=[case_ids], select_sql=(
            f"SELECT 'case', k.id::text, left('Case ' || k.case_number, 200), k.payee_id, jsonb_build_object("
            f"'role', 'payee', 'case_number', k.case_number), k.version FROM {cases} WHERE k.id = ANY(%s) "
            "ORDER BY k.id"))

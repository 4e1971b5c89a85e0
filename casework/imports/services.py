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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.context import system_context
from casework.core.errors import DomainError
from casework.customers import services as cs
from casework.customers.csid import normalise_csid
from casework.customers.models import Case, Child, Customer, Debt, PaymentArrangement

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

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}


class _Importer:
    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], int] = {}

    # ---------------------------------------------------------------- source keys

    def _record(self, kind: str, key: str) -> SourceRecord | None:
        return SourceRecord.objects.filter(record_type=kind, source_key=key).first()

    def _resolve(self, kind: str, key: str, field_name: str):
        cached = self.cache.get((kind, key))
        if cached is None:
            rec = self._record(kind, key)
            if rec is None:
                raise schema.RowError(f"{field_name} refers to {kind} '{key}', which is not imported (put it earlier "
                                      "in the file).")
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
        values = {k: row.get(k, "") for k in ("given_names", "family_name", "date_of_birth", "residence",
                                                *schema.CUSTOMER_OPTIONAL)}
        values["date_of_death"] = row.get("date_of_death")
        if not row.get("contact_preference"):
            values.pop("contact_preference")
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
            registration_status=row.get("registration_status", "registered"),
            collection_type=row.get("collection_type", "agency"),
            annual_liability=row.get("annual_liability", "0"),
            children=[{k: c[k] for k in ("given_names", "family_name", "date_of_birth")} for c in children],
            role_history_from=_date(row.get("role_history_from"), "role_history_from"),
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


def import_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    source_name: str,
    on_row: Callable[[], None] | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    batch: int = BATCH,
) -> ImportResult:
    """Import ``(line number, row)`` pairs as ``system:import``. Each row is all-or-nothing (a savepoint); rows are
    committed ``batch`` at a time. Rejections are reported through ``on_reject`` as they happen (and kept in the
    result). An ``import.run`` audit event records the counts."""
    result = ImportResult()
    importer = _Importer()
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
                    try:
                        with transaction.atomic():
                            outcome = importer.row(raw)
                    except (schema.RowError, DomainError) as exc:
                        reason = exc.reason if isinstance(exc, schema.RowError) else _reason(exc)
                        rejection = Rejection(line, str(raw.get("record") or ""), str(raw.get("source_key") or ""),
                                              reason)
                        result.rejected += 1
                        if len(result.rejections) < KEEP_REJECTIONS:
                            result.rejections.append(rejection)
                        if on_reject is not None:
                            on_reject(rejection)
                    else:
                        setattr(result, outcome, getattr(result, outcome) + 1)
                    if on_row is not None:
                        on_row()
        with transaction.atomic():
            # The target id is bounded (64 characters); the whole file name is kept in the event's data.
            audit_record(actor=None, action="import.run", target=("import", Path(source_name).name[-64:]),
                         after={**result.as_dict(), "source": source_name}, reason=REASON)
    return result

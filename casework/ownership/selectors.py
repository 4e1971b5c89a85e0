"""Reads of ownership: the current owner explained (CMA-1.5), lock history, routing of calls (CMA-1.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery

from casework.core import clock, refcache
from casework.core.errors import InvalidInput, NotFound
from casework.core.policy import Decision
from casework.customers.csid import normalise_csid, validate_csid
from casework.customers.models import Case, Customer, IssueStatus, PresentingIssue
from casework.org.models import BusinessArea, Officer, Position

from . import policy
from .models import (
    AutoUnlock,
    AutoUnlockStatus,
    CustomerRoute,
    ErrorReport,
    Lock,
    LockKind,
    OwnershipTransfer,
    TransferStatus,
    holder_label,
)

PS_AREA = "PS"


# ---------------------------------------------------------------- prepared statements on the hot paths (issue 15)

# psycopg prepares a statement on a connection once it has run this many times there (its own default): a pooled
# connection (``DB_POOL``, ``make serve-prod``) keeps it for every later request; a connection opened per request
# never reaches it, so it pays nothing extra.
PREPARE_THRESHOLD = 5


def _prepared_on() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "DB_PREPARED_STATEMENTS", True)


_CURSOR_CLASS: type | None = None


def _server_binding(raw) -> type:
    """Django's server-binding cursor class (recording the statement of a prepared execution for Django's query log
    too: psycopg records it only for unprepared ones), with psycopg's threshold set on this connection (it applies
    only to server-binding cursors: Django's own client-side binding cursors never prepare)."""
    global _CURSOR_CLASS
    if _CURSOR_CLASS is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparedCursor(ServerBindingCursor):
            def _send_query_prepared(self, name, pgq, *, binary=None):
                self._query = pgq  # what ``connection.queries`` and CaptureQueriesContext show ($1 placeholders)
                return super()._send_query_prepared(name, pgq, binary=binary)

        _CURSOR_CLASS = PreparedCursor
    if raw.prepare_threshold is None:
        raw.prepare_threshold = PREPARE_THRESHOLD
    return _CURSOR_CLASS


@contextmanager
def prepared_statements() -> Iterator[None]:
    """Issue 15: on PostgreSQL, the ORM statements run inside use server-side parameter binding, so psycopg prepares
    each once it has run ``PREPARE_THRESHOLD`` times on the connection: the server parses and plans the lock path's
    reads once per connection instead of on every call (what ``pgbench -M prepared`` does). Django keeps prepared
    statements off by default (client-side binding, for transaction poolers); this turns them on only for the
    statements inside, on this thread's connection; every other query keeps Django's defaults.
    ``DB_PREPARED_STATEMENTS=false`` (environment, ``config/settings.py``) turns it off (PgBouncer in transaction
    mode before 1.21, or without ``max_prepared_statements``). No-op on SQLite."""
    if not _prepared_on():
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    factory = raw.cursor_factory
    raw.cursor_factory = _server_binding(raw)
    try:
        yield
    finally:
        raw.cursor_factory = factory


def prepared_cursor():
    """A cursor for one raw hot statement (call routing, the lock path's row lock): Django's cursor wrapper (the
    query is logged and counted like any other), with server-side binding on PostgreSQL so the statement is
    prepared once per connection (``prepared_statements``); Django's ordinary cursor elsewhere."""
    if not _prepared_on():
        return connection.cursor()
    connection.close_if_health_check_failed()  # as ``connection.cursor()`` does (CONN_HEALTH_CHECKS)
    connection.ensure_connection()
    raw = connection.connection
    cursor = _server_binding(raw)(raw)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


# ---------------------------------------------------------------- facts for the policy layer


AREAS_CACHE_KEY = "org.businessarea"  # invalidated by org.services.reference_upsert (issue 15)


def _load_area_facts() -> dict[str, policy.AreaFact]:
    return {
        a.code: policy.AreaFact(a.code, a.name, a.kind, a.retention_priority, a.retains_parties)
        for a in BusinessArea.objects.all()
    }


def area_facts() -> dict[str, policy.AreaFact]:
    """Every business area's CMA-1.5 data, cached per process (``core.refcache``, issue 15)."""
    return refcache.cached(AREAS_CACHE_KEY, _load_area_facts)


# ---------------------------------------------------------------- the facts of one ownership write, read once


@dataclass
class LockFacts:
    """Issue 15: what an ownership write needs about the customer, read ONCE inside its transaction: the customer
    row locked (``SELECT ... FOR UPDATE``) with, in the same query, its roles on cases (CMA-1.5), whether an error
    report is open (CMA-1.3), an agreement or Team Leader decision exists (CMA-1.6) and a PS record is active
    (PS-FIN-3); the presenting issues read once, on first use, for the rule (CMA-1.5) and the unlock scope
    (CMA-3.1/3.2)."""

    customer: Customer
    roles: frozenset[str]
    errors_open: bool
    agreement: bool
    ps_active: bool
    _issues: list[PresentingIssue] | None = None
    # Whether the customer has any presenting issue (read in the row-lock statement): none → no read of them.
    has_issues: bool = True
    # The unlock's MCA columns (``contacts.selectors.MCA_COLUMNS``), read in the same statement when asked for.
    mca: tuple[Any, ...] | None = None

    def issues(self) -> list[PresentingIssue]:
        if self._issues is None:
            self._issues = issue_rows(customer=self.customer) if self.has_issues else []
        return self._issues


# (vendor, with the MCA columns) -> (sql, params, index of the id)
_LOCK_FACTS_SQL: dict[tuple[str, bool], tuple[str, tuple[Any, ...], int]] = {}
_ID_MARK = -7_713_015  # no customer has this id: marks where the customer's id goes in the compiled statement


def _lock_facts_statement(mca: bool = False) -> tuple[str, tuple[Any, ...], int]:
    """The statement of ``lock_facts``, compiled by the ORM once per process (issue 15: the same EXISTS were
    compiled again on every lock and unlock). ``mca``: with the unlock's MCA columns."""
    from casework.ps.models import PsRecord  # PS builds on ownership; read its record lazily (no import cycle)

    key = (connection.vendor, mca)
    if key not in _LOCK_FACTS_SQL:
        cid = OuterRef("pk")
        extra: dict[str, Any] = {}
        if mca:
            from casework.contacts.selectors import MCA_COLUMNS, mca_required_columns  # contacts builds on ownership

            extra = mca_required_columns(cid)
            assert tuple(extra) == MCA_COLUMNS
        qs = (
            Customer.objects.select_for_update()
            .annotate(
                f_payer=Exists(Case.objects.filter(payer_id=cid)),
                f_payee=Exists(Case.objects.filter(payee_id=cid)),
                f_errors=Exists(ErrorReport.objects.filter(customer_id=cid, is_open=True)),
                f_agreement=Exists(OwnershipTransfer.objects.filter(
                    customer_id=cid, status__in=(TransferStatus.AGREED, TransferStatus.DECIDED))),
                f_ps=Exists(PsRecord.objects.filter(Q(customer_id=cid) | Q(associated_customer_id=cid),
                                                    is_active=True)),
                f_issues=Exists(PresentingIssue.objects.filter(customer_id=cid)),
                **extra,
            )
            .filter(pk=_ID_MARK)
            .order_by()  # one row: not the customers' default ordering by name
            .values_list("pk", "f_payer", "f_payee", "f_errors", "f_agreement", "f_ps", "f_issues", *extra)
        )
        sql, params = qs.query.get_compiler(connection=connection).as_sql()
        _LOCK_FACTS_SQL[key] = (sql, tuple(params), list(params).index(_ID_MARK))
    return _LOCK_FACTS_SQL[key]


def lock_facts(*, customer: Customer, mca: bool = False) -> LockFacts:
    """The customer row locked (``SELECT ... FOR UPDATE``) and the facts of ``LockFacts`` in ONE statement, compiled
    once per process and prepared on PostgreSQL (call inside the write's transaction): whether the customer has any
    presenting issue (none: the rule reads none) and, with ``mca`` (the unlock), the columns that decide whether
    the record requires MCA (``contacts.selectors.mca_required_columns``)."""
    from django.db.transaction import TransactionManagementError

    if connection.get_autocommit():
        raise TransactionManagementError("lock_facts locks the customer row: call it inside a transaction.")
    sql, params, at = _lock_facts_statement(mca)
    params = list(params)
    params[at] = customer.pk
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Customer.DoesNotExist("Customer matching query does not exist.")
    _, payer, payee, errors, agreement, ps, issues = row[:7]
    roles = frozenset(r for r, on in (("payer", payer), ("payee", payee)) if on)
    return LockFacts(customer, roles, bool(errors), bool(agreement), bool(ps), has_issues=bool(issues),
                     mca=tuple(row[7:]) if mca else None)


def issue_rows(*, customer: Customer) -> list[PresentingIssue]:
    with prepared_statements():
        return list(
            PresentingIssue.objects.filter(customer=customer)
            .select_related("issue_type__handling_area", "received_area")
            .order_by("received_at", "id")
        )


def area_fact(area: BusinessArea) -> policy.AreaFact:
    return policy.AreaFact(area.code, area.name, area.kind, area.retention_priority, area.retains_parties)


def issue_facts(*, customer: Customer, rows: list[PresentingIssue] | None = None) -> list[policy.IssueFact]:
    rows = issue_rows(customer=customer) if rows is None else rows
    return [_issue_fact(i) for i in rows]


def _issue_fact(i: PresentingIssue) -> policy.IssueFact:
    return policy.IssueFact(
        id=i.pk,
        type_code=i.issue_type.code,
        kind=i.issue_type.kind,
        handling_area=i.issue_type.handling_area.code,
        received_area=i.received_area.code,
        received_at=i.received_at,
        outstanding=i.status in (IssueStatus.OPEN, IssueStatus.REFERRED),
    )


def customer_roles(*, customer: Customer) -> frozenset[str]:
    roles = set()
    for payer_id, payee_id in Case.objects.filter(Q(payer=customer) | Q(payee=customer)).values_list(
        "payer_id", "payee_id"
    ):
        roles.add("payer" if payer_id == customer.pk else "payee")
    return frozenset(roles)


def rule_owner(*, customer: Customer, facts: LockFacts | None = None, record_facts=None) -> Decision:
    """CMA-1.5 applied to the customer's outstanding presenting issues (on ``facts`` when the write read them; on
    ``record_facts``, a ``customers.selectors.CustomerFacts``, when a page read them)."""
    if record_facts is not None:
        return policy.determine_owner(roles=record_facts.roles, areas=area_facts(),
                                      issues=issue_facts(customer=customer, rows=list(record_facts.issue_rows)))
    if facts is not None:
        return policy.determine_owner(roles=facts.roles, issues=issue_facts(customer=customer, rows=facts.issues()),
                                      areas=area_facts())
    return policy.determine_owner(
        roles=customer_roles(customer=customer), issues=issue_facts(customer=customer), areas=area_facts()
    )


def holder_fact(lock: Lock | None) -> policy.HolderFact | None:
    if lock is None:
        return None
    return policy.HolderFact(
        area=lock.area.code,
        area_kind=lock.area.kind,
        officer_id=lock.officer_id,
        position_id=lock.position_id if lock.officer_id is None else None,
        label=lock.holder_label,
    )


_ACTIVE_MARK = -7_713_016  # no customer has this id: marks where the customer's id goes in the compiled statement


def _active_lock_reader(db, for_update: bool, with_auto_unlock: bool) -> tuple:
    """``active_lock``'s statement compiled by the ORM once per database connection object (issue 15: compiling its
    joins and ordering was half of the lock + unlock cycle's CPU), with what ``ModelIterable`` needs to build the
    lock and its area, position, office, officer and user from a row (the compiler's converters included)."""
    from django.db.models.query import get_related_populators

    cache = db.__dict__.setdefault("_casework_active_lock", {})
    key = (for_update, with_auto_unlock)
    if key not in cache:
        qs = Lock.objects.filter(customer_id=_ACTIVE_MARK, is_active=True)
        if for_update:
            qs = qs.select_for_update(of=("self",))
        if with_auto_unlock:
            qs = qs.annotate(auto_unlock_scheduled=Exists(
                AutoUnlock.objects.filter(lock_id=OuterRef("pk"), status=AutoUnlockStatus.SCHEDULED)))
        # At most one active lock (the partial unique index): no ordering needed.
        qs = qs.select_related("area", "position__office", "officer__user").order_by()[:1]
        compiler = qs.query.get_compiler(connection=db)
        sql, params = compiler.as_sql()
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        cache[key] = (compiler, sql, tuple(params), list(params).index(_ACTIVE_MARK), start, end,
                      [f[0].target.attname for f in select[start:end]],
                      get_related_populators(klass_info, select, db.alias), dict(compiler.annotation_col_map))
    return cache[key]


def active_lock(*, customer: Customer, for_update: bool = False, with_auto_unlock: bool = False) -> Lock | None:
    """The customer's active lock with its area, position and officer. ``with_auto_unlock``: also whether an
    automatic unlock is scheduled on it (``lock.auto_unlock_scheduled``, so ending it needs no extra read). One
    statement, compiled once per connection and prepared on PostgreSQL."""
    db = connections[DEFAULT_DB_ALIAS]
    compiler, sql, params, at, start, end, init_list, populators, annotations = _active_lock_reader(
        db, for_update, with_auto_unlock)
    params = list(params)
    params[at] = getattr(customer, "pk", customer)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lock = None
    for row in compiler.results_iter([rows]):
        lock = Lock.from_db(db.alias, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, lock)
        for name, pos in annotations.items():
            setattr(lock, name, row[pos])
    if lock is not None and isinstance(customer, Customer):
        lock.customer = customer  # already in hand: telling the holders needs no second read
    return lock


def _active_of(history: list[Lock], customer: Customer) -> Lock | None:
    """The active lock among the customer's lock history (read with the same joins as ``active_lock``)."""
    lock = next((row for row in history if row.is_active), None)
    if lock is not None and isinstance(customer, Customer):
        lock.customer = customer  # already in hand: telling the holders needs no second read
    return lock


def lock_history(*, customer: Customer, with_auto_unlock: bool = False) -> list[Lock]:
    """Every lock of the customer, newest first. ``with_auto_unlock``: each with ``auto_unlock_scheduled``."""
    return list(lock_history_queryset(customer=customer, with_auto_unlock=with_auto_unlock))


def lock_history_queryset(*, customer: Customer, with_auto_unlock: bool = False) -> QuerySet[Lock]:
    qs = Lock.objects.filter(customer=customer)
    if with_auto_unlock:
        qs = qs.annotate(auto_unlock_scheduled=Exists(
            AutoUnlock.objects.filter(lock_id=OuterRef("pk"), status=AutoUnlockStatus.SCHEDULED)))
    return (
        qs
        .select_related("area", "position__office", "officer__user", "started_by", "ended_by", "issue__issue_type")
        .order_by("-started_at", "-id")
    )


def due_auto_unlock(*, lock: Lock | None) -> AutoUnlock | None:
    if lock is None:
        return None
    return (
        AutoUnlock.objects.filter(lock=lock, status=AutoUnlockStatus.SCHEDULED).order_by("due_at").first()
    )


# ---------------------------------------------------------------- CMA-3.4 readiness facts (one check, every path)


def ps_record_active(*, customer: Customer, facts: LockFacts | None = None) -> bool:
    """PS-FIN / PS-ACT-5: the customer (or the associated customer) has an active Personalised Services record."""
    if facts is not None:
        return facts.ps_active
    from casework.ps.models import PsRecord  # PS builds on ownership; read its record lazily (no import cycle)

    return PsRecord.objects.filter(Q(customer=customer) | Q(associated_customer=customer), is_active=True).exists()


def open_issues_in_scope(*, customer: Customer, lock: Lock | None,
                         facts: LockFacts | None = None) -> tuple[str, ...]:
    """CMA-3.1/3.2: outstanding presenting issues the unlocking area must finalise first — every issue except the
    specialised issues of *other* areas (those re-lock the customer to their officer, CMA-3.3)."""
    if facts is not None:
        rows = [i for i in facts.issues() if i.status in (IssueStatus.OPEN, IssueStatus.REFERRED)]
    else:
        rows = (
            PresentingIssue.objects.filter(customer=customer, status__in=(IssueStatus.OPEN, IssueStatus.REFERRED))
            .select_related("issue_type__handling_area")
            .order_by("received_at", "id")
        )
    return _in_scope(rows, lock)


def _in_scope(rows: Iterable[PresentingIssue], lock: Lock | None) -> tuple[str, ...]:
    """The names of the outstanding issues (``rows``, in received order) the lock's area must finalise first."""
    area_id = lock.area_id if lock is not None else None
    return tuple(
        i.issue_type.name
        for i in rows
        if i.status in (IssueStatus.OPEN, IssueStatus.REFERRED)
        and not (i.issue_type.kind == policy.SPECIALISED and i.issue_type.handling_area_id != area_id)
    )


def unlock_readiness_facts(
    *,
    customer: Customer,
    lock: Lock | None,
    decision_explained: bool,
    contact_attempted: bool,
    letters_missing_for: tuple[str, ...] | None = None,
    ps_finalisation_approved: bool = False,
    facts: LockFacts | None = None,
    in_scope: tuple[str, ...] | None = None,
    ps_active: bool | None = None,
    mca: tuple[bool, bool] | None = None,
) -> policy.UnlockReadinessFacts:
    """The CMA-3.4 readiness facts. ``in_scope`` / ``ps_active`` / ``mca`` (required, documented): already read for
    many customers at once (the set-based automatic-unlock sweep, ``auto_unlock_chunk_facts``); ``facts``: the lock
    path's one read of the customer (``lock_facts``); read here otherwise (the MCA status by the set-based read for
    this one customer, ``contacts.selectors.customer_mca_statuses``: a fixed 2 to 7 queries, not the whole record)."""
    if mca is None and facts is not None and facts.mca is not None:
        # Issue 15: decided from the columns the row-lock statement read; the contacts read only when required.
        from casework.contacts.selectors import mca_documented, mca_required_from_columns  # contacts builds on us

        required = mca_required_from_columns(*facts.mca)
        since = lock.started_at if lock is not None else clock.now()
        with prepared_statements():
            mca = (True, mca_documented(customer.pk, since=since)) if required else (False, False)
    if mca is None:
        from casework.contacts.selectors import customer_mca_statuses  # contacts builds on ownership: read lazily

        since = lock.started_at if lock is not None else clock.now()
        with prepared_statements():  # issue 15: its reads planned once per connection on PostgreSQL
            mca = customer_mca_statuses({customer.pk: since})[customer.pk]
    mca_required, mca_done = mca
    return policy.UnlockReadinessFacts(
        decision_explained=decision_explained,
        contact_attempted=contact_attempted,
        open_issues_in_scope=(in_scope if in_scope is not None
                              else open_issues_in_scope(customer=customer, lock=lock, facts=facts)),
        mca_required=mca_required,
        mca_done=mca_done,
        letters_missing_for=letters_missing_for,
        ps_record_active=ps_active if ps_active is not None else ps_record_active(customer=customer, facts=facts),
        ps_finalisation_approved=ps_finalisation_approved,
    )


def auto_unlock_readiness(*, auto: AutoUnlock, lock: Lock | None, in_scope: tuple[str, ...] | None = None,
                          ps_active: bool | None = None, mca: tuple[bool, bool] | None = None) -> Decision:
    """CMA-3.4 re-checked for a scheduled automatic unlock: contact was attempted and the letters recorded when it
    was scheduled (both required then); the rest (issues in scope, MCA, PS) is read again now (or given, read for a
    whole chunk by ``auto_unlock_chunk_facts``, which has not read the customer row: not needed then)."""
    given = in_scope is not None and ps_active is not None and mca is not None
    return policy.unlock_readiness(
        unlock_readiness_facts(customer=None if given else auto.customer, lock=lock, decision_explained=False,
                               contact_attempted=True, letters_missing_for=(), in_scope=in_scope,
                               ps_active=ps_active, mca=mca)
    )


class LockHolder(NamedTuple):
    """A lock's area, position and officer as plain values: what its audit snapshot (``services._lock_snapshot``),
    its ``holder_label`` and its holders' notice read (issue 15: the automatic-unlock chunk reads these columns with
    the lock, not an area, position, officer and user instance per lock). ``of(lock)``: the same from a loaded lock."""

    area_code: str
    area_name: str
    position_code: str | None
    position_title: str | None
    officer_username: str | None
    officer_name: str | None  # ``Officer.display_name``
    officer_user_id: int | None
    officer_user_active: bool | None

    @property
    def label(self) -> str:
        return holder_label(officer_name=self.officer_name, position_title=self.position_title,
                            area_name=self.area_name)

    @classmethod
    def of(cls, lock: Lock) -> LockHolder:
        position = lock.position if lock.position_id else None
        user = lock.officer.user if lock.officer_id else None
        return cls(lock.area.code, lock.area.name, position.code if position else None,
                   position.title if position else None, user.username if user else None,
                   lock.officer.display_name if user else None, user.pk if user else None,
                   user.is_active if user else None)


# The lock's columns the automatic-unlock chunk reads, then its holder's (``LockHolder``), in one query.
_CHUNK_LOCK_FIELDS = ("id", "customer_id", "area_id", "position_id", "officer_id", "kind", "issue_id", "reason",
                      "step_ids", "started_at")
_CHUNK_HOLDER_FIELDS = ("area__code", "area__name", "position__code", "position__title", "officer__user__username",
                        "officer__user__first_name", "officer__user__last_name", "officer__user_id",
                        "officer__user__is_active")


def _chunk_lock(row: tuple) -> tuple[Lock, LockHolder]:
    """One active lock of the chunk from its values: a ``Lock`` with its own columns only (its transition ``end``
    fires on it) and its ``LockHolder`` (the display name as ``Officer.display_name``: the user's full name, else
    the username)."""
    n = len(_CHUNK_LOCK_FIELDS)
    lock = Lock(**dict(zip(_CHUNK_LOCK_FIELDS, row[:n])), is_active=True)
    area_code, area_name, pos_code, pos_title, username, first, last, user_id, user_active = row[n:]
    name = (f"{first} {last}".strip() or username) if user_id is not None else None
    return lock, LockHolder(area_code, area_name, pos_code, pos_title, username, name, user_id, user_active)


@dataclass(frozen=True)
class AutoUnlockFacts:
    """One due automatic unlock of a chunk, with what its decision reads (``auto_unlock_chunk_facts``). ``lock``
    carries its own columns only (no related rows loaded): its area, position and officer are ``holder``."""

    lock: Lock | None
    readiness: Decision | None  # None when the lock is not the one it was scheduled for
    rule: Decision | None
    holder: LockHolder | None = None


def auto_unlock_chunk_facts(*, autos: list[AutoUnlock]) -> dict[int, AutoUnlockFacts]:
    """The facts of many due automatic unlocks read set-based (issue 15): the active locks, the presenting issues,
    the customers' case roles and active PS records in one query each, then per row the same functions as one row
    alone (``auto_unlock_readiness`` → ``policy.unlock_readiness``, ``policy.determine_owner`` as ``rule_owner``).
    MCA too: ``contacts.selectors.customer_mca_statuses`` for the chunk's customers, each since its lock started.
    A fixed number of queries per chunk, whatever its size."""
    from casework.contacts.selectors import customer_mca_statuses  # contacts builds on ownership: read lazily
    from casework.ps.models import PsRecord

    cids = sorted({a.customer_id for a in autos})
    holders: dict[int, LockHolder] = {}
    locks: dict[int, Lock] = {}
    for row in Lock.objects.filter(customer_id__any_of=cids, is_active=True).values_list(
            *_CHUNK_LOCK_FIELDS, *_CHUNK_HOLDER_FIELDS):
        lock, holders[lock.pk] = _chunk_lock(row)
        locks[lock.customer_id] = lock
    issues: dict[int, list[PresentingIssue]] = {c: [] for c in cids}
    for i in (PresentingIssue.objects.filter(customer_id__any_of=cids)
              .select_related("issue_type__handling_area", "received_area").order_by("received_at", "id")):
        issues[i.customer_id].append(i)
    roles: dict[int, set[str]] = {c: set() for c in cids}
    for payer_id, payee_id in Case.objects.filter(Q(payer_id__any_of=cids) | Q(payee_id__any_of=cids)).values_list(
            "payer_id", "payee_id"):
        if payer_id in roles:
            roles[payer_id].add("payer")
        if payee_id in roles:
            roles[payee_id].add("payee")
    ps_active: set[int] = set()
    for a, b in PsRecord.objects.filter(Q(customer_id__any_of=cids) | Q(associated_customer_id__any_of=cids),
                                        is_active=True).values_list("customer_id", "associated_customer_id"):
        ps_active.update({a, b})
    areas = area_facts()
    current = [a for a in autos if a.customer_id in locks and locks[a.customer_id].pk == a.lock_id]
    mca = customer_mca_statuses({a.customer_id: locks[a.customer_id].started_at for a in current})
    out: dict[int, AutoUnlockFacts] = {}
    for auto in autos:
        lock = locks.get(auto.customer_id)
        if lock is None or lock.pk != auto.lock_id:
            out[auto.pk] = AutoUnlockFacts(lock=lock, readiness=None, rule=None)
            continue
        rows = issues[auto.customer_id]
        readiness = auto_unlock_readiness(auto=auto, lock=lock, in_scope=_in_scope(rows, lock),
                                          ps_active=auto.customer_id in ps_active, mca=mca[auto.customer_id])
        rule = policy.determine_owner(roles=frozenset(roles[auto.customer_id]),
                                      issues=[_issue_fact(i) for i in rows], areas=areas)
        out[auto.pk] = AutoUnlockFacts(lock=lock, readiness=readiness, rule=rule, holder=holders[lock.pk])
    return out


def lock_in_effect(*, customer: Customer, lock: Lock | None, pending: AutoUnlock | None) -> Decision:
    """The effective-lock rule (policy.lock_in_effect) with its facts: ownership and routing both read this."""
    now = clock.now()
    due = pending.due_at if pending is not None else None
    ready = False
    if lock is not None and due is not None and due <= now:
        pending.customer = customer
        ready = auto_unlock_readiness(auto=pending, lock=lock).allowed
    return policy.lock_in_effect(locked=lock is not None, auto_unlock_due_at=due, now=now, auto_unlock_ready=ready)


# ---------------------------------------------------------------- the owner, explained


@dataclass(frozen=True)
class OwnershipView:
    customer: Customer
    lock: Lock | None
    area: BusinessArea | None
    position: Position | None
    officer: Officer | None
    since: dt.datetime | None
    decision: Decision
    rule: Decision
    is_ps: bool
    auto_unlock: AutoUnlock | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def is_locked(self) -> bool:
        return self.lock is not None

    @property
    def holder_label(self) -> str:
        return self.lock.holder_label if self.lock is not None else ""


def ownership_get(*, customer: Customer, record_facts=None, history: list[Lock] | None = None) -> OwnershipView:
    """Who owns the customer now, since when, and why (the rule, its step ID and the facts).

    Correct when read: an automatic unlock (CMA-3.4) whose time has come counts as done even before the job has
    materialised it.
    """
    lock = active_lock(customer=customer) if history is None else _active_of(history, customer)
    rule = rule_owner(customer=customer, record_facts=record_facts)
    # The scheduled automatic unlock is read only when the lock has one (``lock_history(with_auto_unlock=True)``).
    pending = None if lock is not None and lock.__dict__.get("auto_unlock_scheduled") is False else due_auto_unlock(
        lock=lock)
    if lock_in_effect(customer=customer, lock=lock, pending=pending).outcome == "auto_unlocked":
        decision = Decision.no(
            f"Unlocked automatically at {pending.due_at:%Y-%m-%d %H:%M} UTC after the decision letter(s) "
            f"(previously {lock.holder_label}).",
            "CMA-3.4",
            outcome="auto_unlocked",
            previous=lock.holder_label,
            rule_owner_area=rule.facts.get("area"),
        )
        return OwnershipView(customer, None, None, None, None, pending.due_at, decision, rule, False, pending)
    if lock is None:
        decision = Decision.no(
            "Not locked: calls go to the front line and issues are handled at the point of entry"
            + (f"; by CMA-1.5 the owner would be {rule.facts['area']}." if rule.facts.get("area") else "."),
            "CMA-1.2",
            "CMA-1.5",
            outcome="not_locked",
            rule_owner_area=rule.facts.get("area"),
            rule_reason=rule.reason,
        )
        return OwnershipView(customer, None, None, None, None, None, decision, rule, False, None)
    facts = {
        "lock_id": lock.pk,
        "lock_kind": lock.kind,
        "lock_reason": lock.reason,
        "issue_id": lock.issue_id,
        "rule_owner_area": rule.facts.get("area"),
        "matches_rules": rule.facts.get("area") in (None, lock.area.code),
    }
    kind_label = LockKind(lock.kind).label
    if rule.facts.get("area") == lock.area.code:
        steps = tuple(dict.fromkeys((*rule.step_ids, *lock.step_ids)))
        decision = Decision(True, rule.reason, steps, lock.kind, {**rule.facts, **facts})
    else:
        steps = tuple(dict.fromkeys(lock.step_ids or ["CMA-2.10"]))
        decision = Decision(
            True, f"{kind_label} to {lock.holder_label}: {lock.reason}", steps, lock.kind,
            {**facts, "rule_reason": rule.reason},
        )
    return OwnershipView(
        customer,
        lock,
        lock.area,
        lock.position,
        lock.officer,
        lock.started_at,
        decision,
        rule,
        lock.area.code == PS_AREA,
        pending,
        facts,
    )


# ---------------------------------------------------------------- routing (telephony)


class RouteView(NamedTuple):
    """Where a call goes (issue 15: a named tuple, built per call at a fraction of a frozen dataclass's cost)."""

    csid: str
    area_code: str
    area_name: str
    position_code: str | None
    officer_username: str | None
    is_owned: bool
    reason: str
    step_ids: tuple[str, ...]
    customer_id: int | None = None  # whose call it is: the routing read is audited against this customer (issue 13)


# How often call routing rechecks the cached areas' version in the shared cache (``core.refcache``, issue 15).
ROUTE_RECHECK_SECONDS = 1.0


def _front_line() -> tuple[str, str]:
    """The default front-line area (CMA-1.1) by code and name, from the cached business areas (``core.refcache``
    with a cheap recheck: a rename in this process is seen at once, in another within a second; no read per call)."""
    code = settings.CASEWORK["DEFAULT_FRONT_LINE_AREA"]
    fact = refcache.cached(AREAS_CACHE_KEY, _load_area_facts, recheck=ROUTE_RECHECK_SECONDS).get(code)
    return code, fact.name if fact is not None else code


ROUTE_FIELDS = ("lock", "area_code", "area_name", "position_code", "officer_username")


def route_values(lock: Lock | None) -> dict[str, Any]:
    """The routing row's copy of a lock (``CustomerRoute``): who holds it and where the call goes."""
    if lock is None:
        return {"lock": None, "area_code": "", "area_name": "", "position_code": "", "officer_username": ""}
    if lock.position_id is not None:
        position_code = lock.position.code
    else:
        position_code = lock.officer.position.code if lock.officer.position_id is not None else ""
    return {
        "lock": lock,
        "area_code": lock.area.code,
        "area_name": lock.area.name,
        "position_code": position_code,
        "officer_username": lock.officer.user.username if lock.officer_id is not None else "",
    }


def _valid_csid(csid: str) -> str:
    csid = normalise_csid(csid)
    try:
        validate_csid(csid)
    except Exception as exc:  # django ValidationError
        raise InvalidInput("Not a valid CSID.", fields={"csid": list(getattr(exc, "messages", [str(exc)]))},
                           step_ids=("CMA-1.1",)) from exc
    return csid


_ROUTE_SQL: str | None = None


def _route_sql() -> str:
    global _ROUTE_SQL
    if _ROUTE_SQL is None:
        c, r = Customer._meta.db_table, CustomerRoute._meta.db_table
        _ROUTE_SQL = (
            f"SELECT c.id, r.lock_id, r.area_code, r.area_name, r.position_code, r.officer_username, "
            f"r.auto_unlock_due_at FROM {c} c LEFT JOIN {r} r ON r.customer_id = c.id WHERE c.csid = %s"
        )
    return _ROUTE_SQL


def _route_row(csid: str) -> tuple | None:
    """The routing statement's one row. On PostgreSQL, when nothing records or wraps queries (no
    ``CaptureQueriesContext``, no DEBUG, no execute wrapper), straight on a server-binding psycopg cursor with
    Django's error translation (issue 15: Django's cursor wrapper and its per-attribute connection lookups were
    a fifth of the call); otherwise through ``prepared_cursor``, logged and counted like any other query."""
    db = connections[DEFAULT_DB_ALIAS]
    if (db.vendor == "postgresql" and getattr(settings, "DB_PREPARED_STATEMENTS", True) and not db.queries_logged
            and not db.execute_wrappers):
        db.close_if_health_check_failed()
        db.ensure_connection()
        with db.wrap_database_errors:
            raw = db.connection
            cursor = _server_binding(raw)(raw)
            try:
                cursor.execute(_route_sql(), (csid,))
                return cursor.fetchone()
            finally:
                cursor.close()
    with prepared_cursor() as cursor:
        cursor.execute(_route_sql(), [csid])
        return cursor.fetchone()


def route_call(*, csid: str) -> RouteView:
    """Where a call for this CSID goes now (issue 15: ONE index lookup). The customer by its unique CSID joined by
    primary key to its routing row (``CustomerRoute``, kept by the ownership services in the same transaction as
    every lock change), one raw statement (prepared on PostgreSQL: ``prepared_cursor``), the row mapped to the
    frozen ``RouteView``. Unowned customers go to the default front-line area (CMA-1.1, its name from the cached
    business areas). Only when an automatic unlock is due but not yet materialised does it read the full rule
    (``route_call_computed``)."""
    csid = _valid_csid(csid)
    row = _route_row(csid)
    if row is None:
        raise NotFound("No customer has this CSID.", step_ids=("CMA-1.1",))
    customer_id, lock_id, area_code, area_name, position_code, username, due = row
    if lock_id is None:
        code, name = _front_line()
        return RouteView(csid, code, name, None, None, False, _UNOWNED_REASON, ("CMA-1.1",), customer_id=customer_id)
    if due is not None:
        if isinstance(due, str):  # SQLite returns text from a raw cursor
            due = dt.datetime.fromisoformat(due)
        if settings.USE_TZ and due.tzinfo is None:
            due = due.replace(tzinfo=dt.UTC)
        if due <= clock.now():
            return route_call_computed(csid=csid)
    return RouteView(
        csid, area_code, area_name, position_code or None, username or None, True,
        f"Locked to {area_name}: entering the CSID routes the call to the owning area.", ("CMA-1.7", "CMA-2.10"),
        customer_id=customer_id,
    )


_UNOWNED_REASON = "Not locked to any area: the default front-line area takes the call."


def route_call_computed(*, csid: str) -> RouteView:
    """Where a call for this CSID goes, computed from the locks themselves (the full rule): the customer by its
    unique CSID, LEFT JOINed to its active lock through the partial unique index (customer_id) WHERE is_active, and
    the lock's area, position and officer by primary key. ``route_call`` reads the routing table instead; the
    consistency tests compare the two."""
    csid = _valid_csid(csid)
    pending_due = (
        AutoUnlock.objects.filter(lock_id=OuterRef("active_lock__id"), status=AutoUnlockStatus.SCHEDULED)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    row = (
        Customer.objects.annotate(active_lock=FilteredRelation("locks", condition=Q(locks__is_active=True)))
        .annotate(auto_unlock_due_at=Subquery(pending_due))
        .filter(csid=csid)
        .order_by()
        .values(
            "id",
            "active_lock__id",
            "active_lock__area__code",
            "active_lock__area__name",
            "active_lock__position__code",
            "active_lock__officer__user__username",
            "active_lock__officer__position__code",
            "auto_unlock_due_at",
        )
        .first()
    )
    if row is None:
        raise NotFound("No customer has this CSID.", step_ids=("CMA-1.1",))
    in_effect = row["active_lock__id"] is not None
    due = row["auto_unlock_due_at"]
    if in_effect and due is not None and due <= clock.now():
        # Rare: an automatic unlock is due but not yet materialised; read the same effective-lock rule as
        # ownership_get (extra queries only in this window).
        lock = Lock.objects.select_related("area", "customer").get(pk=row["active_lock__id"])
        effect = lock_in_effect(customer=lock.customer, lock=lock, pending=due_auto_unlock(lock=lock))
        in_effect = effect.outcome == "locked"
    if not in_effect:
        code, name = _front_line()
        if row["active_lock__id"] is not None:
            return RouteView(csid, code, name, None, None, False,
                             "Unlocked automatically after the decision letter(s): the default front-line area takes "
                             "the call.", ("CMA-3.4", "CMA-1.1"), customer_id=row["id"])
        return RouteView(csid, code, name, None, None, False, _UNOWNED_REASON, ("CMA-1.1",),
                         customer_id=row["id"])
    position = row["active_lock__position__code"] or row["active_lock__officer__position__code"]
    return RouteView(
        csid,
        row["active_lock__area__code"],
        row["active_lock__area__name"],
        position,
        row["active_lock__officer__user__username"],
        True,
        f"Locked to {row['active_lock__area__name']}: entering the CSID routes the call to the owning area.",
        ("CMA-1.7", "CMA-2.10"),
        customer_id=row["id"],
    )


# ---------------------------------------------------------------- agreements (CMA-1.6)


def agreed_area(*, customer: Customer, facts: LockFacts | None = None) -> str | None:
    """CMA-1.6: the area the customer's ownership was last given to by agreement between the areas or by a Team
    Leader's decision (``keep`` keeps the current area), while that agreement still stands (the customer has not been
    unlocked since)."""
    from .models import EndKind

    if facts is not None and not facts.agreement:
        return None

    t = (
        OwnershipTransfer.objects.filter(customer=customer, status__in=(TransferStatus.AGREED, TransferStatus.DECIDED))
        .select_related("from_area", "to_area")
        .order_by("-decided_at", "-id")
        .first()
    )
    if t is None or t.decided_at is None:
        return None
    if Lock.objects.filter(customer=customer, ended_at__gte=t.decided_at,
                           end_kind__in=(EndKind.UNLOCKED, EndKind.AUTO_UNLOCKED)).exists():
        return None
    return t.to_area.code if t.decision == "transfer" else t.from_area.code


# ---------------------------------------------------------------- queues


def disputes_open(*, areas: frozenset[str] | None = None) -> list[OwnershipTransfer]:
    """Team Leader queue: ownership disputes awaiting a decision (CMA-1.6); with ``areas``, only the disputes
    between those areas and another (a Team Leader decides only for the areas concerned)."""
    qs = OwnershipTransfer.objects.filter(status=TransferStatus.ESCALATED)
    if areas is not None:
        qs = qs.filter(Q(from_area__code__in=areas) | Q(to_area__code__in=areas))
    return list(
        qs
        .select_related("customer", "from_area", "to_area", "raised_by__officer__position__office")
        .order_by("raised_at", "id")
    )


def dispute_approvals(disputes) -> dict[int, int]:
    """Issue 11: the pending request for approval of each dispute (dispute id → request id, decided on
    /approvals/<id>/)."""
    from casework.approvals.models import ApprovalRequest, ApprovalStatus

    ids = [str(d.pk) for d in disputes]
    if not ids:
        return {}
    rows = ApprovalRequest.objects.filter(kind="ownership_dispute", subject_type="ownership.ownershiptransfer",
                                          subject_id__in=ids, status=ApprovalStatus.PENDING)
    return {int(sid): pk for pk, sid in rows.values_list("pk", "subject_id")}


def transfers_for_customer(*, customer: Customer) -> list[OwnershipTransfer]:
    return list(
        OwnershipTransfer.objects.filter(customer=customer)
        .select_related("from_area", "to_area", "raised_by", "decided_by")
        .order_by("-raised_at", "-id")
    )


# ---------------------------------------------------------------- the customer record of one request (issue 15)


@dataclass(frozen=True)
class CustomerRecord:
    """Issue 15: what the customer page and the contact page show about one customer, read ONCE per request and
    passed to every panel: the customer's facts (``customers.selectors.CustomerFacts``: cases, people, debts,
    payments, income, DPOs, representatives, restrictions, presenting issues and the summary derived from them), the
    lock history and the ownership decision, computed once from those rows (no panel computes it again)."""

    customer: Customer
    facts: Any
    lock_history: tuple[Lock, ...]
    ownership: OwnershipView

    @property
    def summary(self):
        return self.facts.summary

    @property
    def reads(self) -> Mapping[str, list]:
        """The rows of ``customer_record(also=...)``, by name."""
        return self.facts.also


def customer_record(*, customer: Customer, full: bool = True,
                    also: Mapping[str, QuerySet] | None = None) -> CustomerRecord:
    """The customer's facts and lock history in ONE statement (``core.batch``, issue 15), and the ownership decision
    worked out from them. ``also``: the page's other reads (name -> queryset, e.g. its panels' ``customer_reads``)
    in the same statement, their rows in ``record.reads[name]``."""
    from casework.customers.selectors import customer_facts

    extra = {**(also or {}), _LOCKS: lock_history_queryset(customer=customer, with_auto_unlock=True)}
    with prepared_statements():  # one large statement: planned once per pooled connection, not on every page
        facts = customer_facts(customer=customer, full=full, also=extra)
    history = facts.also[_LOCKS]
    view = ownership_get(customer=customer, record_facts=facts, history=history)
    return CustomerRecord(customer=customer, facts=facts, lock_history=tuple(history), ownership=view)


_LOCKS = "ownership.lock_history"

"""Reads of customers, cases, notes and the audit trail. Scoped by permission; few queries, no N+1."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from casework.core import batch
from casework.core.errors import InvalidInput, NotFound, NotPermitted
from casework.core.models import AuditEvent

from . import policy
from .csid import csid_problem, normalise_csid
from .models import (
    ArrangementStatus,
    ArrangementStatusChange,
    AuthorisedRepresentative,
    CareArrangement,
    Case,
    CaseRoleHistory,
    Child,
    ContactRestriction,
    Customer,
    Debt,
    DebtKind,
    DepartureProhibitionOrder,
    DpoStatus,
    IncomeRecord,
    Note,
    PaymentArrangement,
    PaymentReceived,
    PresentingIssue,
    SensitiveIssueIndicator,
)

MAX_SEARCH_RESULTS = 200
_CSID_LIKE = re.compile(r"^[\d\s-]+$")


def _require(user, perm: str, message: str, obj=None) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm, obj):
        raise NotPermitted(message)


def _csid_or_invalid(raw: str, field_name: str = "csid") -> str:
    problem = csid_problem(raw)
    if problem:
        raise InvalidInput(problem, fields={field_name: [problem]})
    return normalise_csid(raw)


# --- Customers ---------------------------------------------------------------------------------------------------


def customer_id_for_csid(csid: str) -> int | None:
    """The id of the customer with this CSID as typed in a filter (no permission check, no error): a list filtered by
    customer audits the read against that customer (issue 13)."""
    value = (csid or "").strip().upper()  # as the worklist filter matches it
    if not value:
        return None
    return Customer.objects.filter(csid=value).values_list("pk", flat=True).first()


def customer_get(*, user, csid: str) -> Customer:
    """The customer with this CSID. 400 naming ``csid`` when malformed, 404 when unknown, 403 without view rights."""
    _require(user, "customers.view_customer", "Your role does not allow you to view customer records.")
    value = _csid_or_invalid(csid)
    customer = Customer.objects.filter(csid=value).first()
    if customer is None:
        raise NotFound(f"No customer has CSID {value}.")
    return customer


_CODE_POINT_ORDER: dict[str, bool] = {}  # per database alias: does text compare by code point (C collation)?


def _compares_by_code_point() -> bool:
    """True on SQLite (BINARY) and on a PostgreSQL database whose collation is C / C.UTF-8 / POSIX: there a string
    starts with ``p`` exactly when ``p <= s < p + U+10FFFF``. Read once per process."""
    from django.db import connection

    if connection.alias not in _CODE_POINT_ORDER:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
                collate = (cursor.fetchone() or [""])[0] or ""
            _CODE_POINT_ORDER[connection.alias] = collate.split(".")[0].upper() in ("C", "POSIX")
        else:
            _CODE_POINT_ORDER[connection.alias] = connection.vendor == "sqlite"
    return _CODE_POINT_ORDER[connection.alias]


def _prefix_q(prefix: str) -> Q:
    """``search_name`` starts with ``prefix``, as an index range on every database.

    The range (prefix <= name < prefix + U+10FFFF) is answered by the ordinary b-tree index on ``search_name`` in the
    order ``customer_search`` sorts by, so "smith" reads 50 index entries and stops (issue 15: a LIKE under the
    C.UTF-8 collation could not use that index; the planner walked it from "a" to satisfy ORDER BY … LIMIT, 1.7–2.4 s
    at 1.5M customers). Where text compares by code point (SQLite, PostgreSQL under C/C.UTF-8) the range is the exact
    prefix match, so no LIKE is added: beside the range it made PostgreSQL underestimate the matches of a short prefix
    ("sm": 135 estimated, 5,556 at 200k) and bitmap-scan and sort them all instead of reading the first 50 in index
    order. Under any other collation the LIKE keeps the match exact; the column is lower case.
    """
    q = Q(search_name__gte=prefix, search_name__lt=prefix + "\U0010ffff")
    return q if _compares_by_code_point() else q & Q(search_name__startswith=prefix)


def _name_prefixes(query: str) -> list[str]:
    """Prefixes of ``search_name`` ("family given", lower case) that match a typed name.

    "smith" / "smith jo" (family given) match directly; "jo smith" / "mary jo smith" (given family) are rotated.
    """
    tokens = query.lower().replace(",", " ").split()
    if not tokens:
        return []
    prefixes = [" ".join(tokens)]
    for split in range(1, len(tokens)):
        given, family = tokens[:split], tokens[split:]
        prefixes.append(" ".join(family) + " " + " ".join(given))
    return list(dict.fromkeys(prefixes))


def customer_search(
    *, user, query: str = "", date_of_birth: dt.date | None = None, limit: int = 50
) -> list[Customer]:
    """Customers by CSID (exact), or by name prefix ("family", "family given", "given family"), optionally with a
    date of birth. Uses the indexed ``search_name``. A CSID-looking query that is malformed is a 400 on ``csid``."""
    _require(user, "customers.view_customer", "Your role does not allow you to search customer records.")
    query = (query or "").strip()
    limit = max(1, min(int(limit or 50), MAX_SEARCH_RESULTS))
    qs = Customer.objects.all()
    if query and _CSID_LIKE.match(query):
        qs = qs.filter(csid=_csid_or_invalid(query))
    elif query:
        name_q = Q()
        for prefix in _name_prefixes(query):
            name_q |= _prefix_q(prefix)
        qs = qs.filter(name_q)
    elif date_of_birth is None:
        return []
    if date_of_birth is not None:
        qs = qs.filter(date_of_birth=date_of_birth)
    return list(qs.order_by("search_name", "csid")[:limit])


# --- Customer summary --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeSummary:
    """A parent's latest income and whether it is reliable (CMA-2.2: ATO-issued only)."""

    customer: Customer
    record: IncomeRecord | None
    is_reliable: bool


@dataclass(frozen=True)
class CaseSummary:
    case: Case
    role: str  # "payer" | "payee"
    other_party: Customer
    children: tuple[Child, ...]
    care: tuple[CareArrangement, ...]
    role_reversal: bool  # CMA-2.4: the customer held the other role on this case before
    income_self: IncomeSummary
    income_other: IncomeSummary


@dataclass(frozen=True)
class DebtSummary:
    debt: Debt
    arrangement: PaymentArrangement | None  # the current (latest) arrangement, if any
    arrangement_status: str  # "active" | "defaulted" | "none" (CMA-2.3)

    @property
    def has_arrangement(self) -> bool:
        return self.arrangement_status == ArrangementStatus.ACTIVE


@dataclass(frozen=True)
class CustomerSummary:
    customer: Customer
    cases: tuple[CaseSummary, ...]
    income: IncomeSummary
    incomes: dict[int, IncomeSummary]  # by customer id: this customer and every other party
    debts: tuple[DebtSummary, ...]  # open debts the customer owes (arrears or overpayments)
    owed_to_customer: tuple[DebtSummary, ...]  # open child support arrears owed to the customer as payee
    dpos: tuple[DepartureProhibitionOrder, ...]  # each case's current DPO status: its latest current decision
    restrictions: tuple[ContactRestriction, ...]  # active restricted service
    representatives: tuple[AuthorisedRepresentative, ...]  # active
    sensitive_indicators: tuple[SensitiveIssueIndicator, ...]  # INTERNAL ONLY (PS-CON-4)
    presenting_issues: tuple[PresentingIssue, ...]  # outstanding (open or referred)
    is_deceased: bool
    role_reversal: bool = False  # any case (CMA-2.4)
    step_ids: tuple[str, ...] = field(default=("CMA-2.1", "CMA-2.2", "CMA-2.3", "CMA-2.4"))

    @property
    def is_payer(self) -> bool:
        return any(c.role == "payer" for c in self.cases)

    @property
    def is_payee(self) -> bool:
        return any(c.role == "payee" for c in self.cases)

    @property
    def has_restricted_service(self) -> bool:
        return bool(self.restrictions)

    @property
    def active_dpos(self) -> tuple[DepartureProhibitionOrder, ...]:
        return tuple(d for d in self.dpos if d.status != DpoStatus.REVOKED)

    @property
    def debts_without_arrangement(self) -> tuple[DebtSummary, ...]:
        return tuple(d for d in self.debts if not d.has_arrangement)


def dpo_decision(row: DepartureProhibitionOrder) -> policy.DpoDecision:
    return policy.DpoDecision(id=row.pk, case_id=row.case_id, status=row.status, issued_on=row.issued_on,
                              revoked_on=row.revoked_on)


def current_dpos(rows: Iterable[DepartureProhibitionOrder]) -> tuple[DepartureProhibitionOrder, ...]:
    """Of the current (not superseded) DPO records, each case's latest decision (``policy.dpo_latest_decisions``):
    an issued DPO later revoked reads as revoked (issue 12)."""
    by_id = {row.pk: row for row in rows}
    return tuple(by_id[d.id] for d in policy.dpo_latest_decisions(dpo_decision(r) for r in by_id.values()))


def _debt_summaries(debts: Iterable[Debt]) -> tuple[DebtSummary, ...]:
    out = []
    for debt in debts:
        # prefetched; latest (start date) first whatever order they were read in
        arrangements = sorted(debt.arrangements.all(), key=lambda a: (a.start_date, a.pk), reverse=True)
        status = policy.arrangement_status([a.status for a in arrangements])
        current = next((a for a in arrangements if a.status == ArrangementStatus.ACTIVE), None)
        if current is None and arrangements and status != policy.NO_ARRANGEMENT:
            current = arrangements[0]
        out.append(DebtSummary(debt=debt, arrangement=current, arrangement_status=status))
    return tuple(out)


def _latest_incomes(customer_ids: set[int]) -> dict[int, IncomeRecord]:
    latest: dict[int, IncomeRecord] = {}
    for record in IncomeRecord.objects.filter(customer_id__in=customer_ids, superseded_by__isnull=True).order_by(
        "customer_id", "-effective_from", "-id"
    ):
        latest.setdefault(record.customer_id, record)
    return latest


def _arrangements_prefetch() -> Prefetch:
    return Prefetch("arrangements", queryset=PaymentArrangement.objects.order_by("-start_date", "-id"))


def customer_summary(*, customer: Customer) -> CustomerSummary:
    """Everything the procedures check up-front (CMA-2.1): cases and parties, income, care, debts and arrangements,
    DPOs, restrictions, representatives and (internal) sensitive indicators. A fixed number of queries."""
    return customer_facts(customer=customer, full=False).summary


@dataclass(frozen=True)
class CustomerFacts:
    """Issue 15: the customer's facts read ONCE per request, for every panel of the customer page and the contact
    page: ``summary`` (what the procedures check, derived from these rows in Python) and, when read ``full``, the
    rows the "Case facts" panel lists (every current row: ended arrangements, revoked DPOs, inactive representatives
    and restrictions). ``issue_rows`` are all the presenting issues (the ownership rule's CMA-1.5 facts)."""

    summary: CustomerSummary
    cases: tuple[Case, ...]  # children, current care and role history prefetched
    issue_rows: tuple[PresentingIssue, ...]
    debts: tuple[Debt, ...] = ()  # owed by or on the customer's cases, with arrangements (and status history)
    payments: tuple[PaymentReceived, ...] = ()
    incomes: tuple[IncomeRecord, ...] = ()  # the customer's, latest first
    dpos: tuple[DepartureProhibitionOrder, ...] = ()  # every current DPO row, newest first
    representatives: tuple[AuthorisedRepresentative, ...] = ()  # active first
    restrictions: tuple[ContactRestriction, ...] = ()  # newest first
    corrected_roles: tuple[CaseRoleHistory, ...] = ()  # superseded role periods (with their correction reason)
    full: bool = False  # read for the "Case facts" panel (the fields above filled)
    also: Mapping[str, list] = field(default_factory=dict)  # the rows of customer_facts(also=...), by name

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(c.role for c in self.summary.cases)


def customer_facts(*, customer: Customer, full: bool = True,
                   also: Mapping[str, QuerySet] | None = None) -> CustomerFacts:
    """The customer's data, every kind read in ONE statement (issue 15, ``core.batch``). ``full=False`` reads only
    what the summary needs. ``also``: more querysets (name -> queryset) read in the same statement, their rows in
    ``facts.also[name]`` (the customer page's panels and lock history, ``ownership.selectors.customer_record``)."""
    on_cases = Q(case__payer=customer) | Q(case__payee=customer)
    reads: dict[str, QuerySet] = {
        "cases": Case.objects.filter(Q(payer=customer) | Q(payee=customer)).select_related("payer", "payee")
        .order_by("case_number"),
        "children": Child.objects.filter(on_cases).order_by("date_of_birth", "id"),
        "care": CareArrangement.objects.filter(on_cases).select_related("carer", "child"),
        "roles": CaseRoleHistory.objects.filter(on_cases).select_related("payer", "payee").order_by("from_date", "id"),
        # Every party of the customer's cases (the other parties' income is on the summary): one IN over a UNION of
        # the ids, not an OR of the customer and two IN subqueries, which PostgreSQL planned as a filter over every
        # income row (90 ms a customer page at 1.5M customers, 3 ms as a union; issue 15).
        "income": IncomeRecord.objects.filter(customer_id__in=Customer.objects.filter(pk=customer.pk).order_by()
                                              .values("pk").union(
            Case.objects.filter(payer=customer).order_by().values("payee_id"),
            Case.objects.filter(payee=customer).order_by().values("payer_id")))
        .order_by("customer_id", "-effective_from", "-id"),
        "dpos": customer.dpos.select_related("case").order_by("-id"),
        "restrictions": customer.contact_restrictions.select_related(
            "requested_by__officer__position__office", "approved_by__officer__position__office")
        .order_by("-imposed_on", "-id"),
        "representatives": customer.representatives.order_by("-is_active", "name", "id"),
        "sensitive": customer.sensitive_indicators.filter(is_active=True).order_by("created_at"),
        "issues": PresentingIssue.objects.filter(customer=customer)
        .select_related("issue_type__handling_area", "received_area", "case").order_by("received_at", "id"),
    }
    if full:
        on_debts = Q(debtor=customer) | Q(case__payer=customer) | Q(case__payee=customer)
        debt_ids = Debt.objects.filter(on_debts).values("pk")
        reads.update({
            "debts": Debt.objects.filter(on_debts)
            .select_related("case", "case__payer", "case__payee", "debtor", "superseded_by")
            .distinct().order_by("-as_at", "-id"),
            "arrangements": PaymentArrangement.objects.filter(debt__in=debt_ids).order_by("-created_at", "-id"),
            "status_history": ArrangementStatusChange.objects.filter(arrangement__debt__in=debt_ids),
            "payments": PaymentReceived.objects.filter(on_cases)
            .select_related("case", "payer", "debt", "superseded_by").order_by("-received_on", "-id"),
            "corrected_roles": CaseRoleHistory.all_objects.filter(on_cases, superseded_by__isnull=False)
            .select_related("payer").order_by("from_date", "id"),
        })
    else:
        open_debts_q = Debt.objects.filter(
            Q(debtor=customer) | Q(case__payee=customer, kind=DebtKind.CHILD_SUPPORT_DEBT),
            is_open=True, superseded_by__isnull=True)
        reads.update({
            "debts": open_debts_q.select_related("case", "debtor").order_by("as_at", "id"),
            "arrangements": _arrangements_prefetch().queryset.filter(debt__in=open_debts_q.values("pk")),
        })
    extra = dict(also or {})
    clash = set(extra) & set(reads)
    if clash:
        raise ValueError(f"customer_facts: also= names {sorted(clash)} are the facts' own")
    got = batch.evaluate(named={**reads, **extra})
    cases = tuple(got["cases"])
    batch.attach(cases, got["children"], fk="case", cache_name="children", reverse="case")
    batch.attach(cases, got["care"], fk="case", cache_name="care_arrangements", reverse="case")
    batch.attach(cases, got["roles"], fk="case", cache_name="role_history", reverse="case")
    batch.attach(got["debts"], got["arrangements"], fk="debt", cache_name="arrangements", reverse="debt")
    if full:
        batch.attach(got["arrangements"], got["status_history"], fk="arrangement", cache_name="status_history",
                     reverse="arrangement")
        debt_rows = got["debts"]
        open_debts = sorted((d for d in debt_rows if d.is_open and d.superseded_by_id is None),
                            key=lambda d: (d.as_at, d.pk))
    else:
        debt_rows, open_debts = [], got["debts"]
    income_rows, dpo_rows = got["income"], got["dpos"]
    restriction_rows, representative_rows = got["restrictions"], got["representatives"]
    sensitive, issue_rows = tuple(got["sensitive"]), tuple(got["issues"])
    summary = _summary_from(
        customer, cases=cases, income_rows=income_rows, open_debts=open_debts, dpo_rows=dpo_rows,
        restriction_rows=restriction_rows, representative_rows=representative_rows, sensitive=sensitive,
        issue_rows=issue_rows)
    also_rows = {name: got[name] for name in extra}
    if not full:
        return CustomerFacts(summary=summary, cases=cases, issue_rows=issue_rows, also=also_rows)
    return CustomerFacts(
        summary=summary, cases=cases, issue_rows=issue_rows, debts=tuple(debt_rows),
        payments=tuple(got["payments"]),
        incomes=tuple(r for r in income_rows if r.customer_id == customer.pk),
        dpos=tuple(dpo_rows), representatives=tuple(representative_rows), restrictions=tuple(restriction_rows),
        corrected_roles=tuple(got["corrected_roles"]), full=True, also=also_rows)


def _summary_from(customer, *, cases, income_rows, open_debts, dpo_rows, restriction_rows, representative_rows,
                  sensitive, issue_rows) -> CustomerSummary:
    latest: dict[int, IncomeRecord] = {}
    for record in income_rows:  # by customer, latest first; corrected (superseded) rows are not facts
        if record.superseded_by_id is None:
            latest.setdefault(record.customer_id, record)

    def income_of(person: Customer) -> IncomeSummary:
        record = latest.get(person.pk)
        return IncomeSummary(
            customer=person,
            record=record,
            is_reliable=bool(record is not None and policy.income_is_reliable(record.source)),
        )

    incomes: dict[int, IncomeSummary] = {customer.pk: income_of(customer)}
    case_summaries = []
    for case in cases:
        role = case.role_of(customer)
        other = case.other_party(customer)
        incomes.setdefault(other.pk, income_of(other))
        history = [
            policy.RolePeriod(h.payer_id, h.payee_id, h.from_date, h.to_date) for h in case.role_history.all()
        ]
        # Latest care percentage per (child, carer).
        seen: set[tuple[int, int]] = set()
        care = []
        current_care = (a for a in case.care_arrangements.all() if a.superseded_by_id is None)
        for arrangement in sorted(current_care, key=lambda a: a.effective_from, reverse=True):
            key = (arrangement.child_id, arrangement.carer_id)
            if key not in seen:
                seen.add(key)
                care.append(arrangement)
        case_summaries.append(
            CaseSummary(
                case=case,
                role=role,
                other_party=other,
                children=tuple(case.children.all()),
                care=tuple(care),
                role_reversal=policy.had_role_reversal(customer.pk, role, history),
                income_self=incomes[customer.pk],
                income_other=incomes[other.pk],
            )
        )
    debts = _debt_summaries(d for d in open_debts if d.debtor_id == customer.pk)
    owed = _debt_summaries(
        d for d in open_debts
        if d.debtor_id != customer.pk and d.case.payee_id == customer.pk and d.kind == DebtKind.CHILD_SUPPORT_DEBT)
    dpos = current_dpos(r for r in dpo_rows if r.superseded_by_id is None)
    restrictions = tuple(sorted((r for r in restriction_rows if r.is_active),
                                key=lambda r: (r.review_date is None, r.review_date or dt.date.min, r.pk)))
    representatives = tuple(sorted((r for r in representative_rows if r.is_active), key=lambda r: (r.name, r.pk)))
    issues = tuple(i for i in issue_rows if i.status in ("open", "referred"))
    return CustomerSummary(
        customer=customer,
        cases=tuple(case_summaries),
        income=incomes[customer.pk],
        incomes=incomes,
        debts=debts,
        owed_to_customer=owed,
        dpos=dpos,
        restrictions=restrictions,
        representatives=representatives,
        sensitive_indicators=sensitive,
        presenting_issues=issues,
        is_deceased=customer.is_deceased,
        role_reversal=any(c.role_reversal for c in case_summaries),
    )


# --- Cases and notes ---------------------------------------------------------------------------------------------


def cases_for_customer(*, user, customer: Customer) -> QuerySet[Case]:
    _require(user, "customers.view_case", "Your role does not allow you to view cases.")
    return (
        Case.objects.filter(Q(payer=customer) | Q(payee=customer))
        .select_related("payer", "payee")
        .prefetch_related(Prefetch("children", queryset=Child.objects.order_by("date_of_birth", "id")))
        .order_by("case_number")
    )


def case_get(*, user, case_number: str) -> Case:
    _require(user, "customers.view_case", "Your role does not allow you to view cases.")
    case = (
        Case.objects.select_related("payer", "payee")
        .prefetch_related("children")
        .filter(case_number=case_number)
        .first()
    )
    if case is None:
        raise NotFound(f"No case has number {case_number}.")
    return case


def notes_for_customer(*, user, customer: Customer, case: Case | None = None, kind: str | None = None) -> QuerySet[Note]:
    """The customer's notes timeline, newest first."""
    _require(user, "customers.view_note", "Your role does not allow you to read notes.")
    qs = Note.objects.filter(customer=customer).select_related("author__officer__position__office", "case", "ref_type")
    if case is not None:
        qs = qs.filter(case=case)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def presenting_issues_for_customer(*, customer: Customer, outstanding_only: bool = False) -> QuerySet[PresentingIssue]:
    qs = PresentingIssue.objects.filter(customer=customer).select_related(
        "issue_type", "issue_type__handling_area", "received_area", "case"
    )
    if outstanding_only:
        qs = qs.filter(status__in=["open", "referred"])
    return qs.order_by("received_at", "id")


# --- Audit trail -------------------------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def audit_search(
    *,
    user,
    csid: str | None = None,
    officer: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, for auditors and administrators only.

    ``csid``: events concerning that customer (malformed → 400 on ``csid``); ``officer``: the actor's username (or a
    job label); ``action``: exact ("customer.view"), or a prefix when it ends with "." or "*" ("note."); dates are
    inclusive days in the officer's time zone.
    """
    _require(user, "core.view_auditevent", "Only auditors and administrators may search the audit trail.")
    if date_from and date_to and date_from > date_to:
        message = "The 'from' date must be on or before the 'to' date."
        raise InvalidInput(message, fields={"date_from": [message]})
    qs = AuditEvent.objects.select_related("actor__officer__position__office")
    if csid:
        value = _csid_or_invalid(csid)
        customer_id = Customer.objects.filter(csid=value).values_list("pk", flat=True).first()
        qs = qs.filter(customer_id=customer_id) if customer_id is not None else qs.none()
    if officer:
        qs = qs.filter(actor_label=officer.strip())
    if action:
        action = action.strip()
        if action.endswith("*"):
            qs = qs.filter(action__startswith=action[:-1])
        elif action.endswith("."):
            qs = qs.filter(action__startswith=action)
        else:
            qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(occurred_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(occurred_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("-occurred_at", "-id")


# --- Case financial and care facts (docs/facts.md): every row, current and superseded ---------------------------


def debts_for_customer(*, user, customer: Customer) -> QuerySet[Debt]:
    """Every debt the customer owes or is owed on their cases (corrected ones too, with their correction), with
    arrangements, their status history and payments."""
    _require(user, "customers.view_case", "Your role does not allow you to view cases.")
    return (
        Debt.objects.filter(Q(debtor=customer) | Q(case__payer=customer) | Q(case__payee=customer))
        .select_related("case", "case__payer", "case__payee", "debtor", "superseded_by")
        .prefetch_related(
            Prefetch(
                "arrangements",
                queryset=PaymentArrangement.objects.order_by("-created_at", "-id").prefetch_related("status_history"),
            ),
            Prefetch("payments", queryset=PaymentReceived.objects.order_by("-received_on", "-id")),
        )
        .distinct()
        .order_by("-as_at", "-id")
    )


def role_history_for_case(*, case: Case) -> QuerySet[CaseRoleHistory]:
    """Every role period of the case, the superseded ones too (with their correction reason), oldest first: the
    record as read by an officer. Rules read ``case.role_history`` (current rows only)."""
    return CaseRoleHistory.all_objects.filter(case=case).select_related("payer", "payee").order_by("from_date", "id")


def care_for_case(*, user, case: Case) -> QuerySet[CareArrangement]:
    _require(user, "customers.view_case", "Your role does not allow you to view cases.")
    return (
        CareArrangement.objects.filter(case=case)
        .select_related("child", "carer", "superseded_by")
        .order_by("child_id", "-effective_from", "-id")
    )


def payments_for_case(*, user, case: Case) -> QuerySet[PaymentReceived]:
    _require(user, "customers.view_case", "Your role does not allow you to view cases.")
    return PaymentReceived.objects.filter(case=case).select_related("payer", "debt").order_by("-received_on", "-id")


def payments_for_customer(*, user, customer: Customer) -> QuerySet[PaymentReceived]:
    """Payments received on any of the customer's cases (made by them or by the other parent), corrected ones too."""
    _require(user, "customers.view_case", "Your role does not allow you to view cases.")
    return (
        PaymentReceived.objects.filter(Q(case__payer=customer) | Q(case__payee=customer))
        .select_related("case", "payer", "debt", "superseded_by")
        .order_by("-received_on", "-id")
    )


def restrictions_for_customer(*, user, customer: Customer) -> QuerySet[ContactRestriction]:
    """Every restricted service of the customer: proposed, in force, not approved, ended."""
    _require(user, "customers.view_customer", "Your role does not allow you to view customer records.")
    return customer.contact_restrictions.select_related("requested_by__officer__position__office", "approved_by__officer__position__office").order_by("-imposed_on", "-id")


def representatives_for_customer(*, user, customer: Customer) -> QuerySet[AuthorisedRepresentative]:
    _require(user, "customers.view_customer", "Your role does not allow you to view customer records.")
    return customer.representatives.order_by("-is_active", "name", "id")


def restriction_terms(restriction: ContactRestriction) -> policy.RestrictionTerms:
    return policy.RestrictionTerms(
        channels=tuple(restriction.channels or ()), days=tuple(restriction.days or ()),
        time_from=restriction.time_from, time_to=restriction.time_to,
    )

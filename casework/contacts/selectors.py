"""Contacts reads: the contact with everything the guided screen shows, and the facts the policies read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from casework.core import clock
from casework.core.errors import NotFound, NotPermitted
from casework.customers.models import Case, Debt, DebtKind, RegistrationStatus

from . import policy
from .models import Contact, ContactCorrection, ContactIssue, ContactStatus, ExplanationStatus, ImpactedCustomer


def _require_view(user) -> None:
    if not user.has_perm("contacts.view_contact"):
        raise NotPermitted("Your role cannot view contacts.")


def contact_queryset():
    from django.db.models import Exists, OuterRef

    from casework.letters.models import Letter
    from casework.letters.selectors import with_status

    return Contact.objects.select_related(
        "customer", "case", "case__payer", "case__payee", "officer", "officer__user", "officer__position__office", "officer__position__team", "area",
        "representative",
        "transfer_to_area", "arrangement",
    ).prefetch_related(
        Prefetch(
            "issues",
            queryset=ContactIssue.objects.select_related(
                "presenting_issue", "presenting_issue__issue_type", "presenting_issue__issue_type__handling_area",
                "referred_area",
            ),
        ),
        "external_referrals",
        # Each impacted customer's decision letter with its PDF's status (issue 15: rendered after commit); no
        # letter query at all while none was sent.
        Prefetch("impacted", queryset=ImpactedCustomer.objects.select_related("customer").prefetch_related(
            Prefetch("letter", queryset=with_status(Letter.objects.defer("html", "source_data"))))),
    ).annotate(has_corrections=Exists(ContactCorrection.objects.filter(contact=OuterRef("pk"))))


def contact_get(*, user, contact_id: int) -> Contact:
    _require_view(user)
    contact = contact_queryset().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("No such contact.")
    return contact


def contacts_for_customer(*, user, customer, limit: int = 20) -> list[Contact]:
    _require_view(user)
    return list(
        Contact.objects.filter(customer=customer).select_related("officer__user", "area").order_by("-started_at")[:limit]
    )


def open_contact_for(*, customer, officer) -> Contact | None:
    return Contact.objects.filter(customer=customer, officer=officer, status=ContactStatus.OPEN).order_by("-started_at").first()


def in_progress_by_others(*, customer, officer) -> list[Contact]:
    """Issue 14: other officers' contacts in progress with the customer (separate calls: shown, never blocking)."""
    rows = Contact.objects.filter(customer=customer, status=ContactStatus.OPEN).select_related("officer__user", "area")
    if officer is not None:
        rows = rows.exclude(officer=officer)
    return list(rows.order_by("-started_at"))


def open_contacts_split(*, customer, officer) -> tuple[Contact | None, list[Contact]]:
    """The officer's own open contact with the customer and the others' in progress, from one read of the customer's
    open contacts (issue 15: the customer page read them twice)."""
    rows = list(Contact.objects.filter(customer=customer, status=ContactStatus.OPEN)
                .select_related("officer__user", "area").order_by("-started_at", "-id"))
    return _split_open(rows, officer)


def _split_open(rows: list[Contact], officer) -> tuple[Contact | None, list[Contact]]:
    mine = [c for c in rows if officer is not None and c.officer_id == officer.pk]
    return (mine[0] if mine else None), [c for c in rows if officer is None or c.officer_id != officer.pk]


def customer_panel_contacts(*, user, customer, officer, recent: int = 5):
    """Issue 15: the customer page's contacts in ONE read: the customer's open contacts and the ``recent`` latest.
    Returns (the officer's open contact, the others' in progress, the recent contacts)."""
    _require_view(user)
    return customer_panel_contacts_split(list(customer_panel_contacts_queryset(customer=customer, recent=recent)),
                                         officer=officer, recent=recent)


def customer_panel_contacts_queryset(*, customer, recent: int = 5) -> QuerySet[Contact]:
    """The one read of ``customer_panel_contacts`` (the customer page batches it with its other reads, issue 15)."""
    latest = Contact.objects.filter(customer=customer).order_by("-started_at", "-id").values("pk")[:recent]
    return (Contact.objects.filter(Q(status=ContactStatus.OPEN) | Q(pk__in=latest), customer=customer)
            .select_related("officer__user", "area").order_by("-started_at", "-id"))


def customer_panel_contacts_split(rows: list[Contact], *, officer, recent: int = 5):
    mine, others = _split_open([c for c in rows if c.status == ContactStatus.OPEN], officer)
    return mine, others, rows[:recent]  # the latest ``recent`` of the customer are the first of these rows


def others_in_progress(contact: Contact) -> list[Contact]:
    return [c for c in in_progress_by_others(customer=contact.customer, officer=contact.officer) if c.pk != contact.pk]


def leads_team_of(officer, contact: Contact) -> bool:
    """The officer is the Team Leader of the team of the officer who took the contact (issue 14: abandon)."""
    position = contact.officer.position
    team = position.team if position is not None else None
    return officer is not None and team is not None and team.is_active and team.leader_id == officer.pk


def may_abandon(*, user, contact: Contact) -> bool:
    """Whether the page offers "Abandon" (the service decides, with contacts.policy.abandon_check)."""
    officer = getattr(user, "officer", None)
    if officer is None or not user.has_perm("contacts.run_contact"):
        return False
    return policy.abandon_check(is_open=contact.is_open, is_contact_officer=contact.officer_id == officer.pk,
                                is_their_team_leader=leads_team_of(officer, contact), reason="call_dropped",
                                note="").allowed


def may_correct(*, user, contact: Contact) -> bool:
    """Whether the page offers "Correct what was recorded" (issue 14; the service decides, with
    contacts.policy.contact_correct_check): the officer who took the contact or their Team Leader."""
    officer = getattr(user, "officer", None)
    if officer is None or not user.has_perm("contacts.run_contact"):
        return False
    return contact.officer_id == officer.pk or leads_team_of(officer, contact)


# --- MCA facts (CMA-2.1 .. 2.5) ---------------------------------------------------------------------------------


def contact_case(contact: Contact, summary) -> Any:
    """The case discussed: the contact's case, else the customer's first case."""
    if contact.case_id is not None:
        for cs in summary.cases:
            if cs.case.pk == contact.case_id:
                return cs
    return summary.cases[0] if summary.cases else None


def mca_facts_from_record(contact: Contact) -> dict[str, Any]:
    """The case data MCA reads, as plain data (stored on the contact at POI so the assessment does not move when an
    arrangement is recorded during the call)."""
    return mca_facts_for_customer(contact.customer, case_id=contact.case_id)


def mca_facts_for_customer(customer, *, case_id: int | None = None) -> dict[str, Any]:
    """The MCA facts of a customer's record (the case ``case_id``, else their first case)."""
    from casework.customers.selectors import customer_summary

    summary = customer_summary(customer=customer)
    case_summary = None
    if case_id is not None:
        case_summary = next((cs for cs in summary.cases if cs.case.pk == case_id), None)
    if case_summary is None and summary.cases:
        case_summary = summary.cases[0]
    role = case_summary.role if case_summary is not None else ("payer" if summary.is_payer else "payee")
    payer_overpaid = False
    if role == policy.PAYER:
        payer_case_ids = [c.case.pk for c in summary.cases if c.role == policy.PAYER]
        payer_overpaid = (
            Debt.objects.filter(case_id__in=payer_case_ids, kind=DebtKind.OVERPAYMENT, is_open=True)
            .exclude(debtor=customer)
            .exists()
        )
    ongoing = any(
        c.role == policy.PAYEE
        and c.case.registration_status == RegistrationStatus.REGISTERED
        and c.case.annual_liability > 0
        for c in summary.cases
    )
    return {
        "role": role,
        "roles": sorted({c.role for c in summary.cases}),  # CMA-2.1/2.3: every case, not only the first
        "income_reliable": summary.income.is_reliable,
        "cs_debt_without_arrangement": any(
            d.debt.kind == DebtKind.CHILD_SUPPORT_DEBT for d in summary.debts_without_arrangement
        ),
        "overpayment_without_arrangement": any(
            d.debt.kind == DebtKind.OVERPAYMENT for d in summary.debts_without_arrangement
        ),
        "payer_overpaid": payer_overpaid,
        "owed_child_support": bool(summary.owed_to_customer),
        "past_role_reversal": bool(case_summary.role_reversal) if case_summary is not None else summary.role_reversal,
        "ongoing_entitlement": ongoing,
    }


def customer_mca_status(customer, *, since) -> tuple[bool, bool]:
    """CMA-2.1 for the unlock readiness (CMA-3.4): (required by the customer's record, documented). Documented =
    MCA completed in a contact with the customer since ``since`` (the lock started) or in the contact that led to
    the lock (the latest one before it). Reads the customer's whole record (``customer_summary``): the paths that
    answer it (every unlock) use the set-based ``customer_mca_statuses``, tested equal to this one."""
    required = policy.mca_assess(policy.McaFacts(**mca_facts_for_customer(customer))).required
    if not required:
        return False, False
    contacts = Contact.objects.filter(customer=customer)
    if contacts.filter(started_at__gte=since, mca_completed_at__isnull=False).exists():
        return True, True
    before = contacts.filter(started_at__lt=since).order_by("-started_at", "-id").only("mca_completed_at").first()
    return True, before is not None and before.mca_completed_at is not None


def mca_facts_for_customers(customer_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Set-based ``mca_facts_for_customer`` (issue 15): the MCA facts of many customers' records (each customer's
    first case), equal to the one-customer function for each (a property test compares them), in a fixed number of
    queries whatever the number of customers: their cases, the cases' current role history, the customers' incomes,
    their open debts (owed by them, or child support owed to them as payee), those debts' arrangement statuses and,
    for payers, the open overpayments on their cases owed by someone else. Only the columns the facts need are read
    (``values_list``), no model instance per row."""
    from casework.customers.models import CaseRoleHistory, IncomeRecord, PaymentArrangement
    from casework.customers.policy import RolePeriod, arrangement_status, had_role_reversal, income_is_reliable

    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    cases: dict[int, list[tuple]] = {c: [] for c in ids}  # (case id, role, registration status, annual liability)
    case_rows = list(Case.objects.filter(Q(payer_id__any_of=ids) | Q(payee_id__any_of=ids))
                     .order_by("case_number")
                     .values_list("id", "payer_id", "payee_id", "registration_status", "annual_liability"))
    for case_id, payer_id, payee_id, status, liability in case_rows:
        if payer_id in cases:
            cases[payer_id].append((case_id, policy.PAYER, status, liability))
        if payee_id in cases and payee_id != payer_id:
            cases[payee_id].append((case_id, policy.PAYEE, status, liability))
    # Only the first case's role history is read (its role reversal is the fact; CMA-2.4).
    first_cases = {rows[0][0] for rows in cases.values() if rows}
    history: dict[int, list[RolePeriod]] = {}
    if first_cases:
        for case_id, payer_id, payee_id, from_date, to_date in (
                CaseRoleHistory.objects.filter(case_id__any_of=first_cases).order_by("from_date", "id")
                .values_list("case_id", "payer_id", "payee_id", "from_date", "to_date")):
            history.setdefault(case_id, []).append(RolePeriod(payer_id, payee_id, from_date, to_date))
    latest_source: dict[int, str] = {}
    for cid, source in (IncomeRecord.objects.filter(customer_id__any_of=ids, superseded_by__isnull=True)
                        .order_by("customer_id", "-effective_from", "-id").values_list("customer_id", "source")):
        latest_source.setdefault(cid, source)
    debts = list(
        Debt.objects.filter(Q(debtor_id__any_of=ids) | Q(case__payee_id__any_of=ids, kind=DebtKind.CHILD_SUPPORT_DEBT),
                            is_open=True, superseded_by__isnull=True)
        .values_list("id", "debtor_id", "kind", "case__payee_id"))
    statuses: dict[int, list[str]] = {}
    if debts:
        for debt_id, status in PaymentArrangement.objects.filter(debt_id__any_of=[d[0] for d in debts]).values_list(
                "debt_id", "status"):
            statuses.setdefault(debt_id, []).append(status)
    without: dict[int, set[str]] = {}  # customer id -> kinds of debt they owe with no active arrangement
    owed: set[int] = set()
    for debt_id, debtor_id, kind, payee_id in debts:
        if debtor_id in cases and arrangement_status(statuses.get(debt_id, [])) != "active":
            without.setdefault(debtor_id, set()).add(kind)
        if payee_id in cases and debtor_id != payee_id and kind == DebtKind.CHILD_SUPPORT_DEBT:
            owed.add(payee_id)
    roles_first = {c: (rows[0][1] if rows else policy.PAYEE) for c, rows in cases.items()}
    payer_cases = {c: {row[0] for row in rows if row[1] == policy.PAYER} for c, rows in cases.items()
                   if roles_first[c] == policy.PAYER}
    overpaid: set[int] = set()
    wanted = set().union(*payer_cases.values()) if payer_cases else set()
    if wanted:
        others = list(Debt.objects.filter(case_id__any_of=wanted, kind=DebtKind.OVERPAYMENT, is_open=True)
                      .values_list("case_id", "debtor_id"))
        for c, mine in payer_cases.items():
            if any(case_id in mine and debtor_id != c for case_id, debtor_id in others):
                overpaid.add(c)
    out: dict[int, dict[str, Any]] = {}
    for c in ids:
        rows = cases[c]
        role = roles_first[c]
        out[c] = {
            "role": role,
            "roles": sorted({row[1] for row in rows}),
            "income_reliable": bool(c in latest_source and income_is_reliable(latest_source[c])),
            "cs_debt_without_arrangement": DebtKind.CHILD_SUPPORT_DEBT in without.get(c, ()),
            "overpayment_without_arrangement": DebtKind.OVERPAYMENT in without.get(c, ()),
            "payer_overpaid": c in overpaid,
            "owed_child_support": c in owed,
            "past_role_reversal": bool(rows) and had_role_reversal(c, role, history.get(rows[0][0], [])),
            "ongoing_entitlement": any(row[1] == policy.PAYEE and row[2] == RegistrationStatus.REGISTERED
                                       and row[3] > 0 for row in rows),
        }
    return out


# ---------------------------------------------------------------- MCA from a few columns (issue 15: the unlock)

MCA_COLUMNS = ("mca_income_source", "mca_payer", "mca_cs_debt_unarranged", "mca_overpayment_unarranged")


def mca_required_columns(customer_ref: Any) -> dict[str, Any]:
    """Issue 15: what decides whether a customer's record requires MCA (CMA-2.1 as ``customer_mca_status`` reads
    it) as four columns of a query on the customer, ``customer_ref`` being its id (``OuterRef("pk")``): the source
    of the latest current income (CMA-2.2), whether they are the payer on a case, and whether they owe an open child
    support debt, or an open overpayment, with no active payment arrangement (CMA-2.3). The unlock reads them in its
    row-lock statement (``ownership.selectors.lock_facts``) instead of the record's five reads;
    ``mca_required_from_columns`` decides, tested equal to ``customer_mca_statuses`` over a table of cases."""
    from django.db.models import Exists, OuterRef, Subquery

    from casework.customers.models import ArrangementStatus, IncomeRecord, PaymentArrangement

    def unarranged(kind: str):
        return Exists(
            Debt.objects.filter(debtor_id=customer_ref, kind=kind, is_open=True, superseded_by__isnull=True)
            .filter(~Exists(PaymentArrangement.objects.filter(debt_id=OuterRef("pk"),
                                                              status=ArrangementStatus.ACTIVE))))

    return {
        "mca_income_source": Subquery(
            IncomeRecord.objects.filter(customer_id=customer_ref, superseded_by__isnull=True)
            .order_by("-effective_from", "-id").values("source")[:1]),
        "mca_payer": Exists(Case.objects.filter(payer_id=customer_ref)),
        "mca_cs_debt_unarranged": unarranged(DebtKind.CHILD_SUPPORT_DEBT),
        "mca_overpayment_unarranged": unarranged(DebtKind.OVERPAYMENT),
    }


def mca_required_from_columns(income_source: str | None, payer: Any, cs_debt_unarranged: Any,
                              overpayment_unarranged: Any) -> bool:
    """CMA-2.1: required by the record, from ``MCA_COLUMNS`` (the policy's own ``mca_assess``; from the record, no
    enquiry is a collection or income enquiry, so only income, the payer's debt and the overpayment decide)."""
    from casework.customers.policy import income_is_reliable

    payer = bool(payer)
    return policy.mca_assess(policy.McaFacts(
        role=policy.PAYER if payer else policy.PAYEE,
        roles=(policy.PAYER,) if payer else (),
        income_reliable=income_source is not None and income_is_reliable(income_source),
        cs_debt_without_arrangement=bool(cs_debt_unarranged),
        overpayment_without_arrangement=bool(overpayment_unarranged),
    )).required


def mca_documented(customer_id: int, *, since: dt.datetime) -> bool:
    """CMA-2.1 documented for the unlock: MCA completed in a contact with the customer since ``since`` (the lock
    started) or in the contact that led to the lock (the latest one before it). One read."""
    rows = [(started_at, done is not None) for started_at, done in (
        Contact.objects.filter(customer_id=customer_id).order_by("-started_at", "-id")
        .values_list("started_at", "mca_completed_at"))]
    return _documented(rows, since)


def _documented(rows: list[tuple[dt.datetime, bool]], since: dt.datetime) -> bool:
    """``rows``: the customer's contacts, newest first, as (started at, MCA completed in it)."""
    if any(done for started_at, done in rows if started_at >= since):
        return True
    return next((done for started_at, done in rows if started_at < since), False)


def customer_mca_statuses(since: Mapping[int, dt.datetime]) -> dict[int, tuple[bool, bool]]:
    """Set-based ``customer_mca_status`` (issue 15): ``since`` maps each customer id to the moment its lock started;
    returns, per customer, (MCA required by the record, documented), equal to the one-customer function for each,
    in a fixed number of queries whatever the number of customers (``mca_facts_for_customers``, then one read of the
    contacts of the customers whose record requires MCA: when each started and whether MCA was completed in it)."""
    facts = mca_facts_for_customers(since)
    required = {c for c, f in facts.items() if policy.mca_assess(policy.McaFacts(**f)).required}
    out: dict[int, tuple[bool, bool]] = {c: (False, False) for c in facts}
    if not required:
        return out
    # By customer, newest first: (started_at, id, MCA completed in it).
    contacts: dict[int, list[tuple[dt.datetime, bool]]] = {c: [] for c in required}
    for cid, started_at, done in (Contact.objects.filter(customer_id__any_of=required)
                                  .order_by("customer_id", "-started_at", "-id")
                                  .values_list("customer_id", "started_at", "mca_completed_at")):
        contacts[cid].append((started_at, done is not None))
    for c in required:
        out[c] = (True, _documented(contacts[c], since[c]))
    return out


def mca_facts(contact: Contact) -> policy.McaFacts:
    base = dict(contact.mca_snapshot.get("facts") or mca_facts_from_record(contact))
    base["roles"] = tuple(base.get("roles") or ())
    issue_types = [ci.presenting_issue.issue_type for ci in contact.issues.all()]
    base["collection_enquiry"] = any(t.is_collection_related for t in issue_types)
    base["income_enquiry"] = any(t.is_income_related for t in issue_types)
    return policy.McaFacts(**base)


def mca_assessment(contact: Contact) -> policy.McaAssessment:
    """The MCA of this contact: from the case data, limited to what the person speaking may discuss (CMA-1.1)."""
    return policy.mca_within_authority(policy.mca_assess(mca_facts(contact)), contact_access(contact))


def mca_status(contact: Contact, assessment: policy.McaAssessment | None = None):
    assessment = assessment or mca_assessment(contact)
    return policy.mca_completion(
        assessment,
        ticked=contact.mca_ticked,
        arrangement_recorded=contact.arrangement_id is not None,
        collection_info_recorded=bool(contact.collection_information),
    )


def open_issues_in_scope(contact: Contact, *, record: Any = None) -> list:
    """CMA-3.1/3.2: every open presenting issue of the customer -- raised in this contact or earlier -- that this
    officer may finalise (``ownership.policy.issue_change_scope``, the same rule the close transition applies).
    Issues referred to a specialist area, another area's collaborative issues and a PS customer's issues are not
    in this officer's scope. ``record``: the request's customer record (issue 15): its presenting issues and lock
    are used, and the facts the checks share are read once for all the open issues (no read per issue)."""
    from casework.customers.models import IssueStatus, PresentingIssue
    from casework.customers.scope import ISSUE_CLOSE
    from casework.ownership.scope import issue_change_checks

    extra: dict[str, Any] = {}
    if record is not None:
        rows = [i for i in record.facts.issue_rows if i.status == IssueStatus.OPEN]
        extra = {"lock": record.ownership.lock, "rows": list(record.facts.issue_rows)}
    else:
        rows = list(PresentingIssue.objects.filter(customer=contact.customer, status=IssueStatus.OPEN)
                    .select_related("issue_type"))
    if not rows:
        return []
    decisions = issue_change_checks(actor=contact.officer.user, customer=contact.customer, action=ISSUE_CLOSE,
                                    issues=rows, status=IssueStatus.FINALISED, **extra)
    return [i for i in rows if decisions[i.pk].allowed]


def finalise_facts(contact: Contact, *, holistic: policy.Decision | None = None,
                   record: Any = None) -> policy.FinaliseFacts:
    """``holistic``: the CMA-1.7 prompt when the caller has it already (the contact page: computed once);
    ``record``: the request's customer record (its presenting issues and lock)."""
    assessment = mca_assessment(contact)
    mca = mca_status(contact, assessment)
    if assessment.required and contact.mca_completed_at is None and mca.allowed:
        mca = policy.Decision.no(
            "Minimum Collection Activity not yet documented.", "CMA-2.8",
            outcome="incomplete", missing=["Document the MCA (CMA-2.8)"],
        )
    open_issues = tuple(i.issue_type.name for i in open_issues_in_scope(contact, record=record))
    return policy.FinaliseFacts(
        poi_confirmed=contact.poi_confirmed,
        mca=mca,
        open_issues_in_scope=open_issues,
        referrals_pending=tuple(r.organisation for r in contact.external_referrals.all() if not r.is_given),
        not_explained_to=tuple(
            i.customer.full_name for i in contact.impacted.all() if i.status == ExplanationStatus.PENDING
        ),
        customer_disagrees=contact.customer_disagrees,
        disagreement_options_given=tuple(contact.disagreement_options),
        error_open=contact.error_identified and not contact.error_outcome,
        holistic_advice_pending=(holistic or holistic_advice_prompt(contact)).outcome == "advise",
    )


def holistic_advice_prompt(contact: Contact, *, record: Any = None) -> policy.Decision:
    """CMA-1.7: is the officer to advise the customer (ownership kept as a further specialised issue arises)?
    ``record``: the request's customer record (``ownership.selectors.customer_record``, issue 15): its presenting
    issues and active lock are used instead of reading them again; the contact's issues are the prefetched ones when
    the contact was read with them (``contact_get``)."""
    from casework.customers.models import IssueStatus, PresentingIssue
    from casework.ownership.selectors import active_lock

    if "issues" in getattr(contact, "_prefetched_objects_cache", {}):  # contact_get's read (the contact page)
        raised_here = tuple(
            link.presenting_issue.issue_type.handling_area.code for link in contact.issues.all()
            if link.presenting_issue.issue_type.kind == "specialised"
        )
    else:  # a contact re-read by a service: its issues as they stand now, one query
        raised_here = tuple(
            contact.issues.filter(presenting_issue__issue_type__kind="specialised").values_list(
                "presenting_issue__issue_type__handling_area__code", flat=True)
        )
    if record is not None:
        areas = tuple(dict.fromkeys(
            i.issue_type.handling_area.code for i in record.facts.issue_rows
            if i.status in (IssueStatus.OPEN, IssueStatus.REFERRED) and i.issue_type.kind == "specialised"))
        lock = record.ownership.lock
    else:
        areas = tuple(
            PresentingIssue.objects.filter(
                customer_id=contact.customer_id, status__in=(IssueStatus.OPEN, IssueStatus.REFERRED),
                issue_type__kind="specialised",
            ).values_list("issue_type__handling_area__code", flat=True).distinct()
        )
        lock = active_lock(customer=contact.customer)
    return policy.holistic_advice_check(
        raised_here=raised_here, specialised_areas=areas, locked_area=lock.area.code if lock is not None else None,
        locked_area_specialised=lock is not None and lock.area.kind == "specialised",
        advised=contact.holistic_advice_at is not None,
    )


def finalise_check(contact: Contact, *, holistic: policy.Decision | None = None,
                   record: Any = None) -> policy.Decision:
    return policy.finalise_readiness(finalise_facts(contact, holistic=holistic, record=record))


@dataclass
class ContactScreen:
    """Everything the guided screen shows, in the order an officer works."""

    contact: Contact
    poi_confirmed: bool
    access: policy.Decision
    summary: Any = None  # CustomerSummary, only once POI is confirmed (CMA-1.1)
    ownership: Any = None
    issue_handling: list = field(default_factory=list)
    mca: policy.McaAssessment | None = None
    mca_status: policy.Decision | None = None
    finalise: policy.Decision | None = None
    payer_debts: list = field(default_factory=list)
    restriction: dict = field(default_factory=dict)  # PS-ORM-3, shown before POI
    sensitive: tuple = ()  # PS-CON-4 sensitive issue indicators in force, INTERNAL, shown before POI (issue 14)
    holistic: policy.Decision | None = None  # CMA-1.7, once identity is confirmed and the case discussed

    def may_discuss(self, matter: str) -> bool:
        return matter in self.access.facts.get("matters", ())


def contact_access(contact: Contact) -> policy.Decision:
    """CMA-1.1: what the person speaking may discuss and change, from the representative's authority as it stands
    today (ended, or outside its dates → nothing)."""
    rep = contact.representative if contact.representative_id else None
    today = clock.today_for(contact.officer) if getattr(contact, "officer_id", None) else clock.local_today(None)
    current = rep is not None and rep.is_active and rep.valid_from <= today and (
        rep.valid_to is None or rep.valid_to >= today
    )
    return policy.representative_access(
        speaker_is_representative=contact.speaker == "representative",
        scope=rep.scope if rep else None,
        matters=rep.matters if rep else (),
        current=current,
    )


def restriction_status(contact: Contact, *, in_force: Any = None) -> dict[str, Any]:
    """PS-ORM-3: the customer's restricted service in force, shown before identity is confirmed, and whether this
    contact (channel, the officer's local day and time) is within it. ``in_force``: the customer's active
    restrictions when the caller has read them already (the customer record's summary, issue 15)."""
    from casework.customers.models import ContactRestriction
    from casework.customers.policy import restriction_contact_check
    from casework.customers.selectors import restriction_terms

    if in_force is not None:
        rows = sorted(in_force, key=lambda r: r.pk)
    else:
        rows = list(ContactRestriction.objects.filter(customer_id=contact.customer_id, is_active=True).order_by("id"))
    # The officer's office wall clock (the agency's zone when the officer has no office).
    local_now = clock.local_now(clock.office_of(contact.officer)).replace(tzinfo=None)
    checks = [(r, restriction_contact_check(restriction_terms(r), channel=contact.channel, local_now=local_now))
              for r in rows]
    return {"restrictions": rows, "checks": checks, "outside": [d for _, d in checks if not d.allowed]}


def contact_screen(*, user, contact: Contact) -> ContactScreen:
    _require_view(user)
    access = contact_access(contact)
    screen = ContactScreen(contact=contact, poi_confirmed=contact.poi_confirmed, access=access)
    # Safety before identity (issue 14): the officer sees any sensitive indicator from the first screen. INTERNAL:
    # only officers who may view it, never in the API's customer-facing summary or any letter.
    from casework.ownership.selectors import customer_record, ownership_get

    discussing = contact.poi_confirmed and access.facts.get("may_discuss")
    # Issue 15: once identity is confirmed, the customer's record is read once: the summary, the restrictions and
    # sensitive indicators, the presenting issues and the ownership decision all come from it.
    record = customer_record(customer=contact.customer, full=False) if discussing else None
    screen.restriction = restriction_status(
        contact, in_force=record.summary.restrictions if record is not None else None)
    if user.has_perm("customers.view_sensitive"):
        screen.sensitive = (record.summary.sensitive_indicators if record is not None else tuple(
            contact.customer.sensitive_indicators.filter(is_active=True).order_by("created_at")))
    screen.ownership = record.ownership if record is not None else ownership_get(customer=contact.customer)
    if not discussing:
        return screen
    screen.summary = record.summary
    screen.payer_debts = [d for d in screen.summary.debts if not d.has_arrangement]
    screen.mca = mca_assessment(contact)
    screen.mca_status = mca_status(contact, screen.mca)
    screen.holistic = holistic_advice_prompt(contact, record=record)
    screen.finalise = finalise_check(contact, holistic=screen.holistic, record=record)
    return screen


def case_for(contact: Contact) -> Case | None:
    return contact.case


def customer_last_reached(customer_ref) -> Any:
    """CMA-1.2: when the customer was last spoken to in a guided contact: a call or visit whose POI was confirmed,
    latest first (a source registered with ``letters.selectors`` at start-up, read there in one query with the
    others: ``customer_ref`` is the customer's id or an ``OuterRef``)."""
    from .models import Channel

    return (Contact.objects.filter(customer_id=customer_ref, channel__in=[Channel.PHONE, Channel.FACE_TO_FACE],
                                   poi_confirmed_at__isnull=False)
            .order_by("-poi_confirmed_at").values("poi_confirmed_at"))

"""Every write to customers, cases, notes and their facts. Keyword-only, one transaction each, audited.

Permissions are the ones declared in casework/org/rules.py and casework/customers/rules.py. ``actor=None`` is
accepted only for scheduled work and loaders running under ``core.context.job_context`` (the job is the actor).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

from casework.core import clock
from casework.core.audit import audit_record, snapshot
from casework.core.context import system_actor_var
from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.core.versioning import version_bump, version_check
from casework.org.models import BusinessArea, IssueType
from casework.org.rules import officer_of

from . import policy, scope
from .csid import csid_problem, normalise_csid
from .models import (
    ArrangementStatus,
    ArrangementStatusChange,
    AuthorisedRepresentative,
    CareArrangement,
    Case,
    CaseRoleHistory,
    Child,
    CollectionType,
    ContactRestriction,
    Customer,
    Debt,
    DebtKind,
    DepartureProhibitionOrder,
    DpoStatus,
    IncomeRecord,
    IncomeSource,
    IssueStatus,
    Note,
    NoteKind,
    PaymentArrangement,
    PaymentFrequency,
    PaymentReceived,
    PresentingIssue,
    RegistrationStatus,
    RepresentativeScope,
    Residence,
    RestrictionStatus,
    SensitiveIssueIndicator,
    SensitiveReason,
)

CUSTOMER_FIELDS = (
    "csid",
    "given_names",
    "family_name",
    "date_of_birth",
    "date_of_death",
    "email",
    "phone_mobile",
    "phone_home",
    "postal_address",
    "postal_address_is_silent",
    "residence",
    "country",
    "preferred_contact_times",
    "contact_preference",
    "special_contact_arrangements",
)
CUSTOMER_UPDATABLE = tuple(f for f in CUSTOMER_FIELDS if f != "csid")
CHANNELS = ("ui", "api", "phone", "letter", "system")


# --- helpers -----------------------------------------------------------------------------------------------------


def _require(actor: Any, perm: str, message: str, step_ids: Iterable[str] = ()) -> None:
    if actor is None:
        if system_actor_var.get():
            return
        raise NotPermitted(message, step_ids=step_ids)
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        raise NotPermitted(message, step_ids=step_ids)


def _invalid(fields: Mapping[str, list[str]], message: str = "Check the highlighted fields.") -> InvalidInput:
    return InvalidInput(message, fields={k: list(v) for k, v in fields.items()})


def _clean(instance: models.Model, exclude: Iterable[str] = (), *, database: bool = True) -> None:
    """Model validation as a 400 with a message per field. ``database=False`` leaves out the checks that read the
    database (unique fields, constraints): the bulk import checks those for a whole chunk at once in SQL."""
    try:
        if database:
            instance.full_clean(exclude=list(exclude))
        else:
            instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = dict(exc.message_dict)
        if "__all__" in fields:
            fields["non_field_errors"] = fields.pop("__all__")
        raise _invalid(fields) from exc


def _today(actor: Any = None) -> dt.date:
    """Today where the acting officer works (``clock.today_for``); the agency's day for a job."""
    return clock.today_for(actor)


def _required_text(value: Any, field: str, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise _invalid({field: [f"Enter {label}."]})
    return text


def _decimal(value: Any, field: str, *, minimum: Decimal | None = Decimal("0"), positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise _invalid({field: ["Enter an amount in dollars and cents."]}) from exc
    if not amount.is_finite():
        raise _invalid({field: ["Enter an amount in dollars and cents."]})
    if positive and amount <= 0:
        raise _invalid({field: ["The amount must be more than zero."]})
    if minimum is not None and amount < minimum:
        raise _invalid({field: [f"The amount cannot be less than {minimum}."]})
    return amount.quantize(Decimal("0.01"))


def _choice(value: Any, choices: type[models.TextChoices], field: str) -> str:
    value = getattr(value, "value", value)
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise _invalid({field: [f"Choose one of: {allowed}."]})
    return value


def _date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise _invalid({field: ["Enter a date."]})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _invalid({field: ["Enter a date as YYYY-MM-DD."]}) from exc


def _customer_problems(customer: Customer, *, actor: Any = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    today = _today(actor)
    if isinstance(customer.date_of_birth, dt.date):
        problems.update(policy.date_of_birth_check(date_of_birth=customer.date_of_birth, today=today).facts["fields"])
    if isinstance(customer.date_of_death, dt.date):
        if customer.date_of_death > today:
            problems["date_of_death"] = ["The date of death cannot be in the future."]
        elif isinstance(customer.date_of_birth, dt.date) and customer.date_of_death < customer.date_of_birth:
            problems["date_of_death"] = ["The date of death cannot be before the date of birth."]
    if customer.residence == Residence.OVERSEAS and not (customer.country or "").strip():
        problems["country"] = ["Enter the country for a customer living overseas."]
    return problems


# --- Customers ---------------------------------------------------------------------------------------------------


def customer_record_view(*, actor, customer: Customer, channel: str = "ui") -> None:
    """Opening a customer record is itself audited: who viewed whom, and through which channel."""
    _require(actor, "customers.view_customer", "Your role does not allow you to view customer records.")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="customer.view",
            target=customer,
            after={"channel": channel if channel in CHANNELS else "other"},
            customer=customer,
        )


def _reader(actor: Any, message: str) -> None:
    """A read is audited only for someone allowed to read (the caller's selector or policy already refused others);
    scheduled work reads under ``job_context``."""
    if actor is None and system_actor_var.get():
        return
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted(message)


def customer_data_read(
    *,
    actor,
    customer: Customer | int,
    what: str,
    detail: Mapping[str, Any] | None = None,
    channel: str = "api",
) -> None:
    """Every read of a customer's data leaves one audit event (issue 13): who read which customer's what, through
    which channel. ``what`` names the data ("notes", "cases", "letter", "letter_pdf", "ps_record", "routing", ...);
    ``detail`` adds the identifiers of what was read (a case number, a letter id), never the data itself.

    Called by each read endpoint and page AFTER its own permission check (a refused read leaves no event), ONE INSERT
    in its own transaction. ``customer`` may be the row or its id (the routing read has only the id)."""
    _reader(actor, "Sign in to read customer records.")
    target: Customer | tuple[str, Any] = customer if isinstance(customer, Customer) else ("customer", customer)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="customer.read",
            target=target,
            after={**dict(detail or {}), "what": str(what)[:60],
                   "channel": channel if channel in CHANNELS else "other"},
            customer=customer,
        )


def case_data_read(
    *, actor, case: Case, what: str = "case", detail: Mapping[str, Any] | None = None, channel: str = "api"
) -> None:
    """A read of a case's data is a read of both parties' data: one ``customer.read`` event for the payer and one for
    the payee (so the trail is searchable by either customer), in one transaction (issue 13)."""
    _reader(actor, "Sign in to read cases.")
    after = {**dict(detail or {}), "what": str(what)[:60], "channel": channel if channel in CHANNELS else "other",
             "case_number": case.case_number}
    with transaction.atomic():
        for party_id in dict.fromkeys((case.payer_id, case.payee_id)):
            audit_record(actor=actor, action="customer.read", target=("customer", party_id), after=after,
                         customer=party_id)


def customer_data_export(*, actor, what: str, rows: int, channel: str = "api") -> None:
    """A bulk export of many customers' data (e.g. the PS Activity Database CSV) is audited once (issue 13): who
    exported what and how many rows; not one event per customer."""
    _reader(actor, "Sign in to export customer data.")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="customer.export",
            target=("customer_export", str(what)[:60]),
            after={"what": str(what)[:60], "rows": int(rows), "channel": channel if channel in CHANNELS else "other"},
        )


def customer_search_record(
    *, actor, query: str, results: int, date_of_birth: dt.date | None = None, channel: str = "api"
) -> None:
    """A customer search is audited once (issue 13): the query as typed (internal: CSID or name), the date of birth if
    given and how many customers it returned; not one event per result."""
    _reader(actor, "Sign in to search customer records.")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="customer.search",
            target=("customer_search", ""),
            after={
                "query": str(query or "")[:200],
                "date_of_birth": date_of_birth.isoformat() if isinstance(date_of_birth, dt.date) else None,
                "results": int(results),
                "channel": channel if channel in CHANNELS else "other",
            },
        )


def customer_build(*, actor, database: bool = True, **fields: Any) -> Customer:
    """The validated, unsaved customer ``customer_create`` saves: the one builder of the row path and of the bulk
    import (``imports.services.import_bulk``), so the two cannot drift. Raises what ``customer_create`` raises.
    ``database=False`` leaves out the checks that read the database (the CSID's uniqueness): the bulk import checks
    a chunk's CSIDs at once."""
    _require(actor, "customers.add_customer", "Your role does not allow you to create customer records.")
    unknown = sorted(set(fields) - set(CUSTOMER_FIELDS))
    if unknown:
        raise _invalid({name: ["This field is not part of a customer record."] for name in unknown})
    data = {k: v for k, v in fields.items() if v is not None}
    problem = csid_problem(data.get("csid", ""))
    if problem:
        raise _invalid({"csid": [problem]}, problem)
    data["csid"] = normalise_csid(data["csid"])
    for name in ("date_of_birth", "date_of_death"):
        if name in data:
            data[name] = _date(data[name], name, required=name == "date_of_birth")
    customer = Customer(**data)
    customer.search_name = f"{customer.family_name} {customer.given_names}".lower().strip()
    _clean(customer, database=database)
    problems = _customer_problems(customer, actor=actor)
    if problems:
        raise _invalid(problems)
    return customer


def customer_create(*, actor, **fields: Any) -> Customer:
    """A new customer. The CSID is validated (spaces and hyphens ignored) and must be unique."""
    customer = customer_build(actor=actor, **fields)
    try:
        with transaction.atomic():
            customer.save()
            audit_record(actor=actor, action="customer.create", target=customer, after=snapshot(customer))
    except IntegrityError as exc:
        raise Conflict(
            f"A customer with CSID {customer.csid} already exists.", fields={"csid": ["This CSID is already in use."]}
        ) from exc
    return customer


def customer_update(*, actor, customer: Customer, reason: str, version: int | None = None, **fields: Any) -> Customer:
    """Change a customer's details (not the CSID). The reason is recorded with the before/after values.

    ``version`` is the customer's version the change was made from (the API's ETag / If-Match, the web form's hidden
    field): if someone else changed the customer since, 409 and nothing is written (issue 13). Each change that
    alters something adds one to the version."""
    _require(actor, "customers.change_customer", "Your role does not allow you to change customer records.")
    if "csid" in fields:
        raise _invalid({"csid": ["A customer's CSID cannot be changed."]})
    unknown = sorted(set(fields) - set(CUSTOMER_UPDATABLE))
    if unknown:
        raise _invalid({name: ["This field is not part of a customer record."] for name in unknown})
    reason = _required_text(reason, "reason", "the reason for the change")
    for name in ("date_of_birth", "date_of_death"):
        if name in fields:
            fields[name] = _date(fields[name], name, required=name == "date_of_birth")
    with transaction.atomic():
        row = Customer.objects.select_for_update().get(pk=customer.pk)
        version_check(row, version, what="customer's details", step_ids=("CMA-1.2",))
        before = snapshot(row, CUSTOMER_UPDATABLE)
        for name, value in fields.items():
            setattr(row, name, "" if value is None and name not in ("date_of_death",) else value)
        row.search_name = f"{row.family_name} {row.given_names}".lower().strip()
        _clean(row)
        problems = _customer_problems(row, actor=actor)
        if problems:
            raise _invalid(problems)
        after = snapshot(row, CUSTOMER_UPDATABLE)
        changed = {k: v for k, v in after.items() if before[k] != v}
        if changed:
            version_bump(row)
            row.save()
            audit_record(
                actor=actor,
                action="customer.update",
                target=row,
                before={k: before[k] for k in changed},
                after=changed,
                reason=reason,
            )
    for name in CUSTOMER_FIELDS:
        setattr(customer, name, getattr(row, name))
    customer.search_name = row.search_name
    customer.updated_at = row.updated_at
    customer.version = row.version
    return row


# --- Cases -------------------------------------------------------------------------------------------------------


def _new_case_number(*, unused: bool = True) -> str:
    """A random case number; ``unused`` reads that no case has it (the bulk import checks a chunk's at once)."""
    while True:
        candidate = f"C{secrets.randbelow(10**8):08d}"
        if not unused or not Case.objects.filter(case_number=candidate).exists():
            return candidate


def _child_data(child: Any) -> dict[str, Any]:
    if isinstance(child, Mapping):
        get = child.get
    else:
        def get(name, default=None):
            return getattr(child, name, default)

    return {
        "given_names": str(get("given_names", "") or "").strip(),
        "family_name": str(get("family_name", "") or "").strip(),
        "date_of_birth": get("date_of_birth"),
    }


@dataclass(frozen=True)
class CaseDraft:
    """The validated, unsaved case ``case_create`` saves, with its children and the first payer/payee period's start
    (``case_build``)."""

    case: Case
    children: list[Child]
    roles_from: dt.date


def case_build(
    *,
    actor,
    payer: Customer,
    payee: Customer,
    case_number: str | None = None,
    registration_status: str = RegistrationStatus.REGISTERED,
    collection_type: str = CollectionType.AGENCY,
    children: Iterable[Any] = (),
    annual_liability: Decimal | str | int = Decimal("0"),
    role_history_from: dt.date | None = None,
    database: bool = True,
) -> CaseDraft:
    """The validated, unsaved case (with its children) ``case_create`` saves: the one builder of the row path and of
    the bulk import (``imports.services.import_bulk``), so the two cannot drift. Raises what ``case_create`` raises.
    ``database=False`` leaves out the checks that read the database (the case number is unused, the payer and payee
    exist, the constraints): the bulk import checks a chunk's at once."""
    _require(actor, "customers.add_case", "Your role does not allow you to create cases.")
    if payer is None or payee is None:
        raise _invalid({k: ["Choose a customer."] for k, v in (("payer", payer), ("payee", payee)) if v is None})
    if payer.pk == payee.pk:
        raise _invalid({"payee": ["The payer and payee must be different customers."]})
    registration_status = _choice(registration_status, RegistrationStatus, "registration_status")
    collection_type = _choice(collection_type, CollectionType, "collection_type")
    liability = _decimal(annual_liability, "annual_liability")
    role_history_from = _date(role_history_from, "roles_since", required=False)
    today = _today(actor)
    if role_history_from is not None and not policy.SCHEME_START <= role_history_from <= today:
        raise _invalid({"roles_since": ["The roles must start between 1988 and today."]})
    kids = [_child_data(c) for c in children]
    child_errors = []
    for index, kid in enumerate(kids):
        try:
            kid["date_of_birth"] = _date(kid["date_of_birth"], "date_of_birth")
        except InvalidInput:
            child_errors.append(f"Child {index + 1}: enter a date of birth as YYYY-MM-DD.")
            continue
        if not kid["given_names"] or not kid["family_name"]:
            child_errors.append(f"Child {index + 1}: enter the child's given and family names.")
        else:
            check = policy.date_of_birth_check(date_of_birth=kid["date_of_birth"], today=today, child=True)
            if not check.allowed:
                child_errors.append(f"Child {index + 1}: {check.reason[0].lower()}{check.reason[1:]}")
    if child_errors:
        raise _invalid({"children": child_errors})
    if case_number is not None:
        case_number = _required_text(case_number, "case_number", "the case number")
        if database and Case.objects.filter(case_number=case_number).exists():
            raise _invalid({"case_number": [f"Case {case_number} already exists."]})
    case = Case(
        case_number=case_number or _new_case_number(unused=database),
        payer=payer,
        payee=payee,
        registration_status=registration_status,
        collection_type=collection_type,
        annual_liability=liability,
    )
    if database:
        _clean(case)
    else:
        _clean(case, exclude=["payer", "payee"], database=False)
    made = []
    for kid in kids:
        child = Child(case=case, **kid)
        _clean(child, exclude=["case"], database=database)
        made.append(child)
    return CaseDraft(case=case, children=made, roles_from=role_history_from or today)


def case_create(
    *,
    actor,
    payer: Customer,
    payee: Customer,
    case_number: str | None = None,
    registration_status: str = RegistrationStatus.REGISTERED,
    collection_type: str = CollectionType.AGENCY,
    children: Iterable[Any] = (),
    annual_liability: Decimal | str | int = Decimal("0"),
    role_history_from: dt.date | None = None,
) -> Case:
    """A case between a payer and a payee, with its children. Records the first payer/payee period (CMA-2.4)."""
    draft = case_build(
        actor=actor, payer=payer, payee=payee, case_number=case_number, registration_status=registration_status,
        collection_type=collection_type, children=children, annual_liability=annual_liability,
        role_history_from=role_history_from,
    )
    case = draft.case
    try:
        with transaction.atomic():
            case.save()
            made = []
            for child in draft.children:
                child.case = case
                child.save()
                made.append(child)
            CaseRoleHistory.objects.create(case=case, payer=payer, payee=payee, from_date=draft.roles_from)
            for event in case_create_events(case=case, children=made):
                audit_record(actor=actor, **event)
    except IntegrityError as exc:
        raise Conflict("That case number was taken at the same moment: try again.") from exc
    return case


def case_create_events(*, case: Case, children: Iterable[Child]) -> list[dict[str, Any]]:
    """The audit events of a new case (without the actor), as ``audit_record``'s keyword arguments: shared with the
    bulk import so its events are the row path's."""
    return [
        dict(action="case.create", target=case, customer=case.payer_id,
             after={**snapshot(case),
                    "children": [snapshot(c, ["given_names", "family_name", "date_of_birth"]) for c in children]}),
        dict(action="case.party_added", target=case, customer=case.payee_id,
             after={"role": "payee", "case_number": case.case_number}),
    ]


def case_roles_reverse(*, actor, case: Case, effective_from: dt.date, reason: str, version: int | None = None) -> Case:
    """The payer becomes the payee and vice versa from ``effective_from``. The earlier period is kept so a past role
    reversal can be told later (CMA-2.4). ``version``: the case's version the change was made from (stale: 409)."""
    _require(actor, "customers.add_case", "Your role does not allow you to change cases.", ("CMA-2.4",))
    reason = _required_text(reason, "reason", "the reason for the role reversal")
    effective_from = _date(effective_from, "effective_from")
    with transaction.atomic():
        row = Case.objects.select_for_update().get(pk=case.pk)
        version_check(row, version, what="case", step_ids=("CMA-2.4",))
        current = row.role_history.filter(to_date__isnull=True).order_by("-from_date").first()
        if current is not None and effective_from <= current.from_date:
            raise _invalid({"effective_from": ["The reversal must start after the current period began."]})
        if current is not None:
            CaseRoleHistory.objects.filter(pk=current.pk).update(to_date=effective_from - dt.timedelta(days=1))
        before = {"payer": row.payer_id, "payee": row.payee_id}
        row.payer_id, row.payee_id = row.payee_id, row.payer_id
        version_bump(row)
        row.save(update_fields=["payer", "payee", "version"])
        CaseRoleHistory.objects.create(case=row, payer_id=row.payer_id, payee_id=row.payee_id, from_date=effective_from)
        for party in (row.payer_id, row.payee_id):
            audit_record(
                actor=actor,
                action="case.roles_reverse",
                target=row,
                before=before,
                after={"payer": row.payer_id, "payee": row.payee_id, "effective_from": effective_from},
                reason=reason,
                step_ids=("CMA-2.4",),
                customer=party,
            )
    return Case.objects.select_related("payer", "payee").get(pk=row.pk)


ROLE_FIELDS = ["case_id", "payer_id", "payee_id", "from_date", "to_date"]


def _role_period(row: CaseRoleHistory) -> policy.RolePeriod:
    return policy.RolePeriod(row.payer_id, row.payee_id, row.from_date, row.to_date)


def case_roles_correct(*, actor, case: Case, reason: str, effective_from: dt.date | None = None, undo: bool = False,
                       version: int | None = None) -> Case:
    """Correct the case's latest role reversal (CMA-2.4, issue 12), with a reason; nothing is deleted. Wrongly dated:
    the reversal's period and the earlier one it closed are superseded by rows with the corrected date. Keyed in
    error (``undo``): both are superseded by the earlier period reopened, and the parties swap back. Superseded rows
    stay readable (``CaseRoleHistory.all_objects``) with the reason; everything else reads current rows only.
    ``version``: the case's version the correction was made from (stale: 409)."""
    _require(actor, "customers.add_case", "Your role does not allow you to change cases.", ("CMA-2.4",))
    reason = _required_text(reason, "reason", "why the role reversal is corrected")
    undo = bool(undo)
    if undo and effective_from not in (None, ""):
        raise _invalid({"effective_from": ["Either correct the date or undo the reversal, not both."]})
    effective_from = None if undo else _date(effective_from, "effective_from")
    with transaction.atomic():
        row = Case.objects.select_for_update().get(pk=case.pk)
        version_check(row, version, what="case", step_ids=("CMA-2.4",))
        periods = list(CaseRoleHistory.objects.select_for_update().filter(case=row).order_by("-from_date", "-id"))
        current = next((p for p in periods if p.to_date is None), None)
        previous = None
        if current is not None:
            previous = next((p for p in periods if p.to_date == current.from_date - dt.timedelta(days=1)), None)
        decision = policy.role_reversal_correction_check(
            previous=_role_period(previous) if previous else None, current=_role_period(current) if current else None,
            undo=undo, effective_from=effective_from)
        _refuse_fields(decision, TransitionRefused if decision.facts.get("field") == "case_number" else None)
        now = clock.now()
        before = {"payer": row.payer_id, "payee": row.payee_id}
        made = dict(recorded_at=now, recorded_by=actor)
        if undo:
            reopened = CaseRoleHistory.objects.create(case=row, payer_id=previous.payer_id, payee_id=previous.payee_id,
                                                      from_date=previous.from_date, to_date=None, **made)
            replaced = [(previous, reopened), (current, reopened)]
            row.payer_id, row.payee_id = previous.payer_id, previous.payee_id
        else:
            earlier = CaseRoleHistory.objects.create(
                case=row, payer_id=previous.payer_id, payee_id=previous.payee_id, from_date=previous.from_date,
                to_date=effective_from - dt.timedelta(days=1), **made)
            later = CaseRoleHistory.objects.create(case=row, payer_id=current.payer_id, payee_id=current.payee_id,
                                                   from_date=effective_from, to_date=None, **made)
            replaced = [(previous, earlier), (current, later)]
        version_bump(row)
        row.save(update_fields=["payer", "payee", "version"])
        for old, new in replaced:
            CaseRoleHistory.objects.filter(pk=old.pk).update(
                superseded_by=new, superseded_at=now, correction_reason=reason, version=F("version") + 1)
        for party in (row.payer_id, row.payee_id):
            audit_record(
                actor=actor, action="case.roles_correct", target=row, before={
                    **before, "periods": [snapshot(old, ROLE_FIELDS) | {"id": old.pk} for old, _ in replaced]},
                after={"payer": row.payer_id, "payee": row.payee_id, "undo": undo, "effective_from": effective_from,
                       "periods": [snapshot(new, ROLE_FIELDS) | {"id": new.pk}
                                   for new in dict.fromkeys(n for _, n in replaced)]},
                reason=reason, step_ids=("CMA-2.4",), customer=party)
    return Case.objects.select_related("payer", "payee").get(pk=row.pk)


def _refuse_fields(decision, error=None) -> None:
    """A policy sense check said no: one 400 naming every field, with the decision's step IDs."""
    if not decision.allowed:
        fields = decision.facts.get("fields") or {decision.facts.get("field", "non_field_errors"): [decision.reason]}
        raise (error or InvalidInput)(decision.reason, step_ids=decision.step_ids, fields=fields)


def _supersede(*, actor, old, new, reason: str, action: str, step_ids: Iterable[str], customer, fields: Iterable[str]):
    """Point ``old`` at its correction ``new`` (the old row stays readable, with the reason) and audit both."""
    type(old).objects.filter(pk=old.pk).update(superseded_by=new, superseded_at=clock.now(), correction_reason=reason,
                                               version=F("version") + 1)
    audit_record(
        actor=actor,
        action=action,
        target=new,
        before={"id": old.pk, **snapshot(old, fields)},
        after={"id": new.pk, **snapshot(new, fields)},
        reason=reason,
        step_ids=step_ids,
        customer=customer,
    )


CARE_FIELDS = ["case_id", "child_id", "carer_id", "care_percentage", "effective_from", "effective_to"]


def _care_values(*, actor, case: Case, child: Child, carer: Customer, care_percentage, effective_from, effective_to):
    if child.case_id != case.pk:
        raise _invalid({"child": ["This child is not on the case."]})
    if carer.pk not in (case.payer_id, case.payee_id):
        raise _invalid({"carer": ["The carer must be the payer or the payee on the case."]})
    try:
        pct = int(care_percentage)
    except (TypeError, ValueError) as exc:
        raise _invalid({"care_percentage": ["Enter a whole percentage from 0 to 100."]}) from exc
    if not 0 <= pct <= 100:
        raise _invalid({"care_percentage": ["Enter a whole percentage from 0 to 100."]})
    effective_from = _date(effective_from, "effective_from")
    effective_to = _date(effective_to, "effective_to", required=False)
    if effective_to is not None and effective_to < effective_from:
        raise _invalid({"effective_to": ["The end date cannot be before the start date."]})
    _refuse_fields(policy.care_dates_check(effective_from=effective_from, child_date_of_birth=child.date_of_birth,
                                           today=_today(actor)))
    return pct, effective_from, effective_to


def _care_total_guard(*, case: Case, child: Child, carer: Customer, pct: int, exclude_pk: int | None = None) -> None:
    """CMA-2.1: the other parent's current care of this child plus this one cannot exceed 100%."""
    others = (
        CareArrangement.objects.filter(case=case, child=child, superseded_by__isnull=True, effective_to__isnull=True)
        .exclude(carer=carer)
        .order_by("carer_id", "-effective_from", "-id")
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    latest: dict[int, int] = {}
    for row in others:
        latest.setdefault(row.carer_id, row.care_percentage)
    _refuse_fields(policy.care_total_check(percentages=[pct, *latest.values()]))


def care_arrangement_record(
    *, actor, case: Case, child: Child, carer: Customer, care_percentage: int, effective_from: dt.date,
    effective_to: dt.date | None = None,
) -> CareArrangement:
    """A care percentage for a child from a date (checked up-front at every interaction, CMA-2.1). The two parents'
    care of the child cannot add up to more than 100%."""
    _require(actor, "customers.record_income", "Your role does not allow you to record care.", ("CMA-2.1",))
    pct, effective_from, effective_to = _care_values(
        actor=actor, case=case, child=child, carer=carer, care_percentage=care_percentage,
        effective_from=effective_from, effective_to=effective_to,
    )
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)  # serialise care changes on one case
        _care_total_guard(case=case, child=child, carer=carer, pct=pct)
        row = CareArrangement.objects.create(
            case=case, child=child, carer=carer, care_percentage=pct, effective_from=effective_from,
            effective_to=effective_to, recorded_at=clock.now(), recorded_by=actor,
        )
        audit_record(
            actor=actor, action="care.record", target=row, after=snapshot(row, CARE_FIELDS), step_ids=("CMA-2.1",),
            customer=carer,
        )
    return row


def care_arrangement_correct(
    *, actor, care: CareArrangement, reason: str, care_percentage: int | None = None,
    effective_from: dt.date | None = None, effective_to: dt.date | None = None, version: int | None = None,
) -> CareArrangement:
    """Correct a care record: a new row supersedes it (the old one stays, with the reason). ``version``: the care
    record's version the correction was made from (already corrected since: 409 naming the correction)."""
    _require(actor, "customers.record_income", "Your role does not allow you to correct care.", ("CMA-2.1",))
    reason = _required_text(reason, "reason", "the reason for the correction")
    with transaction.atomic():
        old = CareArrangement.objects.select_for_update().select_related("case", "child", "carer").get(pk=care.pk)
        version_check(old, version, what="care record", step_ids=("CMA-2.1",))
        if old.superseded_by_id:
            raise TransitionRefused("This care record was already corrected: correct the current one.", step_ids=("CMA-2.1",))
        pct, start, end = _care_values(
            actor=actor, case=old.case, child=old.child, carer=old.carer,
            care_percentage=old.care_percentage if care_percentage is None else care_percentage,
            effective_from=effective_from or old.effective_from,
            effective_to=effective_to if effective_to is not None else old.effective_to,
        )
        _care_total_guard(case=old.case, child=old.child, carer=old.carer, pct=pct, exclude_pk=old.pk)
        new = CareArrangement.objects.create(
            case=old.case, child=old.child, carer=old.carer, care_percentage=pct, effective_from=start,
            effective_to=end, recorded_at=clock.now(), recorded_by=actor,
        )
        _supersede(actor=actor, old=old, new=new, reason=reason, action="care.correct", step_ids=("CMA-2.1",),
                   customer=old.carer_id, fields=CARE_FIELDS)
    return new


def case_registration_set(*, actor, case: Case, registration_status: str, reason: str,
                          version: int | None = None) -> Case:
    """Registration pending / registered / ended (CMA-2.1: a pending registration has no ongoing entitlement yet)."""
    _require(actor, "customers.add_case", "Your role does not allow you to change cases.", ("CMA-2.1",))
    status = _choice(registration_status, RegistrationStatus, "registration_status")
    reason = _required_text(reason, "reason", "the reason for the change")
    with transaction.atomic():
        row = Case.objects.select_for_update().get(pk=case.pk)
        version_check(row, version, what="case", step_ids=("CMA-2.1",))
        if row.registration_status == status:
            raise TransitionRefused(f"The case is already {row.get_registration_status_display().lower()}.",
                                    step_ids=("CMA-2.1",))
        before = row.registration_status
        {RegistrationStatus.REGISTERED: row.register, RegistrationStatus.PENDING: row.mark_registration_pending,
         RegistrationStatus.ENDED: row.end_registration}[status]()
        version_bump(row)
        row.save(update_fields=["registration_status", "version"])
        for party in (row.payer_id, row.payee_id):
            audit_record(actor=actor, action="case.registration_set", target=row,
                         before={"registration_status": before}, after={"registration_status": status},
                         reason=reason, step_ids=("CMA-2.1",), customer=party)
    return row


# --- Notes -------------------------------------------------------------------------------------------------------


def note_add(
    *,
    actor,
    customer: Customer,
    subject: str,
    body: str,
    case: Case | None = None,
    kind: str = NoteKind.GENERAL,
    ref: models.Model | None = None,
    step_ids: Iterable[str] = (),
    via: str = scope.VIA_GENERIC,
) -> Note:
    """Append a notepad to the customer record. Notes are never changed: a correction is a new note with ``ref``
    pointing at the earlier one.

    PS-DOC-2: stacking-document notepads (kind ``ps_stacking``) are written only through Personalised Services
    (``via=scope.VIA_PS``, from ``ps.services``), which keeps *PS referral* first; every other path is refused."""
    _require(actor, "customers.add_note", "Your role does not allow you to add notes.")
    if getattr(kind, "value", kind) == NoteKind.PS_STACKING and via != scope.VIA_PS:
        raise TransitionRefused(
            "Stacking-document notepads are written through the customer's Personalised Services record: its first "
            "notepad is always 'PS referral'.",
            step_ids=("PS-DOC-2", "PS-DOC-1"),
        )
    problems: dict[str, list[str]] = {}
    subject = str(subject or "").strip()
    body = str(body or "").strip()
    if not subject:
        problems["subject"] = ["Enter a subject."]
    elif len(subject) > 200:
        problems["subject"] = ["Keep the subject to 200 characters or fewer."]
    if not body:
        problems["body"] = ["Enter the note."]
    kind_value = getattr(kind, "value", kind)
    if kind_value not in NoteKind.values:
        problems["kind"] = [f"Choose one of: {', '.join(NoteKind.values)}."]
    if case is not None and customer.pk not in (case.payer_id, case.payee_id):
        problems["case"] = ["This customer is not a party to that case."]
    if problems:
        raise _invalid(problems)
    author = actor if actor is not None else None
    if author is None:
        raise NotPermitted("A note needs an officer as its author.")
    with transaction.atomic():
        note = Note(
            customer=customer,
            case=case,
            kind=kind_value,
            subject=subject,
            body=body,
            author=author,
            created_at=clock.now(),
            step_ids=list(step_ids),
        )
        if ref is not None:
            note.ref_type = ContentType.objects.get_for_model(type(ref))
            note.ref_id = str(ref.pk)
        note.save()
        audit_record(
            actor=actor,
            action="note.add",
            target=note,
            after={
                "subject": subject,
                "kind": kind_value,
                "case": case.pk if case else None,
                "ref": f"{note.ref_type.model}:{note.ref_id}" if ref is not None else None,
            },
            step_ids=step_ids,
            customer=customer,
        )
    return note


# --- Income (CMA-2.2) --------------------------------------------------------------------------------------------


INCOME_FIELDS = ["amount", "source", "tax_year", "effective_from"]


def _income_values(*, actor, amount, source, tax_year, effective_from) -> tuple[Decimal, str, int, dt.date]:
    """The income sense checks, shared by recording and correcting (CMA-2.2)."""
    amount = _decimal(amount, "amount")
    source = _choice(source, IncomeSource, "source")
    try:
        year = int(tax_year)
    except (TypeError, ValueError) as exc:
        raise _invalid({"tax_year": ["Enter the financial year ending, e.g. 2026."]}) from exc
    if not 1990 <= year <= _today(actor).year + 1:
        raise _invalid({"tax_year": ["Enter the financial year ending, e.g. 2026."]})
    effective_from = _date(effective_from, "effective_from")
    return amount, source, year, effective_from


def income_record_add(
    *,
    actor,
    customer: Customer,
    amount: Decimal | str | int,
    source: str,
    tax_year: int,
    effective_from: dt.date,
    reason: str = "",
    step_ids: Iterable[str] = (),
) -> IncomeRecord:
    """Record a parent's income. Whether it is reliable is derived from its source (CMA-2.2), never typed in."""
    _require(actor, "customers.record_income", "Your role does not allow you to update income.", ("CMA-2.2",))
    amount, source, year, effective_from = _income_values(actor=actor, amount=amount, source=source,
                                                          tax_year=tax_year, effective_from=effective_from)
    steps = tuple(step_ids) or ("CMA-2.2",)
    with transaction.atomic():
        row = IncomeRecord.objects.create(
            customer=customer,
            amount=amount,
            source=source,
            tax_year=year,
            effective_from=effective_from,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="income.add",
            target=row,
            after={**snapshot(row, INCOME_FIELDS), "is_reliable": row.is_reliable},
            reason=reason,
            step_ids=steps,
            customer=customer,
        )
    return row


def income_record_correct(
    *, actor, income: IncomeRecord, reason: str, amount: Decimal | str | int | None = None,
    source: str | None = None, tax_year: int | None = None, effective_from: dt.date | None = None,
    version: int | None = None,
) -> IncomeRecord:
    """Correct a wrongly keyed income (amount, source, year or date; issue 12): a new row supersedes it, the old one
    stays readable with the reason and no longer counts (CMA-2.2 reliability, MCA, the summary). Fields not given
    are kept. ``version``: the income row's version the correction was made from (stale: 409)."""
    _require(actor, "customers.record_income", "Your role does not allow you to correct income.", ("CMA-2.2",))
    reason = _required_text(reason, "reason", "the reason for the correction")
    with transaction.atomic():
        old = IncomeRecord.objects.select_for_update().get(pk=income.pk)
        version_check(old, version, what="income record", step_ids=("CMA-2.2",))
        if old.superseded_by_id:
            raise TransitionRefused("This income record was already corrected: correct the current one.",
                                    step_ids=("CMA-2.2",))
        values = _income_values(
            actor=actor, amount=old.amount if amount in (None, "") else amount,
            source=old.source if source in (None, "") else source,
            tax_year=old.tax_year if tax_year in (None, "") else tax_year,
            effective_from=effective_from or old.effective_from)
        if values == (old.amount, old.source, old.tax_year, old.effective_from):
            raise _invalid({"non_field_errors": ["Change the amount, source, year or date to correct it."]})
        new = IncomeRecord.objects.create(customer_id=old.customer_id, amount=values[0], source=values[1],
                                          tax_year=values[2], effective_from=values[3], recorded_by=actor)
        _supersede(actor=actor, old=old, new=new, reason=reason, action="income.correct", step_ids=("CMA-2.2",),
                   customer=old.customer_id, fields=INCOME_FIELDS)
    return new


# --- Collection: debts, arrangements, DPOs (CMA-2.3 - CMA-2.6) ---------------------------------------------------


DEBT_FIELDS = ["case_id", "debtor_id", "kind", "amount", "as_at", "source", "is_open"]


def _debt_values(*, actor, case: Case, debtor: Customer, kind: str, amount, as_at, source: str):
    kind = _choice(kind, DebtKind, "kind")
    if debtor.pk not in (case.payer_id, case.payee_id):
        raise _invalid({"debtor": ["The debtor must be the payer or the payee on the case."]})
    if kind == DebtKind.CHILD_SUPPORT_DEBT and debtor.pk != case.payer_id:
        raise _invalid({"debtor": ["Child support arrears are owed by the payer."]})
    amount = _decimal(amount, "amount", minimum=None)
    as_at = _date(as_at, "as_at")
    _refuse_fields(policy.debt_sense_check(amount=amount, as_at=as_at, today=_today(actor)))
    return kind, amount, as_at, str(source or "").strip()[:200]


def debt_record(
    *,
    actor,
    case: Case,
    debtor: Customer,
    kind: str,
    amount: Decimal | str | int,
    as_at: dt.date,
    source: str = "",
    step_ids: Iterable[str] = (),
) -> Debt:
    """A child support debt owed by the payer to the payee (arrears), or an overpayment owed back by whoever was
    overpaid (CMA-2.3). Sense-checked: a positive amount within reason, as at a date not in the future."""
    _require(actor, "customers.record_collection", "Your role does not allow you to record debts.", ("CMA-2.3",))
    kind, amount, as_at, source = _debt_values(actor=actor, case=case, debtor=debtor, kind=kind, amount=amount,
                                               as_at=as_at, source=source)
    with transaction.atomic():
        row = Debt.objects.create(case=case, debtor=debtor, kind=kind, amount=amount, as_at=as_at, source=source,
                                  recorded_at=clock.now(), recorded_by=actor)
        audit_record(
            actor=actor,
            action="debt.record",
            target=row,
            after=snapshot(row, DEBT_FIELDS),
            step_ids=tuple(step_ids) or ("CMA-2.3",),
            customer=debtor,
        )
    return row


def debt_correct(
    *, actor, debt: Debt, reason: str, amount: Decimal | str | int | None = None, as_at: dt.date | None = None,
    source: str | None = None, version: int | None = None,
) -> Debt:
    """Correct a debt's figures: a new open debt supersedes it and takes over its active arrangement; the old row
    stays (closed) with the reason. Nothing is deleted. ``version``: the debt's version the correction was made
    from (already corrected since: 409 naming the correction)."""
    _require(actor, "customers.record_collection", "Your role does not allow you to correct debts.", ("CMA-2.3",))
    reason = _required_text(reason, "reason", "the reason for the correction")
    with transaction.atomic():
        old = Debt.objects.select_for_update().select_related("case").get(pk=debt.pk)
        version_check(old, version, what="debt", step_ids=("CMA-2.3",))
        if old.superseded_by_id:
            raise TransitionRefused("This debt was already corrected: correct the current figure.", step_ids=("CMA-2.3",))
        if not old.is_open:
            raise TransitionRefused("This debt is closed.", step_ids=("CMA-2.3",))
        kind, new_amount, new_as_at, new_source = _debt_values(
            actor=actor, case=old.case, debtor=old.debtor, kind=old.kind,
            amount=old.amount if amount is None else amount, as_at=as_at or old.as_at, source=old.source if source is None else source,
        )
        new = Debt.objects.create(case=old.case, debtor_id=old.debtor_id, kind=kind, amount=new_amount,
                                  as_at=new_as_at, source=new_source, recorded_at=clock.now(), recorded_by=actor)
        Debt.objects.filter(pk=old.pk).update(is_open=False)
        # The working arrangement follows the corrected figure (its instalment is re-checked against it).
        for arrangement in PaymentArrangement.objects.select_for_update().filter(
            debt=old, status__in=[ArrangementStatus.ACTIVE, ArrangementStatus.DEFAULTED]
        ):
            PaymentArrangement.objects.filter(pk=arrangement.pk).update(debt=new)
        _supersede(actor=actor, old=old, new=new, reason=reason, action="debt.correct", step_ids=("CMA-2.3",),
                   customer=old.debtor_id, fields=DEBT_FIELDS)
    return new


def _outstanding(debt: Debt) -> Decimal:
    paid = sum(
        (p.amount for p in PaymentReceived.objects.filter(debt=debt, superseded_by__isnull=True)), Decimal("0")
    )
    return debt.amount - paid


PAYMENT_FIELDS = ["case_id", "payer_id", "debt_id", "amount", "received_on", "method"]


def payment_received_record(
    *, actor, case: Case, payer: Customer, amount, received_on: dt.date, debt: Debt | None = None, method: str = "",
) -> PaymentReceived:
    """A payment received from a party on a case; against a debt it cannot be more than what is outstanding."""
    _require(actor, "customers.record_collection", "Your role does not allow you to record payments.", ("CMA-2.3",))
    if payer.pk not in (case.payer_id, case.payee_id):
        raise _invalid({"payer": ["The payment must come from the payer or the payee on the case."]})
    if debt is not None and (debt.case_id != case.pk or debt.debtor_id != payer.pk):
        raise _invalid({"debt_id": ["That debt is not owed by this customer on this case."]})
    amount = _decimal(amount, "amount", minimum=None)
    received_on = _date(received_on, "received_on")
    with transaction.atomic():
        if debt is not None:
            debt = Debt.objects.select_for_update().get(pk=debt.pk)
            if not debt.is_open:
                raise TransitionRefused("That debt is closed: record the payment against the current one.",
                                        step_ids=("CMA-2.3",))
        _refuse_fields(policy.payment_sense_check(amount=amount, received_on=received_on, today=_today(actor),
                                                  outstanding=_outstanding(debt) if debt is not None else None))
        row = PaymentReceived.objects.create(case=case, payer=payer, debt=debt, amount=amount, received_on=received_on,
                                             method=str(method or "").strip()[:60], recorded_at=clock.now(),
                                             recorded_by=actor)
        audit_record(actor=actor, action="payment.record", target=row, after=snapshot(row, PAYMENT_FIELDS),
                     step_ids=("CMA-2.3",), customer=payer)
    return row


def payment_received_correct(*, actor, payment: PaymentReceived, reason: str, amount=None,
                             received_on: dt.date | None = None, version: int | None = None) -> PaymentReceived:
    """Correct a payment: a new row supersedes it (the old one stays, with the reason)."""
    _require(actor, "customers.record_collection", "Your role does not allow you to correct payments.", ("CMA-2.3",))
    reason = _required_text(reason, "reason", "the reason for the correction")
    with transaction.atomic():
        old = PaymentReceived.objects.select_for_update().get(pk=payment.pk)
        version_check(old, version, what="payment", step_ids=("CMA-2.3",))
        if old.superseded_by_id:
            raise TransitionRefused("This payment was already corrected.", step_ids=("CMA-2.3",))
        new_amount = _decimal(old.amount if amount is None else amount, "amount", minimum=None)
        new_on = _date(received_on or old.received_on, "received_on")
        outstanding = None
        if old.debt_id:
            debt = Debt.objects.select_for_update().get(pk=old.debt_id)
            outstanding = _outstanding(debt) + old.amount
        _refuse_fields(policy.payment_sense_check(amount=new_amount, received_on=new_on, today=_today(actor),
                                                  outstanding=outstanding))
        new = PaymentReceived.objects.create(case_id=old.case_id, payer_id=old.payer_id, debt_id=old.debt_id,
                                             amount=new_amount, received_on=new_on, method=old.method,
                                             recorded_at=clock.now(), recorded_by=actor)
        _supersede(actor=actor, old=old, new=new, reason=reason, action="payment.correct", step_ids=("CMA-2.3",),
                   customer=old.payer_id, fields=PAYMENT_FIELDS)
    return new


ARRANGEMENT_STEPS = policy.ARRANGEMENT_STEPS
ARRANGEMENT_FIELDS = ["debt_id", "status", "instalment", "frequency", "start_date", "replaces_id"]


def _status_change(*, actor, arrangement: PaymentArrangement, to_status: str, reason: str, from_status: str = ""):
    ArrangementStatusChange.objects.create(
        arrangement=arrangement, from_status=from_status, to_status=to_status, reason=reason,
        changed_at=clock.now(), changed_by=actor if getattr(actor, "pk", None) else None,
    )
    if from_status:
        # The protected transition named for the act (django-fsm checks the source state).
        {ArrangementStatus.DEFAULTED: arrangement.default, ArrangementStatus.ENDED: arrangement.end,
         ArrangementStatus.AMENDED: arrangement.amend}[to_status]()
        version_bump(arrangement)
        arrangement.save(update_fields=["status", "version"])


def _arrangement_values(*, actor, debt: Debt, instalment, frequency, start_date, kept_start: dt.date | None = None):
    """Parse and sense-check; ``kept_start``: an amendment keeping the arrangement's original start date (which may
    precede the debt's latest 'as at' balance date) is not refused for it."""
    instalment = _decimal(instalment, "instalment", minimum=None)
    frequency = _choice(frequency, PaymentFrequency, "frequency")
    start_date = _date(start_date, "start_date")
    earliest = min(debt.as_at, kept_start) if kept_start is not None and start_date == kept_start else debt.as_at
    _refuse_fields(policy.arrangement_sense_check(
        debt_amount=_outstanding(debt), debt_as_at=earliest, instalment=instalment, frequency=frequency,
        start_date=start_date, today=_today(actor),
    ))
    return instalment, frequency, start_date


def payment_arrangement_create(
    *,
    actor,
    debt: Debt,
    instalment: Decimal | str | int,
    frequency: str,
    start_date: dt.date,
    step_ids: Iterable[str] = (),
    from_system_of_record: bool = False,
) -> PaymentArrangement:
    """Negotiate a repayment arrangement for an open debt (CMA-2.1 MCA, CMA-2.6). Sense-checked against the debt: not
    more than the debt per instalment, clears it within the maximum term, starts between the debt's date and a year
    ahead. It replaces any current arrangement, which ends (a defaulted one stays on record as ended).

    ``from_system_of_record`` (the bulk import only, never a request): the arrangement already exists in the
    assessment and payments system, so its historical start date may precede the debt's latest "as at" balance date
    (as an amendment keeping its start may); every other sense check still applies."""
    _require(
        actor,
        "customers.record_collection",
        "Your role does not allow you to negotiate payment arrangements.",
        ("CMA-2.1",),
    )
    steps = tuple(step_ids) or ("CMA-2.1",)
    with transaction.atomic():
        locked = Debt.objects.select_for_update().get(pk=debt.pk)
        if not locked.is_open:
            raise TransitionRefused("This debt is closed: there is nothing to arrange.", step_ids=steps)
        instalment, frequency, start_date = _arrangement_values(
            actor=actor, debt=locked, instalment=instalment, frequency=frequency, start_date=start_date,
            kept_start=_date(start_date, "start_date") if from_system_of_record else None,
        )
        current = list(
            PaymentArrangement.objects.select_for_update().filter(
                debt=locked, status__in=[ArrangementStatus.ACTIVE, ArrangementStatus.DEFAULTED]
            )
        )
        for old in current:
            before = old.status
            _status_change(actor=actor, arrangement=old, from_status=before, to_status=ArrangementStatus.ENDED,
                           reason="Replaced by a new payment arrangement.")
            audit_record(
                actor=actor,
                action="payment_arrangement.end",
                target=old,
                before={"status": before},
                after={"status": ArrangementStatus.ENDED},
                reason="Replaced by a new payment arrangement.",
                step_ids=steps,
                customer=locked.debtor_id,
            )
        row = PaymentArrangement.objects.create(
            debt=locked,
            instalment=instalment,
            frequency=frequency,
            start_date=start_date,
            negotiated_by=actor,
        )
        _status_change(actor=actor, arrangement=row, to_status=ArrangementStatus.ACTIVE, reason="Negotiated.")
        audit_record(
            actor=actor,
            action="payment_arrangement.create",
            target=row,
            after=snapshot(row, ARRANGEMENT_FIELDS),
            step_ids=steps,
            customer=locked.debtor_id,
        )
    return row


def payment_arrangement_amend(
    *, actor, arrangement: PaymentArrangement, reason: str, instalment=None, frequency: str | None = None,
    start_date: dt.date | None = None, version: int | None = None,
) -> PaymentArrangement:
    """Amend an active arrangement (also how a wrongly keyed one is corrected): the old one becomes *amended* and
    stays on record with the reason; the new one, sense-checked again, replaces it (CMA-2.3, CMA-2.6)."""
    _require(actor, "customers.record_collection", "Your role does not allow you to change arrangements.",
             ARRANGEMENT_STEPS)
    reason = _required_text(reason, "reason", "the reason for the amendment")
    with transaction.atomic():
        old = PaymentArrangement.objects.select_for_update().get(pk=arrangement.pk)
        version_check(old, version, what="payment arrangement", step_ids=ARRANGEMENT_STEPS)
        if old.status != ArrangementStatus.ACTIVE:
            raise TransitionRefused(f"Only an active arrangement can be amended (this one is {old.status}).",
                                    step_ids=ARRANGEMENT_STEPS)
        debt = Debt.objects.select_for_update().get(pk=old.debt_id)
        values = _arrangement_values(
            actor=actor, debt=debt, instalment=old.instalment if instalment is None else instalment,
            frequency=frequency or old.frequency, start_date=start_date or old.start_date, kept_start=old.start_date,
        )
        amended_from = old.status
        _status_change(actor=actor, arrangement=old, from_status=amended_from, to_status=ArrangementStatus.AMENDED,
                       reason=reason)
        new = PaymentArrangement.objects.create(debt=debt, instalment=values[0], frequency=values[1],
                                                start_date=values[2], negotiated_by=actor, replaces=old)
        _status_change(actor=actor, arrangement=new, to_status=ArrangementStatus.ACTIVE, reason=reason)
        audit_record(actor=actor, action="payment_arrangement.amend", target=new,
                     before={"id": old.pk, **snapshot(old, ARRANGEMENT_FIELDS)},
                     after={"id": new.pk, **snapshot(new, ARRANGEMENT_FIELDS)}, reason=reason,
                     step_ids=ARRANGEMENT_STEPS, customer=debt.debtor_id)
    return new


def _arrangement_transition(*, actor, arrangement, to_status: str, reason: str, allowed_from, action: str,
                            version: int | None = None):
    with transaction.atomic():
        row = PaymentArrangement.objects.select_for_update().select_related("debt").get(pk=arrangement.pk)
        version_check(row, version, what="payment arrangement", step_ids=("CMA-2.3",))
        if row.status not in allowed_from:
            raise TransitionRefused(
                f"An arrangement that is {row.get_status_display().lower()} cannot become {to_status}.",
                step_ids=("CMA-2.3",),
            )
        before = row.status
        _status_change(actor=actor, arrangement=row, from_status=before, to_status=to_status, reason=reason)
        audit_record(actor=actor, action=action, target=row, before={"status": before}, after={"status": to_status},
                     reason=reason, step_ids=("CMA-2.3",), customer=row.debt.debtor_id)
    return row


def payment_arrangement_default(*, actor, arrangement: PaymentArrangement, reason: str,
                                version: int | None = None) -> PaymentArrangement:
    """An active arrangement was not kept: it becomes defaulted (the debt has no working arrangement, CMA-2.3)."""
    _require(actor, "customers.record_collection", "Your role does not allow you to change arrangements.", ("CMA-2.3",))
    reason = _required_text(reason, "reason", "why the arrangement defaulted")
    return _arrangement_transition(actor=actor, arrangement=arrangement, to_status=ArrangementStatus.DEFAULTED,
                                   reason=reason, allowed_from=(ArrangementStatus.ACTIVE,),
                                   action="payment_arrangement.default", version=version)


def payment_arrangement_end(*, actor, arrangement: PaymentArrangement, reason: str,
                            version: int | None = None) -> PaymentArrangement:
    """An active or defaulted arrangement ends (paid out, cancelled): it stays on record as ended (CMA-2.3)."""
    _require(actor, "customers.record_collection", "Your role does not allow you to change arrangements.", ("CMA-2.3",))
    reason = _required_text(reason, "reason", "why the arrangement ends")
    return _arrangement_transition(actor=actor, arrangement=arrangement, to_status=ArrangementStatus.ENDED,
                                   reason=reason, allowed_from=(ArrangementStatus.ACTIVE, ArrangementStatus.DEFAULTED),
                                   action="payment_arrangement.end", version=version)


def dpo_record(
    *,
    actor,
    customer: Customer,
    status: str,
    case: Case | None = None,
    issued_on: dt.date | None = None,
    reason: str = "",
    step_ids: Iterable[str] = (),
) -> DepartureProhibitionOrder:
    """A Departure Prohibition Order being considered or issued against a payer.

    A DPO is a specialised activity: on a customer managed by Personalised Services it waits for a recorded
    consultation with the PS Case Manager (PS-SPE-1), on every path (API, web, import) since they all come here."""
    _require(actor, "customers.record_collection", "Your role does not allow you to record DPOs.")
    ps_check = scope.ps_customer_action_check(actor=actor, customer=customer)
    if not ps_check.allowed:
        raise TransitionRefused(ps_check.reason, step_ids=ps_check.step_ids)
    status, issued_on = _dpo_values(actor=actor, customer=customer, status=status, case=case, issued_on=issued_on)
    with transaction.atomic():
        row = DepartureProhibitionOrder.objects.create(
            customer=customer,
            case=case,
            status=status,
            issued_on=issued_on,
            revoked_on=_today(actor) if status == DpoStatus.REVOKED else None,
            reason=str(reason or "").strip(),
            recorded_at=clock.now(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor, action="dpo.record", target=row, after=snapshot(row), step_ids=step_ids, customer=customer
        )
        scope.ps_customer_action_done(actor=actor, customer=customer,
                                      what=f"recorded a Departure Prohibition Order ({row.get_status_display()})")
    return row


DPO_FIELDS = ["case_id", "status", "issued_on", "revoked_on", "reason"]


def _dpo_values(*, actor, customer: Customer, status, case: Case | None, issued_on) -> tuple[str, dt.date | None]:
    """The DPO sense checks, shared by recording and correcting: an issued DPO has an issue date between the scheme's
    start and today (the officer's day), and it is made against the payer on the case."""
    status = _choice(status, DpoStatus, "status")
    issued_on = _date(issued_on, "issued_on", required=status == DpoStatus.ISSUED)
    if issued_on is not None and not policy.SCHEME_START <= issued_on <= _today(actor):
        raise _invalid({"issued_on": ["The issue date must be between 1988 and today."]})
    if case is not None and case.payer_id != customer.pk:
        raise _invalid({"case_number": ["A DPO is made against the payer on the case."]})
    return status, issued_on


def dpo_correct(
    *,
    actor,
    dpo: DepartureProhibitionOrder,
    reason: str,
    status: str | None = None,
    issued_on: dt.date | None = None,
    case: Case | None = None,
    version: int | None = None,
) -> DepartureProhibitionOrder:
    """Correct a DPO record keyed wrongly (its status, issue date or case): a new row supersedes it; the old one stays
    readable with the reason. Fields not given keep their value. The same checks, and on a Personalised Services
    customer the same PS-SPE-1 consultation, as recording one."""
    _require(actor, "customers.record_collection", "Your role does not allow you to correct DPOs.")
    reason = _required_text(reason, "reason", "the reason for the correction")
    with transaction.atomic():
        old = DepartureProhibitionOrder.objects.select_for_update().select_related("customer").get(pk=dpo.pk)
        version_check(old, version, what="DPO record")
        if old.superseded_by_id:
            raise TransitionRefused("This DPO record was already corrected: correct the current one.")
        customer = old.customer
        ps_check = scope.ps_customer_action_check(actor=actor, customer=customer)
        if not ps_check.allowed:
            raise TransitionRefused(ps_check.reason, step_ids=ps_check.step_ids)
        new_status, new_issued = _dpo_values(
            actor=actor, customer=customer, status=status or old.status, case=case or old.case,
            issued_on=old.issued_on if issued_on is None else issued_on,
        )
        revoked_on = None
        if new_status == DpoStatus.REVOKED:
            revoked_on = old.revoked_on or _today(actor)
        new = DepartureProhibitionOrder.objects.create(
            customer=customer, case=case or old.case, status=new_status, issued_on=new_issued, revoked_on=revoked_on,
            reason=old.reason, recorded_at=clock.now(), recorded_by=actor,
        )
        _supersede(actor=actor, old=old, new=new, reason=reason, action="dpo.correct", step_ids=(),
                   customer=customer, fields=DPO_FIELDS)
        scope.ps_customer_action_done(actor=actor, customer=customer,
                                      what=f"corrected a Departure Prohibition Order ({new.get_status_display()})")
    return new


# --- Presenting issues (CMA-1.2, CMA-3.1) ------------------------------------------------------------------------


def _issue_type(value: Any) -> IssueType:
    if isinstance(value, IssueType):
        return value
    row = IssueType.objects.filter(code=str(value), is_active=True).first()
    if row is None:
        raise _invalid({"issue_type": ["Choose a presenting issue from the catalogue."]})
    return row


def _area(value: Any, field: str) -> BusinessArea:
    if isinstance(value, BusinessArea):
        return value
    row = BusinessArea.objects.filter(code=str(value), is_active=True).first()
    if row is None:
        raise _invalid({field: ["Choose a business area."]})
    return row


def presenting_issue_add(
    *,
    actor,
    customer: Customer,
    issue_type: IssueType | str,
    received_area: BusinessArea | str | None = None,
    case: Case | None = None,
    description: str = "",
    step_ids: Iterable[str] = ("CMA-1.2",),
    via: str = scope.VIA_GENERIC,
) -> PresentingIssue:
    """Record a presenting issue, classified from the catalogue of common and specialised issues (CMA-1.2).

    ``received_area`` defaults to the recording officer's own business area: where the issue was received."""
    _require(
        actor, "customers.add_presenting_issue", "Your role does not allow you to record presenting issues.", ("CMA-1.2",)
    )
    kind = _issue_type(issue_type)
    if received_area in (None, ""):
        own = getattr(officer_of(actor), "business_area", None)
        if own is None:
            raise _invalid({"received_area": ["You hold no position: name the business area that received the issue."]})
        received_area = own
    area = _area(received_area, "received_area")
    if case is not None and customer.pk not in (case.payer_id, case.payee_id):
        raise _invalid({"case": ["This customer is not a party to that case."]})
    with transaction.atomic():
        _scope_guard(scope.issue_change_check(actor=actor, customer=customer, action=scope.ISSUE_ADD,
                                              issue_type=kind, via=via))
        issue = PresentingIssue.objects.create(
            customer=customer,
            case=case,
            issue_type=kind,
            received_area=area,
            description=str(description or "").strip(),
            received_at=clock.now(),
            raised_by=actor,
        )
        audit_record(
            actor=actor,
            action="presenting_issue.add",
            target=issue,
            after={
                "issue_type": kind.code,
                "kind": kind.kind,
                "handling_area": kind.handling_area_id,
                "received_area": area.code,
                "case": case.pk if case else None,
            },
            step_ids=step_ids,
            customer=customer,
        )
        scope.ps_customer_action_done(actor=actor, customer=customer,
                                      what=f"opened the presenting issue {kind.name}", via=via)
    return issue


CLOSING_STATUSES = (IssueStatus.FINALISED, IssueStatus.WITHDRAWN, IssueStatus.REFERRED)


def _scope_guard(decision) -> None:
    """A scope refusal (customers.scope → ownership.policy.issue_change_scope) as a 403 naming its steps."""
    if not decision.allowed:
        raise NotPermitted(decision.reason, step_ids=decision.step_ids,
                           extra={"outcome": decision.outcome} if decision.outcome else None)


def presenting_issue_close(
    *, actor, issue: PresentingIssue, status: IssueStatus | str, outcome: str, step_ids: Iterable[str] = (),
    via: str = scope.VIA_GENERIC,
) -> PresentingIssue:
    """Finalise, withdraw or refer a presenting issue (CMA-3.1). A finalised or withdrawn issue stays closed.

    Only an officer whose scope includes the issue may close it (``ownership.policy.issue_change_scope``: handling
    area, lock holder, collaborative partner for its own issues, CMA-1.2/1.4/3.2); a PS customer's issues move only
    through Personalised Services (``via=scope.VIA_PS``, PS-ACT-5) or a specialist who consulted the customer's Case
    Manager (PS-SPE-1)."""
    steps = tuple(step_ids) or ("CMA-3.1",)
    _require(actor, "customers.change_presenting_issue", "Your role does not allow you to close issues.", steps)
    status = getattr(status, "value", status)
    if status not in [s.value for s in CLOSING_STATUSES]:
        raise _invalid({"status": ["Choose finalised, withdrawn or referred."]})
    outcome = _required_text(outcome, "outcome", "the outcome")
    with transaction.atomic():
        row = PresentingIssue.objects.select_for_update().get(pk=issue.pk)
        if not row.is_outstanding:
            raise TransitionRefused(
                f"This issue is already {row.get_status_display().lower()}.", step_ids=steps
            )
        _scope_guard(scope.issue_change_check(actor=actor, customer=row.customer, action=scope.ISSUE_CLOSE,
                                              issue=row, status=status, via=via))
        before = {"status": row.status}
        acts = {IssueStatus.FINALISED: row.finalise, IssueStatus.WITHDRAWN: row.withdraw, IssueStatus.REFERRED: row.refer}
        acts[status]()
        row.outcome = outcome
        if status != IssueStatus.REFERRED:
            row.closed_at = clock.now()
            row.closed_by = actor
        row.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
        audit_record(
            actor=actor,
            action="presenting_issue.close",
            target=row,
            before=before,
            after={"status": status, "outcome": outcome},
            step_ids=steps,
            customer=row.customer_id,
        )
        scope.ps_customer_action_done(actor=actor, customer=row.customer,
                                      what=f"closed the presenting issue {row.issue_type.name} ({status})", via=via)
    return row


# --- Sensitive issue indicator (PS-CON-4), restricted service (PS-ORM-3), representatives (CMA-1.1) -------------


def sensitive_indicator_add(
    *,
    actor,
    customer: Customer,
    reason: str,
    conditions: str = "",
    review_date: dt.date | None = None,
    step_ids: Iterable[str] = ("PS-CON-4",),
) -> SensitiveIssueIndicator:
    """INTERNAL ONLY: a sensitive issue indicator with its reason and conditions (PS-CON-4)."""
    _require(actor, "customers.change_sensitive", "Your role does not allow you to set a sensitive issue indicator.", ("PS-CON-4",))
    reason = _choice(reason, SensitiveReason, "reason")
    review_date = _date(review_date, "review_date", required=False)
    with transaction.atomic():
        row = SensitiveIssueIndicator.objects.create(
            customer=customer,
            reason=reason,
            conditions=str(conditions or "").strip(),
            review_date=review_date,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="sensitive_indicator.add",
            target=row,
            after={"reason": reason, "conditions": row.conditions, "review_date": review_date},
            step_ids=step_ids,
            customer=customer,
        )
    return row


def _end_active(*, actor, row_type, pk, action: str, already: str, reason: str, step_ids: Iterable[str],
                end_field: str, end_value, version: int | None = None, what: str = "record", then=None,
                extra_after=None):
    """End an active record (it stays, inactive, with its end date): lock the row, refuse a second end with
    ``already``, audit ``action`` with the reason. One transition for indicators, restrictions and representatives."""
    with transaction.atomic():
        row = row_type.objects.select_for_update().get(pk=pk)
        versioned = hasattr(row, "version")
        if versioned:
            version_check(row, version, what=what, step_ids=step_ids)
        if not row.is_active:
            raise TransitionRefused(already, step_ids=step_ids)
        row.is_active = False
        setattr(row, end_field, end_value(row))
        fields = ["is_active", end_field]
        if then is not None:
            fields += then(row)
        if versioned:
            version_bump(row)
            fields.append("version")
        row.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=action,
            target=row,
            before={"is_active": True},
            after={"is_active": False, end_field: getattr(row, end_field),
                   **(extra_after(row) if extra_after is not None else {})},
            reason=reason,
            step_ids=step_ids,
            customer=row.customer_id,
        )
    return row


def sensitive_indicator_end(
    *, actor, indicator: SensitiveIssueIndicator, reason: str, step_ids: Iterable[str] = ("PS-CON-4",)
) -> SensitiveIssueIndicator:
    _require(actor, "customers.change_sensitive", "Your role does not allow you to end a sensitive issue indicator.", ("PS-CON-4",))
    reason = _required_text(reason, "reason", "why the indicator ends")
    return _end_active(actor=actor, row_type=SensitiveIssueIndicator, pk=indicator.pk,
                       action="sensitive_indicator.end", already="This indicator has already ended.",
                       reason=reason, step_ids=step_ids, end_field="ended_at", end_value=lambda row: clock.now())


# PS-ORM-3, issue 11: a proposed restricted service is approved by a second person on the shared approval mechanism,
# which lives above this app. The app that owns the kind (``ps.approval_kinds``) registers here at start-up the
# function that turns a proposal into a request; ``contact_restriction_add`` calls it in the proposal's transaction,
# so every path that proposes one (API, screen, import, anything later) asks for the decision. None registered →
# the proposal is refused (fail closed): a restriction nobody could ever approve is never recorded.
_restriction_approval: list[Callable[..., Any]] = []


def restriction_approval_register(request_for: Callable[..., Any]) -> None:
    """Called once at start-up by the app that registers the ``restricted_service`` kind of request."""
    _restriction_approval[:] = [request_for]


RESTRICTION_FIELDS = ["conditions", "channels", "days", "time_from", "time_to", "imposed_on", "review_date",
                      "case_review", "recommendation", "status", "requested_by_id"]


def contact_restriction_add(
    *,
    actor,
    customer: Customer,
    conditions: str,
    review_date: dt.date,
    imposed_on: dt.date | None = None,
    case_review: str = "",
    recommendation: str = "",
    channels: Iterable[str] = (),
    days: Iterable[int] = (),
    time_from: dt.time | None = None,
    time_to: dt.time | None = None,
    step_ids: Iterable[str] = ("PS-ORM-3",),
) -> ContactRestriction:
    """Propose a restricted service (PS-ORM-3) with the record PS-DOC-2 asks for: the case review and the
    recommendation, the conditions, allowed channels, days and times, and a review date 3 to 6 months ahead. It is
    *proposed* (not in force) and a request for approval is raised in the same transaction (the registered
    ``restricted_service`` route): it comes into force only when a second eligible person approves that request on
    /approvals/ (issue 11)."""
    _require(
        actor,
        "customers.propose_restriction",
        "A restricted service is proposed by a Team Leader or a PS officer (PS-ORM-3).",
        ("PS-ORM-3",),
    )
    problems: dict[str, list[str]] = {}
    conditions = str(conditions or "").strip()
    case_review = str(case_review or "").strip()
    recommendation = str(recommendation or "").strip()
    for name, value, label in (("conditions", conditions, "the conditions of the restricted service"),
                               ("case_review", case_review, "the case review (PS-DOC-2)"),
                               ("recommendation", recommendation, "the recommendation (PS-DOC-2)")):
        if not value:
            problems[name] = [f"Enter {label}."]
    if problems:
        raise InvalidInput("Check the highlighted fields.", step_ids=("PS-ORM-3", "PS-DOC-2"), fields=problems)
    imposed_on = _date(imposed_on, "imposed_on", required=False) or _today(actor)
    review_date = _date(review_date, "review_date")
    decision = policy.restriction_review_date_check(imposed_on, review_date)
    if not decision.allowed:
        raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={"review_date": [decision.reason]})
    terms = policy.RestrictionTerms(
        channels=tuple(dict.fromkeys(getattr(c, "value", c) for c in channels)),
        days=tuple(sorted(set(days))), time_from=time_from, time_to=time_to,
    )
    _refuse_fields(policy.restriction_terms_check(terms))
    with transaction.atomic():
        row = ContactRestriction.objects.create(
            customer=customer,
            conditions=conditions,
            channels=list(terms.channels),
            days=list(terms.days),
            time_from=time_from,
            time_to=time_to,
            imposed_on=imposed_on,
            review_date=review_date,
            case_review=case_review,
            recommendation=recommendation,
            status=RestrictionStatus.PROPOSED,
            is_active=False,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="contact_restriction.propose",
            target=row,
            after=snapshot(row, RESTRICTION_FIELDS),
            step_ids=(*step_ids, "PS-DOC-2"),
            customer=customer,
        )
        if not _restriction_approval:
            raise TransitionRefused("Restricted service cannot be proposed: the approval route is not loaded.",
                                    step_ids=("PS-ORM-3",))
        _restriction_approval[0](actor=actor, restriction=row)
    return row


# PS-ORM-3, issue 12: lifting a restriction in force is a review outcome the National Manager Quality and Customer
# Complaints approves. As for the proposal, the app owning the ``restricted_service_end`` kind registers here the
# function that turns the ask into a request for approval; none registered → refused (fail closed).
_restriction_end_approval: list[Callable[..., Any]] = []


def restriction_end_approval_register(request_for: Callable[..., Any]) -> None:
    """Called once at start-up by the app that registers the ``restricted_service_end`` kind of request."""
    _restriction_end_approval[:] = [request_for]


def contact_restriction_end(
    *, actor, restriction: ContactRestriction, reason: str, step_ids: Iterable[str] = ("PS-ORM-3",),
    version: int | None = None,
) -> Any:
    """Ask to end a restricted service in force (PS-ORM-3): a Team Leader (or PS Team Leader) gives the reason, and a
    ``restricted_service_end`` request for approval goes to the National Manager Quality and Customer Complaints in
    the same transaction. The restriction stays in force until they approve it (``contact_restriction_end_apply``).
    Returns the request for approval."""
    _require(
        actor,
        "customers.restrict_service",
        "Ending a restricted service is asked for by a Team Leader and approved by the National Manager Quality and "
        "Customer Complaints (PS-ORM-3).",
        ("PS-ORM-3",),
    )
    reason = _required_text(reason, "reason", "why the restricted service ends")
    steps = tuple(step_ids)
    with transaction.atomic():
        row = ContactRestriction.objects.select_for_update().get(pk=restriction.pk)
        version_check(row, version, what="restricted service", step_ids=steps)
        if not row.is_active:
            raise TransitionRefused("This restricted service is not in force.", step_ids=steps)
        if not _restriction_end_approval:
            raise TransitionRefused("A restricted service cannot be ended: the approval route is not loaded.",
                                    step_ids=steps)
        request = _restriction_end_approval[0](actor=actor, restriction=row, reason=reason)
        audit_record(actor=actor, action="contact_restriction.end_request", target=row,
                     after={"approval": getattr(request, "pk", None)}, reason=reason, step_ids=steps,
                     customer=row.customer_id)
    return request


def contact_restriction_end_apply(
    *, actor, restriction_id: int, reason: str, requested_by, approval_id: int | None = None,
    step_ids: Iterable[str] = ("PS-ORM-3",),
) -> ContactRestriction:
    """The approved end of a restricted service (the ``restricted_service_end`` kind's effect, run inside the
    decision's transaction): only the National Manager QCC approves it; the restriction ends today with who asked,
    who approved and why, and stays on record."""
    _require(actor, "customers.approve_restriction_end",
             "Only the National Manager Quality and Customer Complaints approves the end of a restricted service "
             "(PS-ORM-3).", ("PS-ORM-3",))
    if requested_by is not None and getattr(requested_by, "pk", requested_by) == actor.pk:
        raise NotPermitted("You asked for this: someone else approves it.", step_ids=tuple(step_ids))

    def then(row: ContactRestriction) -> list[str]:
        row.end()
        row.end_requested_by = requested_by
        row.end_approved_by = actor
        row.end_reason = reason
        return ["status", "end_requested_by", "end_approved_by", "end_reason"]

    row = _end_active(actor=actor, row_type=ContactRestriction, pk=restriction_id,
                      action="contact_restriction.end", already="This restricted service is not in force.",
                      reason=reason, step_ids=step_ids, end_field="ended_on", end_value=lambda row: _today(actor),
                      what="restricted service", then=then,
                      extra_after=lambda row: {"end_requested_by": row.end_requested_by_id,
                                               "end_approved_by": row.end_approved_by_id, "approval": approval_id})
    return row


def representative_add(
    *,
    actor,
    customer: Customer,
    name: str,
    scope: str,
    scope_detail: str = "",
    matters: Iterable[str] = (),
    relationship: str = "",
    organisation: str = "",
    phone: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    step_ids: Iterable[str] = ("CMA-1.1",),
) -> AuthorisedRepresentative:
    """An authorised representative with the scope of their authority (CMA-1.1)."""
    _require(actor, "customers.change_representative", "Your role does not allow you to record representatives.", ("CMA-1.1",))
    name = _required_text(name, "name", "the representative's name")
    scope = _choice(scope, RepresentativeScope, "scope")
    matters = list(dict.fromkeys(getattr(m, "value", m) for m in (matters or [])))
    decision = policy.representative_scope_check(scope, scope_detail, matters)
    if not decision.allowed:
        raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={"matters": [decision.reason]})
    valid_from = _date(valid_from, "valid_from", required=False) or _today(actor)
    valid_to = _date(valid_to, "valid_to", required=False)
    if not policy.SCHEME_START <= valid_from <= _today(actor) + dt.timedelta(days=366):
        raise _invalid({"valid_from": ["The authority must start between 1988 and a year from today."]})
    if valid_to is not None and valid_to < valid_from:
        raise _invalid({"valid_to": ["The end date cannot be before the start date."]})
    with transaction.atomic():
        row = AuthorisedRepresentative(
            customer=customer,
            name=name,
            scope=scope,
            scope_detail=str(scope_detail or "").strip(),
            matters=matters,
            relationship=str(relationship or "").strip(),
            organisation=str(organisation or "").strip(),
            phone=str(phone or "").strip(),
            valid_from=valid_from,
            valid_to=valid_to,
        )
        _clean(row, exclude=["customer"])
        row.save()
        audit_record(
            actor=actor,
            action="representative.add",
            target=row,
            after=snapshot(row, ["name", "scope", "scope_detail", "matters", "relationship", "organisation", "valid_from",
                                "valid_to"]),
            step_ids=step_ids,
            customer=customer,
        )
    return row


def representative_end(
    *, actor, representative: AuthorisedRepresentative, reason: str, step_ids: Iterable[str] = ("CMA-1.1",),
    version: int | None = None,
) -> AuthorisedRepresentative:
    _require(actor, "customers.change_representative", "Your role does not allow you to end a representative's authority.", ("CMA-1.1",))
    reason = _required_text(reason, "reason", "why the authority ends")
    return _end_active(
        actor=actor, row_type=AuthorisedRepresentative, pk=representative.pk, action="representative.end",
        already="This representative's authority has already ended.", reason=reason, step_ids=step_ids,
        end_field="valid_to",
        # An authority that already ended earlier keeps its earlier end date.
        end_value=lambda row: row.valid_to if row.valid_to and row.valid_to <= _today(actor) else _today(actor),
        version=version, what="representative's authority",
    )

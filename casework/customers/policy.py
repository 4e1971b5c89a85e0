"""Customer facts as the procedures read them. Pure functions, no database access."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import datetime as dt

ATO_ISSUED = "ato_issued"


def income_is_reliable(source: str) -> bool:
    """CMA-2.2: reliable income is any ATO-issued income; every other source is not reliable."""
    return source == ATO_ISSUED


@dataclass(frozen=True)
class RolePeriod:
    payer_id: int
    payee_id: int
    from_date: dt.date
    to_date: dt.date | None


def had_role_reversal(customer_id: int, current_role: str, history: Iterable[RolePeriod]) -> bool:
    """CMA-2.4: the customer held the other role on this case in an earlier period (a past role reversal)."""
    for period in history:
        if current_role == "payer" and period.payee_id == customer_id:
            return True
        if current_role == "payee" and period.payer_id == customer_id:
            return True
    return False


def role_reversal_correction_check(*, previous: RolePeriod | None, current: RolePeriod | None, undo: bool,
                                   effective_from: dt.date | None) -> Decision:
    """CMA-2.4, issue 12: the latest role reversal (the current period and the one it closed, the day before, with
    the roles the other way round) may be corrected: its date moved to a day after the earlier period began and
    other than the one recorded, or undone (keyed in error: the earlier period reopens)."""
    if (previous is None or current is None or previous.to_date is None
            or previous.to_date != current.from_date - dt.timedelta(days=1)
            or (previous.payer_id, previous.payee_id) != (current.payee_id, current.payer_id)):
        return Decision.no("There is no role reversal on this case to correct.", "CMA-2.4", field="case_number")
    if undo:
        return Decision.yes("The reversal is undone: the earlier period reopens.", "CMA-2.4")
    if effective_from is None:
        return Decision.no("Enter the date the reversal really took effect, or undo it.", "CMA-2.4",
                           field="effective_from")
    if effective_from == current.from_date:
        return Decision.no("That is the date already recorded.", "CMA-2.4", field="effective_from")
    if effective_from <= previous.from_date:
        return Decision.no("The reversal must start after the earlier period began "
                           f"({previous.from_date:%d/%m/%Y}).", "CMA-2.4", field="effective_from")
    return Decision.yes("The reversal's date is corrected.", "CMA-2.4")


@dataclass(frozen=True)
class DpoDecision:
    """A current (not superseded) DPO record: a decision about a DPO on a case (``case_id`` None: no case)."""

    id: int
    case_id: int | None
    status: str  # considered | issued | revoked
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None

    @property
    def decided_on(self) -> dt.date:
        day = self.revoked_on if self.status == "revoked" and self.revoked_on else self.issued_on
        return day or dt.date.min


def dpo_latest_decisions(decisions: Iterable[DpoDecision]) -> tuple[DpoDecision, ...]:
    """The current DPO status of each case is its latest decision (issue 12): a DPO revoked by a later record is no
    longer in force, even though the earlier "issued" record stays on file. Latest = the later decision date (revoked
    on for a revocation, else issued on), then the later record. Newest first."""
    latest: dict[int | None, DpoDecision] = {}
    for d in decisions:
        held = latest.get(d.case_id)
        if held is None or (d.decided_on, d.id) > (held.decided_on, held.id):
            latest[d.case_id] = d
    return tuple(sorted(latest.values(), key=lambda d: (d.decided_on, d.id), reverse=True))


def dpo_in_force(decisions: Iterable[DpoDecision]) -> bool:
    """PS-SEG-2/3 "DPO recorded": a case whose latest DPO decision is issued or being considered."""
    return any(d.status != "revoked" for d in dpo_latest_decisions(decisions))


# --- Restricted service (PS-ORM-3) -------------------------------------------------------------------------------

from casework.core.policy import Decision  # noqa: E402

RESTRICTION_REVIEW_MIN_MONTHS = 3
RESTRICTION_REVIEW_MAX_MONTHS = 6


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError("unreachable")


def restriction_review_date_check(imposed_on: dt.date, review_date: dt.date) -> Decision:
    """PS-ORM-3: a restricted service is reviewed every 3 to 6 months."""
    earliest = _add_months(imposed_on, RESTRICTION_REVIEW_MIN_MONTHS)
    latest = _add_months(imposed_on, RESTRICTION_REVIEW_MAX_MONTHS)
    if review_date < earliest:
        return Decision.no(
            f"A restricted service is reviewed 3 to 6 months after it starts: the review date must be on or "
            f"after {earliest:%d/%m/%Y}.",
            "PS-ORM-3",
            earliest=earliest,
            latest=latest,
        )
    if review_date > latest:
        return Decision.no(
            f"A restricted service is reviewed 3 to 6 months after it starts: the review date must be on or "
            f"before {latest:%d/%m/%Y}.",
            "PS-ORM-3",
            earliest=earliest,
            latest=latest,
        )
    return Decision.yes("Review date is within 3 to 6 months.", "PS-ORM-3", earliest=earliest, latest=latest)


# --- Authorised representatives (CMA-1.1) ------------------------------------------------------------------------

SPECIFIED_SCOPE = "specified"


REPRESENTATIVE_MATTERS = ("income", "care", "collection", "contact_details")


def representative_scope_check(scope: str, scope_detail: str, matters: Iterable[str] | None = None) -> Decision:
    """CMA-1.1: what can be exchanged with a representative is limited by their authority, so a 'specified matters'
    authority must say which matters (chosen from REPRESENTATIVE_MATTERS, so the contact can enforce them)."""
    matters = list(matters or [])
    unknown = [m for m in matters if m not in REPRESENTATIVE_MATTERS]
    if unknown:
        return Decision.no(
            f"Unknown matter(s): {', '.join(unknown)}. Choose from: {', '.join(REPRESENTATIVE_MATTERS)}.",
            "CMA-1.1", field="matters",
        )
    if scope == SPECIFIED_SCOPE and not matters:
        return Decision.no("Say which matters the representative's authority covers.", "CMA-1.1", field="matters")
    if scope != SPECIFIED_SCOPE and matters:
        return Decision.no("Matters are chosen only for a 'specified matters' authority.", "CMA-1.1", field="matters")
    return Decision.yes("The representative's authority is recorded.", "CMA-1.1")


# --- Payment arrangement status (CMA-2.1, CMA-2.3) ----------------------------------------------------------------

NO_ARRANGEMENT = "none"


def arrangement_status(statuses: Iterable[str]) -> str:
    """CMA-2.3: a debt's arrangement status: 'active' if any arrangement is active, else 'defaulted' if the latest
    one defaulted, else 'none' (a debt with no payment arrangement)."""
    statuses = list(statuses)
    if "active" in statuses:
        return "active"
    if statuses and statuses[0] == "defaulted":
        return "defaulted"
    return NO_ARRANGEMENT


# --- Sense checks on money and dates (CMA-2.1 up-front check, CMA-2.3 debts, CMA-2.6 arrangement details) ---------
#
# Each returns a Decision whose ``facts["fields"]`` maps a field name to the officer-facing messages, so services
# raise one 400 naming every field at once. The limits are documented in docs/facts.md.

from decimal import ROUND_CEILING, Decimal  # noqa: E402

SCHEME_START = dt.date(1988, 6, 1)  # the Child Support Scheme began in 1988: no debt or payment can be older
MAX_DEBT = Decimal("10000000.00")  # larger figures are keying errors, not debts
ARRANGEMENT_MAX_TERM_MONTHS = 60  # a payment arrangement must clear the debt within five years
ARRANGEMENT_MAX_START_AHEAD_DAYS = 366  # an arrangement starts within a year
MAX_PERSON_AGE_YEARS = 120
MAX_CHILD_AGE_YEARS = 25
INSTALMENTS_PER_YEAR = {"weekly": 52, "fortnightly": 26, "monthly": 12}
DEBT_STEPS = ("CMA-2.1", "CMA-2.3")
ARRANGEMENT_STEPS = ("CMA-2.3", "CMA-2.6")


def _fields_decision(problems: dict[str, list[str]], ok: str, *steps: str, **facts) -> Decision:
    if problems:
        first = next(iter(problems.values()))[0]
        return Decision.no(first, *steps, outcome="invalid", fields=problems, **facts)
    return Decision.yes(ok, *steps, fields={}, **facts)


def _years_before(day: dt.date, years: int) -> dt.date:
    return _add_months(day, -12 * years)


def debt_sense_check(*, amount: Decimal, as_at: dt.date, today: dt.date) -> Decision:
    """CMA-2.3: a debt or overpayment is a positive amount within reason, as at a date not in the future and not
    before the scheme began."""
    problems: dict[str, list[str]] = {}
    if amount <= 0:
        problems["amount"] = ["The amount must be more than zero."]
    elif amount > MAX_DEBT:
        problems["amount"] = [f"The amount cannot be more than ${MAX_DEBT:,.2f}: check the figure."]
    if as_at > today:
        problems["as_at"] = ["The 'as at' date cannot be in the future."]
    elif as_at < SCHEME_START:
        problems["as_at"] = [f"The 'as at' date cannot be before the scheme began ({SCHEME_START:%d/%m/%Y})."]
    return _fields_decision(problems, "The debt figures are plausible.", *DEBT_STEPS)


def arrangement_term_months(*, debt_amount: Decimal, instalment: Decimal, frequency: str) -> Decimal:
    """How many months the arrangement takes to clear the debt."""
    per_year = INSTALMENTS_PER_YEAR[frequency]
    count = (debt_amount / instalment).to_integral_value(rounding=ROUND_CEILING)
    return (count * 12 / Decimal(per_year)).quantize(Decimal("0.1"))


def arrangement_sense_check(
    *, debt_amount: Decimal, debt_as_at: dt.date, instalment: Decimal, frequency: str, start_date: dt.date,
    today: dt.date,
) -> Decision:
    """CMA-2.6 (payment arrangement details for the debt): an instalment is positive and not more than the debt; the
    arrangement clears the debt within ARRANGEMENT_MAX_TERM_MONTHS; it starts no earlier than the debt's 'as at'
    date and no more than a year ahead."""
    problems: dict[str, list[str]] = {}
    term = None
    if instalment <= 0:
        problems["instalment"] = ["The instalment must be more than zero."]
    elif instalment > debt_amount:
        problems["instalment"] = [
            f"The instalment cannot be more than the debt (${debt_amount:,.2f}): one payment would clear it."
        ]
    elif frequency in INSTALMENTS_PER_YEAR:
        term = arrangement_term_months(debt_amount=debt_amount, instalment=instalment, frequency=frequency)
        if term > ARRANGEMENT_MAX_TERM_MONTHS:
            per_year = INSTALMENTS_PER_YEAR[frequency]
            least = (debt_amount * 12 / (ARRANGEMENT_MAX_TERM_MONTHS * per_year)).quantize(
                Decimal("0.01"), rounding=ROUND_CEILING
            )
            problems["instalment"] = [
                f"At this instalment the debt takes {term} months to clear; an arrangement must clear it within "
                f"{ARRANGEMENT_MAX_TERM_MONTHS} months (at least ${least:,.2f} {frequency})."
            ]
    if frequency not in INSTALMENTS_PER_YEAR:
        problems["frequency"] = ["Choose weekly, fortnightly or monthly."]
    if start_date < debt_as_at:
        problems["start_date"] = [f"The arrangement cannot start before the debt ({debt_as_at:%d/%m/%Y})."]
    elif start_date > today + dt.timedelta(days=ARRANGEMENT_MAX_START_AHEAD_DAYS):
        problems["start_date"] = ["The arrangement must start within a year from today."]
    return _fields_decision(
        problems, "The arrangement clears the debt in a plausible time.", *ARRANGEMENT_STEPS, term_months=term
    )


def payment_sense_check(*, amount: Decimal, received_on: dt.date, today: dt.date,
                        outstanding: Decimal | None) -> Decision:
    """CMA-2.3: a payment received is positive, not more than what is outstanding on the debt it pays, and dated
    between the scheme's start and today."""
    problems: dict[str, list[str]] = {}
    if amount <= 0:
        problems["amount"] = ["The amount must be more than zero."]
    elif outstanding is not None and amount > outstanding:
        problems["amount"] = [f"The payment cannot be more than the debt outstanding (${outstanding:,.2f})."]
    elif amount > MAX_DEBT:
        problems["amount"] = [f"The amount cannot be more than ${MAX_DEBT:,.2f}: check the figure."]
    if received_on > today:
        problems["received_on"] = ["The payment date cannot be in the future."]
    elif received_on < SCHEME_START:
        problems["received_on"] = [f"The payment date cannot be before {SCHEME_START:%d/%m/%Y}."]
    return _fields_decision(problems, "The payment is plausible.", "CMA-2.3")


def date_of_birth_check(*, date_of_birth: dt.date, today: dt.date, child: bool = False,
                        field: str = "date_of_birth") -> Decision:
    """CMA-2.1: a date of birth is not in the future and within a lifetime (a child's within 25 years)."""
    limit = MAX_CHILD_AGE_YEARS if child else MAX_PERSON_AGE_YEARS
    problems: dict[str, list[str]] = {}
    if date_of_birth > today:
        problems[field] = ["The date of birth cannot be in the future."]
    elif date_of_birth < _years_before(today, limit):
        who = "a child" if child else "a person"
        problems[field] = [f"The date of birth is more than {limit} years ago for {who}: check the year."]
    return _fields_decision(problems, "The date of birth is plausible.", "CMA-2.1")


def care_total_check(*, percentages: Iterable[int]) -> Decision:
    """CMA-2.1 (care checked up-front): the parents' care of one child cannot add up to more than 100%."""
    total = sum(int(p) for p in percentages)
    if total > 100:
        message = f"The parents' care of this child would add up to {total}%: it cannot be more than 100%."
        return Decision.no(message, "CMA-2.1", outcome="invalid", fields={"care_percentage": [message]}, total=total)
    return Decision.yes("The care adds up to 100% or less.", "CMA-2.1", fields={}, total=total)


def care_dates_check(*, effective_from: dt.date, child_date_of_birth: dt.date, today: dt.date) -> Decision:
    """CMA-2.1: care starts on or after the child's birth and no more than a year ahead."""
    problems: dict[str, list[str]] = {}
    if effective_from < child_date_of_birth:
        problems["effective_from"] = ["Care cannot start before the child was born."]
    elif effective_from > today + dt.timedelta(days=366):
        problems["effective_from"] = ["Care must start within a year from today."]
    return _fields_decision(problems, "The care dates are plausible.", "CMA-2.1")


# --- Restricted service terms and the contact-time check (PS-ORM-3, PS-CON-3) ------------------------------------

RESTRICTION_CHANNELS = ("phone", "face_to_face", "fax", "email", "post")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class RestrictionTerms:
    channels: tuple[str, ...]  # empty: any channel
    days: tuple[int, ...]  # 0=Monday..6=Sunday; empty: any day
    time_from: dt.time | None
    time_to: dt.time | None


def restriction_terms_check(terms: RestrictionTerms) -> Decision:
    """PS-ORM-3: the restricted service says how (channels), on which days and between which times the customer may
    contact; the window must make sense."""
    problems: dict[str, list[str]] = {}
    bad = [c for c in terms.channels if c not in RESTRICTION_CHANNELS]
    if bad:
        problems["channels"] = [f"Unknown channel(s): {', '.join(bad)}. Choose from {', '.join(RESTRICTION_CHANNELS)}."]
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in terms.days):
        problems["days"] = ["Days are 0 (Monday) to 6 (Sunday)."]
    if (terms.time_from is None) != (terms.time_to is None):
        problems["time_to"] = ["Give both the start and the end of the allowed contact times, or neither."]
    elif terms.time_from is not None and terms.time_from >= terms.time_to:
        problems["time_to"] = ["The end of the allowed contact times must be after the start."]
    return _fields_decision(problems, "The restriction's terms are complete.", "PS-ORM-3")


def restriction_contact_check(terms: RestrictionTerms, *, channel: str, local_now: dt.datetime) -> Decision:
    """PS-ORM-3 / PS-CON-3: is this contact (channel, the office's local day and time) within the restricted
    service? Outside → the officer is warned and the contact records it (``outcome="outside"``)."""
    problems = []
    if terms.channels and channel not in terms.channels:
        problems.append(f"the {channel.replace('_', ' ')} channel is not allowed (only {', '.join(terms.channels)})")
    if terms.days and local_now.weekday() not in terms.days:
        allowed = ", ".join(WEEKDAY_NAMES[d] for d in sorted(terms.days))
        problems.append(f"today is {WEEKDAY_NAMES[local_now.weekday()]} (allowed: {allowed})")
    if terms.time_from is not None and terms.time_to is not None:
        now_t = local_now.time()
        if not terms.time_from <= now_t < terms.time_to:
            problems.append(
                f"it is {now_t:%H:%M} (allowed {terms.time_from:%H:%M} to {terms.time_to:%H:%M})"
            )
    if problems:
        return Decision.no(
            "Restricted service: this contact is outside the conditions: " + "; ".join(problems) + ".",
            "PS-ORM-3", outcome="outside",
        )
    return Decision.yes("This contact is within the restricted service conditions.", "PS-ORM-3", outcome="within")


def restriction_approval_check(*, requested_by_id: int | None, approver_id: int, approver_is_ps_team_leader: bool) -> Decision:
    """PS-ORM-3 (maker–checker): restricted service is imposed only when a PS Team Leader other than the person who
    proposed it approves it."""
    if requested_by_id is not None and requested_by_id == approver_id:
        return Decision.no("You proposed this restricted service: a different PS Team Leader must approve it.",
                           "PS-ORM-3", outcome="same_person")
    if not approver_is_ps_team_leader:
        return Decision.no("Only a PS Team Leader approves imposing a restricted service.", "PS-ORM-3",
                           outcome="not_eligible")
    return Decision.yes("Approved by a second, eligible person.", "PS-ORM-3")

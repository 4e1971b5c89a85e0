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


def representative_scope_check(scope: str, scope_detail: str) -> Decision:
    """CMA-1.1: what can be exchanged with a representative is limited by their authority, so a 'specified matters'
    authority must say which matters."""
    if scope == SPECIFIED_SCOPE and not (scope_detail or "").strip():
        return Decision.no("Say which matters the representative's authority covers.", "CMA-1.1")
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

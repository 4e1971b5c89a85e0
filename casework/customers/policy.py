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

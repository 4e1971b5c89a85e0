"""The one clock (issue 10): ``now()`` is UTC in tests as in production; dates are an office's local day."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest

from casework.core import clock

SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")
SYDNEY_9AM_MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SYDNEY)  # = Sunday 22:00 UTC
PERTH_7AM_MONDAY_UTC = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)


class _Office:
    def __init__(self, state, timezone=""):
        self.state, self.timezone = state, timezone


def test_freeze_stores_the_moment_in_utc_like_production():
    """Frozen times used to keep their Sydney zone, so ``now().date()`` was the Sydney date in tests only."""
    with clock.freeze(SYDNEY_9AM_MONDAY):
        assert clock.now() == SYDNEY_9AM_MONDAY
        assert clock.now().utcoffset() == dt.timedelta(0)
        assert clock.now().date() == dt.date(2026, 11, 22)


def test_now_is_utc_when_not_frozen():
    assert clock.now().utcoffset() == dt.timedelta(0)


def test_freeze_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        with clock.freeze(dt.datetime(2026, 11, 23, 9, 0)):
            pass


def test_local_today_is_the_office_day_at_9am_sydney_and_7am_perth():
    sydney, perth = _Office("NSW", "Australia/Sydney"), _Office("WA")  # Perth: zone from the state
    with clock.freeze(SYDNEY_9AM_MONDAY):
        assert clock.local_today(sydney) == dt.date(2026, 11, 23)
        assert clock.local_now(sydney).hour == 9
    with clock.freeze(PERTH_7AM_MONDAY_UTC):
        assert clock.local_today(perth) == dt.date(2026, 11, 23)
        assert clock.local_now(perth).hour == 7
        assert clock.local_date(clock.now(), perth) == dt.date(2026, 11, 23)
        assert clock.local_today(None) == dt.date(2026, 11, 23)  # the agency's day: Canberra time
        assert clock.latest_today() == dt.date(2026, 11, 23)


def test_office_of_resolves_users_officers_positions_and_offices():
    office = _Office("WA", "Australia/Perth")

    class Position:
        office_id, team_id = 1, None

    Position.office = office

    class Officer:
        position_id = 1
        position = Position()

    class User:
        officer = Officer()

    assert clock.office_of(office) is office
    assert clock.office_of(Position()) is office
    assert clock.office_of(Officer()) is office
    assert clock.office_of(User()) is office
    assert clock.office_of(None) is None
    assert clock.office_of(object()) is None
    no_position = type("Officer", (), {"position_id": None, "position": None})()
    assert clock.office_of(no_position) is None


FORBIDDEN = re.compile(r"now\(\)\.date\(\)|timezone\.localdate\(|date\.today\(\)|datetime\.now\(|\.now\(\)\.astimezone")


def test_no_code_derives_a_date_from_now_outside_the_clock():
    """Every date derived from "now" goes through ``casework.core.clock`` (tests may show the trap; code may not)."""
    root = Path(clock.__file__).resolve().parents[1]
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path == Path(clock.__file__).resolve():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(root.parent)}:{n}: {line.strip()}")
    assert not offenders, "derive dates with casework.core.clock (local_today/local_date/today_for):\n" + "\n".join(offenders)

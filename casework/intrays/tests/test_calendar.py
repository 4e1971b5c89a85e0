"""Working-day calendar table tests (receiving office's state calendar; see docs/intrays.md).

Each case names the rule it covers; the service levels are CMA-2.10 (Client Contact Required, 2 working days) and
PS-REF-2 (2 or 7 working days)."""

import datetime as dt
import zoneinfo

import pytest

from casework.intrays.calendar import add_working_days, due_date_for, is_working_day, start_day, working_days_due

D = dt.date


@pytest.mark.parametrize(
    "start,n,state,closures,expected",
    [
        pytest.param(D(2026, 11, 23), 2, "NSW", (), D(2026, 11, 25), id="CMA-2.10-plain-week-mon+2=wed"),
        pytest.param(D(2026, 11, 26), 2, "NSW", (), D(2026, 11, 30), id="CMA-2.10-over-weekend-thu+2=mon"),
        pytest.param(D(2026, 11, 23), 0, "NSW", (), D(2026, 11, 23), id="zero-days-is-start-day"),
        # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr (national).
        pytest.param(D(2026, 4, 2), 1, "VIC", (), D(2026, 4, 7), id="CMA-2.10-easter-thu+1=tue"),
        pytest.param(D(2026, 4, 1), 2, "NSW", (), D(2026, 4, 7), id="CMA-2.10-easter-wed+2=tue"),
        # QLD-only: Royal Queensland Show (Ekka) Wed 12 Aug 2026 (Brisbane) — a working day in NSW.
        pytest.param(D(2026, 8, 11), 1, "QLD", (), D(2026, 8, 13), id="PS-REF-2-qld-only-ekka-skipped"),
        pytest.param(D(2026, 8, 11), 1, "NSW", (), D(2026, 8, 12), id="PS-REF-2-ekka-not-in-nsw"),
        # WA-only: Western Australia Day, Mon 1 Jun 2026.
        pytest.param(D(2026, 5, 29), 1, "WA", (), D(2026, 6, 2), id="PS-REF-2-wa-day-skipped"),
        pytest.param(D(2026, 5, 29), 1, "VIC", (), D(2026, 6, 1), id="PS-REF-2-wa-day-not-in-vic"),
        # Christmas/New Year across the year boundary: 25 Dec Fri, Boxing Day Sat -> observed Mon 28 Dec 2026,
        # 1 Jan 2027 Fri.
        pytest.param(D(2026, 12, 24), 2, "NSW", (), D(2026, 12, 30), id="CMA-2.10-christmas-observed-boxing-day"),
        pytest.param(D(2026, 12, 30), 2, "NSW", (), D(2027, 1, 4), id="CMA-2.10-new-year-across-year-boundary"),
        pytest.param(D(2026, 12, 23), 7, "WA", (), D(2027, 1, 6), id="PS-REF-2-7-days-over-christmas-new-year"),
        # Substitute (observed) day: Boxing Day 2026 falls on Saturday -> Monday 28 Dec is not a working day.
        pytest.param(D(2026, 12, 25), 1, "VIC", (), D(2026, 12, 29), id="substitute-day-mon-28-dec"),
        # A closure added as data (e.g. a regional show day the package misses).
        pytest.param(D(2026, 11, 23), 2, "NSW", (D(2026, 11, 24),), D(2026, 11, 26), id="closure-as-data-skipped"),
        pytest.param(D(2026, 11, 20), 1, "NSW", (D(2026, 11, 23), D(2026, 11, 24)), D(2026, 11, 25),
                     id="closures-after-weekend"),
    ],
)
def test_add_working_days(start, n, state, closures, expected):
    assert add_working_days(start, n, state=state, closures=closures) == expected


def test_opening_correction_makes_a_listed_holiday_a_working_day():
    # Correction as data: an office open on a package holiday (e.g. a regional office on Ekka day).
    assert not is_working_day(D(2026, 8, 12), state="QLD")
    assert is_working_day(D(2026, 8, 12), state="QLD", openings=[D(2026, 8, 12)])
    assert add_working_days(D(2026, 8, 11), 1, state="QLD", openings=[D(2026, 8, 12)]) == D(2026, 8, 12)


def test_weekend_opening_does_not_make_saturday_a_working_day():
    assert not is_working_day(D(2026, 11, 28), state="NSW", openings=[D(2026, 11, 28)])


def test_negative_days_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 11, 23), -1, state="NSW")


SYD = zoneinfo.ZoneInfo("Australia/Sydney")
PER = zoneinfo.ZoneInfo("Australia/Perth")


@pytest.mark.parametrize(
    "local,state,tz,expected_start,expected_due",
    [
        pytest.param(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SYD), "NSW", "Australia/Sydney", D(2026, 11, 23),
                     D(2026, 11, 25), id="CMA-2.10-before-cutoff-counts-from-today"),
        pytest.param(dt.datetime(2026, 11, 23, 17, 0, tzinfo=SYD), "NSW", "Australia/Sydney", D(2026, 11, 24),
                     D(2026, 11, 26), id="CMA-2.10-at-cutoff-counts-from-next-working-day"),
        pytest.param(dt.datetime(2026, 11, 28, 10, 0, tzinfo=SYD), "NSW", "Australia/Sydney", D(2026, 11, 30),
                     D(2026, 12, 2), id="CMA-2.10-saturday-counts-from-monday"),
        pytest.param(dt.datetime(2026, 4, 3, 10, 0, tzinfo=SYD), "NSW", "Australia/Sydney", D(2026, 4, 7),
                     D(2026, 4, 9), id="CMA-2.10-good-friday-counts-from-tuesday"),
        # 07:30 Monday in Sydney is 04:30 Monday in Perth; 18:00 Sunday UTC is Monday 02:00 in Perth.
        pytest.param(dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC), "WA", "Australia/Perth", D(2026, 11, 23),
                     D(2026, 11, 25), id="office-time-zone-decides-the-local-day"),
        pytest.param(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC), "WA", "Australia/Perth", D(2026, 11, 24),
                     D(2026, 11, 26), id="perth-17:30-after-cutoff"),
    ],
)
def test_due_date_convention(local, state, tz, expected_start, expected_due):
    z = zoneinfo.ZoneInfo(tz)
    assert start_day(local.astimezone(z), state=state, cutoff_hour=17) == expected_start
    assert due_date_for(local, 2, state=state, tz=tz, cutoff_hour=17) == expected_due


def test_naive_created_at_refused():
    with pytest.raises(ValueError):
        due_date_for(dt.datetime(2026, 11, 23, 9), 2, state="NSW", tz="Australia/Sydney", cutoff_hour=17)


@pytest.mark.django_db
def test_working_days_due_reads_closures_for_the_office_and_its_state():
    from casework.intrays.models import OfficeClosure
    from casework.testing.factories import OfficeFactory

    brisbane = OfficeFactory(code="bne", state="QLD")
    townsville = OfficeFactory(code="tsv", state="QLD")
    created = dt.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo("Australia/Brisbane"))
    assert working_days_due(created, 2, office=brisbane) == D(2026, 11, 25)
    OfficeClosure.objects.create(office=brisbane, date=D(2026, 11, 24), reason="Flood closure")
    assert working_days_due(created, 2, office=brisbane) == D(2026, 11, 26)
    assert working_days_due(created, 2, office=townsville) == D(2026, 11, 25)
    OfficeClosure.objects.create(state="QLD", date=D(2026, 11, 25), reason="State-wide correction")
    assert working_days_due(created, 2, office=townsville) == D(2026, 11, 26)
    OfficeClosure.objects.create(office=brisbane, date=D(2026, 11, 26), reason="Old", is_active=False)
    assert working_days_due(created, 2, office=brisbane) == D(2026, 11, 27)


# Properties that hold for every state, start day and n (hypothesis).
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

STATES = ["NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT"]


@hsettings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)), n=st.integers(min_value=1, max_value=15),
       state=st.sampled_from(STATES))
def test_due_is_a_working_day_exactly_n_working_days_later(start, n, state):
    due = add_working_days(start, n, state=state)
    assert is_working_day(due, state=state)
    days = [start + dt.timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_working_day(d, state=state) for d in days) == n
    assert add_working_days(start, n + 1, state=state) > due


@hsettings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)), n=st.integers(min_value=0, max_value=10),
       state=st.sampled_from(STATES), closed=st.lists(st.integers(min_value=0, max_value=30), max_size=4))
def test_closures_never_bring_the_due_date_forward(start, n, state, closed):
    closures = [start + dt.timedelta(days=c) for c in closed]
    assert add_working_days(start, n, state=state, closures=closures) >= add_working_days(start, n, state=state)

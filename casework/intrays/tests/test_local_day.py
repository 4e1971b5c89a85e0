"""One clock (issue 10): "today" is the receiving office's day, not the UTC date.

At 09:00 on Monday 23 Nov 2026 in Sydney (AEDT, UTC+11) and at 07:00 the same Monday in Perth (AWST, UTC+8) it is
still Sunday 22 Nov in UTC. The clock is frozen at the UTC moment, as production sees it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from casework.core import clock
from casework.core.errors import InvalidInput
from casework.intrays import selectors, services
from casework.intrays.models import Intray
from casework.testing.factories import OfficeFactory, OfficerFactory

MONDAY = dt.date(2026, 11, 23)
SUNDAY = dt.date(2026, 11, 22)
SYDNEY_9AM_MONDAY = dt.datetime(2026, 11, 22, 22, 0, tzinfo=dt.UTC)
PERTH_7AM_MONDAY = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def perth_officer(org):
    perth = OfficeFactory(code="per", state="WA")
    return OfficerFactory(user__username="so_wa", position__office=perth)


def _receive(org, officer, received_on):
    return services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=received_on, category="general",
        subject="Letter from payer", assignee_officer=officer,
    )


@pytest.mark.parametrize("moment,who", [(SYDNEY_9AM_MONDAY, "sydney"), (PERTH_7AM_MONDAY, "perth")])
def test_CMA_1_1_post_received_today_is_accepted_on_the_receiving_office_day(org, perth_officer, moment, who):
    """CMA-1.1: post received on the office's Monday is not "in the future" although UTC is still Sunday."""
    officer = org.so if who == "sydney" else perth_officer
    with clock.freeze(moment):
        assert clock.now().date() == SUNDAY  # the trap: the UTC date
        intray = _receive(org, officer, MONDAY)
    assert intray.correspondence.received_on == MONDAY


@pytest.mark.parametrize("moment,who", [(SYDNEY_9AM_MONDAY, "sydney"), (PERTH_7AM_MONDAY, "perth")])
def test_CMA_1_1_post_dated_tomorrow_on_the_office_day_is_refused(org, perth_officer, moment, who):
    officer = org.so if who == "sydney" else perth_officer
    with clock.freeze(moment), pytest.raises(InvalidInput) as exc:
        _receive(org, officer, MONDAY + dt.timedelta(days=1))
    assert "received_on" in exc.value.fields and "CMA-1.1" in exc.value.step_ids
    assert not Intray.objects.exists()


@pytest.mark.parametrize("moment,who", [(SYDNEY_9AM_MONDAY, "sydney"), (PERTH_7AM_MONDAY, "perth")])
def test_CMA_2_10_due_date_counts_from_the_office_day(org, perth_officer, moment, who):
    """CMA-2.10: created Monday morning local time -> 2 working days -> due Wednesday (not Tuesday from Sunday)."""
    officer = org.so if who == "sydney" else perth_officer
    with clock.freeze(moment):
        intray = services.intray_create(actor=org.so.user, type_code="client_contact_required", customer=org.customer,
                                        subject="Call back", assignee_officer=officer)
    assert intray.due_date == dt.date(2026, 11, 25)


@pytest.mark.parametrize("moment,who", [(SYDNEY_9AM_MONDAY, "sydney"), (PERTH_7AM_MONDAY, "perth")])
def test_CMA_2_10_overdue_and_due_today_buckets_use_the_office_day(org, perth_officer, moment, who):
    officer = org.so if who == "sydney" else perth_officer
    with clock.freeze(moment - dt.timedelta(days=7)):
        made = [services.intray_create(actor=org.so.user, type_code="client_contact_required", customer=org.customer,
                                       subject=f"Call {n}", assignee_officer=officer) for n in range(2)]
    Intray.objects.filter(pk=made[0].pk).update(due_date=SUNDAY)  # overdue on the office's Monday
    Intray.objects.filter(pk=made[1].pk).update(due_date=MONDAY)  # due today on the office's Monday
    with clock.freeze(moment):
        counts = selectors.worklist_counts(user=officer.user, scope="mine")
        assert selectors.today_for(officer.user) == MONDAY
    assert counts["overdue"] == 1 and counts["due_today"] == 1

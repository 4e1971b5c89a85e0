import datetime as dt
import zoneinfo

import pytest

from casework.core import clock
from casework.org.roles import Role
from casework.testing.factories import (
    CustomerFactory,
    OfficeFactory,
    OfficerFactory,
    PositionFactory,
    TeamFactory,
    area,
)

# Monday 23 Nov 2026, 09:00 in Sydney.
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo("Australia/Sydney"))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with clock.freeze(MONDAY_9AM) as moment:
        yield moment


@pytest.fixture
def org(reference):
    """A Sydney services team (leader + two officers), a PS position in Melbourne, and a customer."""
    sydney = OfficeFactory(code="syd", state="NSW")
    melbourne = OfficeFactory(code="mel", state="VIC")
    team = TeamFactory(name="Services Sydney 1", office=sydney)
    tl = OfficerFactory(user__username="tl", role=Role.TEAM_LEADER, position__office=sydney, position__team=team)
    team.leader = tl
    team.save()
    so = OfficerFactory(user__username="so", position__office=sydney, position__team=team)
    so2 = OfficerFactory(user__username="so2", position__office=sydney, position__team=team)
    other = OfficerFactory(user__username="other", position__office=melbourne)
    ps_team = TeamFactory(name="PS Melbourne", office=melbourne, business_area=area("PS"))
    ps_pos = PositionFactory(code="PS-mel-intake", business_area=area("PS"), office=melbourne, team=ps_team)
    ps_cm = OfficerFactory(user__username="pscm", role=Role.PS_CASE_MANAGER,
                           position__business_area=area("PS"), position__office=melbourne, position__team=ps_team)
    auditor = OfficerFactory(user__username="aud", role=Role.AUDITOR, position=None)
    customer = CustomerFactory()

    class Org:
        pass

    o = Org()
    o.__dict__.update(sydney=sydney, melbourne=melbourne, team=team, tl=tl, so=so, so2=so2, other=other,
                      ps_pos=ps_pos, ps_cm=ps_cm, ps_team=ps_team, auditor=auditor, customer=customer)
    return o

"""PS test fixtures: a PS team in Melbourne with a Team Leader and two Case Managers, a front-line officer, an
NMQCC, and a customer on a case."""

from __future__ import annotations

import pytest

from casework.org.roles import Role
from casework.testing.factories import CaseFactory, OfficeFactory, OfficerFactory, PositionFactory, TeamFactory, area

PASSWORD = "pass-Word-123"


@pytest.fixture
def ps_org(reference):
    mel = OfficeFactory(code="melbourne", name="Melbourne", state="VIC")
    per = OfficeFactory(code="perth", name="Perth", state="WA")
    syd = OfficeFactory(code="sydney", name="Sydney", state="NSW")
    team = TeamFactory(name="PS Melbourne", business_area=area("PS"), office=mel)
    team_wa = TeamFactory(name="PS Perth", business_area=area("PS"), office=per)

    def officer(username, role, area_code, office, team=None):
        return OfficerFactory(
            user__username=username, role=role,
            position=PositionFactory(code=f"{username}-pos", business_area=area(area_code), office=office, team=team),
        )

    tl = officer("ps_tl", Role.PS_TEAM_LEADER, "PS", mel, team)
    team.leader = tl
    team.save()
    tl_wa = officer("ps_tl_wa", Role.PS_TEAM_LEADER, "PS", per, team_wa)
    team_wa.leader = tl_wa
    team_wa.save()
    cm = officer("ps_cm", Role.PS_CASE_MANAGER, "PS", mel, team)
    cm2 = officer("ps_cm2", Role.PS_CASE_MANAGER, "PS", per, team_wa)
    so = officer("so_nsw", Role.SERVICE_OFFICER, "SERVICES", syd)
    tl_front = officer("tl_nsw", Role.TEAM_LEADER, "SERVICES", syd)
    nmqcc = officer("nmqcc", Role.NATIONAL_MANAGER_QCC, "COMPLAINTS", syd)
    spec = officer("spec_objections", Role.SPECIALIST_OFFICER, "GENERAL_OBJECTIONS", syd)
    auditor = OfficerFactory(user__username="auditor", role=Role.AUDITOR, position=None)
    intake = PositionFactory(code="PS-melbourne-team-intake", business_area=area("PS"), office=mel, team=team)
    case = CaseFactory()
    return type("Org", (), dict(mel=mel, per=per, syd=syd, team=team, tl=tl, tl_wa=tl_wa, cm=cm, cm2=cm2, so=so,
                                tl_front=tl_front, nmqcc=nmqcc, spec=spec, auditor=auditor, intake=intake, case=case,
                                customer=case.payer, other=case.payee))

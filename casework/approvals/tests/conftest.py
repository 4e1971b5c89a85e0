"""A scratch world for the mechanism's own tests: a test kind registered for the test only, a team with its leader,
a second team leader elsewhere, a requester and a worker."""

from __future__ import annotations

import pytest

from casework.approvals import kinds, policy
from casework.approvals.policy import Eligibility
from casework.core.errors import TransitionRefused
from casework.org.roles import Role
from casework.testing.factories import CustomerFactory, OfficeFactory, OfficerFactory, PositionFactory, TeamFactory, area


class Effects:
    def __init__(self):
        self.approved, self.rejected, self.withdrawn = [], [], []
        self.fail_with: Exception | None = None


@pytest.fixture
def effects(monkeypatch):
    fx = Effects()

    def on_approve(*, request, actor, data):
        if fx.fail_with is not None:
            raise fx.fail_with
        fx.approved.append((request.pk, actor.pk, dict(data)))

    def on_reject(*, request, actor, data):
        fx.rejected.append((request.pk, actor.pk))

    def on_withdraw(*, request, actor):
        fx.withdrawn.append((request.pk, actor.pk))

    monkeypatch.setitem(policy.KINDS, "test_kind", "Test kind")
    monkeypatch.setitem(kinds.REGISTRY, "test_kind", kinds.Kind(
        code="test_kind", step_ids=("PS-ORM-1",), who_asks="a Case Manager", who_decides="their Team Leader",
        takes_effect="the test effect", on_approve=on_approve, on_reject=on_reject, on_withdraw=on_withdraw,
        decision_fields=(kinds.DecisionField("note", "Note for the file", required_on="approve"),)))
    return fx


@pytest.fixture
def world(reference):
    mel = OfficeFactory(code="mel-appr", name="Melbourne", state="VIC")
    per = OfficeFactory(code="per-appr", name="Perth", state="WA")
    team = TeamFactory(name="PS Melbourne", business_area=area("PS"), office=mel)
    team_wa = TeamFactory(name="PS Perth", business_area=area("PS"), office=per)

    def officer(username, role, office, team=None, area_code="PS"):
        return OfficerFactory(user__username=username, role=role,
                              position=PositionFactory(code=f"{username}-pos", business_area=area(area_code),
                                                       office=office, team=team))

    tl = officer("tl_mel", Role.PS_TEAM_LEADER, mel, team)
    team.leader = tl
    team.save()
    tl_wa = officer("tl_per", Role.PS_TEAM_LEADER, per, team_wa)
    team_wa.leader = tl_wa
    team_wa.save()
    cm = officer("cm_mel", Role.PS_CASE_MANAGER, mel, team)
    cm2 = officer("cm_mel2", Role.PS_CASE_MANAGER, mel, team)
    so = officer("so_syd", Role.SERVICE_OFFICER, OfficeFactory(code="syd-appr", state="NSW"), None, "SERVICES")
    customer = CustomerFactory()
    eligibility = Eligibility(role=Role.PS_TEAM_LEADER.value, team_ids=(team.pk,),
                              label="the PS Team Leader of PS Melbourne")
    return type("World", (), dict(mel=mel, per=per, team=team, tl=tl, tl_wa=tl_wa, cm=cm, cm2=cm2, so=so,
                                  customer=customer, eligibility=eligibility))


@pytest.fixture
def ask(world, effects):
    from casework.approvals import services

    def _ask(*, by=None, worked_by=(), eligibility=None, subject=None, reason="Needs a second person"):
        return services.approval_request_create(
            actor=(by or world.cm).user, kind="test_kind", customer=world.customer,
            subject=subject or world.customer, summary="Do the test thing", reason=reason,
            eligibility=eligibility or world.eligibility, payload={"what": "thing"}, worked_by=worked_by)

    return _ask


__all__ = ["TransitionRefused"]

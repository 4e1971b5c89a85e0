"""API tests for every ownership operation, including the refusals (400, 403, 404, 409 with reason + step IDs)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from casework.core import clock
from casework.core.models import AuditEvent
from casework.org.roles import Role
from casework.ownership.models import Lock, OwnershipTransfer

from .conftest import add_issue

pytestmark = pytest.mark.django_db


def client_for(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def url(csid, action=""):
    return f"/api/v1/customers/{csid}/ownership/" + (f"{action}/" if action else "")


def test_get_ownership_unlocked_explains_the_rule(org, payer):
    add_issue(payer, "objection")
    r = client_for(org.officer()).get(url(payer.csid))
    assert r.status_code == 200
    body = r.json()
    assert body["locked"] is False and body["area"] is None
    assert body["decision"]["facts"]["rule_owner_area"] == "GENERAL_OBJECTIONS"
    assert body["rule"]["step_ids"] == ["CMA-1.5"] and body["history"] == []
    assert body["owner_by_rule"] == "GENERAL_OBJECTIONS" and body["matches_rule"] is False


def test_lock_then_get_shows_owner_since_and_why(org, payer):
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    issue = add_issue(payer, "dpo")
    r = client_for(dpo).post(url(payer.csid, "lock"), {"reason": "DPO considered", "issue": issue.pk}, format="json")
    assert r.status_code == 201, r.json()
    body = client_for(org.officer()).get(url(payer.csid)).json()
    assert body["area"]["code"] == "DPO" and body["officer"]["username"] == dpo.user.username
    assert body["position"]["code"] == dpo.position.code and body["since"]
    assert "CMA-1.5" in body["decision"]["step_ids"] and body["decision"]["facts"]["area"] == "DPO"
    assert body["decision"]["facts"]["retaining_areas"] == ["DPO"]
    assert body["owner_by_rule"] == "DPO" and body["matches_rule"] is True


def test_lock_conflict_is_409_naming_the_holder(org, payer):
    a, b = org.officer(), org.officer()
    assert client_for(a).post(url(payer.csid, "lock"), {"reason": "a"}, format="json").status_code == 201
    r = client_for(b).post(url(payer.csid, "lock"), {"reason": "b"}, format="json")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "conflict" and a.display_name in body["detail"] and "CMA-2.10" in body["step_ids"]
    assert body["holder"]["officer"] == a.user.username


def test_lock_to_other_officer_by_service_officer_is_403_with_reason(org, payer):
    so, other = org.officer(), org.officer()
    r = client_for(so).post(url(payer.csid, "lock"), {"reason": "x", "to_officer": other.user.username},
                            format="json")
    assert r.status_code == 403 and "Team Leader" in r.json()["detail"] and r.json()["step_ids"] == ["CMA-2.10"]
    tl = org.team_leader()
    r = client_for(tl).post(url(payer.csid, "lock"), {"reason": "x", "to_officer": other.user.username},
                            format="json")
    assert r.status_code == 201 and r.json()["officer"]["username"] == other.user.username


def test_lock_to_position_and_bad_input(org, payer):
    so = org.officer()
    pos = org.intake("COLLECTION")
    r = client_for(so).post(url(payer.csid, "lock"), {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = client_for(so).post(url(payer.csid, "lock"), {"reason": "x", "to_position": "nope"}, format="json")
    assert r.status_code == 400 and "to_position" in r.json()
    r = client_for(so).post(url(payer.csid, "lock"), {"reason": "x", "to_position": pos.code}, format="json")
    assert r.status_code == 201 and r.json()["position"]["code"] == pos.code and r.json()["officer"] is None


def test_unknown_and_malformed_csid(org):
    c = client_for(org.officer())
    assert c.get(url("1234567890")).status_code in (400, 404)
    assert c.get(url("abc")).status_code == 400


def test_auditor_may_read_but_not_lock(org, payer):
    auditor = org.officer("SERVICES", Role.AUDITOR)
    assert client_for(auditor).get(url(payer.csid)).status_code == 200
    r = client_for(auditor).post(url(payer.csid, "lock"), {"reason": "x"}, format="json")
    assert r.status_code == 403 and r.json()["detail"]


def test_anonymous_is_refused(payer):
    assert APIClient().get(url(payer.csid)).status_code in (401, 403)
    assert APIClient().get(f"/api/v1/routing/{payer.csid}/").status_code in (401, 403)


def test_take_over_and_refusal(org, payer):
    a, b = org.officer(), org.officer()
    r = client_for(b).post(url(payer.csid, "take-over"), {"reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "refused"
    client_for(a).post(url(payer.csid, "lock"), {"reason": "a"}, format="json")
    r = client_for(b).post(url(payer.csid, "take-over"), {"reason": "Better outcome"}, format="json")
    assert r.status_code == 201 and r.json()["officer"]["username"] == b.user.username
    assert [h["officer"]["username"] for h in r.json()["history"]] == [b.user.username, a.user.username]
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    client_for(org.team_leader()).post(url(payer.csid, "lock"), {"reason": "x"}, format="json")  # 409, held by b
    r = client_for(obj).post(url(payer.csid, "take-over"), {"reason": "objection"}, format="json")
    assert r.status_code == 201


def test_refer_follow_up(org, payer, payee):
    a, b = org.officer(), org.officer()
    r = client_for(b).post(url(payer.csid, "refer"), {"subject": "s", "details": "d"}, format="json")
    assert r.status_code == 409 and "CMA-2.10" in r.json()["step_ids"]
    client_for(a).post(url(payer.csid, "lock"), {"reason": "a"}, format="json")
    r = client_for(b).post(url(payer.csid, "refer"), {"subject": "Call back", "details": "Income"}, format="json")
    assert r.status_code == 201
    assert r.json()["intray"]["type"] == "client_contact_required"
    assert r.json()["intray"]["assignee_officer"] == a.user.username and r.json()["intray"]["due_date"]
    r = client_for(b).post(url(payee.csid, "refer"), {"subject": "s", "details": "d", "associated_csid": payer.csid},
                           format="json")
    assert r.status_code == 201 and r.json()["officer"]["username"] == a.user.username
    r = client_for(b).post(url(payer.csid, "refer"), {"subject": "", "details": ""}, format="json")
    assert r.status_code == 400 and {"subject", "details"} <= set(r.json())


def test_unlock_explained_and_not_explained(org, payer):
    so, other = org.officer(), org.officer()
    client_for(so).post(url(payer.csid, "lock"), {"reason": "a"}, format="json")
    r = client_for(so).post(url(payer.csid, "unlock"), {"reason": "x"}, format="json")
    assert r.status_code == 400 and "decision_explained" in r.json()
    r = client_for(so).post(url(payer.csid, "unlock"), {"reason": "x", "decision_explained": False,
                                                        "contact_attempted": True}, format="json")
    assert r.status_code == 409 and r.json()["step_ids"] == ["CMA-3.4"]
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    r = client_for(dpo).post(url(payer.csid, "unlock"), {"reason": "x", "decision_explained": True, "contact_attempted": True}, format="json")
    assert r.status_code == 403 and r.json()["step_ids"] == ["CMA-3.4"]
    r = client_for(so).post(url(payer.csid, "unlock"), {"reason": "Explained", "decision_explained": True, "contact_attempted": True},
                            format="json")
    assert r.status_code == 200 and r.json()["locked"] is False and r.json()["relocked"] is None
    assert client_for(other).post(url(payer.csid, "unlock"), {"reason": "x", "decision_explained": True, "contact_attempted": True},
                                  format="json").status_code == 409


def test_unlock_relocks_to_outstanding_specialised_issue(org, payer):
    so = org.officer()
    foi = org.intake("FOI")
    add_issue(payer, "foi")
    client_for(so).post(url(payer.csid, "lock"), {"reason": "a"}, format="json")
    r = client_for(so).post(url(payer.csid, "unlock"), {"reason": "done", "decision_explained": True, "contact_attempted": True}, format="json")
    assert r.status_code == 200 and r.json()["relocked"]["position"]["code"] == foi.code
    assert "CMA-3.3" in r.json()["relocked"]["step_ids"]


@pytest.mark.usefixtures("short_auto_unlock_wait")
def test_auto_unlock_schedule(org, payer, payee):
    from casework.letters.models import Letter

    so = org.officer()
    client_for(so).post(url(payer.csid, "lock"), {"reason": "a"}, format="json")
    letters = [Letter.objects.create(customer=c, template_code="decision_letter", title="Decision", html="x",
                                     issued_at=clock.now(), issued_by=so.user).pk
               for c in (payer, payee)]
    r = client_for(so).post(url(payer.csid, "auto-unlock"), {"reason": "No answer", "letters": letters},
                            format="json")
    # CMA-3.4: contact_attempted is stated explicitly, never defaulted
    assert r.status_code == 400 and "contact_attempted" in r.json()
    ok = {"reason": "No answer", "contact_attempted": True}
    r = client_for(so).post(url(payer.csid, "auto-unlock"), {**ok, "letters": letters[:1]}, format="json")
    assert r.status_code == 409 and r.json()["missing_customer_ids"] == [payee.pk]
    r = client_for(so).post(url(payer.csid, "auto-unlock"), {**ok, "letters": [999999]}, format="json")
    assert r.status_code == 400 and "letters" in r.json()
    r = client_for(so).post(url(payer.csid, "auto-unlock"), {**ok, "letters": letters, "after_hours": 24},
                            format="json")
    assert r.status_code == 201 and r.json()["auto_unlock"]["status"] == "scheduled"
    r = client_for(so).post(url(payer.csid, "auto-unlock"), {**ok, "reason": "again", "letters": letters},
                            format="json")
    assert r.status_code == 409


def test_transfer_dispute_and_decision(org, payer):
    """CMA-1.6 (issue 11): the dispute and the transfer are requests (202 with the approval reference); the dispute is
    decided by a Team Leader of an area concerned (the old decide endpoint delegates to the approval); the transfer
    moves only once the receiving area's Team Leader accepts it."""
    tl = org.team_leader("GENERAL_OBJECTIONS")
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER, team=tl.team)
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    dpo_tl = org.team_leader("DPO")
    so = org.officer()
    org.intake("DPO")
    client_for(obj).post(url(payer.csid, "lock"), {"reason": "Objection"}, format="json")
    body = {"to_area": "DPO", "expected_contact_volume": "high", "time_to_resolve": "months", "reason": "r"}
    r = client_for(so).post(url(payer.csid, "transfer"), {**body, "agreed_with": "x"}, format="json")
    assert r.status_code == 403
    r = client_for(obj).post(url(payer.csid, "transfer"), {**body, "expected_contact_volume": ""}, format="json")
    assert r.status_code == 400 and "expected_contact_volume" in r.json()
    r = client_for(obj).post(url(payer.csid, "disputes"), body, format="json")
    assert r.status_code == 202 and r.json()["transfer"]["status"] == "escalated"
    assert r.json()["kind"] == "ownership_dispute" and r.json()["status"] == "pending"
    dispute_id = r.json()["id"]
    assert client_for(obj).get("/api/v1/ownership/disputes/").status_code == 403
    queue = client_for(tl).get("/api/v1/ownership/disputes/").json()["results"]
    assert [d["id"] for d in queue] == [dispute_id] and queue[0]["approval"] == r.json()["approval"]
    r = client_for(obj).post(f"/api/v1/ownership/disputes/{dispute_id}/decide/", {"decision": "keep", "reason": "x"},
                             format="json")
    assert r.status_code == 403
    r = client_for(tl).post(f"/api/v1/ownership/disputes/{dispute_id}/decide/", {"decision": "keep", "reason": "Stay"},
                            format="json")
    assert r.status_code == 200 and r.json()["decision"] == "keep"
    assert client_for(tl).post(f"/api/v1/ownership/disputes/{dispute_id}/decide/",
                               {"decision": "keep", "reason": "x"}, format="json").status_code == 409
    assert client_for(tl).post("/api/v1/ownership/disputes/999999/decide/", {"decision": "keep", "reason": "x"},
                               format="json").status_code == 404
    r = client_for(obj).post(url(payer.csid, "transfer"),
                             {**body, "to_area": "", "to_officer": dpo.user.username, "agreed_with": "DPO TL"},
                             format="json")
    assert r.status_code == 202 and r.json()["transfer"]["status"] == "proposed"
    transfer_id = r.json()["id"]
    assert Lock.objects.get(customer=payer, is_active=True).officer == obj
    r = client_for(dpo_tl).post(f"/api/v1/approvals/{r.json()['approval']}/decide/",
                                {"approve": True, "reason": "Agreed"}, format="json")
    assert r.status_code == 200
    assert Lock.objects.get(customer=payer, is_active=True).officer == dpo
    assert OwnershipTransfer.objects.get(pk=transfer_id).status == "agreed"
    assert OwnershipTransfer.objects.filter(customer=payer).count() == 2


def test_error_identified(org, payer):
    prev, me = org.officer(), org.officer()
    r = client_for(me).post(url(payer.csid, "errors"), {"description": "x"}, format="json")
    assert r.status_code == 400 and "resolvable_in_real_time" in r.json()
    r = client_for(me).post(url(payer.csid, "errors"),
                            {"description": "Wrong income", "resolvable_in_real_time": False,
                             "previous_officer": prev.user.username, "feedback": "FYI"}, format="json")
    assert r.status_code == 201 and r.json()["error"]["outcome"] == "locked"
    assert r.json()["officer"]["username"] == me.user.username


def test_consultation_and_specialist_check(org, payer):
    cm = org.officer("PS", Role.PS_CASE_MANAGER)
    spec = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    client_for(cm).post(url(payer.csid, "lock"), {"reason": "PS"}, format="json")
    body = client_for(spec).get(url(payer.csid)).json()
    assert body["is_ps"] and body["contact_case_manager_first"] and "PS-SPE-1" in body["ps_message"]
    check = client_for(spec).get(url(payer.csid, "consultations")).json()
    assert check["allowed"] is False and check["step_ids"] == ["PS-SPE-1"]
    r = client_for(spec).post(url(payer.csid, "consultations"), {"ps_case_manager": cm.user.username, "summary": "s",
                                                                 "communication_approach": "CM calls",
                                                                 "who_communicates": "CM"}, format="json")
    assert r.status_code == 201
    assert client_for(spec).get(url(payer.csid, "consultations")).json()["allowed"] is True
    r = client_for(spec).post(url(payer.csid, "consultations"), {"ps_case_manager": spec.user.username},
                              format="json")
    assert r.status_code == 400


def test_issue_handling_endpoint(org, payer):
    add_issue(payer, "debt_enquiry", minutes=1)
    add_issue(payer, "objection", minutes=2)
    body = client_for(org.officer()).get(url(payer.csid, "issues")).json()
    assert [i["outcome"] for i in body["issues"]] == ["point_of_entry", "referral"]
    assert body["owner"]["facts"]["area"] == "GENERAL_OBJECTIONS"


def test_apply_rules(org, payer):
    obj = org.officer("GENERAL_OBJECTIONS", Role.SPECIALIST_OFFICER)
    org.intake("DPO")
    add_issue(payer, "objection", minutes=1)
    client_for(obj).post(url(payer.csid, "lock"), {"reason": "Objection"}, format="json")
    add_issue(payer, "dpo", minutes=2)
    r = client_for(obj).post(url(payer.csid, "apply-rules"), {"reason": "DPO arrived"}, format="json")
    assert r.status_code == 200 and r.json()["area"]["code"] == "DPO"


def test_routing_endpoint_is_one_query(org, payer):
    so = org.officer()
    c = client_for(so)
    r = c.get(f"/api/v1/routing/{payer.csid}/")
    assert r.status_code == 200 and r.json()["area"]["code"] == "SERVICES" and r.json()["owned"] is False
    client_for(org.officer("ICS", Role.SPECIALIST_OFFICER)).post(url(payer.csid, "lock"), {"reason": "x"},
                                                                  format="json")
    from casework.ownership.selectors import route_call

    with CaptureQueriesContext(connection) as q:
        route_call(csid=payer.csid)
    assert len(q.captured_queries) == 1
    r = c.get(f"/api/v1/routing/{payer.csid}/")
    assert r.json()["area"]["code"] == "ICS" and r.json()["owned"] is True and r.json()["reason"]
    assert c.get("/api/v1/routing/1234567890/").status_code in (400, 404)
    assert c.get("/api/v1/routing/abc/").status_code == 400


def test_every_write_is_audited_with_step_ids(org, payer):
    so = org.officer()
    client_for(so).post(url(payer.csid, "lock"), {"reason": "a"}, format="json")
    client_for(so).post(url(payer.csid, "unlock"), {"reason": "b", "decision_explained": True, "contact_attempted": True}, format="json")
    actions = list(AuditEvent.objects.filter(customer_id=payer.pk, action__startswith="ownership.").order_by("id")
                   .values_list("action", "step_ids"))
    assert [a for a, _ in actions] == ["ownership.lock", "ownership.unlock"]
    assert all(steps for _, steps in actions)
    assert Lock.objects.filter(customer=payer, is_active=True).count() == 0


def test_lock_parents_and_reassign_endpoints(org, payer, payee):
    me, other = org.officer(), org.officer()
    r = client_for(me).post(url(payer.csid, "lock-parents"), {"associated_csid": payee.csid, "reason": "Care"},
                            format="json")
    assert r.status_code == 200 and r.json()["decision"]["outcome"] == "lock_both"
    assert r.json()["locks"][payee.csid]["officer"]["username"] == me.user.username
    assert client_for(me).post(url(payer.csid, "lock-parents"), {"reason": "x"}, format="json").status_code == 400
    r = client_for(me).post(url(payer.csid, "reassign"), {"to_officer": other.user.username, "reason": "Leave"},
                            format="json")
    assert r.status_code == 200 and r.json()["officer"]["username"] == other.user.username
    dpo = org.officer("DPO", Role.SPECIALIST_OFFICER)
    r = client_for(dpo).post(url(payer.csid, "reassign"), {"to_officer": dpo.user.username, "reason": "x"},
                             format="json")
    assert r.status_code == 409 and "CMA-1.6" in r.json()["step_ids"]

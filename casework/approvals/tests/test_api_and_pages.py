"""The same request through the API and the screens (issue 11): queue, detail with history, decision, withdrawal,
refusals that say who may decide; notifications by API and page, and the header's unread count."""

from __future__ import annotations

from rest_framework.test import APIClient

from casework.approvals.models import ApprovalRequest
from casework.notifications.models import Notification


def api(officer):
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def web(client, officer):
    client.force_login(officer.user)
    return client


def test_api_queue_detail_decide_with_refusals_in_words(world, ask, effects):
    row = ask()
    assert [r["id"] for r in api(world.tl).get("/api/v1/approvals/?queue=to_decide").json()] == [row.pk]
    assert api(world.tl_wa).get("/api/v1/approvals/?queue=to_decide").json() == []
    assert [r["id"] for r in api(world.cm).get("/api/v1/approvals/?queue=mine").json()] == [row.pk]
    d = api(world.cm).get(f"/api/v1/approvals/{row.pk}/").json()
    assert d["you_may_decide"] is False and "You asked for this" in d["why_not"]
    assert d["who_decides"] == "the PS Team Leader of PS Melbourne" and d["history"][0]["action"] == "requested"
    r = api(world.cm).post(f"/api/v1/approvals/{row.pk}/decide/", {"approve": True, "data": {"note": "x"}},
                           format="json")
    assert r.status_code == 403 and r.json()["step_ids"] == ["PS-ORM-1"]
    r = api(world.tl).post(f"/api/v1/approvals/{row.pk}/decide/", {"approve": True, "step_ids": ["FORGED-9.9"]},
                           format="json")
    assert r.status_code == 400 and "step_ids" in r.json()
    r = api(world.tl).post(f"/api/v1/approvals/{row.pk}/decide/", {"approve": True}, format="json")
    assert r.status_code == 400 and "note" in r.json()["fields"]
    r = api(world.tl).post(f"/api/v1/approvals/{row.pk}/decide/",
                           {"approve": True, "reason": "ok", "data": {"note": "filed"}, "version": row.version + 5},
                           format="json")
    assert r.status_code == 409
    r = api(world.tl).post(f"/api/v1/approvals/{row.pk}/decide/",
                           {"approve": True, "reason": "ok", "data": {"note": "filed"}, "version": row.version},
                           format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert [h["action"] for h in r.json()["history"]] == ["requested", "approved"]
    assert effects.approved and api(world.tl).get("/api/v1/approvals/?queue=to_decide").json() == []


def test_api_withdraw_and_kinds(world, ask):
    row = ask()
    assert api(world.tl).post(f"/api/v1/approvals/{row.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 403
    assert api(world.cm).post(f"/api/v1/approvals/{row.pk}/withdraw/", {}, format="json").status_code == 400
    r = api(world.cm).post(f"/api/v1/approvals/{row.pk}/withdraw/", {"reason": "Resolved"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    kinds = {k["code"]: k for k in api(world.cm).get("/api/v1/approvals/kinds/").json()}
    assert kinds["test_kind"]["decision_fields"][0]["name"] == "note" and "segment_3" in kinds


def test_anonymous_and_non_officers_see_nothing(world, ask):
    row = ask()
    assert APIClient().get(f"/api/v1/approvals/{row.pk}/").status_code in (401, 403)
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)


def test_pages_queue_decide_and_why_not(client, world, ask, effects):
    row = ask()
    page = web(client, world.tl).get("/approvals/").content.decode()
    assert "Do the test thing" in page and f"/approvals/{row.pk}/" in page
    page = client.get(f"/approvals/{row.pk}/").content.decode()
    assert 'data-testid="decide-form"' in page and "Note for the file" in page
    r = client.post(f"/approvals/{row.pk}/decide/", {"approve": "yes", "reason": "", "version": row.version})
    assert r.status_code == 400 and "this is required" in r.content.decode()
    r = client.post(f"/approvals/{row.pk}/decide/", {"approve": "yes", "reason": "ok", "note": "filed",
                                                      "version": row.version})
    assert r.status_code == 302 and ApprovalRequest.objects.get(pk=row.pk).status == "approved"
    client.logout()
    page = web(client, world.cm2).get(f"/approvals/{row.pk}/").content.decode()
    assert "Approved" in page and 'data-testid="decide-form"' not in page


def test_requester_page_says_who_decides_and_offers_withdraw(client, world, ask):
    row = ask()
    page = web(client, world.cm).get(f"/approvals/{row.pk}/").content.decode()
    assert 'data-testid="why-not"' in page and "the PS Team Leader of PS Melbourne" in page and "Withdraw" in page


def test_notifications_api_page_header_and_read_state_per_officer(client, world, ask):
    row = ask()
    n = Notification.objects.get(recipient=world.tl.user)
    body = api(world.tl).get("/api/v1/notifications/?unread=true").json()
    assert body["unread"] == 1 and body["results"][0]["link"] == f"/approvals/{row.pk}/"
    assert api(world.cm).post(f"/api/v1/notifications/{n.pk}/read/").status_code == 404  # not theirs
    page = web(client, world.tl).get("/notifications/").content.decode()
    assert "Do the test thing" in page and 'data-testid="unread-count"' in page
    home = client.get("/approvals/").content.decode()
    assert 'class="tag bad">1<' in home
    r = client.post(f"/notifications/{n.pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/approvals/{row.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert api(world.tl).get("/api/v1/notifications/?unread=true").json()["unread"] == 0
    assert api(world.tl).post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_a_notification_is_sent_once_per_event_and_never_to_the_actor(world):
    from casework.notifications.services import notification_send

    first = notification_send(recipients=[world.tl, world.tl.user, world.cm], kind="work_received", text="t",
                              key="evt:1", exclude=[world.cm])
    again = notification_send(recipients=[world.tl], kind="work_received", text="t", key="evt:1")
    assert [n.recipient_id for n in first] == [world.tl.user.pk] and again == []


def test_home_page_shows_the_officers_day_with_decisions_waiting(client, world, ask):
    row = ask()
    page = web(client, world.tl).get("/").content.decode()
    assert 'data-testid="your-day"' in page and f"/approvals/{row.pk}/" in page
    assert 'data-testid="to-decide-count">1<' in page
    client.logout()
    page = web(client, world.cm).get("/").content.decode()
    assert 'data-testid="to-decide-count">0<' in page


def test_reading_a_request_is_an_audited_read_of_the_customer(client, world, ask):
    """Issue 13: every read of customer data is audited; a request shows its customer and what is asked."""
    from casework.core.models import AuditEvent

    row = ask()
    api(world.tl).get(f"/api/v1/approvals/{row.pk}/")
    web(client, world.tl).get(f"/approvals/{row.pk}/")
    reads = AuditEvent.objects.filter(action="customer.read", customer_id=world.customer.pk, actor=world.tl.user)
    assert sorted(e.after["channel"] for e in reads) == ["api", "ui"]
    assert all(e.after["what"] == "approval_request" for e in reads)

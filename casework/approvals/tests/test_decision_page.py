"""Issue 14: the approval decision page shows, for every kind, what the approver needs to decide (what is asked, for
which customer and record, by whom and when, their reason, the facts the rule uses, what happens on approve and on
refuse, the step IDs behind "Why?") and a decision form that needs a reason to refuse and keeps what was typed."""

from __future__ import annotations

import datetime as dt

from django.utils.html import escape

from casework.approvals import kinds, policy
from casework.approvals.models import ApprovalRequest
from casework.approvals.presentation import ON_REFUSE
from casework.approvals.views import REASON_NEEDED
from casework.core import clock

ASKED = dt.datetime(2026, 11, 30, 5, 14, tzinfo=dt.UTC)  # 16:14 in Melbourne (daylight time)


def payloads(world) -> dict[str, tuple[dict, str, str]]:
    """kind -> (payload, a fact label, its value in words)."""
    pos = world.cm.position
    return {
        "segment_3": ({"segment": 3, "from_segment": 2}, "Segment now", "2"),
        "segment_3_review": ({"outcome": "continue", "notes": "Still escalating", "new_review_date": "2027-02-28"},
                             "Next review date", "28/02/2027"),
        "restricted_service": ({"conditions": "Written contact only", "review_date": "2027-03-01"},
                               "Conditions", "Written contact only"),
        "restricted_service_review": ({"ps_record": 1, "outcome": "Keep it", "reviewed_on": "2026-11-27"},
                                      "Reviewed on", "27/11/2026"),
        "restricted_service_end": ({"reason": "Behaviour improved", "conditions": "Phone on Tuesdays only"},
                                   "Conditions", "Phone on Tuesdays only"),
        "face_to_face": ({"location_type": "service_centre", "location_detail": "Parramatta",
                          "security_risk": True}, "Security or aggression risk", "Yes"),
        "social_worker_referral": ({"detail": "Family pressures", "timeframe": "2 weeks"}, "Timeframe", "2 weeks"),
        "ps_reallocation": ({"ps_record": 1, "reason_code": "conflict_of_interest"}, "Reallocation reason",
                            "Conflict of interest"),
        "ps_reallocation_assign": ({"ps_record": 1, "receiving_position": pos.pk, "not_assignable": [1]},
                                   "Receiving PS position", pos.title),
        "urgent_ps_referral": ({"type_code": "PS_URGENT", "tl_call_details": "Rang Jo at 9:10"},
                               "Team Leader&#x27;s call to the PS Team Leader", "Rang Jo at 9:10"),
        "ps_finalisation": ({"ps_record": 1, "readiness": {"ready": True, "checks": [
            {"name": "Exit letter sent", "ok": True, "reason": "", "step_ids": ["PS-FIN-1"]}]},
            "attestations": {"exit_letter_sent": True}}, "Readiness for finalisation", "Exit letter sent: met"),
        "ownership_dispute": ({"from_area": "PS", "to_area": "SERVICES", "expected_contact_volume": "high",
                               "time_to_resolve": "weeks"}, "Area proposed", "Services"),
        "ownership_transfer": ({"from_area": "PS", "to_area": "SERVICES", "to_officer": world.cm2.pk,
                                "expected_contact_volume": "low", "time_to_resolve": "days"},
                               "Officer who would take them", world.cm2.display_name),
    }


def test_every_kind_is_covered():
    assert set(ON_REFUSE) == set(policy.KINDS) == set(kinds.REGISTRY)


def _request(world, code: str, payload: dict) -> ApprovalRequest:
    with clock.freeze(ASKED):
        return ApprovalRequest.objects.create(
            kind=code, customer=world.customer, subject_type="customers.customer", subject_id=str(world.customer.pk),
            summary=f"Please decide {code}", payload=payload, reason="Because the plan says so",
            requested_by=world.cm.user, requested_at=clock.now(), eligible_role=world.tl.role,
            eligibility=policy.Eligibility(role=world.tl.role, label="the PS Team Leader of PS Melbourne",
                                           officer_ids=(world.tl.pk,)).as_dict(),
            due_date=dt.date(2026, 12, 2), step_ids=list(kinds.get(code).step_ids))


def test_decision_page_shows_what_the_approver_needs_for_every_kind(client, world):
    """One world for all kinds (building it is the slow part)."""
    client.force_login(world.tl.user)
    for code in sorted(policy.KINDS):
        _check_kind(client, world, code)


def _check_kind(client, world, code):
    payload, label, value = payloads(world)[code]
    row = _request(world, code, payload)
    kind = kinds.get(code)
    page = client.get(f"/approvals/{row.pk}/").content.decode()
    for text in (escape(policy.KINDS[code]), f"Please decide {code}", world.customer.full_name, world.customer.csid,
                 "Customer " + str(world.customer.pk), world.cm.display_name, "30/11/2026 16:14 AEDT",
                 "Because the plan says so", "02/12/2026", label, escape(value), escape(kind.takes_effect),
                 escape(ON_REFUSE[code]), 'data-testid="decide-form"', "autofocus"):
        assert text in page, text
    why = page.split('data-testid="approval-why"', 1)[1].split("</details>", 1)[0]
    for step in kind.step_ids:
        assert step in why
    h1 = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert not any(step in h1 for step in kind.step_ids)  # step IDs behind "Why?", not on the heading
    assert "ps_record" not in page and "{&#x27;" not in page and "object (" not in page

    # Refusing with no reason: the reason field says so, and what was typed is all still there.
    typed = {"approve": "no", "reason": "", "version": row.version}
    for f in kind.decision_fields:
        if f.kind == "text":
            typed[f.name] = f"typed for {f.name}"
        elif f.kind == "bool":
            typed[f.name] = "on"
        elif f.kind == "choice" and f.choices:
            typed[f.name] = f.choices[-1][0]
    r = client.post(f"/approvals/{row.pk}/decide/", typed)
    html = r.content.decode()
    assert r.status_code == 400 and "There is a problem" in html and escape(REASON_NEEDED) in html
    assert 'value="no" id="id_approve_1" checked' in html
    for f in kind.decision_fields:
        if f.kind == "text":
            assert f"typed for {f.name}" in html
        elif f.kind == "bool":
            assert f'name="{f.name}" id="id_{f.name}" checked' in html or "checked" in html.split(
                f'name="{f.name}"', 1)[1].split(">", 1)[0]
        elif f.kind == "choice" and f.choices:
            assert f'value="{f.choices[-1][0]}" selected' in html
    assert ApprovalRequest.objects.get(pk=row.pk).status == "pending"


def test_times_on_the_page_are_the_deciders(client, world):
    """A Perth Team Leader sees the same request asked at 13:14 AWST."""
    row = _request(world, "segment_3", {"segment": 3})
    row.eligibility = policy.Eligibility(role=world.tl_wa.role, label="x", officer_ids=(world.tl_wa.pk,)).as_dict()
    row.save(update_fields=["eligibility"])
    client.force_login(world.tl_wa.user)
    assert "30/11/2026 13:14 AWST" in client.get(f"/approvals/{row.pk}/").content.decode()

"""Issue 11, "Work that moves between people": hand-offs that arrive (contacts and ownership).

Work handed on becomes someone's work: an intray in a named officer's or position's queue, due in working days in the
receiving office's calendar, and the receiver is notified. Each test named after a measured case of the issue says so
in its docstring; each fails on the code before issue 11.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.contacts import services
from casework.contacts.models import ContactIssue, ContactStatus
from casework.core import clock
from casework.core.errors import TransitionRefused
from casework.core.models import AuditEvent
from casework.customers.models import IssueStatus
from casework.intrays.calendar import working_days_due
from casework.intrays.models import Intray
from casework.intrays.services import intray_create
from casework.notifications.models import Notification, NotificationKind
from casework.org.roles import Role
from casework.ownership import services as own_services
from casework.ownership.models import Lock, LockKind
from casework.ownership.services import area_position
from casework.testing.factories import CaseFactory, CustomerFactory, IncomeFactory, OfficerFactory, area

# --- helpers ---------------------------------------------------------------------------------------------------------


def api(officer) -> APIClient:
    c = APIClient()
    c.force_authenticate(officer.user)
    return c


def actions(customer) -> list[str]:
    return list(AuditEvent.objects.filter(customer_id=customer.pk).order_by("id").values_list("action", flat=True))


def officer_in(position, role=Role.SPECIALIST_OFFICER, username=None):
    """An officer holding ``position`` (so they receive what is sent to it)."""
    kw = {"user__username": username} if username else {}
    return OfficerFactory(role=role, position=position, **kw)


def specialist(area_code: str, office, username=None):
    kw = {"user__username": username} if username else {}
    return OfficerFactory(role=Role.SPECIALIST_OFFICER, position__business_area=area(area_code),
                          position__office=office, **kw)


def intake(area_code: str, so):
    """Where work addressed to the area lands from this Service Officer's office (CMA-1.2, CMA-2.10)."""
    return area_position(area(area_code), prefer_office=so.office)


def notifications(officer, kind=None) -> list[dict]:
    r = api(officer).get("/api/v1/notifications/")
    assert r.status_code == 200, r.content
    rows = r.json()["results"]
    return [n for n in rows if kind is None or n["kind"] == kind]


def queue(officer) -> list[dict]:
    """The officer's position queue over the API (GET /api/v1/intrays/?position=me)."""
    r = api(officer).get("/api/v1/intrays/?position=me")
    assert r.status_code == 200, r.content
    return r.json()["results"]


def mine(officer) -> list[dict]:
    r = api(officer).get("/api/v1/intrays/?assigned_to=me")
    assert r.status_code == 200, r.content
    return r.json()["results"]


def customer():
    """A customer whose income is ATO-issued and who owes nothing: no Minimum Collection Activity (CMA-2.1)."""
    c = CustomerFactory()
    IncomeFactory(customer=c)
    return c


def open_contact(so, who, case=None):
    contact = services.contact_start(actor=so.user, customer=who, channel="phone", case=case)
    return services.contact_poi_confirm(actor=so.user, contact=contact, method="DOB and address")


def finalise(so, contact):
    """The decision was explained to the customer (CMA-3.1), then the contact is finalised."""
    services.contact_decision_explained(actor=so.user, contact=contact, customer=contact.customer)
    return services.contact_finalise(actor=so.user, contact=contact)


def open_intrays(who, **kw):
    return list(Intray.objects.filter(customer=who, status__in=("open", "in_progress"), **kw).select_related("type"))


# --- CMA-1.2 / CMA-1.4: specialised issues referred from the front line ------------------------------------------


def test_referred_objection_and_change_of_assessment_end_with_one_intray_in_each_areas_queue(so):
    """Measured case (CMA-1.2, CMA-1.4, done-when): "A specialised issue recorded at the front line with handling
    "referral" creates no work for the specialist area: the objection and the Change of Assessment simply stay open
    and nobody is told." A front-line contact with a referred objection and Change of Assessment ends with one intray
    in each area's queue; each issue shows where it went; each area is told; the customer has one owner (CMA-1.5)."""
    payer = customer()
    obj_intake, coa_intake = intake("GENERAL_OBJECTIONS", so), intake("CHANGE_OF_ASSESSMENT", so)
    obj, coa = officer_in(obj_intake, username="obj1"), officer_in(coa_intake, username="coa1")
    contact = open_contact(so, payer)
    first = services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection",
                                       description="Disputes the care percentage decision")
    assert first.handling == "referral"
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="change_of_assessment",
                               description="Special circumstances: high costs of contact")
    # Nothing is handed on while the officer still works the contact.
    assert open_intrays(payer) == []

    services.contact_holistic_advice_record(actor=so.user, contact=contact)  # CMA-1.7 (tested below)
    contact = finalise(so, contact)
    assert contact.status == ContactStatus.FINALISED

    items = open_intrays(payer)
    assert len(items) == 2
    by_area = {i.assignee_position.business_area.code: i for i in items}
    assert set(by_area) == {"GENERAL_OBJECTIONS", "CHANGE_OF_ASSESSMENT"}
    assert by_area["GENERAL_OBJECTIONS"].assignee_position == obj_intake
    assert by_area["CHANGE_OF_ASSESSMENT"].assignee_position == coa_intake
    # CMA-1.5: the first specialised issue received owns (no retaining area); the other area collaborates.
    assert by_area["GENERAL_OBJECTIONS"].type.code == "specialised_referral"
    assert by_area["CHANGE_OF_ASSESSMENT"].type.code == "collaborative_management"
    lock = Lock.objects.get(customer=payer, is_active=True)
    assert lock.area.code == "GENERAL_OBJECTIONS" and lock.position == obj_intake and lock.officer is None
    for item in items:
        assert item.due_date == working_days_due(item.received_at, 2, office=item.office)
        assert "Outstanding:" in item.details and "Done:" in item.details
    # Each issue is no longer "open, nobody's": referred, linked to its intray, and the contact row shows where.
    for link in ContactIssue.objects.filter(contact=contact).select_related("presenting_issue", "referred_area"):
        pi = link.presenting_issue
        assert pi.status == IssueStatus.REFERRED
        assert link.referred_intray.issues.filter(pk=pi.pk).exists()
        assert link.referred_area == pi.issue_type.handling_area and link.referred_at is not None
    # Each area sees it in its queue (API) and is told.
    assert [i["id"] for i in queue(obj)] == [by_area["GENERAL_OBJECTIONS"].pk]
    assert [i["id"] for i in queue(coa)] == [by_area["CHANGE_OF_ASSESSMENT"].pk]
    assert len(notifications(obj, NotificationKind.REFERRAL_RECEIVED)) == 1
    assert len(notifications(coa, NotificationKind.COLLABORATION)) == 1
    assert not Notification.objects.filter(recipient=so.user).exists()  # the officer who handed on is not told
    audit = actions(payer)
    for action in ("contact.finalise", "ownership.lock", "intray.create", "presenting_issue.close",
                   "ownership.issue_refer", "contact.issues_handed_off"):
        assert action in audit, action
    handed = AuditEvent.objects.get(action="contact.issues_handed_off", customer_id=payer.pk)
    assert {h["area"] for h in handed.after["issues"]} == {"GENERAL_OBJECTIONS", "CHANGE_OF_ASSESSMENT"}
    assert "CMA-1.4" in handed.step_ids


def test_a_single_referred_objection_goes_to_the_areas_intake_with_the_notepad(so):
    """Measured case (CMA-1.2): a specialised presenting issue handled by "referral" creates, when the officer
    finalises the contact, a referral intray to the owning area's intake position, due in 2 working days, with the
    notepad of what was done and what is outstanding."""
    payer = customer()
    obj_intake = intake("GENERAL_OBJECTIONS", so)
    obj = officer_in(obj_intake)
    contact = open_contact(so, payer)
    common = services.contact_issue_add(actor=so.user, contact=contact, issue_type="contact_details")
    services.contact_issue_close(actor=so.user, contact_issue=common, outcome="Phone number updated")
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection", description="Late objection")
    finalise(so, contact)
    (item,) = open_intrays(payer)
    assert item.type.code == "specialised_referral" and item.assignee_position == obj_intake
    assert item.due_date == working_days_due(item.received_at, 2, office=obj_intake.office)
    assert "Contact details update: finalised (Phone number updated)" in item.details
    assert "- Objection: Late objection" in item.details
    assert "CMA-1.2" in item.step_ids
    # The notepad is on the customer's record too, pointing at the intray.
    assert payer.notes.filter(subject__startswith="Referred:").exists()
    assert not Lock.objects.filter(customer=payer, is_active=True).exists()  # one area: a referral, not a lock
    (note,) = notifications(obj, NotificationKind.REFERRAL_RECEIVED)
    assert note["link"] == f"/work/intrays/{item.pk}/"


def test_referral_goes_to_the_locked_officer_when_the_customer_is_locked_in_that_area(so):
    """CMA-1.2: "... to the owning area's intake position (or the locked officer)"."""
    payer = customer()
    obj = specialist("GENERAL_OBJECTIONS", so.office)
    own_services.customer_lock(actor=obj.user, customer=payer, reason="Objection in progress")
    contact = open_contact(so, payer)
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection", description="Second ground")
    finalise(so, contact)
    (item,) = open_intrays(payer, type__code="specialised_referral")
    assert item.assignee_officer == obj and item.assignee_position is None
    assert [i["id"] for i in mine(obj)] == [item.pk]
    assert len(notifications(obj, NotificationKind.REFERRAL_RECEIVED)) == 1


def test_issues_are_handed_on_when_the_officer_leaves_the_contact_not_resolved(so):
    """CMA-1.2 + CMA-2.10: leaving the contact (not resolved in real time) hands the specialised issue on too."""
    payer = customer()
    coa_intake = intake("CHANGE_OF_ASSESSMENT", so)
    contact = open_contact(so, payer)
    link = services.contact_issue_add(actor=so.user, contact=contact, issue_type="change_of_assessment")
    services.contact_not_resolved(actor=so.user, contact=contact, reason="Customer to send documents")
    link.refresh_from_db()
    assert link.referred_intray.assignee_position == coa_intake
    assert "Not resolved in real time: Customer to send documents" in link.referred_intray.details


def test_handing_on_over_the_api_shows_where_each_issue_went(so):
    """API path of the done-when: the same services, and the contact shows each issue's area and intray."""
    payer = customer()
    obj, coa = officer_in(intake("GENERAL_OBJECTIONS", so)), officer_in(intake("CHANGE_OF_ASSESSMENT", so))
    client = api(so)
    c = client.post("/api/v1/contacts/", {"csid": payer.csid, "channel": "phone"}, format="json").json()
    base = f"/api/v1/contacts/{c['id']}/"
    assert client.post(base + "poi/", {"method": "DOB"}, format="json").status_code == 200
    for code in ("objection", "change_of_assessment"):
        assert client.post(base + "issues/", {"issue_type": code}, format="json").status_code == 200
    body = client.get(base).json()
    assert body["holistic_advice"]["outcome"] == "advise"  # CMA-1.7 prompt
    r = client.post(base + "finalise/")
    assert r.status_code == 409 and "CMA-1.7" in r.json()["step_ids"]
    assert client.post(base + "holistic-advice/").status_code == 200
    r = client.post(base + "explained/", {"csid": payer.csid, "explained": True}, format="json")
    assert r.status_code == 200, r.json()
    r = client.post(base + "finalise/")
    assert r.status_code == 200, r.json()
    issues = {i["issue_type"]: i for i in r.json()["issues"]}
    assert issues["objection"]["referred_to"]["area"] == "GENERAL_OBJECTIONS"
    assert issues["change_of_assessment"]["referred_to"]["area"] == "CHANGE_OF_ASSESSMENT"
    assert [i["id"] for i in queue(obj)] == [issues["objection"]["referred_to"]["intray"]]
    assert [i["id"] for i in queue(coa)] == [issues["change_of_assessment"]["referred_to"]["intray"]]
    assert notifications(obj, NotificationKind.REFERRAL_RECEIVED)
    assert notifications(coa, NotificationKind.COLLABORATION)


# --- CMA-1.7: holistic service ---------------------------------------------------------------------------------------


def test_keeping_ownership_as_a_further_specialised_issue_arises_prompts_and_records_the_advice(so):
    """Measured case (CMA-1.7): "when ownership is kept as a further specialised issue arises, the officer is
    prompted to advise the customer (more than one person; CSID entry routes calls) and the advice is recorded."""
    from casework.contacts import selectors

    payer = customer()
    contact = open_contact(so, payer)
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection")
    assert selectors.holistic_advice_prompt(contact).outcome == "not_needed"
    with pytest.raises(TransitionRefused):
        services.contact_holistic_advice_record(actor=so.user, contact=contact)
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="change_of_assessment")
    prompt = selectors.holistic_advice_prompt(contact)
    assert prompt.outcome == "advise" and "CMA-1.7" in prompt.step_ids
    assert any("CSID" in line for line in prompt.facts["advice"])
    with pytest.raises(TransitionRefused) as exc:
        services.contact_finalise(actor=so.user, contact=contact)
    assert "CMA-1.7" in exc.value.step_ids and any("CSID" in m for m in exc.value.extra["missing"])
    contact = services.contact_holistic_advice_record(actor=so.user, contact=contact)
    assert contact.holistic_advice_at is not None
    assert selectors.holistic_advice_prompt(contact).outcome == "advised"
    event = AuditEvent.objects.get(action="contact.holistic_advice", customer_id=payer.pk)
    assert event.step_ids == ["CMA-1.7"] and event.after["areas"] == ["CHANGE_OF_ASSESSMENT", "GENERAL_OBJECTIONS"]
    assert finalise(so, contact).status == ContactStatus.FINALISED


def test_holistic_advice_prompt_when_locked_to_a_specialist_area_and_another_specialised_issue_arises(so):
    """CMA-1.7: the customer is owned by a specialist area (kept) and a specialised issue of another area arises."""
    from casework.contacts import selectors

    payer = customer()
    dpo = specialist("DPO", so.office)
    own_services.customer_lock(actor=dpo.user, customer=payer, reason="DPO")
    contact = open_contact(so, payer)
    services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection")
    assert selectors.holistic_advice_prompt(contact).outcome == "advise"


# --- CMA-2.10 / CMA-1.3: not resolved in real time, errors ------------------------------------------------------------


def test_not_resolved_on_a_customer_locked_to_a_position_creates_an_intray_for_the_position(so):
    """Measured case (CMA-2.10, CMA-1.3): "A contact marked "not resolved in real time" on a customer locked to a
    *position* creates no intray." The follow-up always becomes work for the holder, and its officers are told."""
    payer = customer()
    pos = intake("GENERAL_OBJECTIONS", so)
    holder = officer_in(pos)
    tl = OfficerFactory(role=Role.TEAM_LEADER, position__business_area=area("GENERAL_OBJECTIONS"))
    own_services.customer_lock(actor=tl.user, customer=payer, to_position=pos, reason="Objection intake")
    contact = open_contact(so, payer)
    contact = services.contact_not_resolved(actor=so.user, contact=contact, reason="Needs the objection file")
    assert contact.status == ContactStatus.FOLLOW_UP
    (item,) = open_intrays(payer, type__code="client_contact_required")
    assert item.assignee_position == pos and item.assignee_officer is None
    assert item.due_date == working_days_due(item.received_at, 2, office=pos.office)
    assert Lock.objects.get(customer=payer, is_active=True).position == pos  # the lock is not taken
    assert [i["id"] for i in queue(holder)] == [item.pk]
    (note,) = notifications(holder, NotificationKind.WORK_RECEIVED)
    assert note["link"] == f"/work/intrays/{item.pk}/"
    event = AuditEvent.objects.get(action="contact.not_resolved", customer_id=payer.pk)
    assert event.after["outcome"] == "referred"
    assert "ownership.follow_up_refer" in actions(payer)


def test_a_service_officer_never_takes_a_specialist_lock_to_record_an_error_and_the_area_is_notified(so):
    """Measured case (CMA-1.3, CMA-2.10): a Service Officer records an error not resolvable in real time on a
    customer locked to a specialist area's position: the follow-up is referred to that position (its lock is not
    taken) and the area's officers are notified."""
    payer = customer()
    pos = intake("DPO", so)
    holder = officer_in(pos)
    tl = OfficerFactory(role=Role.TEAM_LEADER, position__business_area=area("DPO"))
    lock = own_services.customer_lock(actor=tl.user, customer=payer, to_position=pos, reason="DPO intake")
    contact = open_contact(so, payer)
    contact = services.contact_error_record(
        actor=so.user, contact=contact, description="Wrong care percentage applied", apology_given=True,
        complaint_offered=True, resolved_in_real_time=False,
    )
    assert contact.error_outcome == "referred"
    assert Lock.objects.get(customer=payer, is_active=True).pk == lock.pk
    (item,) = open_intrays(payer, type__code="client_contact_required")
    assert item.assignee_position == pos
    (note,) = notifications(holder, NotificationKind.WORK_RECEIVED)
    assert "Error identified" in note["text"]
    assert not notifications(so)


# --- CMA-1.2: a specialist area that locks takes on the common work --------------------------------------------------


def test_a_specialist_area_that_locks_a_customer_takes_on_the_open_common_intrays_with_history(so):
    """Measured case (CMA-1.2): "A specialist area that locks a customer takes on the outstanding common work: the
    customer's open common intrays move to it, with history." Notices about ownership stay where they are."""
    payer = customer()
    other_so = OfficerFactory(role=Role.SERVICE_OFFICER, position__office=so.office)
    common = intray_create(actor=so.user, type_code="client_contact_required", customer=payer,
                           subject="Call back about payments", assignee_officer=other_so, details="Payments query")
    notice = intray_create(actor=so.user, type_code="lock_taken_over", customer=payer, subject="Notice",
                           assignee_officer=other_so)
    due = common.due_date
    ics = specialist("ICS", so.office)
    lock = own_services.customer_lock(actor=ics.user, customer=payer, reason="Intensive collection")
    common.refresh_from_db()
    notice.refresh_from_db()
    assert common.assignee_officer == ics and common.due_date == due  # the service level runs from receipt
    assert notice.assignee_officer == other_so
    moves = AuditEvent.objects.filter(action="intray.reassign", target_id=str(common.pk))
    assert moves.count() == 1
    move = moves.get()
    assert move.before["assignee_officer_id"] == other_so.pk and move.after["assignee_officer_id"] == ics.pk
    assert move.after["follows_lock"] is True and "CMA-1.2" in move.step_ids
    taken = AuditEvent.objects.get(action="ownership.common_work_take_on", customer_id=payer.pk)
    assert taken.after["intrays"] == [common.pk] and taken.target_id == str(lock.pk)
    assert not notifications(ics)  # they locked it themselves: nobody to tell


def test_common_work_moved_to_a_specialist_position_is_announced_to_its_officers(so):
    """CMA-1.2: locked to a specialist *position* by its Team Leader: the common intrays go to the position's
    queue and the officers holding it are told."""
    payer = customer()
    common = intray_create(actor=so.user, type_code="general_follow_up", customer=payer, subject="Follow up",
                           assignee_officer=so)
    pos = intake("ICS", so)
    holder = officer_in(pos)
    tl = OfficerFactory(role=Role.TEAM_LEADER, position__business_area=area("ICS"))
    own_services.customer_lock(actor=tl.user, customer=payer, to_position=pos, reason="ICS intake")
    common.refresh_from_db()
    assert common.assignee_position == pos and common.assignee_officer is None
    assert [i["id"] for i in queue(holder)] == [common.pk]
    (note,) = notifications(holder, NotificationKind.WORK_RECEIVED)
    assert payer.csid in note["text"] and note["link"] == f"/work/intrays/{common.pk}/"


def test_a_common_area_lock_moves_no_intrays(so):
    """CMA-1.2 is about specialist areas: a Service Officer locking leaves other officers' work where it is."""
    payer = customer()
    other_so = OfficerFactory(role=Role.SERVICE_OFFICER, position__office=so.office)
    common = intray_create(actor=so.user, type_code="client_contact_required", customer=payer, subject="Call back",
                           assignee_officer=other_so)
    own_services.customer_lock(actor=so.user, customer=payer, reason="Working it")
    common.refresh_from_db()
    assert common.assignee_officer == other_so


# --- CMA-3.3: re-locking to the officer of an outstanding specialised issue -----------------------------------------


def test_relock_to_the_officer_of_an_outstanding_specialised_issue_creates_their_work_and_moves_both_parents(so):
    """Measured case (CMA-3.3): "re-locking to the officer managing an outstanding specialised issue creates their
    work item and, where both parents are involved, moves both." Before: the lock moved silently and the other
    parent stayed with the officer who let go."""
    case = CaseFactory()
    payer, payee = case.payer, case.payee
    for c in (payer, payee):
        IncomeFactory(customer=c)
    obj = specialist("GENERAL_OBJECTIONS", so.office, username="obj_officer")
    from casework.customers.services import presenting_issue_add

    objection = presenting_issue_add(actor=obj.user, customer=payer, issue_type="objection", case=case,
                                     received_area=area("GENERAL_OBJECTIONS"))
    # The objection officer managed the issue before (lock history: an ended lock in their area), then the Service
    # Officer took both parents for one common issue (CMA-2.10 "lock both").
    Lock.objects.create(customer=payer, area=area("GENERAL_OBJECTIONS"), position=obj.position, officer=obj,
                        reason="Objection", started_at=clock.now(), is_active=False, ended_at=clock.now())
    decision, _ = own_services.parents_lock(actor=so.user, customer=payer, associated_customer=payee,
                                            reason="Care change for both parents")
    assert decision.outcome == "lock_both"
    assert Lock.objects.get(customer=payee, is_active=True).officer == so
    assert not open_intrays(payer, assignee_officer=obj)

    relock = own_services.customer_unlock(actor=so.user, customer=payer, reason="Care change done",
                                          decision_explained=True, contact_attempted=True)
    assert relock.officer == obj and relock.kind == LockKind.RELOCK
    (item,) = open_intrays(payer, type__code="specialised_referral")
    assert item.assignee_officer == obj and list(item.issues.all()) == [objection]
    assert "CMA-3.3" in item.step_ids
    assert item.due_date == working_days_due(item.received_at, 2, office=item.office)
    # Both parents: the payee, held by the same officer for the same work, moves to the objection officer too.
    payee_lock = Lock.objects.get(customer=payee, is_active=True)
    assert payee_lock.officer == obj and payee_lock.kind == LockKind.RELOCK
    texts = [n["text"] for n in notifications(obj, NotificationKind.WORK_RECEIVED)]
    assert any(payer.csid in t for t in texts) and any(payee.csid in t for t in texts)
    assert "ownership.lock" in actions(payee)


# --- CMA-2.10 / CMA-1.4: both parents ----------------------------------------------------------------------------------


def test_parents_in_two_specialist_areas_give_each_area_a_collaborative_work_item(so):
    """CMA-2.10 / CMA-1.4: "Collaborative management" was a label: now each specialist holder receives a work item
    naming the other area, and is told."""
    case = CaseFactory()
    dpo, ics = specialist("DPO", so.office), specialist("ICS", so.office)
    own_services.customer_lock(actor=dpo.user, customer=case.payer, reason="DPO")
    own_services.customer_lock(actor=ics.user, customer=case.payee, reason="ICS")
    decision, _ = own_services.parents_lock(actor=so.user, customer=case.payer, associated_customer=case.payee,
                                            reason="Shared care issue")
    assert decision.outcome == "collaborative"
    (for_dpo,) = open_intrays(case.payer, type__code="collaborative_management")
    (for_ics,) = open_intrays(case.payee, type__code="collaborative_management")
    assert for_dpo.assignee_officer == dpo and for_ics.assignee_officer == ics
    assert "CMA-1.4" in for_dpo.step_ids
    assert notifications(dpo, NotificationKind.COLLABORATION) and notifications(ics, NotificationKind.COLLABORATION)


def test_parent_locked_to_a_specialist_holder_gives_the_holder_the_work(so):
    """CMA-2.10: one parent locked to a specialist area → the other parent is locked to the same holder, who
    receives a Client Contact Required intray and is told."""
    case = CaseFactory()
    dpo = specialist("DPO", so.office)
    own_services.customer_lock(actor=dpo.user, customer=case.payer, reason="DPO")
    decision, locks = own_services.parents_lock(actor=so.user, customer=case.payer, associated_customer=case.payee,
                                                reason="Both parents for the DPO")
    assert decision.outcome == "specialist_area" and locks[1].officer == dpo
    (item,) = open_intrays(case.payee, type__code="client_contact_required")
    assert item.assignee_officer == dpo
    assert notifications(dpo, NotificationKind.WORK_RECEIVED)


def test_common_work_follows_a_specialist_take_over_too(so):
    """CMA-1.2, rule 1 ("how else could someone get here?"): a specialist *taking over* the lock (CMA-2.10) is
    another way of locking the customer to a specialist area, and the common work follows it the same way."""
    from casework.customers.services import presenting_issue_add

    payer = customer()
    own_services.customer_lock(actor=so.user, customer=payer, reason="Working the payments query")
    common = intray_create(actor=so.user, type_code="client_call_back", customer=payer, subject="Call back",
                           assignee_officer=so)
    dpo = specialist("DPO", so.office)
    presenting_issue_add(actor=dpo.user, customer=payer, issue_type="dpo", received_area=area("DPO"))
    lock = own_services.lock_take_over(actor=dpo.user, customer=payer, reason="DPO needs the customer")
    common.refresh_from_db()
    assert lock.officer == dpo and common.assignee_officer == dpo
    assert AuditEvent.objects.filter(action="ownership.common_work_take_on", target_id=str(lock.pk)).exists()


def test_a_ps_customers_specialised_issue_goes_to_the_case_manager_and_stays_with_ps(so):
    """CMA-1.7 / PS-SPE-1: Personalised Services coordinates liaison with the other areas: the front line's
    objection on a customer allocated to PS during the call becomes the Case Manager's work, and the issue is not moved outside PS."""
    payer = customer()
    cm = OfficerFactory(role=Role.PS_CASE_MANAGER, position__business_area=area("PS"), position__office=so.office)
    contact = open_contact(so, payer)
    link = services.contact_issue_add(actor=so.user, contact=contact, issue_type="objection")
    # During the call the customer is allocated to Personalised Services.
    own_services.customer_lock(actor=cm.user, customer=payer, reason="PS allocation")
    services.contact_holistic_advice_record(actor=so.user, contact=contact)  # PS keeps ownership (CMA-1.7)
    finalise(so, contact)
    link.refresh_from_db()
    assert link.referred_intray.assignee_officer == cm and link.referred_area.code == "PS"
    assert link.presenting_issue.status == IssueStatus.OPEN
    assert notifications(cm, NotificationKind.REFERRAL_RECEIVED)

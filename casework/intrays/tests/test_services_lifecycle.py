import datetime as dt
import hashlib

import pytest

from casework.core import clock
from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.intrays import services
from casework.intrays.jobs import sla_breach_job
from casework.intrays.models import CategoryChange, CorrespondenceDocument, Intray, IntrayStatus
from casework.testing.factories import PresentingIssueFactory

pytestmark = pytest.mark.django_db


def make(org, type_code="client_contact_required", **kw):
    kw.setdefault("assignee_officer", org.so)
    return services.intray_create(actor=org.tl.user, type_code=type_code, customer=org.customer,
                                  subject="Work", **kw)


def actions(intray):
    return list(AuditEvent.objects.filter(target_type="intray", target_id=str(intray.pk)).order_by("id")
                .values_list("action", flat=True))


def test_start_then_complete_audited(org, frozen):
    intray = make(org)
    intray = services.intray_start(actor=org.so.user, intray=intray)
    assert intray.status == IntrayStatus.IN_PROGRESS
    intray = services.intray_complete(actor=org.so.user, intray=intray, outcome="Called the customer")
    assert intray.status == IntrayStatus.DONE and intray.outcome == "Called the customer"
    assert actions(intray) == ["intray.create", "intray.start", "intray.complete"]
    done = AuditEvent.objects.get(action="intray.complete", target_id=str(intray.pk))
    assert done.before["status"] == "in_progress" and done.after["status"] == "done"
    assert "CMA-2.10" in done.step_ids


@pytest.mark.parametrize("transition", ["start", "complete"])
def test_another_officer_may_not_work_it(org, frozen, transition):
    intray = make(org)
    with pytest.raises(NotPermitted) as exc:
        getattr(services, f"intray_{transition}")(actor=org.other.user, intray=intray)
    assert "another officer" in exc.value.message
    assert Intray.objects.get(pk=intray.pk).status == IntrayStatus.OPEN


def test_team_leader_may_work_the_team_intray(org, frozen):
    intray = make(org)
    services.intray_complete(actor=org.tl.user, intray=intray, outcome="Done by TL")
    assert Intray.objects.get(pk=intray.pk).status == IntrayStatus.DONE


def test_position_intray_worked_by_an_officer_in_the_position(org, frozen):
    intray = make(org, type_code="crg_referral_to_ps", assignee_officer=None, assignee_position=org.ps_pos)
    with pytest.raises(NotPermitted):
        services.intray_start(actor=org.ps_cm.user, intray=intray)  # the case manager holds another position
    org.ps_cm.position = org.ps_pos
    org.ps_cm.save()
    services.intray_start(actor=org.ps_cm.user, intray=intray)


def test_start_twice_and_closed_refused(org, frozen):
    intray = make(org)
    services.intray_start(actor=org.so.user, intray=intray)
    with pytest.raises(TransitionRefused, match="already in progress"):
        services.intray_start(actor=org.so.user, intray=intray)
    services.intray_complete(actor=org.so.user, intray=intray)
    for call in (services.intray_start, services.intray_complete):
        with pytest.raises(TransitionRefused, match="already done"):
            call(actor=org.so.user, intray=intray)
    with pytest.raises(TransitionRefused, match="already done"):
        services.intray_delete(actor=org.so.user, intray=intray, reason="x")


def test_delete_needs_a_reason_and_is_soft(org, frozen):
    intray = make(org)
    with pytest.raises(InvalidInput) as exc:
        services.intray_delete(actor=org.so.user, intray=intray, reason="  ")
    assert "reason" in exc.value.fields and "CMA-3.5" in exc.value.step_ids
    services.intray_delete(actor=org.so.user, intray=intray, reason="Duplicate of another intray")
    row = Intray.objects.get(pk=intray.pk)
    assert row.status == IntrayStatus.DELETED and row.delete_reason == "Duplicate of another intray"
    assert actions(intray)[-1] == "intray.delete"
    with pytest.raises(TransitionRefused, match="deleted"):
        services.intray_start(actor=org.so.user, intray=intray)


def test_reassign_with_reason_moves_team_and_office(org, frozen):
    intray = make(org)
    with pytest.raises(InvalidInput):
        services.intray_reassign(actor=org.so.user, intray=intray, to_officer=org.other, reason="")
    with pytest.raises(TransitionRefused, match="already with"):
        services.intray_reassign(actor=org.so.user, intray=intray, to_officer=org.so, reason="same")
    with pytest.raises(InvalidInput):
        services.intray_reassign(actor=org.so.user, intray=intray, reason="nobody")
    services.intray_reassign(actor=org.so.user, intray=intray, to_officer=org.other, reason="Customer moved to VIC")
    row = Intray.objects.get(pk=intray.pk)
    assert row.assignee_officer == org.other and row.office == org.melbourne and row.team is None
    assert row.due_date == dt.date(2026, 11, 25)  # the service level runs from receipt
    event = AuditEvent.objects.get(action="intray.reassign", target_id=str(intray.pk))
    assert event.reason == "Customer moved to VIC"
    assert event.before["assignee_officer_id"] == org.so.pk and event.after["assignee_officer_id"] == org.other.pk
    with pytest.raises(NotPermitted):
        services.intray_reassign(actor=org.so.user, intray=row, to_officer=org.so, reason="take it back")


def test_reassign_to_position_checks_receiver(org, frozen):
    intray = make(org, type_code="crg_referral_to_ps", assignee_officer=None, assignee_position=org.ps_pos)
    org.ps_cm.position = org.ps_pos
    org.ps_cm.save()
    with pytest.raises(InvalidInput):
        services.intray_reassign(actor=org.ps_cm.user, intray=intray, to_officer=org.so, reason="wrong area")


def test_ownership_dispute_closed_only_by_team_leader(org, frozen):
    intray = services.intray_create(actor=org.so.user, type_code="ownership_dispute", customer=org.customer,
                                    subject="Dispute", assignee_officer=org.tl)
    services.intray_complete(actor=org.tl.user, intray=intray, outcome="Decided: stays with Services")


def correspondence(org, matters=("Asks for a change of assessment",), issues=(), **kw):
    return services.correspondence_receive(
        actor=org.so.user, customer=org.customer, channel="post", received_on=dt.date(2026, 11, 20),
        category="general", subject="Letter from payer", assignee_officer=org.so,
        documents=[("letter.pdf", b"%PDF-1.4 letter", "application/pdf")], matters=list(matters), issues=issues, **kw,
    )


def test_CMA_1_1_correspondence_received_records_channel_date_category_documents(org, frozen):
    intray = correspondence(org)
    corr = intray.correspondence
    assert (corr.channel, corr.received_on, corr.category) == ("post", dt.date(2026, 11, 20), "general")
    doc = corr.documents.get()
    assert doc.sha256 == hashlib.sha256(b"%PDF-1.4 letter").hexdigest()
    assert doc.file.read() == b"%PDF-1.4 letter" and doc.size == len(b"%PDF-1.4 letter")
    assert intray.due_date is None and "CMA-1.1" in intray.step_ids
    ev = AuditEvent.objects.get(action="correspondence.receive")
    assert ev.after["documents"][0]["sha256"] == doc.sha256
    assert ev.after["matters"] == ["Asks for a change of assessment"]


def test_CMA_1_1_documents_are_immutable(org, frozen):
    doc = correspondence(org).correspondence.documents.get()
    doc.filename = "other.pdf"
    with pytest.raises(PermissionError):
        doc.save()
    with pytest.raises(PermissionError):
        CorrespondenceDocument.objects.filter(pk=doc.pk).update(file="elsewhere")
    with pytest.raises(PermissionError):
        doc.delete()
    second = services.correspondence_document_add(actor=org.so.user, intray=Intray.objects.get(), filename="letter.pdf",
                                                  content=b"second page", content_type="application/pdf")
    assert CorrespondenceDocument.objects.count() == 2 and second.pk != doc.pk


@pytest.mark.parametrize(
    "field,value",
    [("channel", "pigeon"), ("category", "nope"), ("received_on", dt.date(2026, 12, 1)), ("received_on", None)],
    ids=["CMA-1.1-channel", "CMA-1.1-category", "CMA-1.1-future-date", "CMA-1.1-no-date"],
)
def test_CMA_1_1_correspondence_input_refused(org, frozen, field, value):
    args = dict(actor=org.so.user, customer=org.customer, channel="fax", received_on=dt.date(2026, 11, 20),
                category="income", subject="s", assignee_officer=org.so)
    args[field] = value
    with pytest.raises(InvalidInput) as exc:
        services.correspondence_receive(**args)
    # No date at all is reported on received_at (the date and time received; received_on is its date-only form).
    assert (field if value is not None else "received_at") in exc.value.fields
    assert not Intray.objects.exists()


def test_CMA_1_1_CMA_3_5_delete_refused_while_a_matter_is_unaddressed(org, frozen):
    intray = correspondence(org)
    with pytest.raises(TransitionRefused) as exc:
        services.intray_delete(actor=org.so.user, intray=intray, reason="Done")
    assert exc.value.step_ids == ("CMA-1.1", "CMA-3.5")
    assert "change of assessment" in exc.value.message
    with pytest.raises(TransitionRefused):
        services.intray_complete(actor=org.so.user, intray=intray)
    matter = intray.correspondence.matters.get()
    with pytest.raises(TransitionRefused, match="Communicate"):
        services.correspondence_matter_address(actor=org.so.user, matter=matter, outcome="Application sent",
                                               communicated=False)
    with pytest.raises(InvalidInput):
        services.correspondence_matter_address(actor=org.so.user, matter=matter, outcome=" ", communicated=True)
    services.correspondence_matter_address(actor=org.so.user, matter=matter, outcome="CoA form sent", communicated=True)
    with pytest.raises(TransitionRefused, match="already addressed"):
        services.correspondence_matter_address(actor=org.so.user, matter=matter, outcome="x", communicated=True)
    with pytest.raises(InvalidInput):
        services.intray_delete(actor=org.so.user, intray=intray, reason="")
    services.intray_delete(actor=org.so.user, intray=intray, reason="All matters addressed and communicated")
    assert Intray.objects.get(pk=intray.pk).status == IntrayStatus.DELETED


def test_CMA_3_5_linked_presenting_issue_must_be_finalised(org, frozen):
    issue = PresentingIssueFactory(customer=org.customer)
    intray = correspondence(org, matters=(), issues=[issue])
    with pytest.raises(TransitionRefused, match="Payment enquiry"):
        services.intray_delete(actor=org.so.user, intray=intray, reason="Done")
    issue.refer()
    issue.save()
    with pytest.raises(TransitionRefused):
        services.intray_delete(actor=org.so.user, intray=intray, reason="Done")
    issue.finalise()
    issue.save()
    services.intray_complete(actor=org.so.user, intray=intray, outcome="Answered")


def test_CMA_1_1_matter_added_later_blocks_deletion(org, frozen):
    intray = correspondence(org, matters=())
    services.correspondence_matter_add(actor=org.so.user, intray=intray, description="Asks about a debt")
    with pytest.raises(TransitionRefused):
        services.intray_delete(actor=org.so.user, intray=intray, reason="x")
    issue = PresentingIssueFactory(customer=org.customer)
    services.correspondence_matter_add(actor=org.so.user, intray=intray, description="", issue=issue)
    assert list(intray.issues.all()) == [issue]
    with pytest.raises(InvalidInput):
        services.correspondence_matter_add(actor=org.so.user, intray=intray, description=" ")
    with pytest.raises(NotPermitted):
        services.correspondence_matter_add(actor=org.other.user, intray=intray, description="x")


def test_CMA_1_1_recategorise_needs_reason_and_keeps_history(org, frozen):
    intray = correspondence(org)
    with pytest.raises(InvalidInput) as exc:
        services.correspondence_recategorise(actor=org.so.user, intray=intray, category="objection", reason="")
    assert "reason" in exc.value.fields and "CMA-1.1" in exc.value.step_ids
    with pytest.raises(TransitionRefused, match="already has"):
        services.correspondence_recategorise(actor=org.so.user, intray=intray, category="general", reason="x")
    services.correspondence_recategorise(actor=org.so.user, intray=intray, category="objection",
                                         reason="Letter disputes the assessment")
    change = CategoryChange.objects.get()
    assert (change.from_category, change.to_category) == ("general", "objection")
    ev = AuditEvent.objects.get(action="correspondence.recategorise")
    assert ev.before == {"category": "general"} and ev.after == {"category": "objection"}
    with pytest.raises(PermissionError):
        change.delete()


def test_recategorise_only_correspondence(org, frozen):
    with pytest.raises(InvalidInput, match="not correspondence"):
        services.correspondence_recategorise(actor=org.so.user, intray=make(org), category="income", reason="x")


def test_sla_breach_recorded_once_and_team_leader_notified(org, frozen):
    late = make(org)  # due Wed 25 Nov
    on_time = make(org, assignee_officer=org.so2)
    services.intray_complete(actor=org.so2.user, intray=on_time)
    no_sla = make(org, type_code="general_follow_up")
    with clock.freeze(dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)):  # Thu 26 Nov 03:00 Sydney
        assert sla_breach_job() == 1
        assert sla_breach_job() == 0
    late.refresh_from_db()
    assert late.sla_breached_at is not None
    notice = Intray.objects.get(type__code="sla_breach")
    assert notice.assignee_officer == org.tl and notice.related_intray == late and notice.customer == org.customer
    assert AuditEvent.objects.filter(action="intray.sla_breach", target_id=str(late.pk)).count() == 1
    ev = AuditEvent.objects.get(action="intray.create", target_id=str(notice.pk))
    assert ev.actor is None and ev.actor_label == "job:intrays.sla_breach"
    assert Intray.objects.filter(type__code="sla_breach").count() == 1
    assert no_sla.sla_breached_at is None


def test_sla_not_breached_on_the_due_day_in_perth(org, frozen):
    intray = make(org, assignee_officer=org.other)  # Melbourne office, due Wed 25 Nov
    # Wed 25 Nov 12:00 UTC = 23:00 in Melbourne: still the due day.
    with clock.freeze(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)):
        assert sla_breach_job() == 0
    with clock.freeze(dt.datetime(2026, 11, 25, 13, 30, tzinfo=dt.UTC)):  # Thu 00:30 Melbourne
        assert sla_breach_job() == 1
    intray.refresh_from_db()
    assert intray.sla_breached_at is not None
    assert not Intray.objects.filter(type__code="sla_breach").exists()  # no team, no Team Leader to notify


def test_office_closure_data_service(org, frozen):
    from django.contrib.auth import get_user_model

    from casework.org.models import Officer

    admin = get_user_model().objects.create_user("root", "r@example.com", "pass-Word-123", is_staff=True)
    Officer.objects.create(user=admin, role="administrator")
    with pytest.raises(NotPermitted):
        services.office_closure_add(actor=org.so.user, office=org.sydney, date=dt.date(2026, 11, 24), reason="x")
    with pytest.raises(InvalidInput):
        services.office_closure_add(actor=admin, office=org.sydney, state="NSW", date=dt.date(2026, 11, 24), reason="x")
    with pytest.raises(InvalidInput):
        services.office_closure_add(actor=admin, office=org.sydney, date=dt.date(2026, 11, 24), reason=" ")
    closure = services.office_closure_add(actor=admin, office=org.sydney, date=dt.date(2026, 11, 24),
                                          reason="Power outage")
    assert make(org).due_date == dt.date(2026, 11, 26)
    services.office_closure_end(actor=admin, closure=closure, reason="Entered in error")
    assert make(org).due_date == dt.date(2026, 11, 25)
    assert list(AuditEvent.objects.filter(target_type="officeclosure").order_by("id").values_list("action", flat=True)) == [
        "officeclosure.create", "officeclosure.end"]


def test_sla_breach_on_a_team_less_intake_position_notifies_the_area_team_leader(org, frozen):
    from casework.testing.factories import PositionFactory

    intake = PositionFactory(code="SERVICES-syd-intake", office=org.sydney, team=None)
    intray = make(org, assignee_officer=None, assignee_position=intake)
    assert intray.team is None
    with clock.freeze(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)):
        assert sla_breach_job() == 1
    notice = Intray.objects.get(type__code="sla_breach")
    assert notice.assignee_officer == org.tl and notice.related_intray == intray


def test_sla_breach_skips_closed_intrays(org, frozen):
    done = make(org)
    services.intray_complete(actor=org.so.user, intray=done)
    with clock.freeze(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)):
        assert services.intray_sla_breach_record(intray=done) == (False, None)
        assert sla_breach_job() == 0

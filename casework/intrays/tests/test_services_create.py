import datetime as dt

import pytest

from casework.core.errors import InvalidInput, NotPermitted
from casework.core.models import AuditEvent
from casework.intrays import services
from casework.intrays.models import Intray
from casework.org.roles import Role
from casework.testing.factories import OfficerFactory, PresentingIssueFactory, area

pytestmark = pytest.mark.django_db


def test_CMA_2_10_client_contact_required_due_in_two_working_days_audited(org, frozen):
    issue = PresentingIssueFactory(customer=org.customer)
    intray = services.intray_create(
        actor=org.so.user, type_code="client_contact_required", customer=org.customer, subject="Call back re income",
        assignee_officer=org.so2, issues=[issue], details="Follow up needed",
    )
    assert intray.due_date == dt.date(2026, 11, 25)
    assert intray.team == org.team and intray.office == org.sydney
    assert list(intray.issues.all()) == [issue]
    event = AuditEvent.objects.get(action="intray.create", target_id=str(intray.pk))
    assert "CMA-2.10" in event.step_ids
    assert event.customer_id == org.customer.pk
    assert event.after["issues"] == [issue.pk]


def test_PS_REF_2_position_in_victoria_uses_vic_calendar(org, frozen):
    intray = services.intray_create(
        actor=org.so.user, type_code="complaints_referral_to_ps", customer=org.customer, subject="Complaint",
        assignee_position=org.ps_pos,
    )
    assert intray.due_date == dt.date(2026, 12, 2)  # 7 working days after Mon 23 Nov
    assert intray.office == org.melbourne and intray.team == org.ps_team


def test_no_service_level_means_no_due_date(org, frozen):
    intray = services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                                    subject="Follow up", assignee_officer=org.so)
    assert intray.due_date is None


@pytest.mark.parametrize("kwargs", [{}, {"both": True}], ids=["CMA-2.10-no-assignee", "CMA-2.10-two-assignees"])
def test_exactly_one_assignee(org, frozen, kwargs):
    extra = {"assignee_officer": org.so, "assignee_position": org.ps_pos} if kwargs else {}
    with pytest.raises(InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                               subject="x", **extra)
    assert "CMA-2.10" in exc.value.step_ids
    assert not Intray.objects.exists()


def test_PS_REF_1_ps_referral_tl_only_refused_for_a_service_officer(org, frozen):
    with pytest.raises(NotPermitted) as exc:
        services.intray_create(actor=org.so.user, type_code="ps_referral_tl_only", customer=org.customer,
                               subject="Refer", assignee_position=org.ps_pos)
    assert exc.value.step_ids == ("PS-REF-1",)
    assert "Team Leader" in exc.value.message


def test_PS_REF_1_ps_referral_tl_only_created_by_a_team_leader(org, frozen):
    intray = services.intray_create(actor=org.tl.user, type_code="ps_referral_tl_only", customer=org.customer,
                                    subject="Refer", assignee_position=org.ps_pos)
    assert intray.due_date == dt.date(2026, 11, 25)


def test_PS_REF_1_ps_referral_goes_to_the_ps_area(org, frozen):
    with pytest.raises(InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="crg_referral_to_ps", customer=org.customer,
                               subject="CRG", assignee_officer=org.so2)
    assert "PS" in exc.value.message


def test_CMA_1_5_ownership_dispute_goes_to_a_team_leader(org, frozen):
    with pytest.raises(InvalidInput):
        services.intray_create(actor=org.so.user, type_code="ownership_dispute", customer=org.customer,
                               subject="Dispute", assignee_officer=org.so2)
    intray = services.intray_create(actor=org.so.user, type_code="ownership_dispute", customer=org.customer,
                                    subject="Dispute", assignee_officer=org.tl)
    assert intray.assignee_officer == org.tl


def test_unknown_type_and_blank_subject_refused(org, frozen):
    with pytest.raises(InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="nope", customer=org.customer, subject="x",
                               assignee_officer=org.so)
    assert "type_code" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                               subject="  ", assignee_officer=org.so)
    assert "subject" in exc.value.fields


def test_auditor_may_not_create(org, frozen):
    with pytest.raises(NotPermitted):
        services.intray_create(actor=org.auditor.user, type_code="general_follow_up", customer=org.customer,
                               subject="x", assignee_officer=org.so)


def test_issue_of_another_customer_refused(org, frozen):
    issue = PresentingIssueFactory()
    with pytest.raises(InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                               subject="x", assignee_officer=org.so, issues=[issue])
    assert "issues" in exc.value.fields


def test_officer_without_position_cannot_receive(org, frozen):
    loose = OfficerFactory(position=None)
    with pytest.raises(InvalidInput):
        services.intray_create(actor=org.so.user, type_code="general_follow_up", customer=org.customer,
                               subject="x", assignee_officer=loose)


def test_inactive_position_cannot_receive(org, frozen):
    org.ps_pos.is_active = False
    org.ps_pos.save()
    with pytest.raises(InvalidInput):
        services.intray_create(actor=org.so.user, type_code="crg_referral_to_ps", customer=org.customer,
                               subject="x", assignee_position=org.ps_pos)


def test_role_labels_in_receiver_refusal(org, frozen):
    spec = OfficerFactory(role=Role.SPECIALIST_OFFICER, position__business_area=area("DPO"), position__office=org.sydney)
    with pytest.raises(InvalidInput) as exc:
        services.intray_create(actor=org.so.user, type_code="sla_breach", customer=org.customer, subject="x",
                               assignee_officer=spec)
    assert "Team Leader" in exc.value.message

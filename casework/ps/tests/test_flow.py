"""End-to-end service flow: referral → allocation → plan → first contact → segment → finalisation → approval."""

import pytest

from casework.core.models import AuditEvent
from casework.customers.models import IssueStatus as PIStatus
from casework.intrays.models import Intray
from casework.ownership.models import Lock
from casework.ps import services
from casework.ps.models import PsRecord

from .helpers import ATTEST, actions, allocate, first_contact, refer, resolve_all

pytestmark = pytest.mark.django_db


def test_referral_to_finalisation_approved(ps_org):
    org = ps_org
    ref = refer(org)
    assert ref.intray.type.code == "crg_referral_to_ps" and ref.intray.due_date is not None
    rec = allocate(org, referral=ref)
    lock = Lock.objects.get(customer=org.customer, is_active=True)
    assert lock.officer == org.cm and lock.area.code == "PS"
    assert rec.plan.issues.filter(is_mandatory=True, status="recorded").count() == 5
    first_contact(org, rec, follow_up_type="client_call_back")
    assert rec.plan.issues.filter(is_mandatory=True, status="confirmed").count() == 5
    assert Intray.objects.get(pk=ref.intray.pk).status == "done"
    services.segment_set(actor=org.cm.user, ps_record=rec, segment=2, reason="Ombudsman history")
    resolve_all(org, rec)
    services.customer_told_record(actor=org.cm.user, ps_record=rec, summary="Told by phone")
    for i in Intray.objects.filter(customer=org.customer, status__in=("open", "in_progress")):
        from casework.intrays import services as isvc
        isvc.intray_complete(actor=org.cm.user, intray=i, outcome="done")
    req = services.finalisation_request_submit(actor=org.cm.user, ps_record=rec, summary="All done",
                                               attestations=ATTEST)
    assert req.team_leader == org.tl
    assert Lock.objects.get(customer=org.customer, is_active=True).officer == org.tl  # PS-FIN-2 transfer
    services.finalisation_decide(actor=org.tl.user, request=req, approve=True, reason="issues_addressed",
                                 comments="Approved")
    rec.refresh_from_db()
    assert rec.status == "finalised" and not rec.is_active
    assert not Lock.objects.filter(customer=org.customer, is_active=True).exists()
    assert rec.presenting_issue.__class__.objects.get(pk=rec.presenting_issue_id).status == PIStatus.FINALISED
    acts = actions(customer_id=org.customer.pk)
    for a in ("ps_referral.create", "ps_record.create", "ps_contact.record", "ps_segment.set",
              "ps_finalisation.submit", "ps_finalisation.approve", "ownership.unlock"):
        assert a in acts, a

"""Demo locks on the DEMO DATA CONTRACT scenario customers (runs after casework.web.demo). Idempotent.

- ``dpo_payer``: locked to the DPO Team (spec_dpo) for the DPO issue (CMA-1.5 priority 4, payer).
- ``objection_then_dpo``: locked to General Objections (spec_objections) for the objection 30 days ago, then moved
  to the DPO Team by the CMA-1.5 priority order when the DPO issue arrived 5 days ago (history shows both).
  The objections officer disagrees: an ownership dispute (CMA-1.6) raised a day ago waits in the queue of the
  Team Leaders of the two areas (tl_specialist decides it on /approvals/).
- ``restricted_service``: a Personalised Services customer locked to the PS Case Manager ps_cm (PS-SPE-1 banner).
"""

from __future__ import annotations

import datetime as dt

from casework.core import clock
from casework.customers.models import Customer, PresentingIssue
from casework.org.models import Officer

from . import services
from .models import Lock, OwnershipTransfer


def _officer(username: str) -> Officer | None:
    return Officer.objects.select_related("user", "position__business_area").filter(user__username=username).first()


def _customer(name: str) -> Customer | None:
    from casework.web.demo import SCENARIOS

    return Customer.objects.filter(csid=SCENARIOS.get(name, "")).first()


def seed() -> str:
    made = 0
    now = clock.now()
    dpo, obj, ps_cm = _officer("spec_dpo"), _officer("spec_objections"), _officer("ps_cm")

    payer = _customer("dpo_payer")
    if payer is not None and dpo is not None and not Lock.objects.filter(customer=payer).exists():
        issue = PresentingIssue.objects.filter(customer=payer, issue_type__code="dpo").first()
        with clock.freeze(now - dt.timedelta(days=240)):
            services.customer_lock(actor=dpo.user, customer=payer, reason="DPO issued after repeated defaults",
                                   step_ids=("CMA-1.5",), issue=issue)
        made += 1

    both = _customer("objection_then_dpo")
    if both is not None and dpo is not None and obj is not None and not Lock.objects.filter(customer=both).exists():
        objection = PresentingIssue.objects.filter(customer=both, issue_type__code="objection").first()
        dpo_issue = PresentingIssue.objects.filter(customer=both, issue_type__code="dpo").first()
        with clock.freeze(now - dt.timedelta(days=30)):
            services.customer_lock(actor=obj.user, customer=both, reason="Objection to the care decision",
                                   issue=objection)
        with clock.freeze(now - dt.timedelta(days=5)):
            services.customer_lock(actor=dpo.user, customer=both, reason="DPO being considered", issue=dpo_issue)
        made += 2
    if both is not None and obj is not None and not OwnershipTransfer.objects.filter(customer=both).exists():
        from casework.org.models import BusinessArea

        with clock.freeze(now - dt.timedelta(days=1)):
            services.ownership_dispute_raise(
                actor=obj.user, customer=both, to_area=BusinessArea.objects.get(code="GENERAL_OBJECTIONS"),
                expected_contact_volume="The objection brings most of the calls this month",
                time_to_resolve="Objection two weeks; DPO several months",
                reason="Objections and DPO both want the payer")
        disputes = 1
    else:
        disputes = 0

    ps = _customer("restricted_service")
    if ps is not None and ps_cm is not None and not Lock.objects.filter(customer=ps).exists():
        issue = PresentingIssue.objects.filter(customer=ps, issue_type__code="personalised_services").first()
        if issue is None:
            from casework.customers.services import presenting_issue_add

            with clock.freeze(now - dt.timedelta(days=60)):
                issue = presenting_issue_add(actor=ps_cm.user, customer=ps, issue_type="personalised_services",
                                             received_area="PS", description="Managed by PS (restricted service).")
        with clock.freeze(now - dt.timedelta(days=60)):
            services.customer_lock(actor=ps_cm.user, customer=ps, reason="Personalised Services management",
                                   step_ids=("PS-REF-2",), issue=issue)
        made += 1
    return f"{made} demo locks created" + (f", {disputes} ownership dispute waiting" if disputes else "")

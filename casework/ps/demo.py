"""PS demo data (runs after casework.web.demo): a CRG Referral to PS intray for the "ps_candidate" scenario customer,
waiting in the PS Team Leader's queue in Melbourne (PS-REF-1/2). Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from casework.core.errors import DomainError
from casework.customers.models import Customer
from casework.org.models import Position

from .models import Referral


def seed() -> str:
    from casework.web.demo import SCENARIOS

    customer = Customer.objects.filter(csid=SCENARIOS.get("ps_candidate", "")).first()
    referrer = get_user_model().objects.filter(username="so_nsw").first()
    queue = Position.objects.filter(code="ps_tl-pos").first()
    if customer is None or referrer is None or queue is None:
        return "skipped: the web demo organisation and scenarios are not loaded"
    if Referral.objects.filter(customer=customer).exists():
        return "CRG referral already present"
    from . import services

    try:
        ref = services.ps_referral_create(
            actor=referrer, customer=customer, type_code="crg_referral_to_ps", to_position=queue,
            reason="Customer Review Referral Gateway: repeated escalations about the debt and the DPO; "
                   "multiple complaints without resolution.",
        )
    except DomainError as exc:
        return f"skipped: {exc}"
    return f"CRG Referral to PS intray {ref.intray_id} for {customer.csid} in ps_tl's queue"

"""Demo intrays for the demo officers and positions (runs after casework.web.demo). Idempotent.

Some intrays are created "in the past" (the clock is moved back) so the worklists show overdue, due-today and
due-this-week buckets, and the SLA job is run once so Team Leaders see their breach notices.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from casework.core import clock
from casework.customers.models import Customer
from casework.org.models import Officer, Position

from . import services
from .jobs import sla_breach_job
from .models import Intray

MARKER_SUBJECT = "Letter disputing the child support assessment"


def _officer(username: str) -> Officer | None:
    return Officer.objects.select_related("user", "position__office", "position__team").filter(
        user__username=username
    ).first()


def seed() -> str:
    from casework.web.demo import SCENARIOS

    if Intray.objects.filter(subject=MARKER_SUBJECT).exists():
        return "intrays already loaded"
    customers = {name: Customer.objects.filter(csid=csid).first() for name, csid in SCENARIOS.items()}
    so, so_wa, tl, ps_cm, ps_tl = (_officer(u) for u in ("so_nsw", "so_wa", "tl_nsw", "ps_cm", "ps_tl"))
    if not all((so, so_wa, tl, ps_cm, ps_tl)) or not all(customers.values()):
        return "skipped: the web demo organisation or scenarios are missing"
    intake = Position.objects.filter(code="SERVICES-sydney-intake").first()
    ps_intake = Position.objects.filter(code="PS-melbourne-intake").first()
    now = clock.now()
    created = 0

    def make(at: dt.datetime, **kw):
        nonlocal created
        with clock.freeze(at):
            intray = services.intray_create(**kw)
        created += 1
        return intray

    with transaction.atomic():
        days = dt.timedelta(days=1)
        with clock.freeze(now - 3 * days):
            services.correspondence_receive(
                actor=so.user, customer=customers["correspondence_customer"], channel="post",
                received_on=clock.local_date(now - 4 * days, None), category="general", subject=MARKER_SUBJECT,
                assignee_officer=so, sender="The customer",
                documents=[("letter-scan.txt", b"Scanned letter: I disagree with my assessment and my income is "
                            b"wrong. Please also send me a payment summary.", "text/plain")],
                matters=["Disputes the assessment (possible objection)", "Asks for a payment summary"],
            )
            created += 1
        make(now - 8 * days, actor=tl.user, type_code="client_contact_required",
             customer=customers["payer_debt_no_arrangement"], subject="Negotiate a payment arrangement",
             assignee_officer=so, details="Payer called about the debt; no arrangement in place. Call back.")
        make(now, actor=tl.user, type_code="client_contact_required", customer=customers["payer_estimate_income"],
             subject="Confirm the estimated income", assignee_officer=so)
        make(now - 2 * days, actor=so.user, type_code="client_call_back", customer=customers["payee_owed_collection"],
             subject="Call back about collection", assignee_officer=so)
        make(now, actor=so.user, type_code="general_follow_up", customer=customers["payer_ato_income"],
             subject="Check the ATO income was applied", assignee_officer=so)
        if intake is not None:
            make(now - 1 * days, actor=so_wa.user, type_code="client_contact_required",
                 customer=customers["payee_overpayment_debt"], subject="Overpayment query (Sydney intake)",
                 assignee_position=intake)
        make(now, actor=so_wa.user, type_code="client_call_back", customer=customers["payer_overpaid"],
             subject="Explain the overpayment", assignee_officer=so_wa)
        make(now - 1 * days, actor=ps_tl.user, type_code="customer_assigned_to_ps",
             customer=customers["ps_candidate"], subject="Customer assigned to PS", assignee_officer=ps_cm)
        if ps_intake is not None:
            make(now, actor=tl.user, type_code="ps_referral_tl_only", customer=customers["restricted_service"],
                 subject="Referral to Personalised Services (TL)", assignee_position=ps_intake)
    breaches = sla_breach_job()
    return f"{created} intrays created; {breaches} SLA breaches recorded"

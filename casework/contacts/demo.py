"""Demo contacts and letters on the DEMO DATA CONTRACT scenario customers (runs after casework.web.demo). Idempotent.

- ``payer_ato_income``: a finalised phone call two days ago (POI, payment enquiry, explained, finalised) by so_nsw.
- ``correspondence_customer``: an MX1-1 *Request for client to contact* letter (CMA-1.2) from so_nsw.
The scenario ``payer_debt_no_arrangement`` is left untouched for the guided payer call (JOURNEYS 1).
"""

from __future__ import annotations

import datetime as dt

from casework.core import clock
from casework.customers.models import Customer
from casework.letters.models import Letter
from casework.org.models import Officer

from . import services
from .models import Contact


def _customer(name: str) -> Customer | None:
    from casework.web.demo import SCENARIOS

    return Customer.objects.filter(csid=SCENARIOS.get(name, "")).first()


def seed() -> str:
    so = Officer.objects.select_related("user").filter(user__username="so_nsw").first()
    if so is None:
        return "skipped (no so_nsw)"
    made = 0
    customer = _customer("payer_ato_income")
    if customer is not None and not Contact.objects.filter(customer=customer).exists():
        with clock.freeze(clock.now() - dt.timedelta(days=2)):
            contact = services.contact_start(actor=so.user, customer=customer, channel="phone")
            contact = services.contact_poi_confirm(actor=so.user, contact=contact, method="Date of birth and address")
            link = services.contact_issue_add(actor=so.user, contact=contact, issue_type="payment_enquiry",
                                              description="When is the next payment due?")
            services.contact_issue_close(actor=so.user, contact_issue=link, outcome="Payment dates explained")
            services.contact_decision_explained(actor=so.user, contact=contact, customer=customer)
            services.contact_finalise(actor=so.user, contact=contact)
        made += 1
    written = _customer("correspondence_customer")
    if written is not None and not Letter.objects.filter(customer=written).exists():
        from casework.letters.services import letter_issue

        letter_issue(actor=so.user, customer=written, template_code="mx1_1_request_contact",
                     context={"matter": "the letter you sent us"}, step_ids=("CMA-1.2",))
        made += 1
    return f"{made} demo contact(s)/letter(s)"

"""The guided contact screen (server-rendered): POI before case details, refusals shown with step IDs, and the
whole payer call through the forms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casework.contacts.models import Contact, ContactStatus
from casework.customers.models import Note, NoteKind
from casework.ownership.services import customer_lock
from casework.testing.factories import OfficerFactory
from casework.org.roles import Role


@pytest.fixture
def web(so):
    c = Client()
    c.force_login(so.user)
    return c


def post(web, contact, action, data=None):
    return web.post(reverse("contacts:action", args=[contact.pk, action]), data or {}, follow=True)


def test_start_from_customer_then_poi_before_details(web, so, payer_call):
    payer = payer_call["payer"]
    page = web.get(reverse("web:customer", args=[payer.csid]))
    assert reverse("contacts:start", args=[payer.csid]) in page.content.decode()
    r = web.get(reverse("contacts:start", args=[payer.csid]))
    assert r.status_code == 200
    r = web.post(reverse("contacts:start", args=[payer.csid]), {"channel": "phone", "speaker": "customer", "case": payer_call["case"].case_number})
    contact = Contact.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("contacts:contact", args=[contact.pk])
    page = web.get(r["Location"]).content.decode()
    assert "hidden until proof of identity" in page and "Owed by this customer" not in page
    page = post(web, contact, "poi", {"method": "DOB and address"}).content.decode()
    assert "Owed by this customer" in page and "no payment arrangement" in page
    # the customer page offers to continue the open contact
    assert "Continue your open contact" in web.get(reverse("web:customer", args=[payer.csid])).content.decode()


def test_bad_start_shows_the_reason(web, payer_call):
    r = web.post(reverse("contacts:start", args=[payer_call["payer"].csid]), {"channel": "pigeon"})
    # issue 14: the start page again (400, was a redirect), the channel's error linked from the summary
    assert r.status_code == 400 and not Contact.objects.exists()
    assert "There is a problem" in r.content.decode() and 'href="#id_channel"' in r.content.decode()
    assert web.get(reverse("contacts:start", args=["123"])).status_code == 400


def test_whole_payer_call_through_the_screen(web, so, payer_call):
    payer, debt = payer_call["payer"], payer_call["debt"]
    customer_lock(actor=so.user, customer=payer, reason="Working the call", step_ids=("CMA-2.10",))
    web.post(reverse("contacts:start", args=[payer.csid]), {"channel": "phone", "speaker": "customer", "case": payer_call["case"].case_number})
    contact = Contact.objects.get()
    post(web, contact, "poi", {"method": "DOB"})
    page = post(web, contact, "issue", {"issue_type": "debt_enquiry"}).content.decode()
    assert "Debt or letter about a debt" in page and "CMA-1.2" in page
    assert "Payer debt: debt repayment" in page  # MCA path shown (CMA-2.4)
    assert "Payee" not in page.split("Checklist")[1].split("Complete and document")[0]  # only payer points
    page = post(web, contact, "finalise").content.decode()
    assert "Cannot finalise yet" in page and "Missing: MCA" in page
    post(web, contact, "arrangement", {"debt": debt.pk, "instalment": "50", "frequency": "weekly", "start_date": "2026-12-01"})
    from casework.contacts import selectors

    codes = selectors.mca_assessment(Contact.objects.get()).checklist_codes
    post(web, contact, "tick", {"codes": list(codes)})
    page = post(web, contact, "mca-complete").content.decode()
    assert "Documented" in page
    assert Note.objects.filter(customer=payer, kind=NoteKind.COLLECTION).exists()
    link = contact.issues.get()
    post(web, contact, "issue-close", {"link": link.pk, "outcome": "Arrangement agreed", "status": "finalised"})
    post(web, contact, "explained", {"csid": payer.csid, "explained": "yes"})
    page = post(web, contact, "finalise").content.decode()
    assert "Contact finalised" in page
    page = post(web, contact, "unlock", {"reason": "All done"}).content.decode()
    assert "Unlocked by the ownership rules" in page
    assert Contact.objects.get().status == ContactStatus.FINALISED


def test_other_officer_sees_but_cannot_act(web, so, payer_call, reference):
    web.post(reverse("contacts:start", args=[payer_call["payer"].csid]), {"channel": "phone"})
    contact = Contact.objects.get()
    other = OfficerFactory(role=Role.SERVICE_OFFICER)
    c = Client()
    c.force_login(other.user)
    page = c.get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert "Confirm POI" not in page
    r = c.post(reverse("contacts:action", args=[contact.pk, "poi"]), {"method": "DOB"}, follow=True)
    assert "being handled by" in r.content.decode()
    assert c.post(reverse("contacts:action", args=[contact.pk, "nope"])).status_code == 404


def test_anonymous_redirected_to_login(payer_call):
    r = Client().get(reverse("contacts:start", args=[payer_call["payer"].csid]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_mx1_1_and_unique_letter_from_the_customer_page(web, payer_call):
    """CMA-1.2: MX1-1 when the customer cannot be contacted; a unique letter for written-only customers."""
    from casework.letters.models import Letter

    payer = payer_call["payer"]
    url = reverse("contacts:letter_send", args=[payer.csid])
    r = web.post(url, {"template_code": "mx1_1_request_contact", "matter": "your debt"}, follow=True)
    assert "sent and logged" in r.content.decode()
    r = web.post(url, {"template_code": "unique_letter", "heading": "Your arrangement", "body": "First.\n\nSecond."}, follow=True)
    letter = Letter.objects.get(template_code="unique_letter")
    assert letter.source_data["fields"]["paragraphs"] == ["First.", "Second."]
    r = web.post(url, {"template_code": "unique_letter", "body": ""}, follow=True)
    assert "Write the letter" in r.content.decode()
    r = web.post(url, {"template_code": "nope"}, follow=True)
    assert "Choose a letter" in r.content.decode()
    assert Letter.objects.filter(customer=payer).count() == 2

"""Issue 14: every form of the contact pages, posted with an invalid value, comes back as the same page with status
400: what was typed is still in the form, the error summary at the top links to the field, and nothing was written.
MCA ticks not yet saved survive an error in another form of the page (the page's script carries them)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casework.contacts import selectors, services
from casework.contacts.models import Contact, ExternalReferral
from casework.customers.models import IncomeRecord, PaymentArrangement, PresentingIssue

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(so):
    c = Client()
    c.force_login(so.user)
    return c


@pytest.fixture
def contact(so, payer_call):
    """A payer's phone contact with POI confirmed: the MCA section (arrangement, income, checklist) is shown."""
    c = services.contact_start(actor=so.user, customer=payer_call["payer"], channel="phone")
    return services.contact_poi_confirm(actor=so.user, contact=c, method="DOB and address")


def _written(contact) -> tuple:
    """What a refused form must not have changed."""
    contact.refresh_from_db()
    return (contact.arrangement_id, tuple(contact.mca_ticked), contact.error_identified, contact.transfer_kind,
            IncomeRecord.objects.count(), PaymentArrangement.objects.count(), ExternalReferral.objects.count(),
            PresentingIssue.objects.count(), Contact.objects.count())


CASES = [
    # action, posted, typed values that must come back, the field the summary links to
    ("arrangement", {"instalment": "12x", "frequency": "fortnightly", "start_date": "2026-12-03"},
     ['value="12x"', 'value="fortnightly" selected', 'value="2026-12-03"'], "id_arrangement_instalment"),
    ("referral", {"organisation": "Legal Aid NSW", "reason": ""},
     ['value="Legal Aid NSW"'], "id_referral_reason"),
    ("error", {"description": "", "apology_given": "on", "complaint_offered": "on"},
     ['name="apology_given" id="id_error_apology_given" checked',
      'name="complaint_offered" id="id_error_complaint_offered" checked'], "id_error_description"),
    ("issue", {"issue_type": "no_such_issue", "description": "Wants to object to the assessment"},
     ['value="Wants to object to the assessment"'], "id_issue_issue_type"),
    ("poi", {"method": "x" * 201}, ['value="' + "x" * 201 + '"'], "poi-method"),
    ("not-resolved", {"reason": "r" * 2001}, ["r" * 2001 + "</textarea>"], "id_not_resolved_reason"),
]


@pytest.mark.parametrize(("action", "data", "typed", "field_id"), CASES, ids=[c[0] for c in CASES])
def test_invalid_post_rerenders_the_page_with_what_was_typed(web, contact, payer_call, action, data, typed,
                                                             field_id):
    if action == "arrangement":
        data = {**data, "debt": payer_call["debt"].pk}
    if action == "poi":  # POI is offered only until it is confirmed
        contact = services.contact_start(actor=contact.officer.user, customer=payer_call["payee"], channel="phone")
    before = _written(contact)
    r = web.post(reverse("contacts:action", args=[contact.pk, action]), data)
    html = r.content.decode()
    assert r.status_code == 400
    assert "There is a problem" in html and 'role="alert"' in html
    assert f'<a href="#{field_id}">' in html, "the summary links to the field"
    assert f'id="{field_id}"' in html and 'aria-invalid="true"' in html and "Error: " in html
    for value in typed:
        assert value in html, value
    assert _written(contact) == before, "nothing written"


def test_start_form_keeps_the_case_and_links_the_channel(web, payer_call):
    case = payer_call["case"].case_number
    r = web.post(reverse("contacts:start", args=[payer_call["payer"].csid]), {"channel": "pigeon", "case": case})
    html = r.content.decode()
    assert r.status_code == 400 and '<a href="#id_channel">' in html
    assert f'<option value="{case}" selected>' in html
    assert not Contact.objects.exists()


def test_a_refused_transition_is_409_with_the_form_as_typed(web, contact, payer_call):
    """A guard's refusal (not the form's): MCA already documented -> the checklist cannot change (CMA-2.8)."""
    Contact.objects.filter(pk=contact.pk).update(mca_completed_at=contact.poi_confirmed_at)
    r = web.post(reverse("contacts:action", args=[contact.pk, "tick"]), {"codes": ["x"]})
    assert r.status_code == 409 and "CMA-2.8" in r.content.decode()


def test_mca_ticks_carried_with_another_form_survive_its_error(web, contact, payer_call):
    """The officer ticked a checklist point (not saved) and then recorded an arrangement with a bad instalment: the
    page comes back with the point still ticked, marked as not saved yet, and nothing saved."""
    code = selectors.mca_assessment(contact).checklist[0].code
    r = web.post(reverse("contacts:action", args=[contact.pk, "arrangement"]), {
        "debt": payer_call["debt"].pk, "instalment": "12x", "frequency": "weekly", "start_date": "2026-12-03",
        "carry": "1", "carry_codes": [code]})
    html = r.content.decode()
    assert r.status_code == 400
    assert f'name="codes" value="{code}" data-mca-tick checked' in html
    assert 'data-testid="ticks-unsaved"' in html
    contact.refresh_from_db()
    assert contact.mca_ticked == [] and contact.arrangement_id is None
    # without the carried ticks (no script), the saved ticks are shown
    r = web.post(reverse("contacts:action", args=[contact.pk, "arrangement"]), {
        "debt": payer_call["debt"].pk, "instalment": "12x", "frequency": "weekly", "start_date": "2026-12-03"})
    assert f'name="codes" value="{code}" data-mca-tick checked' not in r.content.decode()


def test_mca_ticks_carried_with_another_form_survive_its_success(web, contact, payer_call):
    """The officer ticked a checklist point (not saved) and then recorded an arrangement that succeeded: after the
    redirect the point is still ticked, marked as not saved yet; nothing of the checklist was saved; shown once."""
    code = selectors.mca_assessment(contact).checklist[0].code
    r = web.post(reverse("contacts:action", args=[contact.pk, "arrangement"]), {
        "debt": payer_call["debt"].pk, "instalment": "12.00", "frequency": "weekly", "start_date": "2026-12-03",
        "carry": "1", "carry_codes": [code]}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain, html
    assert f'name="codes" value="{code}" data-mca-tick checked' in html
    assert 'data-testid="ticks-unsaved"' in html
    contact.refresh_from_db()
    assert contact.mca_ticked == [] and contact.arrangement_id is not None
    again = web.get(reverse("contacts:contact", args=[contact.pk])).content.decode()
    assert f'name="codes" value="{code}" data-mca-tick checked' not in again


def test_success_is_a_notification_banner_after_the_redirect(web, contact, payer_call):
    r = web.post(reverse("contacts:action", args=[contact.pk, "referral"]),
                 {"organisation": "Legal Aid NSW", "reason": "Advice", "given": "on"}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain and 'class="notification-banner success"' in html and "data-notification" in html
    assert "External referral recorded." in html

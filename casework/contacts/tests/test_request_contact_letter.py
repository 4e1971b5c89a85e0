"""CMA-1.2 (issue 14): the "please contact us" letter (MX1-1) is for a customer we could not reach. Right after a call
that reached the customer it is neither offered on the customer page nor sent on any path."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.contacts import services
from casework.core import clock
from casework.core.errors import TransitionRefused
from casework.letters import policy
from casework.letters import services as letter_services
from casework.letters.models import Letter
from casework.testing.factories import CustomerFactory

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("last_reached,allowed", [
    pytest.param(None, True, id="CMA-1.2-never-reached"),
    pytest.param(NOW - dt.timedelta(hours=1), False, id="CMA-1.2-reached-an-hour-ago"),
    pytest.param(NOW - dt.timedelta(days=policy.RECENT_CONTACT_DAYS, seconds=1), True, id="CMA-1.2-reached-long-ago"),
])
def test_request_contact_decision(last_reached, allowed):
    decision = policy.request_contact_decision(last_reached=last_reached, now=NOW)
    assert decision.allowed is allowed and decision.step_ids == ("CMA-1.2",)


def _reached(so, customer):
    contact = services.contact_start(actor=so.user, customer=customer, channel="phone")
    services.contact_poi_confirm(actor=so.user, contact=contact, method="Date of birth and address")
    return contact


def test_request_contact_letter_refused_right_after_a_call_that_reached_the_customer(so, client):
    customer = CustomerFactory()
    client.force_login(so.user)
    page = client.get(f"/customers/{customer.csid}/").content.decode()
    assert 'value="mx1_1_request_contact"' in page  # not reached: offered
    letter_services.letter_preview(actor=so.user, customer=customer, template_code="mx1_1_request_contact",
                                   context={})
    _reached(so, customer)
    page = client.get(f"/customers/{customer.csid}/").content.decode()
    assert 'value="mx1_1_request_contact"' not in page and 'id="mx-not-offered"' in page
    with pytest.raises(TransitionRefused) as exc:
        letter_services.letter_issue(actor=so.user, customer=customer, template_code="mx1_1_request_contact",
                                     context={"matter": "your payments"})
    assert exc.value.step_ids == ("CMA-1.2",)
    assert not Letter.objects.filter(customer=customer).exists()
    # the API says the same (409), and a unique letter still goes
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(so.user)
    response = api.post("/api/v1/letters/", {"csid": customer.csid, "template_code": "mx1_1_request_contact"},
                        format="json")
    assert response.status_code == 409 and response.json()["step_ids"] == ["CMA-1.2"]
    letter_services.letter_preview(actor=so.user, customer=customer, template_code="unique_letter",
                                   context={"paragraphs": ["Thank you for your call."]})
    # days later, without a call, it may go again
    with clock.freeze(clock.now() + dt.timedelta(days=policy.RECENT_CONTACT_DAYS + 1)):
        letter_services.letter_preview(actor=so.user, customer=customer, template_code="mx1_1_request_contact",
                                       context={})


def test_letters_are_previewed_before_sending_and_pdfs_open_in_a_new_tab(so, client,
                                                                          django_capture_on_commit_callbacks):
    """Issue 14: the customer page's letter forms post to the preview; "Send" is on the preview page."""
    import re

    customer = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered after commit (issue 15)
        letter = letter_services.letter_issue(actor=so.user, customer=customer, template_code="unique_letter",
                                              context={"paragraphs": ["Thank you for your letter."]})
    client.force_login(so.user)
    page = client.get(f"/customers/{customer.csid}/").content.decode()
    forms = re.findall(r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"[^>]*>'
                       r'\s*<input type="hidden" name="template_code" value="([a-z0-9_]+)"', page)
    assert {code for _, code in forms} == {"mx1_1_request_contact", "unique_letter"}
    assert all(action == f"/customers/{customer.csid}/letters/preview/" for action, _ in forms)
    assert "letters/send/" not in page
    assert f'href="/api/v1/letters/{letter.pk}/pdf/" target="_blank" rel="noopener"' in page
    preview = client.post(f"/customers/{customer.csid}/letters/preview/",
                          {"template_code": "unique_letter", "body": "We have updated your address."})
    html = preview.content.decode()
    assert preview.status_code == 200 and f'action="/customers/{customer.csid}/letters/send/"' in html
    assert "Send this letter" in html

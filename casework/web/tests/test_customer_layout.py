"""Issue 14, customer and contact pages: step IDs behind a "why" disclosure (never in a heading), the CSS that puts
the ownership and contact panels above the notes below 1100 px, wraps long words and prints without the nav.
The browser proves the layout (casework/web/tests/test_journey_1_payer_calls_about_a_letter.py); these prove the
markup and the stylesheet rules without one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from casework.customers import models as cm
from casework.org.roles import Role
from casework.testing.factories import CaseFactory, DebtFactory, IncomeFactory, OfficerFactory

CSS = (Path(__file__).resolve().parents[1] / "static" / "web" / "app.css").read_text()
HEADING_WITH_STEP = re.compile(r"<h[1-4][^>]*>[^<]*(?:<(?!/h)[^>]*>[^<]*)*?(?:CMA|PS)-[A-Z0-9.]+[^<]*</h[1-4]>")


def test_why_tag_renders_step_ids_in_a_closed_disclosure():
    html = Template('{% load web_extras %}{% why "CMA-1.5" ids %}{% why empty %}').render(
        Context({"ids": ("CMA-1.6", "CMA-2.10"), "empty": ()}))
    assert html.startswith('<details class="why"><summary>Why')
    assert "CMA-1.5, CMA-1.6, CMA-2.10" in html and html.count("<details") == 1


@pytest.fixture
def so_client(client, org_reference):
    officer = OfficerFactory(role=Role.SERVICE_OFFICER)
    client.force_login(officer.user)
    return client


def test_customer_page_has_no_step_id_in_any_heading_and_explains_behind_why(so_client):
    case = CaseFactory()
    IncomeFactory(customer=case.payer, source=cm.IncomeSource.ESTIMATE)
    DebtFactory(case=case, debtor=case.payer)
    html = so_client.get(f"/customers/{case.payer.csid}/").content.decode()
    assert not HEADING_WITH_STEP.search(html), HEADING_WITH_STEP.search(html).group(0)
    assert '<details class="why">' in html and 'class="step">CMA-2.2<' in html  # income reliability, behind "why"
    assert '<span class="step">' not in html.replace('<summary>Why', '').split('<details class="why">')[0]


def test_contact_page_headings_carry_no_step_ids(so_client):
    case = CaseFactory()
    IncomeFactory(customer=case.payer)
    response = so_client.post(f"/customers/{case.payer.csid}/contact/", {"channel": "phone"})
    assert response.status_code == 302, response.content[:500]
    html = so_client.get(response["Location"]).content.decode()
    assert "1. Identity</h2>" in html
    assert not HEADING_WITH_STEP.search(html), HEADING_WITH_STEP.search(html).group(0)
    assert '<details class="why">' in html


def test_stylesheet_orders_panels_above_the_notes_wraps_long_words_and_prints_without_nav():
    narrow = re.search(r"@media \(max-width: 1100px\) \{ \.customer-side \{ grid-row:1; \} \.customer-main \{ grid-row:2; \} \}",
                       CSS)
    assert narrow, "below 1100 px the side panels (ownership, contact) must come first"
    assert "overflow-wrap:anywhere" in CSS
    print_block = CSS[CSS.index("@media print"):]
    assert ".topbar" in print_block and "form" in print_block and "display:none" in print_block
    assert "size:A4" in print_block


def test_a_refused_sign_in_keeps_the_username_and_links_the_summary_to_the_password(client, org_reference):
    officer = OfficerFactory(role=Role.SERVICE_OFFICER, user__username="kept_name")
    response = client.post("/login/", {"username": officer.user.username, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="kept_name"' in html
    assert "data-error-summary" in html and 'href="#id_password"' in html


def test_the_first_field_of_start_and_identity_steps_has_autofocus(so_client):
    case = CaseFactory()
    csid = case.payer.csid
    start = so_client.get(f"/customers/{csid}/contact/").content.decode()
    assert re.search(r'<select name="channel"[^>]*autofocus', start)
    contact = so_client.get(so_client.post(f"/customers/{csid}/contact/", {"channel": "phone"})["Location"])
    assert re.search(r'<input[^>]*autofocus[^>]*>|<input[^>]*id="poi-method"[^>]*autofocus', contact.content.decode())

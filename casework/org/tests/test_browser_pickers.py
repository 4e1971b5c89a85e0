"""Issue 14, in Chromium: the officer picker, by keyboard only, on two forms (the new-intray form and an intray's
"Refer to another officer or position"): type 2+ letters, the listbox opens (``aria-expanded``), the arrow key moves
to an option, Enter chooses it (the box shows the name, the form does not submit), and the form then names that
officer. axe on both pages. Screenshots: var/screenshots/i14-picker-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework.intrays.models import Intray
from casework.org.models import Officer


@pytest.fixture
def demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


def _pick_by_keyboard(page, label: str, typed: str, expected: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.focus()
    box.press_sequentially(typed, delay=40)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option", name=expected)).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", listbox.locator("[role=option]").first.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value(expected)
    expect(box).to_have_attribute("aria-expanded", "false")


@pytest.mark.browser
def test_pick_an_officer_by_keyboard_on_two_forms(live_server, browser_page, login, shot, axe_check, demo):
    page = browser_page
    csid = demo.SCENARIOS["payer_debt_no_arrangement"]
    sam = Officer.objects.get(user__username="so_nsw")
    tara = Officer.objects.get(user__username="tl_nsw")
    login(page, "so_nsw", "casework-demo")

    page.goto(f"{live_server.url}/work/new/?csid={csid}")
    page.get_by_label("Type").select_option("client_contact_required")
    page.get_by_label("Subject").fill("Ring the payer back")
    _pick_by_keyboard(page, "Assign to officer (username)", "sam n", "Sam Nguyen (Service Officer, Sydney)")
    assert page.url.endswith(f"/work/new/?csid={csid}")  # Enter chose; it did not submit the form
    axe_check(page, "new intray with the picker")
    shot(page, "i14-picker-new-intray")
    page.get_by_role("button", name="Create intray").click()
    page.wait_for_url(lambda url: "/work/intrays/" in url)
    intray = Intray.objects.filter(customer__csid=csid, subject="Ring the payer back").get()
    assert intray.assignee_officer == sam

    page.locator("summary", has_text="Refer to another officer or position").click()
    _pick_by_keyboard(page, "Officer (username)", "tara", "Tara Lewis (Team Leader, Sydney)")
    page.locator("#id_reassign_reason").fill("Needs a Team Leader's decision")
    axe_check(page, "intray page with the picker")
    shot(page, "i14-picker-refer")
    page.get_by_role("button", name="Refer").click()
    page.get_by_text("Intray referred.").wait_for()
    intray.refresh_from_db()
    assert intray.assignee_officer == tara

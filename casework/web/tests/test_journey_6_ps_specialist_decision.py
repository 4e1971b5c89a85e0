"""Journey 6 (../shared/product/JOURNEYS.md): a specialist decision on a PS customer, PS-SPE-1 and PS-SPE-2.

The demo's PS candidate is actioned into Personalised Services (locked to the Case Manager). The objections officer
opens the customer: the banner says to contact the Case Manager first, and a decision letter is refused until the
consultation is recorded. They record the consultation and the agreed way of communicating the decision (first with
one field missing: everything else typed stays), then send the decision letter (previewed first). The Case Manager
sees the consultation on the PS record. Screenshots: var/screenshots/journey-6-*."""

from __future__ import annotations

import pytest

from casework.core.models import AuditEvent
from casework.testing.browser import assert_focus_on_first_field

PASSWORD = "casework-demo"


@pytest.fixture
def ps_customer(reference):
    from casework.org.models import Officer
    from casework.ps import demo as ps_demo
    from casework.ps import services
    from casework.intrays.models import Intray
    from casework.web import demo as web_demo

    web_demo.seed()
    ps_demo.seed()
    csid = web_demo.SCENARIOS["ps_candidate"]
    intray = Intray.objects.select_related("customer").get(customer__csid=csid, type__code="crg_referral_to_ps")
    tl, cm = Officer.objects.get(user__username="ps_tl"), Officer.objects.get(user__username="ps_cm")
    return services.ps_referral_action(actor=tl.user, customer=intray.customer, case_manager=cm,
                                       referral_source="crg", main_referral_reason="Repeated escalations",
                                       referral_intray=intray,
                                       review={"reviewed_items": ["Case and customer records", "CRG Record notepad"],
                                               "crg_record": "CRG: three escalations"})


def write_letter(page, heading: str, body: str) -> None:
    panel = page.locator("details", has_text="Write to the customer")
    panel.locator("summary").click()
    form = panel.locator("form", has=page.locator("input[value=unique_letter]"))
    form.get_by_label("Heading").fill(heading)
    form.get_by_label("Letter (blank line between paragraphs)").fill(body)
    form.get_by_role("button", name="Preview the letter").click()


@pytest.mark.browser
def test_journey_6_specialist_consults_the_case_manager_before_the_decision(
        live_server, browser_page, login, shot_widths, axe_check, ps_customer):
    from casework.notifications.models import Notification
    from casework.ownership.models import SpecialistConsultation

    rec, page, base = ps_customer, browser_page, live_server.url
    csid = rec.customer.csid
    cm_name = rec.case_manager.display_name

    login(page, "spec_objections", PASSWORD)
    page.goto(f"{base}/customers/{csid}/")
    banner = page.get_by_role("note", name="Personalised Services")
    assert "contact the PS Case Manager" in banner.inner_text() and cm_name in banner.inner_text()
    axe_check(page, "PS customer, before the consultation")
    shot_widths(page, "journey-6-01-banner")

    # Not yet: the decision letter waits for the consultation (PS-SPE-1).
    write_letter(page, "Decision on your objection", "We have decided your objection about the care decision.")
    page.locator("[data-error-summary]").wait_for()
    assert "PS-SPE-1" in page.locator("[data-error-summary]").inner_text()
    shot_widths(page, "journey-6-02-refused-before-consultation")

    # The consultation, first with its summary missing: what was typed stays.
    page.get_by_text("Record the consultation with the PS Case Manager").click()
    form = page.get_by_role("form", name="Record consultation")
    form.get_by_label("Agreed communication approach").fill("Case Manager calls first, then the letter is sent")
    form.get_by_label("Who communicates the decision").fill("PS Case Manager")
    form.get_by_label("Regular updates").fill("Weekly by phone")
    form.get_by_label("Face-to-face").check()
    form.get_by_role("button", name="Record consultation").click()
    page.locator("[data-error-summary]").wait_for()
    form = page.get_by_role("form", name="Record consultation")
    assert form.get_by_label("Agreed communication approach").input_value() == \
        "Case Manager calls first, then the letter is sent"
    assert form.get_by_label("Who communicates the decision").input_value() == "PS Case Manager"
    assert form.get_by_label("Regular updates").input_value() == "Weekly by phone"
    assert form.get_by_label("Face-to-face").is_checked()
    axe_check(page, "consultation refused")
    shot_widths(page, "journey-6-03-consultation-error")
    # By keyboard only: from the focused error summary to its link, which moves focus to the field; then submit.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.name") == "summary"
    page.keyboard.type("Discussed the objection decision with the Case Manager; agreed the approach.")
    for _ in range(5):  # approach, who communicates, regular updates, face-to-face, then the button
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Record consultation"
    page.keyboard.press("Enter")
    page.locator("[data-notification]").wait_for()
    assert "Consultation with the PS Case Manager recorded" in page.locator("[data-notification]").inner_text()
    shot_widths(page, "journey-6-04-consultation-recorded")

    # Only now: the decision, previewed then sent.
    write_letter(page, "Decision on your objection", "We have decided your objection about the care decision.")
    page.get_by_role("heading", name="Preview: ").wait_for()
    axe_check(page, "decision letter preview")
    shot_widths(page, "journey-6-05-decision-preview")
    page.get_by_role("button", name="Send this letter").click()
    page.locator("[data-notification]").wait_for()
    assert "sent" in page.locator("[data-notification]").inner_text()
    page.get_by_role("button", name="Sign out").click()

    # The Case Manager sees the consultation on the PS record.
    login(page, "ps_cm", PASSWORD)
    page.goto(f"{base}/ps/records/{rec.pk}/")
    consultations = page.locator("#specialists")
    assert "Discussed the objection decision" in consultations.inner_text()
    assert "Case Manager calls first" in consultations.inner_text()
    axe_check(page, "PS record with the consultation")
    shot_widths(page, "journey-6-06-case-manager-sees-it")

    consultation = SpecialistConsultation.objects.get(customer=rec.customer)
    assert consultation.ps_case_manager_id == rec.case_manager_id and consultation.face_to_face
    assert AuditEvent.objects.filter(action="ownership.consultation_record", customer_id=rec.customer_id).exists()
    assert AuditEvent.objects.filter(action="letter.issue", customer_id=rec.customer_id).exists()
    assert Notification.objects.filter(recipient=rec.case_manager.user).exists()

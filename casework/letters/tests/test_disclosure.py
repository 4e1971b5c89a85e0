"""Issue 13, disclosure control: nothing internal (PS-CON-4, CMA-1.6) and nothing of another customer reaches a
letter, however it is reworded; refusals name the kind of information, never the text.

Measured cases (issue 13, each failed on the code before this change):
* test_measured_ps_indicator_silent_address_to_other_parent_refused (API 201 + address in the PDF before)
* test_measured_eight_attempts_all_refused (5 of 8 leaked before: reworded/abbreviated address, reworded note)
* test_measured_2000_paragraph_letter_refused (14 s of CPU and 462 pages before)
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casework.core.errors import InvalidInput
from casework.core.models import AuditEvent
from casework.customers import services as customer_services
from casework.customers.models import Note, NoteKind, SensitiveIssueIndicator, SensitiveReason
from casework.letters import disclosure, leak_corpus, policy, services
from casework.letters.disclosure import Protected
from casework.letters.models import Letter
from casework.org.roles import Role
from casework.testing.factories import CaseFactory, CustomerFactory, OfficerFactory

SILENT = "14 Wattle Crescent\nDubbo NSW 2830"
CONDITIONS = "Silent address: 14 Wattle Crescent, Dubbo NSW 2830. Never disclose her location to the payer."
NOTE = "Payer now works at Acme Logistics Pty Ltd in Tamworth. Consider a garnishee notice to the employer."


# --- normalisation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("14 Wattle Cr., DUBBO", ["14", "wattle", "crescent", "dubbo"]),
        ("wattle cres", ["wattle", "crescent"]),
        ("1 George St", ["1", "george", "street"]),
        ("Mt Druitt Rd", ["mount", "druitt", "road"]),
        ("Garnishing", ["garnishee"]),
        ("Émile & Zoë", ["emile", "and", "zoe"]),
    ],
)
def test_tokens_fold_case_punctuation_accents_and_street_types(text, expected):
    """PS-CON-4: matching survives case, punctuation and street-type abbreviations."""
    assert disclosure.tokens(text) == expected


# --- the pure check, one case per matching clause (PS-CON-4 / CMA-1.6) --------------------------------------------

ADDR = Protected(disclosure.ADDRESS, "3 Banksia Road\nOrange NSW 2800")
SILENT_ADDR = Protected(disclosure.SILENT_ADDRESS, SILENT)
IND = Protected(disclosure.INDICATOR, f"Family violence\n{CONDITIONS}")
NOTE_ITEM = Protected(disclosure.INTERNAL_NOTE, f"Employment\n{NOTE}")
OWN = Protected(disclosure.OWNERSHIP, "ownership transfer\nICS is better placed to manage the overseas income")
NAME = Protected(disclosure.NAME, "Jane Citizen", given="Jane", family="Citizen")
PHONE = Protected(disclosure.CONTACT, "0412 345 678")
EMAIL = Protected(disclosure.CONTACT, "jane.citizen@example.com")


@pytest.mark.parametrize(
    "texts,item,kind",
    [
        pytest.param(["She lives at 3 Banksia Rd."], ADDR, "address", id="PS-CON-4-other-customer-street-abbreviated"),
        pytest.param(["Now in Orange NSW 2800"], ADDR, "address", id="PS-CON-4-suburb-and-postcode"),
        pytest.param(["Banksia", "Orange"], ADDR, "address", id="PS-CON-4-street-name-and-suburb-split-paragraphs"),
        pytest.param(["She moved to Dubbo."], SILENT_ADDR, "silent_address", id="PS-CON-4-silent-suburb-alone"),
        pytest.param(["At 14 Wattle now"], SILENT_ADDR, "silent_address", id="PS-CON-4-number-and-street-name"),
        pytest.param(["WATTLE CR / DUBBO"], IND, "indicator", id="PS-CON-4-address-inside-indicator-conditions"),
        pytest.param(["We know about the family violence."], IND, "indicator", id="PS-CON-4-indicator-reason-vocabulary"),
        pytest.param(["You work for ACME LOGISTICS."], NOTE_ITEM, "internal_note", id="PS-CON-4-employer-entity"),
        pytest.param(["Your job at acme is noted."], NOTE_ITEM, "internal_note", id="PS-CON-4-employer-distinctive-word"),
        pytest.param(["We may garnish your wages."], NOTE_ITEM, "internal_note", id="PS-CON-4-garnishee-wording"),
        pytest.param([NOTE], NOTE_ITEM, "internal_note", id="PS-CON-4-whole-clause"),
        pytest.param(["ICS is better placed to help."], OWN, "ownership", id="CMA-1.6-ownership-shared-wording"),
        pytest.param(["Ownership of your case moved."], OWN, "ownership", id="CMA-1.6-ownership-vocabulary"),
        pytest.param(["Ms Citizen asked us."], NAME, "name", id="PS-CON-4-other-party-title-family"),
        pytest.param(["J. Citizen asked us."], NAME, "name", id="PS-CON-4-other-party-initial-family"),
        pytest.param(["jane citizen asked us."], NAME, "name", id="PS-CON-4-other-party-full-name"),
        pytest.param(["Call 0412345678"], PHONE, "contact", id="PS-CON-4-other-party-phone"),
        pytest.param(["Call +61 412 345 678"], PHONE, "contact", id="PS-CON-4-other-party-phone-international"),
        pytest.param(["Mail JANE.CITIZEN@EXAMPLE.COM"], EMAIL, "contact", id="PS-CON-4-other-party-email"),
    ],
)
def test_check_refuses_each_clause_naming_the_kind_without_echoing(texts, item, kind):
    result = disclosure.check_texts(texts, [item])
    assert not result.allowed
    assert result.kinds() == [kind]
    assert disclosure.KIND_LABELS[kind] in result.decision.reason
    assert "PS-CON-4" in result.decision.step_ids
    if kind == "ownership":
        assert "CMA-1.6" in result.decision.step_ids
    for secret in ("Wattle", "Dubbo", "Banksia", "Orange", "Acme", "Citizen", "0412", "ICS"):
        assert secret.lower() not in result.decision.reason.lower()


@pytest.mark.parametrize(
    "texts,item",
    [
        pytest.param(["Your income was updated."], NOTE_ITEM, id="PS-CON-4-ordinary-letter-allowed"),
        pytest.param(["Please send payslips from your employer."], NOTE_ITEM, id="PS-CON-4-employer-word-alone-allowed"),
        pytest.param(["Our Sydney office is open."], ADDR, id="PS-CON-4-other-suburb-allowed"),
        pytest.param(["You live in Orange."], ADDR, id="PS-CON-4-non-silent-suburb-alone-allowed"),
        pytest.param(["Call us on 131 272."], PHONE, id="PS-CON-4-agency-phone-allowed"),
        pytest.param(["Dear Mr Rivers"], NAME, id="PS-CON-4-recipient-name-allowed"),
    ],
)
def test_check_allows_legitimate_text(texts, item):
    assert disclosure.check_texts(texts, [item]).allowed


def test_public_names_are_not_secrets_of_an_internal_text():
    """The recipient's own name (or the signing officer's) in an internal note does not block their letter."""
    item = Protected(disclosure.INTERNAL_NOTE, "Spoke with Sam Rivers about Casey Manager's plan")
    assert not disclosure.check_texts(["Dear Sam Rivers"], [item]).allowed
    assert disclosure.check_texts(["Dear Sam Rivers"], [item], public_names=["Sam Rivers"]).allowed


# --- fixtures: the measured world ---------------------------------------------------------------------------------


@pytest.fixture
def world(reference):
    officer = OfficerFactory(role=Role.SERVICE_OFFICER)
    payer = CustomerFactory(given_names="Sam", family_name="Rivers", postal_address="2 Ocean Street\nBondi NSW 2026")
    victim = CustomerFactory(given_names="Jane", family_name="Citizen", postal_address=SILENT,
                             postal_address_is_silent=True)
    case = CaseFactory(payer=payer, payee=victim)
    # A PS sensitive indicator (PS-CON-4) on the OTHER parent whose conditions hold the silent address.
    SensitiveIssueIndicator.objects.create(customer=victim, reason=SensitiveReason.FAMILY_VIOLENCE,
                                           conditions=CONDITIONS)
    Note.objects.create(customer=payer, kind=NoteKind.INTERNAL, subject="Employment", body=NOTE,
                        author=officer.user, created_at=timezone.now())
    api = APIClient()
    api.force_authenticate(officer.user)
    return {"officer": officer, "payer": payer, "victim": victim, "case": case, "api": api}


def _unique(world, paragraphs, url="/api/v1/letters/"):
    return world["api"].post(url, {
        "csid": world["payer"].csid, "template_code": "unique_letter", "case_number": world["case"].case_number,
        "context": {"heading": "Your child support", "paragraphs": paragraphs},
    }, format="json")


def test_measured_ps_indicator_silent_address_to_other_parent_refused(world):
    """Measured (issue 13): the indicator's conditions pasted into a unique letter to the other parent were 201 with
    the address in the PDF. Now 400 with a field message, PS-CON-4, the kind named and nothing stored."""
    r = _unique(world, [f"Please note: {CONDITIONS}"])
    assert r.status_code == 400, r.json()
    body = r.json()
    assert "PS-CON-4" in body["step_ids"] and body["code"] == "disclosure_refused"
    assert "paragraphs" in body and "context" in body
    assert "sensitive issue indicator" in body["detail"] or "protected" in body["detail"]
    assert "Wattle" not in str(body) and "Dubbo" not in str(body)
    assert not Letter.objects.exists()
    event = AuditEvent.objects.get(action="letter.disclosure_refused")
    assert event.customer_id == world["payer"].pk and "Wattle" not in str(event.after)


@pytest.mark.parametrize(
    "paragraphs",
    [
        pytest.param([CONDITIONS], id="verbatim"),
        pytest.param(["Her address is Wattle Cr / Dubbo."], id="abbreviated-Cr"),
        pytest.param(["She lives at 14 wattle cres, dubbo"], id="lower-case-Cres"),
        pytest.param(["The other parent now lives in Dubbo 2830."], id="suburb-postcode"),
        pytest.param(["Your ex lives at 14 Wattle", "Crescent."], id="split-paragraphs"),
        pytest.param(["We know you work for Acme Logistics in Tamworth."], id="employer-reworded"),
        pytest.param(["We will send a garnishee notice to your boss."], id="garnishee-reworded"),
        pytest.param(["Ms Citizen has a family violence flag."], id="other-parent-name"),
    ],
)
def test_measured_eight_attempts_all_refused(world, paragraphs):
    """Measured (issue 13): 5 of these 8 kinds of attempt leaked; now every one is a 400 (PS-CON-4)."""
    r = _unique(world, paragraphs)
    assert r.status_code == 400, r.json()
    assert "PS-CON-4" in r.json()["step_ids"]
    assert not Letter.objects.exists()


def test_measured_2000_paragraph_letter_refused(world):
    """Measured (issue 13): 2,000 paragraphs took 14 s of CPU and made 462 pages; now a 400 with a field message."""
    r = _unique(world, [f"Paragraph {i} about your payments." for i in range(2000)])
    assert r.status_code == 400
    assert "paragraphs" in r.json()
    assert not Letter.objects.exists()


def test_size_limits_enforced_by_the_service_on_every_path(world):
    """Bypass: a caller that skips the API serializer (web, job, another app) gets the same refusal."""
    for context in (
        {"paragraphs": ["x"] * (policy.MAX_ITEMS + 1)},
        {"paragraphs": ["x" * (policy.MAX_FIELD_CHARS + 1)]},
        {"paragraphs": ["x" * policy.MAX_FIELD_CHARS] * (policy.MAX_TOTAL_CHARS // policy.MAX_FIELD_CHARS + 1)},
    ):
        with pytest.raises(InvalidInput) as exc:
            services.letter_issue(actor=world["officer"].user, customer=world["payer"], template_code="unique_letter",
                                  context=context)
        assert exc.value.fields
    assert not Letter.objects.exists()


def test_openapi_schema_states_the_limits(world):
    schema = world["api"].get("/api/v1/schema/", {"format": "json"}).json()
    issue = schema["components"]["schemas"]["LetterIssueRequest"]["properties"]
    assert issue["paragraphs"]["maxItems"] == policy.MAX_ITEMS
    assert issue["paragraphs"]["items"]["maxLength"] == policy.MAX_FIELD_CHARS
    assert str(policy.MAX_TOTAL_CHARS) in issue["context"]["description"]
    doc = schema["components"]["schemas"]["DocumentInRequest"]["properties"]
    assert "maxLength" in doc["content_base64"] and "MB" in doc["content_base64"]["description"]


def test_clean_letter_issued_and_prints_the_recipients_own_address_only(world):
    r = _unique(world, ["Your payment arrangement of $50 per week starts on 5 January 2027."])
    assert r.status_code == 201, r.json()
    letter = Letter.objects.get()
    assert letter.source_data["customer"]["postal_address"] == world["payer"].postal_address
    assert "Wattle" not in letter.html and "Dubbo" not in letter.html


def test_silent_address_is_printed_to_its_owner(world):
    """A silent address is printed only to its owner: a letter to the victim carries her own address."""
    letter = services.letter_issue(actor=world["officer"].user, customer=world["victim"],
                                   template_code="unique_letter", context={"paragraphs": ["Your income was updated."]})
    assert "Wattle Crescent" in letter.html


def test_silent_flag_set_through_the_customer_service_and_audited(world):
    customer = CustomerFactory(postal_address="7 Acacia Place\nWagga Wagga NSW 2650")
    customer_services.customer_update(actor=world["officer"].user, customer=customer, reason="FV: silent address",
                                      postal_address_is_silent=True)
    customer.refresh_from_db()
    assert customer.postal_address_is_silent is True
    event = AuditEvent.objects.filter(action="customer.update", target_id=str(customer.pk)).latest("id")
    assert event.after == {"postal_address_is_silent": True} and event.reason == "FV: silent address"
    # Now on a case with the payer: its suburb alone may not be written to the payer.
    CaseFactory(payer=world["payer"], payee=customer)
    with pytest.raises(InvalidInput) as exc:
        services.letter_issue(actor=world["officer"].user, customer=world["payer"], template_code="unique_letter",
                              context={"paragraphs": ["The other parent moved to Wagga Wagga."]})
    assert "silent" in exc.value.message


def test_silent_flag_via_customer_api(world):
    customer = CustomerFactory()
    r = world["api"].patch(f"/api/v1/customers/{customer.csid}/", {"postal_address_is_silent": True, "reason": "FV"},
                           format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["postal_address_is_silent"] is True


def test_every_case_the_recipient_shares_is_checked(world):
    """Another customer on the recipient's SECOND case is protected too (address, internal note)."""
    other = CustomerFactory(given_names="Maria", family_name="Lopez", postal_address="3 Banksia Road\nOrange NSW 2800")
    CaseFactory(payer=world["payer"], payee=other)
    Note.objects.create(customer=other, kind=NoteKind.INTERNAL, subject="Landlord",
                        body="Dispute with her landlord Orange Hills Realty", author=world["officer"].user,
                        created_at=timezone.now())
    for paragraphs in (["She is at 3 Banksia Rd."], ["We know about Orange Hills Realty."]):
        assert _unique(world, paragraphs).status_code == 400


def test_ownership_transfer_reason_refused_cma_1_6(world):
    from casework.org.models import BusinessArea
    from casework.ownership.models import OwnershipTransfer, TransferStatus

    area = BusinessArea.objects.order_by("pk").first()
    OwnershipTransfer.objects.create(
        customer=world["victim"], from_area=area, to_area=area, status=TransferStatus.AGREED,
        expected_contact_volume="High", time_to_resolve="Months", raised_at=timezone.now(),
        raised_by=world["officer"].user, reason="Payer keeps calling; ICS better placed to manage overseas income",
    )
    r = _unique(world, ["ICS is better placed to manage your overseas income."])
    assert r.status_code == 400 and "CMA-1.6" in r.json()["step_ids"]
    assert "ownership" in r.json()["detail"]


# --- preview: API and web run the same check -------------------------------------------------------------------


def test_preview_api_refuses_the_same_and_stores_nothing(world):
    r = _unique(world, ["Her address is Wattle Cr / Dubbo."], url="/api/v1/letters/preview/")
    assert r.status_code == 400 and "PS-CON-4" in r.json()["step_ids"]
    r = _unique(world, ["Your income was updated."], url="/api/v1/letters/preview/")
    assert r.status_code == 200, r.json()
    assert "Your income was updated." in r.json()["html"] and "CMA-1.2" in r.json()["step_ids"]
    assert not Letter.objects.exists()


def test_web_preview_and_send_refuse_the_same(world):
    web = Client()
    web.force_login(world["officer"].user)
    csid = world["payer"].csid
    leak = {"template_code": "unique_letter", "heading": "Hi", "body": "First.\n\nShe lives at wattle cres, dubbo."}
    r = web.post(reverse("contacts:letter_preview", args=[csid]), leak, follow=True)
    page = r.content.decode()
    assert "PS-CON-4" in page and "protected" in page and "wattle" not in page.lower()
    r = web.post(reverse("contacts:letter_send", args=[csid]), leak, follow=True)
    assert "PS-CON-4" in r.content.decode()
    assert not Letter.objects.exists()
    ok = {"template_code": "unique_letter", "heading": "Hi", "body": "Your income was updated."}
    r = web.post(reverse("contacts:letter_preview", args=[csid]), ok)
    assert r.status_code == 200 and "Send this letter" in r.content.decode()
    assert not Letter.objects.exists()
    too_many = {"template_code": "unique_letter", "body": "\n\n".join(["para"] * (policy.MAX_ITEMS + 1))}
    r = web.post(reverse("contacts:letter_send", args=[csid]), too_many, follow=True)
    assert f"at most {policy.MAX_ITEMS} paragraphs" in r.content.decode()
    assert not Letter.objects.exists()


# --- the red-team corpus ----------------------------------------------------------------------------------------


def test_leak_corpus_zero_leaks_zero_false_positives(reference):
    """PS-CON-4 / CMA-1.6: at least 30 attempts, 0 leaks; the legitimate letters are never refused."""
    result = leak_corpus.run()
    assert result.attempts >= 30 and result.legitimate >= 10
    assert result.leaks == [] and result.refused == []
    assert not Letter.objects.exists()


def test_leak_corpus_command_prints_one_line(reference):
    out = io.StringIO()
    call_command("leak_corpus", stdout=out)
    line = out.getvalue().strip()
    assert line == (f"leak corpus: {len(leak_corpus.ATTEMPTS)} attempts, 0 leaks, "
                    f"{len(leak_corpus.LEGITIMATE)} legitimate, 0 refused")

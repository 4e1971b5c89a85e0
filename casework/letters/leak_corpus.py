"""Red-team corpus for disclosure control (issue 13): letters that try to leak, and legitimate letters.

``run()`` builds a small world inside a transaction that is always rolled back (nothing is left behind), then sends
every attempt through ``disclosure.check_for_recipient`` -- the check ``letters.services`` calls for every letter and
preview -- after the template's allow-list (``policy.filter_context``). It returns the figures that
``manage.py leak_corpus`` (and ``scripts/leak-corpus``, called by ``make security``) prints:
``leak corpus: 35 attempts, 0 leaks, 14 legitimate, 0 refused``.

The world: payer Sam Rivers (the recipient of every letter) shares case 1 with payee Jane Citizen, a family-violence
victim with a silent address and a PS-CON-4 indicator whose conditions repeat it, and case 2 with Maria Lopez (address
not silent, an internal note about her landlord). Sam has an internal note (his employer, a garnishee) and a
security-incident indicator; case 1 has an ownership transfer whose reason is internal (CMA-1.6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SILENT_ADDRESS = "14 Wattle Crescent\nDubbo NSW 2830"
OWN_ADDRESS = "2 Ocean Street\nBondi NSW 2026"
INDICATOR_CONDITIONS = (
    "Silent address: 14 Wattle Crescent, Dubbo NSW 2830. Payee fled to a refuge; never disclose her location or "
    "phone to the payer."
)
EMPLOYER_NOTE = (
    "Payer now works at Bunnings Warehouse Tamworth (started October). Consider a garnishee notice to the employer if "
    "the November payment is missed."
)
SECURITY_CONDITIONS = "Customer threatened staff at the Dubbo service centre on 3 November; two officers present."
OWNERSHIP_REASON = (
    "Services cannot manage the contact volume: ICS is better placed to manage the overseas income and the objection "
    "that is outstanding."
)
LOPEZ_NOTE = "Maria Lopez is in a dispute with her landlord, Orange Hills Realty, about unpaid rent."

# (label, paragraphs) -- every one of these must be refused.
ATTEMPTS: list[tuple[str, list[str]]] = [
    ("exact silent address", ["Your former partner now lives at 14 Wattle Crescent, Dubbo NSW 2830."]),
    ("lower case, Cres abbreviation", ["she has moved to 14 wattle cres dubbo"]),
    ("upper case, Cr / suburb", ["WATTLE CR / DUBBO"]),
    ("Cr. with punctuation", ["The payee's address is Wattle Cr., Dubbo."]),
    ("postcode and suburb only", ["The other parent is now in Dubbo 2830."]),
    ("street split across paragraphs", ["Your ex lives at 14 Wattle", "Crescent in town."]),
    ("suburb of a silent address alone", ["She relocated to Dubbo last month."]),
    ("number and street name without type", ["Letters to her go to 14 Wattle now."]),
    ("indicator wording reworded (refuge)", ["The payee went to a refuge and you will not be told where she is."]),
    ("family violence named", ["We are aware of family violence concerns on your case."]),
    ("FV abbreviation", ["Because of the FV flag we cannot tell you more."]),
    ("indicator pasted whole", [INDICATOR_CONDITIONS]),
    ("other parent: title and family name", ["Ms Citizen has asked us to review the care percentage."]),
    ("other parent: full name", ["jane citizen told us about the children."]),
    ("other parent: initial", ["J. Citizen disagrees with the assessment."]),
    ("other parent: family, given", ["CITIZEN, Jane is the payee."]),
    ("other parent's mobile", ["You can call her on 0412 345 678."]),
    ("other parent's mobile, +61 form", ["Her number is +61 412 345 678."]),
    ("other parent's e-mail", ["Write to her at Jane.Citizen@example.com."]),
    ("employer from an internal note", ["We know you work at Bunnings Warehouse Tamworth."]),
    ("employer reworded, one word", ["Your job at the Tamworth store of bunnings is on our records."]),
    ("employer split across paragraphs", ["Our records show you are employed by Bunnings", "Warehouse."]),
    ("employer upper case", ["BUNNINGS WAREHOUSE has been asked for your pay details."]),
    ("garnishee wording", ["We may issue a garnishee notice to your employer."]),
    ("garnishing reworded", ["We are considering garnishing your wages."]),
    ("garnish abbreviated reworded", ["A notice to garnish your pay may be sent."]),
    ("own security indicator reworded", ["Following the incident where you threatened our staff, call us only."]),
    ("security incident named", ["Because of the security incident you may only write to us."]),
    ("ownership reason reworded", ["ICS is better placed to manage your overseas income."]),
    ("ownership transfer mentioned", ["Ownership of your case is being moved because of the contact volume."]),
    ("second case: other customer's street", ["The other parent on your second case lives on Banksia Rd."]),
    ("second case: name and suburb", ["Ms Lopez lives in Orange."]),
    ("second case: suburb and postcode", ["That parent is at Orange NSW 2800."]),
    ("second case: internal note (landlord)", ["We know about the Orange Hills Realty rent problem."]),
    ("second case: internal note reworded", ["Her landlord dispute about unpaid rent is not our concern."]),
]

# Letters an officer legitimately writes to Sam: none of these may be refused.
LEGITIMATE: list[tuple[str, list[str]]] = [
    ("assessment update", ["Your child support assessment has been updated from 1 December 2026.",
                           "Your new rate is $120.50 per week."]),
    ("missed payment", ["We have not received your payment for November. Please contact us on 131 272 to discuss a "
                        "payment arrangement."]),
    ("review rights", ["You can ask us to review this decision. If you disagree, you can lodge an objection within "
                       "28 days."]),
    ("own name", ["Dear Sam Rivers, thank you for speaking with us on Tuesday."]),
    ("own address", ["Your address on our records is 2 Ocean Street, Bondi NSW 2026."]),
    ("income", ["Your income for the 2025-26 financial year was $65,000 based on your tax return."]),
    ("payslips from employer", ["Please provide your payslips from your employer by 15 December 2026."]),
    ("care", ["The care arrangements for your children are 2 nights per fortnight."]),
    ("case number", ["Your case number is at the top of this letter. Please quote it when you call."]),
    ("bank details", ["We have updated your bank account details as you asked."]),
    ("arrangement", ["Your payment arrangement of $50 per week starts on 5 January 2027."]),
    ("new job", ["You told us you started a new job. Please tell us your new income within 14 days."]),
    ("referral", ["We have referred your enquiry to our specialist team, who will call you within 10 working days."]),
    ("overseas", ["If you move overseas, tell us your new address within 14 days."]),
]


@dataclass(frozen=True)
class CorpusResult:
    attempts: int
    leaks: list[str]
    legitimate: int
    refused: list[str]

    def line(self) -> str:
        return (
            f"leak corpus: {self.attempts} attempts, {len(self.leaks)} leaks, {self.legitimate} legitimate, "
            f"{len(self.refused)} refused"
        )

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.refused


class _Rollback(Exception):
    pass


def _world():
    from django.contrib.auth import get_user_model

    from casework.customers.csid import make_csid
    from casework.customers.models import (
        Case,
        Customer,
        Note,
        NoteKind,
        SensitiveIssueIndicator,
        SensitiveReason,
    )
    from casework.core import clock

    now = clock.now()
    user = get_user_model().objects.create(username=f"leak-corpus-{now.timestamp():.0f}", first_name="Corpus")
    base = 987650000 - (int(now.timestamp()) % 10000) * 10

    def customer(n: int, given: str, family: str, **kw) -> Customer:
        row = Customer(csid=make_csid(base + n), given_names=given, family_name=family,
                       date_of_birth=dt.date(1985, 1, 1), residence="NSW", **kw)
        row.save()
        return row

    sam = customer(1, "Sam", "Rivers", postal_address=OWN_ADDRESS, phone_mobile="0400 111 222")
    jane = customer(2, "Jane", "Citizen", postal_address=SILENT_ADDRESS, postal_address_is_silent=True,
                    phone_mobile="0412 345 678", email="jane.citizen@example.com")
    maria = customer(3, "Maria", "Lopez", postal_address="3 Banksia Road\nOrange NSW 2800")
    suffix = f"{int(now.timestamp()) % 100000:05d}"
    case1 = Case.objects.create(case_number=f"LC1{suffix}", payer=sam, payee=jane)
    Case.objects.create(case_number=f"LC2{suffix}", payer=sam, payee=maria)
    SensitiveIssueIndicator.objects.create(customer=jane, reason=SensitiveReason.FAMILY_VIOLENCE,
                                           conditions=INDICATOR_CONDITIONS)
    SensitiveIssueIndicator.objects.create(customer=sam, reason=SensitiveReason.SECURITY_INCIDENT,
                                           conditions=SECURITY_CONDITIONS)
    Note.objects.create(customer=sam, kind=NoteKind.INTERNAL, subject="Employment", body=EMPLOYER_NOTE,
                        author=user, created_at=now)
    Note.objects.create(customer=maria, kind=NoteKind.INTERNAL, subject="Landlord", body=LOPEZ_NOTE,
                        author=user, created_at=now)
    _ownership_transfer(sam, case1, user, now)
    return sam


def _ownership_transfer(customer, case, user, now) -> None:
    from casework.org.models import BusinessArea
    from casework.ownership.models import OwnershipTransfer, TransferStatus

    if not BusinessArea.objects.exists():
        from casework.core.management.commands.load_reference import load_all

        load_all()
    area = BusinessArea.objects.order_by("pk").first()
    OwnershipTransfer.objects.create(
        customer=customer, from_area=area, to_area=area, status=TransferStatus.AGREED,
        expected_contact_volume="High", time_to_resolve="Months", reason=OWNERSHIP_REASON, raised_at=now,
        raised_by=user,
    )


def run(template_code: str = "unique_letter") -> CorpusResult:
    """Run every attempt and every legitimate letter; nothing is kept in the database."""
    from django.db import transaction

    from . import disclosure, policy, registry

    template = registry.get(template_code)
    leaks: list[str] = []
    refused: list[str] = []

    def refuses(recipient, paragraphs: list[str]) -> bool:
        fields = policy.filter_context(template, {"heading": "About your child support", "paragraphs": paragraphs})
        return not disclosure.check_for_recipient(
            recipient=recipient, texts=disclosure.free_texts(fields.fields)
        ).allowed

    try:
        with transaction.atomic():
            sam = _world()
            for label, paragraphs in ATTEMPTS:
                if not refuses(sam, paragraphs):
                    leaks.append(label)
            for label, paragraphs in LEGITIMATE:
                if refuses(sam, paragraphs):
                    refused.append(label)
            raise _Rollback
    except _Rollback:
        pass
    return CorpusResult(len(ATTEMPTS), leaks, len(LEGITIMATE), refused)

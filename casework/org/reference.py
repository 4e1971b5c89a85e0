"""Reference data shipped with the system: business areas (with CMA-1.5 ownership data), the issue catalogue, one
office in every state and territory, and a team-less intake position for every business area in each of them (so
work addressed to an area — CMA-1.3, CMA-2.10, CMA-3.3 — always has somewhere to land; ``manage.py org_coverage``).

Loaded by ``manage.py load_reference`` (idempotent). Administrators may change it in the admin; changes are audited.
"""

from __future__ import annotations

from .models import AreaKind, BusinessArea, IssueType, Office, Position, RetainedParties
from .services import reference_upsert

C, S = AreaKind.COMMON, AreaKind.SPECIALISED
R = RetainedParties

# code, name, kind, CMA-1.5 retention priority, retained parties, front line
BUSINESS_AREAS = [
    ("SERVICES", "Customer Services (front line)", C, None, R.NONE, True),
    ("COLLECTION", "Collection and Debt (front line)", C, None, R.NONE, False),
    ("DECEASED", "Deceased Customer Management", S, 1, R.EITHER, False),
    ("PS", "Personalised Services", S, 2, R.EITHER, False),
    ("LITIGATION", "Litigation", S, 3, R.BOTH, False),
    ("DPO", "Departure Prohibition Order Team", S, 4, R.PAYER, False),
    ("ICS", "Intensive Collection Services", S, 5, R.PAYER, False),
    ("NEW_CUSTOMERS", "New Customers (pending registration)", S, 6, R.BOTH, False),
    ("CHANGE_OF_ASSESSMENT", "Change of Assessment", S, None, R.NONE, False),
    ("GENERAL_OBJECTIONS", "General Objections", S, None, R.NONE, False),
    ("PART6A_OBJECTIONS", "Part 6A Objections", S, None, R.NONE, False),
    ("COMPENSATION", "Compensation", S, None, R.NONE, False),
    ("PRIVACY", "Privacy", S, None, R.NONE, False),
    ("FOI", "Freedom of Information", S, None, R.NONE, False),
    ("COMPLAINTS", "Complaints", S, None, R.NONE, False),
    ("CUSTOMER_REVIEW", "Customer Review", S, None, R.NONE, False),
]

# code, name, kind, handling area, collection-related, income-related
ISSUE_TYPES = [
    ("income_update", "Income update", C, "SERVICES", False, True),
    ("care_change", "Care change", C, "SERVICES", False, False),
    ("payment_enquiry", "Payment enquiry", C, "SERVICES", False, False),
    ("collection_enquiry", "Collection enquiry", C, "COLLECTION", True, False),
    ("debt_enquiry", "Debt or letter about a debt", C, "COLLECTION", False, False),
    ("contact_details", "Contact details update", C, "SERVICES", False, False),
    ("general_enquiry", "General enquiry", C, "SERVICES", False, False),
    ("change_of_assessment", "Change of assessment", S, "CHANGE_OF_ASSESSMENT", False, False),
    ("objection", "Objection", S, "GENERAL_OBJECTIONS", False, False),
    ("part6a_objection", "Part 6A objection", S, "PART6A_OBJECTIONS", False, False),
    ("litigation", "Litigation", S, "LITIGATION", False, False),
    ("dpo", "Departure Prohibition Order", S, "DPO", False, False),
    ("intensive_collection", "Intensive collection", S, "ICS", True, False),
    ("foi", "Freedom of Information request", S, "FOI", False, False),
    ("privacy", "Privacy matter", S, "PRIVACY", False, False),
    ("complaint", "Complaint", S, "COMPLAINTS", False, False),
    ("compensation", "Compensation claim", S, "COMPENSATION", False, False),
    ("deceased_customer", "Deceased customer", S, "DECEASED", False, False),
    ("new_registration", "New registration", S, "NEW_CUSTOMERS", False, False),
    ("personalised_services", "Personalised Services management", S, "PS", False, False),
    ("customer_review", "Customer review (MP / Ombudsman)", S, "CUSTOMER_REVIEW", False, False),
]


# code, name, state: one office in every state and territory (its state picks the calendar and time zone).
OFFICES = [
    ("sydney", "Sydney", "NSW"),
    ("melbourne", "Melbourne", "VIC"),
    ("brisbane", "Brisbane", "QLD"),
    ("perth", "Perth", "WA"),
    ("adelaide", "Adelaide", "SA"),
    ("hobart", "Hobart", "TAS"),
    ("canberra", "Canberra", "ACT"),
    ("darwin", "Darwin", "NT"),
]


def intake_code(area_code: str, office_code: str) -> str:
    """The code of an area's team-less intake position at an office (the demo data uses the same codes)."""
    return f"{area_code}-{office_code}-intake"


def load(*, actor=None) -> int:
    changed = 0
    areas = {}
    for code, name, kind, priority, parties, front in BUSINESS_AREAS:
        area, did = reference_upsert(
            actor=actor,
            model=BusinessArea,
            lookup={"code": code},
            values={
                "name": name,
                "kind": kind,
                "retention_priority": priority,
                "retains_parties": parties,
                "is_front_line": front,
            },
            reason="Reference data load (CMA-1.5)",
        )
        areas[code] = area
        changed += did
    for code, name, kind, area_code, collection, income in ISSUE_TYPES:
        _, did = reference_upsert(
            actor=actor,
            model=IssueType,
            lookup={"code": code},
            values={
                "name": name,
                "kind": kind,
                "handling_area": areas[area_code],
                "is_collection_related": collection,
                "is_income_related": income,
            },
            reason="Reference data load (CMA-1.2)",
        )
        changed += did
    offices = {}
    for code, name, state in OFFICES:
        office, did = reference_upsert(
            actor=actor, model=Office, lookup={"code": code}, values={"name": name, "state": state},
            reason="Reference data load (an office in every state and territory)",
        )
        offices[code] = office
        changed += did
    changed += _load_intake_positions(actor=actor, areas=areas, offices=offices)
    return changed


def _load_intake_positions(*, actor, areas: dict, offices: dict) -> int:
    """A team-less intake position for every area at every reference office. Created once; an administrator's later
    changes (a new title, deactivation) are kept — a deactivated one shows as a gap in ``org_coverage``."""
    wanted = {
        intake_code(area_code, office_code): (area, office)
        for area_code, area in areas.items()
        for office_code, office in offices.items()
    }
    existing = set(Position.objects.filter(code__in=wanted).values_list("code", flat=True))
    changed = 0
    for code, (area, office) in wanted.items():
        if code in existing:
            continue
        _, did = reference_upsert(
            actor=actor,
            model=Position,
            lookup={"code": code},
            values={"title": f"{area.name} intake ({office.name})", "business_area": area, "office": office,
                    "team": None},
            reason="Reference data load (intake position: CMA-1.3, CMA-2.10, CMA-3.3)",
        )
        changed += did
    return changed

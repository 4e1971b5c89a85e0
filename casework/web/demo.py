"""Demo data: the organisation (offices, teams, positions, officers in every role) and ~200 customers / ~100 cases.

Run by ``manage.py seed_demo`` (after the reference data), before every other app's ``demo.seed()``; those build
on the stable names below (DEMO DATA CONTRACT): office codes, usernames, position codes and ``SCENARIOS``.

Idempotent: organisation rows are matched by their natural keys; the customer book is written once, in bulk, in the
same transaction as the single ``demo.seed`` audit event, so a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from casework.core import clock
from casework.core.audit import audit_record
from casework.customers import models as cm
from casework.customers.csid import make_csid
from casework.org import models as om
from casework.org.roles import Role

DEMO_PASSWORD = "casework-demo"

# code, name, state
OFFICES = [
    ("sydney", "Sydney", "NSW"),
    ("perth", "Perth", "WA"),
    ("brisbane", "Brisbane", "QLD"),
    ("melbourne", "Melbourne", "VIC"),
]

# username, first name, last name, role, area code (None: no position), office code
OFFICERS = [
    ("so_nsw", "Sam", "Nguyen", Role.SERVICE_OFFICER, "SERVICES", "sydney"),
    ("so_wa", "Wendy", "Abbott", Role.SERVICE_OFFICER, "SERVICES", "perth"),
    ("so_collect", "Colin", "Ellis", Role.SERVICE_OFFICER, "COLLECTION", "brisbane"),
    ("spec_objections", "Olivia", "Bennett", Role.SPECIALIST_OFFICER, "GENERAL_OBJECTIONS", "sydney"),
    ("spec_dpo", "Dev", "Patel", Role.SPECIALIST_OFFICER, "DPO", "brisbane"),
    ("spec_ics", "Isla", "Campbell", Role.SPECIALIST_OFFICER, "ICS", "melbourne"),
    ("spec_litigation", "Liam", "Thompson", Role.SPECIALIST_OFFICER, "LITIGATION", "sydney"),
    ("spec_coa", "Chloe", "Murphy", Role.SPECIALIST_OFFICER, "CHANGE_OF_ASSESSMENT", "perth"),
    ("tl_nsw", "Tara", "Lewis", Role.TEAM_LEADER, "SERVICES", "sydney"),
    ("tl_wa", "Tom", "Walsh", Role.TEAM_LEADER, "SERVICES", "perth"),
    ("tl_specialist", "Tanya", "Singh", Role.TEAM_LEADER, "GENERAL_OBJECTIONS", "sydney"),
    ("ps_cm", "Priya", "Sharma", Role.PS_CASE_MANAGER, "PS", "melbourne"),
    ("ps_cm2", "Paul", "Costa", Role.PS_CASE_MANAGER, "PS", "perth"),
    ("ps_tl", "Penny", "Tran", Role.PS_TEAM_LEADER, "PS", "melbourne"),
    ("cro", "Chris", "Reid", Role.CUSTOMER_REVIEW_OFFICER, "CUSTOMER_REVIEW", "sydney"),
    ("nmqcc", "Nadia", "Moreau", Role.NATIONAL_MANAGER_QCC, "COMPLAINTS", "sydney"),
    ("admin", "Ada", "Admin", Role.ADMINISTRATOR, None, None),
    ("auditor", "Aubrey", "Audit", Role.AUDITOR, None, None),
]

# Team leaders by (area, office): the team in that area and office is led by them.
TEAM_LEADERS = {
    ("SERVICES", "sydney"): "tl_nsw",
    ("SERVICES", "perth"): "tl_wa",
    ("GENERAL_OBJECTIONS", "sydney"): "tl_specialist",
    ("PS", "melbourne"): "ps_tl",
    ("PS", "perth"): "ps_tl",
}

SCENARIO_NAMES = [
    "payer_debt_no_arrangement",
    "payee_owed_collection",
    "payer_ato_income",
    "payer_estimate_income",
    "payer_overpaid",
    "payer_past_role_reversal",
    "payee_overpayment_debt",
    "dpo_payer",
    "deceased",
    "pending_registration",
    "restricted_service",
    "with_representative",
    "sensitive_indicator",
    "ps_candidate",
    "objection_then_dpo",
    "correspondence_customer",
]
CSID_BASE = 700_000_000
CUSTOMER_COUNT = 200
# Scenario customers are customers 1..16 of the book; each is on its own case (see _scenario_case_plan).
SCENARIOS: dict[str, str] = {name: make_csid(CSID_BASE + i + 1) for i, name in enumerate(SCENARIO_NAMES)}
# A non-scenario customer used as the other parent of scenario cases starts after these.
SEED_MARKER = ("demo", "seed")

GIVEN = [
    "Olivia", "Jack", "Charlotte", "Noah", "Amelia", "William", "Isla", "Oliver", "Mia", "Thomas", "Ava", "James",
    "Grace", "Lucas", "Chloe", "Henry", "Zoe", "Ethan", "Ruby", "Leo", "Sophie", "Mason", "Harper", "Liam", "Ella",
    "Daniel", "Matilda", "Samuel", "Evie", "Joshua", "Aisha", "Mohammed", "Mei", "Arjun", "Ngoc", "Tane", "Kirra",
]
FAMILY = [
    "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin", "Anderson", "Thompson",
    "Nguyen", "Thomas", "Walker", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King", "Davies", "Wright", "Clarke",
    "Baker", "Hall", "Young", "Mitchell", "Hughes", "Edwards", "Green", "Wood", "Morris", "Singh", "Chen", "Nair",
]
STATES = ["NSW", "NSW", "NSW", "VIC", "VIC", "QLD", "QLD", "WA", "SA", "TAS", "ACT", "NT"]
CONTACT_TIMES = ["Weekday mornings", "After 5pm", "Lunchtime 12-2pm", "Any time", "Tuesdays and Thursdays", ""]

# Scenario notes are written by this officer.
NOTE_AUTHOR = "so_nsw"


def _seed_org(password_hash: str) -> tuple[dict[str, om.Office], dict[str, om.Officer], int]:
    created = 0
    offices = {}
    for code, name, state in OFFICES:
        office, did = om.Office.objects.get_or_create(code=code, defaults={"name": name, "state": state})
        offices[code] = office
        created += did
    areas = {a.code: a for a in om.BusinessArea.objects.all()}
    if not areas:
        raise RuntimeError("Load the reference data first (manage.py load_reference).")

    User = get_user_model()
    users = {}
    for username, first, last, role, _area, _office in OFFICERS:
        user, did = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@casework.example",
                "password": password_hash,
                "is_staff": role == Role.ADMINISTRATOR,
                # Staff (the admin site) but never a superuser: a superuser passes every permission rule.
                "is_superuser": False,
            },
        )
        users[username] = user
        created += did

    officers: dict[str, om.Officer] = {}
    for username, _first, _last, role, _area, _office in OFFICERS:
        officer, did = om.Officer.objects.get_or_create(user=users[username], defaults={"role": role})
        officers[username] = officer
        created += did

    pairs = sorted({(area, office) for _u, _f, _l, _r, area, office in OFFICERS if area})
    teams = {}
    for area_code, office_code in pairs:
        area = areas[area_code]
        leader = TEAM_LEADERS.get((area_code, office_code))
        team, did = om.Team.objects.get_or_create(
            name=f"{area.name} — {offices[office_code].name}",
            defaults={
                "business_area": area,
                "office": offices[office_code],
                "leader": officers[leader] if leader else None,
            },
        )
        teams[(area_code, office_code)] = team
        created += did
        # Team-less intake position for work addressed to the area at this office.
        _, did = om.Position.objects.get_or_create(
            code=f"{area_code}-{office_code}-intake",
            defaults={
                "title": f"{area.name} intake ({offices[office_code].name})",
                "business_area": area,
                "office": offices[office_code],
                "team": None,
            },
        )
        created += did

    for username, _first, _last, role, area_code, office_code in OFFICERS:
        if not area_code:
            continue
        position, did = om.Position.objects.get_or_create(
            code=f"{username}-pos",
            defaults={
                "title": f"{Role(role).label} ({users[username].get_full_name()})",
                "business_area": areas[area_code],
                "office": offices[office_code],
                "team": teams[(area_code, office_code)],
            },
        )
        created += did
        officer = officers[username]
        if officer.position_id is None:
            officer.position = position
            officer.save(update_fields=["position"])
    return offices, officers, created


def _customer(i: int, rng: random.Random) -> cm.Customer:
    given = rng.choice(GIVEN)
    family = rng.choice(FAMILY)
    residence = rng.choice(STATES) if i % 40 else "OS"
    customer = cm.Customer(
        csid=make_csid(CSID_BASE + i),
        given_names=given,
        family_name=family,
        date_of_birth=dt.date(1962 + rng.randrange(38), rng.randrange(1, 13), rng.randrange(1, 29)),
        email=f"{given}.{family}{i}@example.com".lower(),
        phone_mobile=f"04{rng.randrange(10**7, 10**8)}",
        postal_address=f"{rng.randrange(1, 200)} {rng.choice(FAMILY)} Street",
        residence=residence,
        country="New Zealand" if residence == "OS" else "",
        preferred_contact_times=rng.choice(CONTACT_TIMES),
    )
    customer.search_name = f"{family} {given}".lower()
    return customer


SCENARIO_PEOPLE = {
    # name: (given, family, residence)
    "payer_debt_no_arrangement": ("Daniel", "Archer", "NSW"),
    "payee_owed_collection": ("Emma", "Collins", "NSW"),
    "payer_ato_income": ("Andrew", "Tate-Oliver", "VIC"),
    "payer_estimate_income": ("Ethan", "Estes", "QLD"),
    "payer_overpaid": ("Oscar", "Pemberton", "WA"),
    "payer_past_role_reversal": ("Rachel", "Reeves", "NSW"),
    "payee_overpayment_debt": ("Paula", "Owens", "SA"),
    "dpo_payer": ("Dominic", "Porter", "QLD"),
    "deceased": ("Desmond", "Eastwood", "NSW"),
    "pending_registration": ("Penelope", "Newman", "VIC"),
    "restricted_service": ("Russell", "Stark", "NSW"),
    "with_representative": ("Rita", "Presley", "WA"),
    "sensitive_indicator": ("Sienna", "Ingram", "NSW"),
    "ps_candidate": ("Peter", "Sullivan", "VIC"),
    "objection_then_dpo": ("Oliver", "Drummond", "NSW"),
    "correspondence_customer": ("Cora", "Spencer", "WA"),
}


def _seed_book(officers: dict[str, om.Officer]) -> dict[str, int]:
    rng = random.Random(20261122)
    now = clock.now()
    today = clock.local_today(None)
    author = officers[NOTE_AUTHOR].user
    areas = {a.code: a for a in om.BusinessArea.objects.all()}
    issue_types = {t.code: t for t in om.IssueType.objects.all()}

    customers = []
    for i in range(1, CUSTOMER_COUNT + 1):
        customer = _customer(i, rng)
        if i <= len(SCENARIO_NAMES):
            given, family, residence = SCENARIO_PEOPLE[SCENARIO_NAMES[i - 1]]
            customer.given_names, customer.family_name, customer.residence = given, family, residence
            customer.country = ""
            customer.search_name = f"{family} {given}".lower()
            customer.email = f"{given}.{family}@example.com".lower()
        customers.append(customer)
    customers[SCENARIO_NAMES.index("deceased")].date_of_death = today - dt.timedelta(days=45)
    written = customers[SCENARIO_NAMES.index("correspondence_customer")]
    written.contact_preference = cm.ContactPreference.WRITTEN_ONLY
    written.preferred_contact_times = "Written correspondence only"
    cm.Customer.objects.bulk_create(customers)
    by_csid = {c.csid: c for c in cm.Customer.objects.filter(csid__in=[c.csid for c in customers])}
    people = [by_csid[c.csid] for c in customers]
    scen = {name: people[i] for i, name in enumerate(SCENARIO_NAMES)}

    # Case plan: each scenario customer is on their own case with a non-scenario other parent (customers 17..32);
    # the rest are paired. Role in the case is given by the scenario.
    payee_roles = {"payee_owed_collection", "payee_overpayment_debt", "with_representative", "sensitive_indicator"}
    others = people[len(SCENARIO_NAMES) : 2 * len(SCENARIO_NAMES)]
    pairs = []
    for name, other in zip(SCENARIO_NAMES, others):
        person = scen[name]
        pairs.append((name, other, person) if name in payee_roles else (name, person, other))
    rest = people[2 * len(SCENARIO_NAMES) :]
    for k in range(0, len(rest) - 1, 2):
        pairs.append(("", rest[k], rest[k + 1]))
    # A few customers are on two cases (a payer with a second family).
    for k in range(0, 12, 3):
        pairs.append(("", rest[k], rest[-1 - k]))

    cases = []
    for n, (name, payer, payee) in enumerate(pairs, start=1):
        cases.append(
            cm.Case(
                case_number=f"D{n:07d}",
                payer=payer,
                payee=payee,
                registration_status=(
                    cm.RegistrationStatus.PENDING if name == "pending_registration" else cm.RegistrationStatus.REGISTERED
                ),
                collection_type=cm.CollectionType.PRIVATE if (n % 7 == 0 and not name) else cm.CollectionType.AGENCY,
                annual_liability=Decimal(rng.randrange(1200, 18000)),
            )
        )
    cm.Case.objects.bulk_create(cases)
    cases = list(
        cm.Case.objects.filter(case_number__in=[c.case_number for c in cases])
        .select_related("payer", "payee")
        .order_by("case_number")
    )
    case_of = {name: case for (name, _p, _q), case in zip(pairs, cases) if name}

    # Children, care, role history
    children = []
    for case in cases:
        for c in range(1 + rng.randrange(3)):
            children.append(
                cm.Child(
                    case=case,
                    given_names=rng.choice(GIVEN),
                    family_name=case.payee.family_name,
                    date_of_birth=dt.date(2009 + rng.randrange(14), rng.randrange(1, 13), rng.randrange(1, 29)),
                )
            )
    cm.Child.objects.bulk_create(children)
    children = list(cm.Child.objects.filter(case__in=cases).select_related("case"))
    care = []
    for child in children:
        payee_pct = rng.choice([100, 86, 72, 65, 53])
        start = dt.date(2024, 7, 1)
        care.append(cm.CareArrangement(case=child.case, child=child, carer_id=child.case.payee_id,
                                       care_percentage=payee_pct, effective_from=start))
        if payee_pct < 100:
            care.append(cm.CareArrangement(case=child.case, child=child, carer_id=child.case.payer_id,
                                           care_percentage=100 - payee_pct, effective_from=start))
    cm.CareArrangement.objects.bulk_create(care)

    history = []
    for case in cases:
        if case is case_of["payer_past_role_reversal"]:
            # CMA-2.4: this payer was the payee of the same case until mid-2023.
            history.append(cm.CaseRoleHistory(case=case, payer_id=case.payee_id, payee_id=case.payer_id,
                                              from_date=dt.date(2019, 2, 1), to_date=dt.date(2023, 6, 30)))
            history.append(cm.CaseRoleHistory(case=case, payer_id=case.payer_id, payee_id=case.payee_id,
                                              from_date=dt.date(2023, 7, 1)))
        else:
            history.append(cm.CaseRoleHistory(case=case, payer_id=case.payer_id, payee_id=case.payee_id,
                                              from_date=dt.date(2018 + rng.randrange(6), 7, 1)))
    cm.CaseRoleHistory.objects.bulk_create(history)

    # Income (CMA-2.2): most parents have ATO-issued income; a share have estimates, provisional or advised income.
    incomes = []
    forced_source = {
        "payer_ato_income": cm.IncomeSource.ATO_ISSUED,
        "payer_debt_no_arrangement": cm.IncomeSource.ATO_ISSUED,
        "payer_estimate_income": cm.IncomeSource.ESTIMATE,
        "ps_candidate": cm.IncomeSource.PROVISIONAL,
        "dpo_payer": cm.IncomeSource.DEFAULT,
    }
    forced_by_id = {scen[k].pk: v for k, v in forced_source.items()}
    other_sources = [cm.IncomeSource.ESTIMATE, cm.IncomeSource.PROVISIONAL, cm.IncomeSource.CUSTOMER_ADVISED,
                     cm.IncomeSource.DEFAULT]
    for person in people:
        source = forced_by_id.get(person.pk)
        if source is None:
            source = cm.IncomeSource.ATO_ISSUED if rng.random() < 0.65 else rng.choice(other_sources)
        if source != cm.IncomeSource.ATO_ISSUED:
            # Earlier ATO-issued income, superseded by the current non-ATO figure: the latest one counts.
            incomes.append(cm.IncomeRecord(customer=person, amount=Decimal(rng.randrange(30000, 90000)),
                                           source=cm.IncomeSource.ATO_ISSUED, tax_year=2024,
                                           effective_from=dt.date(2023, 7, 1)))
        incomes.append(cm.IncomeRecord(customer=person, amount=Decimal(rng.randrange(25000, 140000)),
                                       source=source, tax_year=2026, effective_from=dt.date(2025, 7, 1)))
    cm.IncomeRecord.objects.bulk_create(incomes)

    # Debts, overpayments and arrangements (CMA-2.3 to 2.7)
    debt_rows: list[tuple[cm.Debt, str | None]] = []  # (debt, arrangement status or None)

    def debt(case, debtor, kind, amount, arrangement=None):
        debt_rows.append((cm.Debt(case=case, debtor=debtor, kind=kind, amount=Decimal(amount),
                                  as_at=today - dt.timedelta(days=3)), arrangement))

    D, O = cm.DebtKind.CHILD_SUPPORT_DEBT, cm.DebtKind.OVERPAYMENT
    debt(case_of["payer_debt_no_arrangement"], scen["payer_debt_no_arrangement"], D, "4860.55")
    debt(case_of["payee_owed_collection"], case_of["payee_owed_collection"].payer, D, "7310.00")
    debt(case_of["payer_overpaid"], scen["payer_overpaid"], O, "1150.00")
    debt(case_of["payer_past_role_reversal"], scen["payer_past_role_reversal"], O, "2275.40")
    debt(case_of["payee_overpayment_debt"], scen["payee_overpayment_debt"], O, "980.00")
    debt(case_of["dpo_payer"], scen["dpo_payer"], D, "38650.00", cm.ArrangementStatus.DEFAULTED)
    debt(case_of["ps_candidate"], scen["ps_candidate"], D, "15420.00", cm.ArrangementStatus.DEFAULTED)
    debt(case_of["objection_then_dpo"], scen["objection_then_dpo"], D, "21900.00")
    debt(case_of["restricted_service"], scen["restricted_service"], D, "3100.00", cm.ArrangementStatus.ACTIVE)
    for case in cases[len(SCENARIO_NAMES) :]:
        roll = rng.random()
        if roll < 0.30:
            status = rng.choice([None, cm.ArrangementStatus.ACTIVE, cm.ArrangementStatus.ACTIVE,
                                 cm.ArrangementStatus.DEFAULTED])
            debt(case, case.payer, D, f"{rng.randrange(300, 25000)}.00", status)
        elif roll < 0.36:
            debt(case, case.payee, O, f"{rng.randrange(100, 3000)}.00", rng.choice([None, cm.ArrangementStatus.ACTIVE]))
    cm.Debt.objects.bulk_create([d for d, _ in debt_rows])
    arrangements = []
    for d, status in debt_rows:
        if status:
            arrangements.append(cm.PaymentArrangement(
                debt=d, status=status, instalment=(d.amount / 20).quantize(Decimal("0.01")),
                frequency=rng.choice(list(cm.PaymentFrequency.values)), start_date=dt.date(2025, 9, 1),
                negotiated_by=officers["so_collect"].user,
            ))
    cm.PaymentArrangement.objects.bulk_create(arrangements)

    # Departure Prohibition Orders
    cm.DepartureProhibitionOrder.objects.bulk_create([
        cm.DepartureProhibitionOrder(customer=scen["dpo_payer"], case=case_of["dpo_payer"],
                                     status=cm.DpoStatus.ISSUED, issued_on=dt.date(2026, 3, 12)),
        cm.DepartureProhibitionOrder(customer=scen["objection_then_dpo"], case=case_of["objection_then_dpo"],
                                     status=cm.DpoStatus.CONSIDERED),
        cm.DepartureProhibitionOrder(customer=scen["ps_candidate"], case=case_of["ps_candidate"],
                                     status=cm.DpoStatus.REVOKED, issued_on=dt.date(2023, 5, 2),
                                     revoked_on=dt.date(2024, 1, 15)),
    ])

    # Restrictions, sensitive indicators, representatives
    cm.ContactRestriction.objects.create(
        customer=scen["restricted_service"],
        conditions="Contact in writing only, to the PO Box on file; phone calls limited to 10 minutes on Tuesdays.",
        imposed_on=today - dt.timedelta(days=60), review_date=today + dt.timedelta(days=120),
        requested_by=officers["tl_nsw"].user, approved_by=officers["ps_tl"].user,
        status="active", is_active=True,  # proposed by the Team Leader, approved by the PS Team Leader (PS-ORM-3)
    )
    cm.SensitiveIssueIndicator.objects.bulk_create([
        cm.SensitiveIssueIndicator(
            customer=scen["sensitive_indicator"], reason=cm.SensitiveReason.FAMILY_VIOLENCE,
            conditions="Never disclose the customer's address or phone number. Do not transfer calls from the other "
            "parent.", review_date=today + dt.timedelta(days=180), created_by=officers["tl_nsw"].user),
        cm.SensitiveIssueIndicator(
            customer=scen["restricted_service"], reason=cm.SensitiveReason.RESTRICTED_SERVICE,
            conditions="Restricted service in place: see the restriction's conditions.",
            review_date=today + dt.timedelta(days=120), created_by=officers["tl_nsw"].user),
        cm.SensitiveIssueIndicator(
            customer=scen["deceased"], reason=cm.SensitiveReason.DECEASED_CUSTOMER,
            conditions="Estate enquiries to Deceased Customer Management.", created_by=officers["so_nsw"].user),
    ])
    cm.AuthorisedRepresentative.objects.bulk_create([
        cm.AuthorisedRepresentative(
            customer=scen["with_representative"], name="Harriet Lowe", relationship="Solicitor",
            organisation="Lowe & Partners", phone="08 9200 1100", scope=cm.RepresentativeScope.FULL,
            valid_from=dt.date(2025, 1, 10)),
        cm.AuthorisedRepresentative(
            customer=scen["with_representative"], name="George Presley", relationship="Father",
            phone="0411 222 333", scope=cm.RepresentativeScope.ENQUIRE, valid_from=dt.date(2025, 6, 1)),
        cm.AuthorisedRepresentative(
            customer=scen["deceased"], name="Margaret Eastwood", relationship="Executor of the estate",
            scope=cm.RepresentativeScope.SPECIFIED, scope_detail="Estate matters: debt and refunds only.",
            matters=["collection"],
            valid_from=today - dt.timedelta(days=30)),
    ])

    # Presenting issues already on file (the ownership engineer's rules read these)
    def issue(name, code, area_code, days_ago, description):
        return cm.PresentingIssue(customer=scen[name], case=case_of[name], issue_type=issue_types[code],
                                  received_area=areas[area_code], description=description,
                                  received_at=now - dt.timedelta(days=days_ago), raised_by=author)

    cm.PresentingIssue.objects.bulk_create([
        issue("objection_then_dpo", "objection", "GENERAL_OBJECTIONS", 30,
              "Objects to the care decision of last month."),
        issue("objection_then_dpo", "dpo", "DPO", 5, "DPO being considered: debt over $20,000, travel planned."),
        issue("dpo_payer", "dpo", "DPO", 240, "DPO issued after repeated defaults."),
        issue("deceased", "deceased_customer", "DECEASED", 44, "Notified of death by the executor."),
        issue("pending_registration", "new_registration", "NEW_CUSTOMERS", 3, "New application lodged online."),
    ])

    # Notes timeline for the scenario customers
    notes = []
    for k, name in enumerate(SCENARIO_NAMES):
        person = scen[name]
        notes.append(cm.Note(customer=person, case=case_of[name], kind=cm.NoteKind.GENERAL,
                             subject="Customer called", body=f"Demo history: {name.replace('_', ' ')}.",
                             author=author, created_at=now - dt.timedelta(days=20 + k)))
    notes.append(cm.Note(customer=scen["payer_debt_no_arrangement"], case=case_of["payer_debt_no_arrangement"],
                         kind=cm.NoteKind.COLLECTION, subject="Debt letter issued",
                         body="Debt notice sent. No payment arrangement yet.", author=officers["so_collect"].user,
                         created_at=now - dt.timedelta(days=10), step_ids=["CMA-2.8"]))
    notes.append(cm.Note(customer=scen["sensitive_indicator"], kind=cm.NoteKind.INTERNAL,
                         subject="Safety plan", body="Internal: family violence indicator added; see conditions.",
                         author=officers["tl_nsw"].user, created_at=now - dt.timedelta(days=8)))
    cm.Note.objects.bulk_create(notes)

    return {
        "customers": len(people),
        "cases": len(cases),
        "children": len(children),
        "incomes": len(incomes),
        "debts": len(debt_rows),
        "arrangements": len(arrangements),
        "notes": len(notes),
    }


def seed() -> str:
    """Load the demo organisation and customer book. Safe to run again: a second run creates nothing."""
    with transaction.atomic():
        already = cm.Customer.objects.filter(csid=SCENARIOS[SCENARIO_NAMES[0]]).exists()
        _offices, officers, org_created = _seed_org(make_password(DEMO_PASSWORD))
        if already:
            return f"organisation: {org_created} rows created; customer book already loaded"
        counts = _seed_book(officers)
        audit_record(
            actor=None,
            action="demo.seed",
            target=SEED_MARKER,
            after={"organisation_rows": org_created, **counts, "scenarios": SCENARIOS},
            reason="Demo data load (manage.py seed_demo)",
        )
    parts = ", ".join(f"{v} {k}" for k, v in counts.items())
    return f"organisation: {org_created} rows created; {parts}"

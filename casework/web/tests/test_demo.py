"""Demo data: the DEMO DATA CONTRACT other engineers build on, idempotency, and the single demo.seed audit event."""

import pytest
from django.contrib.auth import authenticate

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.csid import is_valid_csid
from casework.org import models as om
from casework.org.roles import Role
from casework.web import demo


def _counts():
    return {
        m.__name__: m.objects.count()
        for m in (om.Office, om.Team, om.Position, om.Officer, cm.Customer, cm.Case, cm.Child, cm.IncomeRecord,
                  cm.Debt, cm.PaymentArrangement, cm.Note, cm.PresentingIssue, cm.DepartureProhibitionOrder)
    }


def test_seed_is_idempotent_and_audited_once(seeded):
    before = _counts()
    summary = demo.seed()
    assert "already loaded" in summary
    assert _counts() == before
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1


def test_book_size(seeded):
    assert 180 <= cm.Customer.objects.count() <= 220
    assert 90 <= cm.Case.objects.count() <= 120


@pytest.mark.parametrize("username,role,area,office", [
    (u, r, a, o) for u, _f, _l, r, a, o in demo.OFFICERS
])
def test_every_demo_login_has_its_role_area_and_office(seeded, username, role, area, office):
    user = authenticate(username=username, password=demo.DEMO_PASSWORD)
    assert user is not None
    officer = user.officer
    assert officer.role == role
    if area:
        assert officer.position.code == f"{username}-pos"
        assert officer.position.business_area.code == area
        assert officer.position.office.code == office
        assert officer.position.team is not None
    else:
        assert officer.position is None


def test_every_role_and_two_states_of_teams(seeded):
    assert {o.role for o in om.Officer.objects.all()} >= set(Role.values)
    assert om.Team.objects.values("office__state").distinct().count() >= 2
    assert om.Team.objects.get(name__contains="Personalised Services — Melbourne").leader.user.username == "ps_tl"
    admin = om.Officer.objects.get(user__username="admin").user
    # Issue 13: the demo Administrator is staff (the admin site) and never a superuser.
    assert admin.is_staff and not admin.is_superuser


def test_intake_positions_are_teamless(seeded):
    pos = om.Position.objects.get(code="DPO-brisbane-intake")
    assert pos.team is None and pos.business_area.code == "DPO" and pos.office.state == "QLD"
    for code in ("SERVICES-sydney-intake", "SERVICES-perth-intake", "PS-melbourne-intake", "ICS-melbourne-intake"):
        assert om.Position.objects.filter(code=code, team__isnull=True).exists()


def test_scenarios_exist_with_valid_csids(seeded):
    assert set(demo.SCENARIO_NAMES) <= set(demo.SCENARIOS)
    for name, csid in demo.SCENARIOS.items():
        assert is_valid_csid(csid), name
        assert cm.Customer.objects.filter(csid=csid).exists(), name


def _c(name):
    return cm.Customer.objects.get(csid=demo.SCENARIOS[name])


def _latest_income(customer):
    return customer.incomes.order_by("-effective_from", "-id").first()


def test_scenario_facts(seeded):
    # CMA-2.2: ATO-issued income is reliable; estimates are not.
    assert _latest_income(_c("payer_ato_income")).is_reliable
    assert not _latest_income(_c("payer_estimate_income")).is_reliable
    # CMA-2.3 / CMA-2.4: payer debt without an arrangement
    debt = _c("payer_debt_no_arrangement").debts.get()
    assert debt.kind == cm.DebtKind.CHILD_SUPPORT_DEBT and not debt.arrangements.exists()
    assert _c("payer_debt_no_arrangement").cases_as_payer.exists()
    # CMA-2.5: payee owed child support (the payer owes a debt on the payee's case)
    payee = _c("payee_owed_collection")
    case = payee.cases_as_payee.get()
    assert case.debts.filter(debtor=case.payer, kind=cm.DebtKind.CHILD_SUPPORT_DEBT).exists()
    # Overpayments and who owes them
    assert _c("payer_overpaid").debts.get().kind == cm.DebtKind.OVERPAYMENT
    assert _c("payee_overpayment_debt").debts.get().kind == cm.DebtKind.OVERPAYMENT
    assert _c("payee_overpayment_debt").cases_as_payee.exists()
    # CMA-2.4: past role reversal
    rr = _c("payer_past_role_reversal")
    rr_case = rr.cases_as_payer.get()
    assert rr_case.role_history.filter(payee=rr).exists()
    # DPO, deceased, pending registration, restricted service, representative, sensitive indicator
    assert _c("dpo_payer").dpos.filter(status=cm.DpoStatus.ISSUED).exists()
    assert _c("deceased").is_deceased
    assert _c("pending_registration").cases_as_payer.get().registration_status == cm.RegistrationStatus.PENDING
    assert _c("restricted_service").contact_restrictions.filter(is_active=True).exists()
    assert _c("with_representative").representatives.filter(scope=cm.RepresentativeScope.FULL).exists()
    assert _c("sensitive_indicator").sensitive_indicators.filter(is_active=True).exists()
    # CMA-1.5: objection first, DPO later
    kinds = list(_c("objection_then_dpo").presenting_issues.order_by("received_at").values_list(
        "issue_type__code", flat=True))
    assert kinds == ["objection", "dpo"]
    assert _c("correspondence_customer").contact_preference == cm.ContactPreference.WRITTEN_ONLY


def test_book_covers_ato_and_non_ato_income_and_arrangement_states(seeded):
    sources = set(cm.IncomeRecord.objects.values_list("source", flat=True))
    assert cm.IncomeSource.ATO_ISSUED in sources and cm.IncomeSource.ESTIMATE in sources
    statuses = set(cm.PaymentArrangement.objects.values_list("status", flat=True))
    assert {cm.ArrangementStatus.ACTIVE, cm.ArrangementStatus.DEFAULTED} <= statuses


def test_seed_demo_command_refused_without_debug(org_reference, settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not cm.Customer.objects.exists()

"""Service tests: every write is permission-checked, validated, and audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from casework.core.errors import Conflict, InvalidInput, NotPermitted, TransitionRefused
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers import services
from casework.customers.csid import make_csid
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db


def actions(customer=None):
    qs = AuditEvent.objects.all()
    if customer is not None:
        qs = qs.filter(customer_id=customer.pk)
    return list(qs.order_by("id").values_list("action", flat=True))


def new_events(before_id):
    return list(AuditEvent.objects.filter(id__gt=before_id).order_by("id"))


def last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


CUSTOMER = dict(
    csid=make_csid(555000111),
    given_names="Ada",
    family_name="Lovelace",
    date_of_birth=dt.date(1980, 12, 10),
    residence="NSW",
)


def test_customer_create_is_audited(officer):
    start = last_id()
    c = services.customer_create(actor=officer.user, **CUSTOMER)
    assert c.search_name == "lovelace ada"
    [event] = new_events(start)
    assert (event.action, event.customer_id, event.actor_id) == ("customer.create", c.pk, officer.user.pk)
    assert event.after["csid"] == CUSTOMER["csid"]


def test_customer_create_normalises_csid(officer):
    raw = CUSTOMER["csid"]
    c = services.customer_create(actor=officer.user, **{**CUSTOMER, "csid": f"{raw[:3]} {raw[3:6]}-{raw[6:]}"})
    assert c.csid == raw


@pytest.mark.parametrize(
    "change, field",
    [
        ({"csid": "12345"}, "csid"),
        ({"csid": "abc"}, "csid"),
        ({"given_names": ""}, "given_names"),
        ({"residence": "XX"}, "residence"),
        ({"residence": "OS"}, "country"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"date_of_birth": dt.date(2999, 1, 1)}, "date_of_birth"),
        ({"date_of_death": dt.date(1970, 1, 1)}, "date_of_death"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_customer_create_refuses_bad_input_per_field_and_writes_nothing(officer, change, field):
    start = last_id()
    with pytest.raises(InvalidInput) as exc:
        services.customer_create(actor=officer.user, **{**CUSTOMER, **change})
    assert field in exc.value.fields
    assert not cm.Customer.objects.exists()
    assert last_id() == start


def test_duplicate_csid_is_refused(officer):
    services.customer_create(actor=officer.user, **CUSTOMER)
    with pytest.raises(InvalidInput) as exc:
        services.customer_create(actor=officer.user, **CUSTOMER)
    assert "csid" in exc.value.fields


def test_auditor_cannot_create_or_change(reference):
    auditor = f.OfficerFactory(role=Role.AUDITOR)
    with pytest.raises(NotPermitted):
        services.customer_create(actor=auditor.user, **CUSTOMER)
    customer = f.CustomerFactory()
    with pytest.raises(NotPermitted):
        services.customer_update(actor=auditor.user, customer=customer, reason="x", phone_home="1")
    with pytest.raises(NotPermitted):
        services.note_add(actor=auditor.user, customer=customer, subject="s", body="b")


def test_customer_update_records_before_and_after(officer):
    c = f.CustomerFactory(family_name="Smith")
    start = last_id()
    services.customer_update(actor=officer.user, customer=c, reason="Married name", family_name="Jones")
    c.refresh_from_db()
    assert c.search_name.startswith("jones ")
    [event] = new_events(start)
    assert event.action == "customer.update"
    assert event.before == {"family_name": "Smith"}
    assert event.after == {"family_name": "Jones"}
    assert event.reason == "Married name"


def test_customer_update_needs_a_reason_and_keeps_csid(officer):
    c = f.CustomerFactory()
    with pytest.raises(InvalidInput) as exc:
        services.customer_update(actor=officer.user, customer=c, reason=" ", phone_home="02 1234 5678")
    assert "reason" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        services.customer_update(actor=officer.user, customer=c, reason="typo", csid=make_csid(1))
    assert "csid" in exc.value.fields


def test_customer_record_view_is_audited(officer):
    c = f.CustomerFactory()
    services.customer_record_view(actor=officer.user, customer=c, channel="api")
    event = AuditEvent.objects.get(action="customer.view")
    assert (event.customer_id, event.actor_label, event.after) == (c.pk, officer.user.username, {"channel": "api"})


def test_case_create_with_children_and_role_history(officer):
    payer, payee = f.CustomerFactory(), f.CustomerFactory()
    case = services.case_create(
        actor=officer.user,
        payer=payer,
        payee=payee,
        children=[{"given_names": "Tom", "family_name": "Lee", "date_of_birth": dt.date(2015, 1, 2)}],
    )
    assert case.case_number.startswith("C") and len(case.case_number) == 9
    assert case.children.count() == 1
    assert case.role_history.get().payer == payer
    assert actions(payer) == ["case.create"]
    assert actions(payee) == ["case.party_added"]


def test_case_create_refuses_same_party_and_bad_children_without_writing(officer):
    payer = f.CustomerFactory()
    with pytest.raises(InvalidInput) as exc:
        services.case_create(actor=officer.user, payer=payer, payee=payer)
    assert "payee" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        services.case_create(
            actor=officer.user, payer=payer, payee=f.CustomerFactory(), children=[{"given_names": "X"}]
        )
    assert "children" in exc.value.fields
    assert not cm.Case.objects.exists() and not cm.Child.objects.exists()


def test_case_roles_reverse_keeps_history_cma_2_4(officer):
    case = f.CaseFactory()
    cm.CaseRoleHistory.objects.create(case=case, payer=case.payer, payee=case.payee, from_date=dt.date(2020, 1, 1))
    old_payer = case.payer
    case = services.case_roles_reverse(
        actor=officer.user, case=case, effective_from=dt.date(2024, 1, 1), reason="Care changed"
    )
    assert case.payee == old_payer
    periods = list(case.role_history.order_by("from_date"))
    assert periods[0].to_date == dt.date(2023, 12, 31) and periods[1].payee_id == old_payer.pk
    event = AuditEvent.objects.filter(action="case.roles_reverse").first()
    assert event.step_ids == ["CMA-2.4"]


def test_note_add_is_append_only_and_audited(officer):
    c = f.CustomerFactory()
    note = services.note_add(actor=officer.user, customer=c, subject="Call about estimate", body="Discussed.")
    event = AuditEvent.objects.get(action="note.add")
    assert event.customer_id == c.pk and event.after["subject"] == "Call about estimate"
    correction = services.note_add(actor=officer.user, customer=c, subject="Correction", body="Fixed.", ref=note)
    assert correction.ref == note
    note.body = "changed"
    with pytest.raises(PermissionError):
        note.save()
    with pytest.raises(PermissionError):
        cm.Note.objects.filter(pk=note.pk).delete()


def test_note_add_refuses_blank_and_foreign_case(officer):
    c = f.CustomerFactory()
    with pytest.raises(InvalidInput) as exc:
        services.note_add(actor=officer.user, customer=c, subject="", body="", kind="nonsense")
    assert set(exc.value.fields) == {"subject", "body", "kind"}
    with pytest.raises(InvalidInput) as exc:
        services.note_add(actor=officer.user, customer=c, subject="s", body="b", case=f.CaseFactory())
    assert "case" in exc.value.fields


@pytest.mark.parametrize(
    "source, reliable",
    [("ato_issued", True), ("estimate", False), ("provisional", False), ("customer_advised", False)],
    ids=lambda v: f"CMA-2.2-{v}",
)
def test_income_record_add_derives_reliability_cma_2_2(officer, source, reliable):
    c = f.CustomerFactory()
    row = services.income_record_add(
        actor=officer.user, customer=c, amount="72000", source=source, tax_year=2026, effective_from=dt.date(2026, 7, 1)
    )
    assert row.is_reliable is reliable
    event = AuditEvent.objects.get(action="income.add")
    assert event.after["is_reliable"] is reliable and event.step_ids == ["CMA-2.2"]


def test_income_record_add_refuses_bad_amount(officer):
    with pytest.raises(InvalidInput) as exc:
        services.income_record_add(
            actor=officer.user, customer=f.CustomerFactory(), amount="lots", source="estimate", tax_year=2026,
            effective_from=dt.date(2026, 7, 1),
        )
    assert "amount" in exc.value.fields


def test_payment_arrangement_replaces_current_and_is_audited(officer):
    debt = f.DebtFactory()
    first = services.payment_arrangement_create(
        actor=officer.user, debt=debt, instalment="50", frequency="fortnightly", start_date=dt.date(2026, 12, 1)
    )
    services.payment_arrangement_default(actor=officer.user, arrangement=first, reason="Missed two payments")
    second = services.payment_arrangement_create(
        actor=officer.user, debt=debt, instalment="40", frequency="weekly", start_date=dt.date(2027, 1, 1)
    )
    first.refresh_from_db()
    assert (first.status, second.status) == ("ended", "active")
    assert actions(debt.debtor) == [
        "payment_arrangement.create",
        "payment_arrangement.default",
        "payment_arrangement.end",
        "payment_arrangement.create",
    ]


def test_payment_arrangement_refused_on_closed_debt(officer):
    debt = f.DebtFactory(is_open=False)
    with pytest.raises(TransitionRefused):
        services.payment_arrangement_create(
            actor=officer.user, debt=debt, instalment="50", frequency="weekly", start_date=dt.date(2026, 12, 1)
        )


def test_presenting_issue_add_and_close_cma_1_2_cma_3_1(officer):
    c = f.CustomerFactory()
    issue = services.presenting_issue_add(
        actor=officer.user, customer=c, issue_type="objection", received_area="SERVICES"
    )
    assert issue.issue_type.is_specialised and issue.is_outstanding
    # CMA-3.2: the point of entry does not finalise a specialised issue; the Objections area does.
    with pytest.raises(NotPermitted) as exc:
        services.presenting_issue_close(actor=officer.user, issue=issue, status="finalised", outcome="Lodged")
    assert "CMA-3.2" in exc.value.step_ids
    specialist = f.OfficerFactory(role="specialist_officer", position__business_area=f.area("GENERAL_OBJECTIONS"))
    services.presenting_issue_close(actor=specialist.user, issue=issue, status="finalised", outcome="Lodged")
    issue.refresh_from_db()
    assert issue.status == "finalised" and issue.closed_by == specialist.user
    with pytest.raises(TransitionRefused) as exc:
        services.presenting_issue_close(actor=specialist.user, issue=issue, status="withdrawn", outcome="x")
    assert exc.value.step_ids == ("CMA-3.1",)
    steps = list(AuditEvent.objects.filter(customer_id=c.pk).order_by("id").values_list("step_ids", flat=True))
    assert steps == [["CMA-1.2"], ["CMA-3.1"]]


def test_presenting_issue_add_refuses_unknown_type(officer):
    with pytest.raises(InvalidInput) as exc:
        services.presenting_issue_add(
            actor=officer.user, customer=f.CustomerFactory(), issue_type="nope", received_area="SERVICES"
        )
    assert "issue_type" in exc.value.fields


def test_sensitive_indicator_add_and_end_ps_con_4(officer):
    c = f.CustomerFactory()
    row = services.sensitive_indicator_add(actor=officer.user, customer=c, reason="family_violence", conditions="x")
    services.sensitive_indicator_end(actor=officer.user, indicator=row, reason="Reviewed")
    row.refresh_from_db()
    assert not row.is_active and row.ended_at is not None
    assert actions(c) == ["sensitive_indicator.add", "sensitive_indicator.end"]
    with pytest.raises(TransitionRefused):
        services.sensitive_indicator_end(actor=officer.user, indicator=row, reason="again")


RECORD = dict(case_review="Reviewed 14 abusive calls since July.", recommendation="Written contact only.")


def _restriction_request(row):
    from casework.approvals.selectors import pending_for_subject

    return pending_for_subject(subject=row, kind="restricted_service")


def test_contact_restriction_proposed_then_approved_by_another_ps_team_leader_ps_orm_3(officer):
    """Issue 11: the maker–checker stand-in (customers/approvals.py) is now the shared mechanism: proposing raises a
    ``restricted_service`` request in the same transaction; only a PS Team Leader other than the proposer decides
    it, and the restriction stays proposed (not in force) until then."""
    from casework.approvals.services import approval_decide

    c = f.CustomerFactory()
    with pytest.raises(NotPermitted) as exc:
        services.contact_restriction_add(
            actor=officer.user, customer=c, conditions="Written only", review_date=dt.date(2027, 3, 1),
            imposed_on=dt.date(2026, 12, 1), **RECORD,
        )
    assert exc.value.step_ids == ("PS-ORM-3",)
    tl = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    checker = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    row = services.contact_restriction_add(
        actor=tl.user, customer=c, conditions="Written only", review_date=dt.date(2027, 3, 1),
        imposed_on=dt.date(2026, 12, 1), **RECORD,
    )
    assert (row.status, row.is_active) == ("proposed", False)
    req = _restriction_request(row)
    assert req is not None and req.requested_by_id == tl.user.pk
    with pytest.raises(NotPermitted) as exc:  # maker cannot check
        approval_decide(actor=tl.user, approval=req, approve=True, data={"letter_reference": "MX-RS letter"})
    assert "You asked for this" in exc.value.message
    with pytest.raises(NotPermitted):  # a Team Leader outside PS is not eligible
        approval_decide(actor=f.OfficerFactory(role=Role.TEAM_LEADER).user, approval=req, approve=True,
                        data={"letter_reference": "MX-RS letter"})
    with pytest.raises(InvalidInput) as exc:
        approval_decide(actor=checker.user, approval=req, approve=True, data={"letter_reference": ""})
    assert "letter_reference" in exc.value.fields
    row.refresh_from_db()
    assert (row.status, row.is_active) == ("proposed", False)
    approval_decide(actor=checker.user, approval=req, approve=True, data={"letter_reference": "MX-RS letter"})
    row.refresh_from_db()
    assert (row.status, row.is_active, row.approved_by_id, row.letter_reference) == (
        "active", True, checker.user.pk, "MX-RS letter")
    with pytest.raises(TransitionRefused):
        approval_decide(actor=checker.user, approval=req, approve=True, data={"letter_reference": "again"})
    nmqcc = f.OfficerFactory(role=Role.NATIONAL_MANAGER_QCC)
    end = services.contact_restriction_end(actor=tl.user, restriction=row, reason="Review outcome approved")
    approval_decide(actor=nmqcc.user, approval=end, approve=True)
    restriction_actions = [a for a in actions(c) if a.startswith("contact_restriction.")]
    assert restriction_actions == ["contact_restriction.propose", "contact_restriction.approve",
                                   "contact_restriction.end_request", "contact_restriction.end"]
    assert {"approval.request", "approval.approve"} <= set(actions(c))


def test_contact_restriction_needs_the_ps_doc_2_record(reference):
    tl = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    with pytest.raises(InvalidInput) as exc:
        services.contact_restriction_add(actor=tl.user, customer=f.CustomerFactory(), conditions="Written only",
                                         review_date=dt.date(2027, 3, 1), imposed_on=dt.date(2026, 12, 1))
    assert set(exc.value.fields) == {"case_review", "recommendation"} and "PS-DOC-2" in exc.value.step_ids


def test_contact_restriction_rejected_is_kept_with_reason(reference):
    from casework.approvals.services import approval_decide

    maker, checker = (f.OfficerFactory(role=Role.PS_TEAM_LEADER) for _ in range(2))
    c = f.CustomerFactory()
    row = services.contact_restriction_add(actor=maker.user, customer=c, conditions="c", review_date=dt.date(2027, 3, 1),
                                           imposed_on=dt.date(2026, 12, 1), **RECORD)
    approval_decide(actor=checker.user, approval=_restriction_request(row), approve=False,
                    reason="Not yet warranted")
    row.refresh_from_db()
    assert (row.status, row.is_active, row.decision_reason) == ("rejected", False, "Not yet warranted")
    assert [a for a in actions(c) if a.startswith("contact_restriction.")][-1] == "contact_restriction.reject"


@pytest.mark.parametrize(
    "terms, field",
    [({"channels": ["pigeon"]}, "channels"), ({"days": [7]}, "days"),
     ({"time_from": dt.time(10), "time_to": None}, "time_to"),
     ({"time_from": dt.time(14), "time_to": dt.time(10)}, "time_to")],
    ids=["PS-ORM-3-unknown-channel", "PS-ORM-3-bad-day", "PS-ORM-3-half-window", "PS-ORM-3-window-backwards"],
)
def test_contact_restriction_terms_sense_checked_ps_orm_3(reference, terms, field):
    tl = f.OfficerFactory(role=Role.PS_TEAM_LEADER)
    with pytest.raises(InvalidInput) as exc:
        services.contact_restriction_add(actor=tl.user, customer=f.CustomerFactory(), conditions="c",
                                         review_date=dt.date(2027, 3, 1), imposed_on=dt.date(2026, 12, 1),
                                         **RECORD, **terms)
    assert field in exc.value.fields


@pytest.mark.parametrize(
    "review, ok",
    [(dt.date(2027, 2, 28), False), (dt.date(2027, 3, 1), True), (dt.date(2027, 6, 1), True), (dt.date(2027, 6, 2), False)],
    ids=["PS-ORM-3-too-soon", "PS-ORM-3-3-months", "PS-ORM-3-6-months", "PS-ORM-3-too-late"],
)
def test_contact_restriction_review_window_ps_orm_3(reference, review, ok):
    tl = f.OfficerFactory(role=Role.TEAM_LEADER)
    f.OfficerFactory(role=Role.PS_TEAM_LEADER)  # someone who can decide the proposal (issue 11)
    kwargs = dict(
        actor=tl.user, customer=f.CustomerFactory(), conditions="c", review_date=review, imposed_on=dt.date(2026, 12, 1),
        **RECORD,
    )
    if ok:
        services.contact_restriction_add(**kwargs)
    else:
        with pytest.raises(InvalidInput) as exc:
            services.contact_restriction_add(**kwargs)
        assert "review_date" in exc.value.fields and exc.value.step_ids == ("PS-ORM-3",)


def test_representative_add_and_end_cma_1_1(officer):
    c = f.CustomerFactory()
    with pytest.raises(InvalidInput) as exc:
        services.representative_add(actor=officer.user, customer=c, name="Legal Aid", scope="specified")
    assert "matters" in exc.value.fields and exc.value.step_ids == ("CMA-1.1",)
    rep = services.representative_add(
        actor=officer.user, customer=c, name="Legal Aid", scope="specified", scope_detail="Objection only",
        matters=["income"],
    )
    assert rep.matters == ["income"]
    services.representative_end(actor=officer.user, representative=rep, reason="Authority withdrawn")
    rep.refresh_from_db()
    assert not rep.is_active
    assert actions(c) == ["representative.add", "representative.end"]


def test_debt_and_dpo_record(officer):
    case = f.CaseFactory()
    with pytest.raises(InvalidInput):
        services.debt_record(
            actor=officer.user, case=case, debtor=case.payee, kind="child_support_debt", amount="10", as_at=dt.date(2026, 1, 1)
        )
    debt = services.debt_record(
        actor=officer.user, case=case, debtor=case.payee, kind="overpayment", amount="300", as_at=dt.date(2026, 1, 1)
    )
    assert debt.amount == Decimal("300.00")
    dpo = services.dpo_record(actor=officer.user, customer=case.payer, case=case, status="issued", issued_on=dt.date(2026, 5, 1))
    assert dpo.status == "issued"
    assert "dpo.record" in actions(case.payer)


def test_job_context_may_act_without_user(reference):
    from casework.core.context import job_context

    with job_context("seed_demo"):
        c = services.customer_create(actor=None, **CUSTOMER)
    assert AuditEvent.objects.get(action="customer.create", customer_id=c.pk).actor_label == "job:seed_demo"
    with pytest.raises(NotPermitted):
        services.customer_create(actor=None, **{**CUSTOMER, "csid": make_csid(7)})


def test_conflict_is_importable():
    assert Conflict.http_status == 409

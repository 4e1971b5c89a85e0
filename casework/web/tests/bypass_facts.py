"""Bypass matrix, group "facts" (issue 10): request bodies, extra states and the operations of this group the matrix
does not cover yet. Its rows are in ``casework/testing/bypass_matrix_facts.tsv``; ``test_bypass_matrix.py`` runs them with
the rest. A body is ``(world) -> (path, body)``; a state setter is ``(world, actor) -> None`` and runs inside the cell's
savepoint (it may put what it builds in ``world.extra``).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any

from casework.core import clock

SO, PS_TL, TL = "service_officer", "ps_team_leader", "team_leader"
PASSWORD = "pass-Word-123"  # casework.testing.factories.UserFactory


# ------------------------------------------------------------------------------------------------------- states
def _facts(w: Any, actor: Any) -> None:  # noqa: ARG001
    """The subject's case with a debt (arrears owed by the payer), an active payment arrangement on it, a payment
    against it, a child with the payer's care recorded, and an authorised representative, all recorded by another
    officer (the COLLECTION Service Officer)."""
    from casework.customers import services as cs
    from casework.customers.models import Child

    who = w.other_holder.user
    debt = cs.debt_record(actor=who, case=w.case, debtor=w.customer, kind="child_support_debt", amount="1200.00",
                          as_at=dt.date(2026, 11, 1), source="Collection ledger")
    arrangement = cs.payment_arrangement_create(actor=who, debt=debt, instalment="100.00", frequency="monthly",
                                                start_date=dt.date(2026, 12, 1))
    payment = cs.payment_received_record(actor=who, case=w.case, payer=w.customer, debt=debt, amount="100.00",
                                         received_on=dt.date(2026, 11, 20))
    child = Child.objects.create(case=w.case, given_names="Sam", family_name="Smith",
                                 date_of_birth=dt.date(2018, 5, 1))
    care = cs.care_arrangement_record(actor=who, case=w.case, child=child, carer=w.customer, care_percentage=30,
                                      effective_from=dt.date(2026, 1, 1))
    representative = cs.representative_add(actor=who, customer=w.customer, name="Ann Smith", scope="enquire",
                                           relationship="Sister")
    w.extra.update(debt=debt, arrangement=arrangement, payment=payment, child=child, care=care,
                   representative=representative)


def _lock_other(w: Any) -> None:
    from casework.ownership.models import Lock

    holder = w.other_holder
    Lock.objects.create(customer=w.customer, area=holder.position.business_area, position=holder.position,
                        officer=holder, reason="Working it", started_at=clock.now(), started_by=holder.user)


def _facts_locked_other(w: Any, actor: Any) -> None:
    _lock_other(w)
    _facts(w, actor)


def _facts_closed(w: Any, actor: Any) -> None:
    """As ``_facts``, then every row moved on by another officer: the arrangement ended, the debt, the payment and
    the care corrected (superseded), the representative's authority ended, the case's registration pending."""
    from casework.customers import services as cs

    _facts(w, actor)
    who, x = w.other_holder.user, w.extra
    cs.payment_arrangement_end(actor=who, arrangement=x["arrangement"], reason="Paid in full")
    cs.debt_correct(actor=who, debt=x["debt"], amount="1150.00", reason="Ledger error")
    cs.payment_received_correct(actor=who, payment=x["payment"], amount="95.00", reason="Bank correction")
    cs.care_arrangement_correct(actor=who, care=x["care"], care_percentage=32, reason="Court order")
    cs.representative_end(actor=who, representative=x["representative"], reason="Authority withdrawn")
    cs.case_registration_set(actor=who, case=w.case, registration_status="pending", reason="Not yet confirmed")


def _roles_reversed(w: Any, actor: Any) -> None:
    """As ``_facts``, then the case's roles reversed by another officer from 1 September 2026 (the world's case has
    no role period yet: this opens one) and back from 1 November 2026 — the latest reversal (CMA-2.4)."""
    from casework.customers import services as cs

    _facts(w, actor)
    for day in (dt.date(2026, 9, 1), dt.date(2026, 11, 1)):
        cs.case_roles_reverse(actor=w.other_holder.user, case=w.case, effective_from=day,
                              reason="The children moved to the other parent")


def _facts_ps(w: Any, actor: Any) -> None:
    w.target = w.ps
    _facts(w, actor)


RESTRICTION = {"conditions": "Written contact only", "case_review": "Abusive calls on three occasions",
               "recommendation": "Restrict to written contact", "review_date": dt.date(2027, 5, 1),
               "channels": ["post"]}


def _propose(w: Any, proposer: Any) -> None:
    """A restricted service proposed by ``proposer`` (PS-ORM-3, PS-DOC-2): its ``restricted_service`` request for
    approval waits for a PS Team Leader other than the proposer."""
    from casework.approvals.selectors import pending_for_subject
    from casework.customers import services as cs

    restriction = cs.contact_restriction_add(actor=proposer.user, customer=w.customer, **RESTRICTION)
    w.extra.update(restriction=restriction,
                   approval=pending_for_subject(subject=restriction, kind="restricted_service"))


def _rs_proposed(w: Any, actor: Any) -> None:  # noqa: ARG001
    _propose(w, w.officers[TL])


def _rs_proposed_pstl(w: Any, actor: Any) -> None:  # noqa: ARG001
    w.target = w.ps
    _propose(w, w.officers[PS_TL])


def _rs_in_force(w: Any, actor: Any) -> None:  # noqa: ARG001
    from casework.approvals.services import approval_decide

    _propose(w, w.officers[TL])
    approval_decide(actor=w.officers[PS_TL].user, approval=w.extra["approval"], approve=True,
                    data={"letter_reference": "UQ140 restricted service letter"})
    w.extra["restriction"].refresh_from_db()


def _correspondence(w: Any, *, officer: Any = None, position: Any = None) -> None:
    """An open *Correspondence received* intray on the subject with one outstanding matter, received by another
    officer (the COLLECTION Service Officer)."""
    from casework.intrays import services as intray_services
    from casework.intrays.models import CorrespondenceMatter

    w.intray = intray_services.correspondence_receive(
        actor=w.other_holder.user, customer=w.customer, channel="post", category="income",
        received_at=clock.now() - dt.timedelta(hours=2), subject="New payslips", assignee_officer=officer,
        assignee_position=position, matters=["Asks for the assessment to be updated"])
    w.extra["matter"] = CorrespondenceMatter.objects.get(correspondence__intray=w.intray)


def _corr_actor(w: Any, actor: Any) -> None:
    _correspondence(w, officer=actor)


def _corr_done(w: Any, actor: Any) -> None:
    """The actor's correspondence intray, its matter addressed (outcome communicated) and the intray completed."""
    from casework.intrays import services as intray_services

    _correspondence(w, officer=actor)
    intray_services.correspondence_matter_address(actor=actor.user, matter=w.extra["matter"],
                                                  outcome="Assessment updated; letter sent", communicated=True)
    intray_services.intray_complete(actor=actor.user, intray=w.intray, outcome="Answered by letter")


def _corr_other(w: Any, actor: Any) -> None:  # noqa: ARG001
    _correspondence(w, officer=w.other_holder)


def _corr_team(w: Any, actor: Any) -> None:  # noqa: ARG001
    _correspondence(w, position=w.officers[SO].position)


def _notification(w: Any, recipient: Any) -> None:
    from casework.notifications.models import NotificationKind
    from casework.notifications.services import notification_send

    w.extra["notification"] = notification_send(
        recipients=[recipient], kind=NotificationKind.APPROVAL_DECIDED, text="Your request was decided",
        key="bm:facts:notification", link="/approvals/", customer=w.customer)[0]


def _notif_actor(w: Any, actor: Any) -> None:
    _notification(w, actor if actor is not None else w.other_holder)


def _notif_other(w: Any, actor: Any) -> None:  # noqa: ARG001
    _notification(w, w.other_holder)


def _signing_in(w: Any, actor: Any) -> None:
    w.extra["credentials"] = {"username": (actor or w.officers[SO]).user.username, "password": PASSWORD}


def _wrong_password(w: Any, actor: Any) -> None:
    w.extra["credentials"] = {"username": (actor or w.officers[SO]).user.username, "password": "not-the-password"}


def _token(w: Any, owner: Any) -> None:
    from knox.models import AuthToken

    instance, _ = AuthToken.objects.create(user=owner.user)
    w.extra["token_key"] = instance.token_key


def _token_actor(w: Any, actor: Any) -> None:
    _token(w, actor if actor is not None else w.other_holder)


def _token_other(w: Any, actor: Any) -> None:  # noqa: ARG001
    _token(w, w.other_holder)


# state key -> (description, setter(world, actor))
STATES: dict[str, tuple[str, Callable[[Any, Any], None]]] = {
    "facts": ("the plain customer (unlocked) has a debt, an active arrangement, a payment, a child's care and a "
              "representative on record", _facts),
    "facts_locked_other": ("as 'facts', and the customer is locked to a Service Officer of another area "
                           "(COLLECTION)", _facts_locked_other),
    "facts_closed": ("as 'facts', then moved on by another officer: arrangement ended; debt, payment and care "
                     "corrected (superseded); representative ended; registration pending", _facts_closed),
    "roles_reversed": ("as 'facts', and the case's roles reversed by another officer (COLLECTION) from 1 September "
                       "2026 and back from 1 November 2026", _roles_reversed),
    "facts_ps": ("as 'facts', on the PS customer (active PS record, locked to the PS Case Manager)", _facts_ps),
    "rs_proposed": ("a restricted service proposed by the Team Leader (SERVICES) on the plain customer: its "
                    "request waits for any PS Team Leader", _rs_proposed),
    "rs_proposed_pstl": ("a restricted service proposed by the PS Team Leader on the PS customer: its request waits "
                         "for another PS Team Leader (not a matrix actor)", _rs_proposed_pstl),
    "rs_in_force": ("a restricted service proposed by the Team Leader and approved by the PS Team Leader: in force",
                    _rs_in_force),
    "corr_actor": ("an open correspondence intray (one outstanding matter) assigned to the acting officer",
                   _corr_actor),
    "corr_done": ("the acting officer's correspondence intray, its matter addressed and the intray completed",
                  _corr_done),
    "corr_other": ("an open correspondence intray assigned to another officer (COLLECTION, in no team)",
                   _corr_other),
    "corr_team": ("an open correspondence intray in the Service Officer's position (the Team Leader's team)",
                  _corr_team),
    "notif_actor": ("a notification to the acting officer", _notif_actor),
    "notif_other": ("a notification to another officer", _notif_other),
    "signing_in": ("the request carries the actor's own username and password (anonymous: a Service Officer's)",
                   _signing_in),
    "wrong_password": ("the request carries the actor's username with a wrong password", _wrong_password),
    "token_actor": ("the acting officer holds an API token", _token_actor),
    "token_other": ("another officer holds an API token", _token_other),
}


# ------------------------------------------------------------------------------------------------------- bodies
def _x(w: Any, name: str) -> Any:
    return w.extra[name].pk


def _approval(w: Any) -> int:
    """The pending request of the cell: the restricted service's, or the ownership dispute's (``dispute_*``)."""
    if "approval" in w.extra:
        return w.extra["approval"].pk
    from casework.approvals.models import ApprovalRequest

    return ApprovalRequest.objects.get(kind="ownership_dispute", subject_id=str(w.dispute.pk)).pk


DOCUMENT = base64.b64encode(b"%PDF-1.4 payslip").decode()

# operationId -> (world) -> (path, body)
BODIES: dict[str, Callable[[Any], tuple[str, dict[str, Any]]]] = {
    # case financial and care facts (docs/facts.md)
    "debts_correct": lambda w: (f"/api/v1/debts/{_x(w, 'debt')}/correct/", {
        "amount": "1100.00", "reason": "Ledger error"}),
    "debts_arrangement_add": lambda w: (f"/api/v1/debts/{_x(w, 'debt')}/arrangements/", {
        "instalment": "50.00", "frequency": "monthly", "start_date": "2026-12-15"}),
    "arrangements_amend": lambda w: (f"/api/v1/arrangements/{_x(w, 'arrangement')}/amend/", {
        "instalment": "120.00", "reason": "More income"}),
    "arrangements_default_create": lambda w: (f"/api/v1/arrangements/{_x(w, 'arrangement')}/default/", {
        "reason": "Missed three instalments"}),
    "arrangements_end_create": lambda w: (f"/api/v1/arrangements/{_x(w, 'arrangement')}/end/", {
        "reason": "Customer will pay in full"}),
    "cases_payments_add": lambda w: (f"/api/v1/cases/{w.case.case_number}/payments/", {
        "payer_csid": w.customer.csid, "amount": "50.00", "received_on": "2026-11-25", "debt_id": _x(w, "debt")}),
    "payments_correct": lambda w: (f"/api/v1/payments/{_x(w, 'payment')}/correct/", {
        "amount": "90.00", "reason": "Bank correction"}),
    "cases_care_add": lambda w: (f"/api/v1/cases/{w.case.case_number}/care/", {
        "child_id": _x(w, "child"), "carer_csid": w.payee.csid, "care_percentage": 70,
        "effective_from": "2026-01-01"}),
    "care_correct": lambda w: (f"/api/v1/care/{_x(w, 'care')}/correct/", {
        "care_percentage": 35, "reason": "Court order"}),
    "cases_roles_reverse": lambda w: (f"/api/v1/cases/{w.case.case_number}/roles/", {
        "effective_from": "2026-11-01", "reason": "The children moved to the other parent"}),
    "income_correct": lambda w: (f"/api/v1/income/{w.customer.incomes.order_by('-id').first().pk}/correct/", {
        "amount": "61000.00", "reason": "Keyed the wrong amount"}),
    "cases_roles_correct": lambda w: (f"/api/v1/cases/{w.case.case_number}/roles/correct/", {
        "effective_from": "2026-10-15", "reason": "The children moved earlier than keyed"}),
    "cases_registration_set": lambda w: (f"/api/v1/cases/{w.case.case_number}/registration/", {
        "registration_status": "pending", "reason": "Registration not yet confirmed"}),
    "representatives_end": lambda w: (f"/api/v1/representatives/{_x(w, 'representative')}/end/", {
        "reason": "Authority withdrawn"}),
    # restricted service (PS-ORM-3, PS-DOC-2)
    "restrictions_approve": lambda w: (f"/api/v1/restrictions/{_x(w, 'restriction')}/approve/", {
        "letter_reference": "UQ140 restricted service letter"}),
    "restrictions_reject": lambda w: (f"/api/v1/restrictions/{_x(w, 'restriction')}/reject/", {
        "reason": "Not enough evidence of unreasonable conduct"}),
    "restrictions_end": lambda w: (f"/api/v1/restrictions/{_x(w, 'restriction')}/end/", {
        "reason": "Conduct improved"}),
    # approvals (docs/approvals.md)
    "approvals_decide_create": lambda w: (f"/api/v1/approvals/{_approval(w)}/decide/", {
        "approve": False, "reason": "Not agreed"}),
    "approvals_withdraw_create": lambda w: (f"/api/v1/approvals/{_approval(w)}/withdraw/", {
        "reason": "Raised in error"}),
    # notifications
    "notifications_read_create": lambda w: (f"/api/v1/notifications/{_x(w, 'notification')}/read/", {}),
    "notifications_read_all_create": lambda w: ("/api/v1/notifications/read-all/", {}),
    # sign-in tokens (docs/security.md)
    "auth_token_create": lambda w: ("/api/v1/auth/token/", w.extra["credentials"]),
    "auth_logout_create": lambda w: ("/api/v1/auth/logout/", {}),
    "auth_tokens_revoke_create": lambda w: (f"/api/v1/auth/tokens/{w.extra['token_key']}/revoke/", {}),
    # correspondence intrays (docs/intrays.md)
    "intrays_documents_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/documents/", {
        "filename": "payslip.pdf", "content_base64": DOCUMENT, "content_type": "application/pdf"}),
    "intrays_matters_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/matters/", {
        "description": "Asks about arrears"}),
    "intrays_matters_address_create": lambda w: (
        f"/api/v1/intrays/{w.intray.pk}/matters/{_x(w, 'matter')}/address/", {
            "outcome": "Assessment updated; letter sent", "communicated": True}),
    "intrays_matters_refer_create": lambda w: (
        f"/api/v1/intrays/{w.intray.pk}/matters/{_x(w, 'matter')}/refer/", {
            "to_position": w.other_holder.position.code, "reason": "Collection to update the arrears"}),
    "intrays_recategorise_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/recategorise/", {
        "category": "payment", "reason": "It is about collection"}),
    "intrays_correct_create": lambda w: (f"/api/v1/intrays/{w.intray.pk}/correct/", {
        "subject": "New payslips from employer", "reason": "Subject keyed wrongly"}),
}

# The group's write operations with no rows yet (kept equal to casework/testing/bypass_matrix.NOT_YET_BY_GROUP).
NOT_YET: frozenset[str] = frozenset()

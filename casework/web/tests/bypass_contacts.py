"""Bypass matrix, group "contacts" (issue 10): request bodies, extra states and the operations of this group the matrix
does not cover yet. Its rows are in ``casework/testing/bypass_matrix_contacts.tsv``; ``test_bypass_matrix.py`` runs them with
the rest. A body is ``(world) -> (path, body)``; a state setter is ``(world, actor) -> None`` and runs inside the cell's
savepoint (it may put what it builds in ``world.extra``).

The contact states build the contact through the contact services as the acting officer ("the actor's contact");
Administrator, Auditor and anonymous cannot take a contact (issue 13), so for them the contact is another officer's
(they are refused by role either way). ``w.extra["contact"]`` is the contact the cell's body acts on, and
``w.extra["link"]`` its row for the subject's open presenting issue (CMA-1.2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casework.core import clock
from casework.org.roles import Role

# ------------------------------------------------------------------------------------------------------ states


def _worker(w, actor):
    """The officer whose contact it is in an "actor" state: the actor when they can take contacts, else another."""
    if actor is not None and actor.position_id and actor.user.has_perm("contacts.run_contact"):
        return actor
    return w.other_holder


_SNAPSHOTS: dict[tuple[int, int, int], dict[str, Any]] = {}


def _contact(w, officer, *, customer=None, poi: bool = True, link: bool = True, status: str = "open",
             explained: bool = False, fresh_snapshot: bool = False):
    """The contact of a state, built by its constructor (test set-up; the cell's request is what goes through the
    services): channel phone, the customer speaking, the subject's case, the caller impacted."""
    from casework.contacts import selectors
    from casework.contacts.models import Contact, ContactIssue, ContactStatus, ExplanationStatus, ImpactedCustomer

    customer = customer or w.customer
    now = clock.now()
    contact = Contact.objects.create(
        customer=customer, case=w.case, channel="phone", officer=officer, area=officer.position.business_area,
        started_at=now, status=status, poi_confirmed_at=now if poi else None,
        poi_method="Date of birth and address" if poi else "",
        finalised_at=now if status == ContactStatus.FINALISED else None,
        realtime_resolved=True if status == ContactStatus.FINALISED else None,
        transfer_kind="cold" if status == ContactStatus.TRANSFERRED else "",
    )
    if poi:  # the MCA facts stored at POI (CMA-1.1), read once per customer and world
        key = (id(w), customer.pk, w.case.pk)
        if fresh_snapshot:
            contact.mca_snapshot = {"facts": selectors.mca_facts_from_record(contact)}
        else:
            if key not in _SNAPSHOTS:
                _SNAPSHOTS[key] = {"facts": selectors.mca_facts_from_record(contact)}
            contact.mca_snapshot = _SNAPSHOTS[key]
        contact.save(update_fields=["mca_snapshot"])
    ImpactedCustomer.objects.create(contact=contact, customer=customer, recorded_at=now if explained else None,
                                    status=ExplanationStatus.EXPLAINED if explained else ExplanationStatus.PENDING)
    w.extra["contact"] = contact
    if link:
        w.extra["link"] = ContactIssue.objects.create(contact=contact, presenting_issue_id=w.issue.pk, handling="",
                                                      created_at=now)
    return contact


def _finalise_issue(w) -> None:
    """The subject's open presenting issue is dealt with (test set-up, through its transition)."""
    from casework.customers.models import PresentingIssue

    issue = PresentingIssue.objects.get(pk=w.issue.pk)  # a fresh row: the world's object outlives the savepoint
    issue.finalise()
    issue.outcome = "Explained the payment."
    issue.closed_at = clock.now()
    issue.save()


def _lock_to(w, officer) -> None:
    from casework.ownership.models import Lock

    Lock.objects.create(customer=w.customer, area=officer.position.business_area, position=officer.position,
                        officer=officer, reason="Working it", started_at=clock.now(), started_by=officer.user)


def _contact_new_actor(w, actor):
    _contact(w, _worker(w, actor), poi=False)


def _contact_actor(w, actor):
    _contact(w, _worker(w, actor))


def _contact_other(w, actor):  # noqa: ARG001
    _contact(w, w.other_holder)


def _contact_transferred_actor(w, actor):
    _contact(w, _worker(w, actor), status="transferred")


def _contact_ready_actor(w, actor):
    _finalise_issue(w)
    _contact(w, _worker(w, actor), explained=True)


def _contact_finalised_actor(w, actor):
    officer = _worker(w, actor)
    _finalise_issue(w)
    _lock_to(w, officer)
    _contact(w, officer, status="finalised", explained=True)


def _contact_finalised_ps_actor(w, actor):
    """The actor's finalised contact with the PS customer (locked to the PS Case Manager), decision explained and
    the PS customer's issue finalised."""
    w.target = w.ps
    _finalise_issue(w)
    _contact(w, _worker(w, actor), status="finalised", explained=True)


def _contact_actor_locked_dpo(w, actor):
    """The actor's open contact; the customer is locked to the DPO specialist (a specialist area, CMA-1.2)."""
    _lock_to(w, w.officers[Role.SPECIALIST_OFFICER.value])
    _contact(w, _worker(w, actor))


def _contact_payee_actor(w, actor):
    _contact(w, _worker(w, actor), customer=w.payee, link=False)


def _contact_specialised_actor(w, actor):
    """Two specialised issues of different areas raised in this contact (CMA-1.7: a further specialised issue while
    ownership is kept)."""
    from casework.contacts.models import ContactIssue
    from casework.testing import factories as f

    contact = _contact(w, _worker(w, actor), link=False)
    for code in ("objection", "change_of_assessment"):
        issue = f.PresentingIssueFactory(customer=w.customer, issue_type=f.issue_type(code))
        ContactIssue.objects.create(contact=contact, presenting_issue=issue, handling="", created_at=clock.now())


def _contact_mca_ready_actor(w, actor):
    """MCA required (income not ATO-issued, CMA-2.2) and every applicable point ticked."""
    from casework.contacts import selectors, services
    from casework.customers.models import IncomeSource
    from casework.testing import factories as f

    f.IncomeFactory(customer=w.customer, source=IncomeSource.ESTIMATE, amount="30000.00",
                    effective_from=clock.local_today(w.office).replace(day=1))
    officer = _worker(w, actor)
    contact = _contact(w, officer, link=False, fresh_snapshot=True)
    codes = list(selectors.mca_assessment(contact).checklist_codes)
    w.extra["contact"] = services.contact_mca_tick(actor=officer.user, contact=contact, codes=codes)


def _contact_ps_actor(w, actor):
    w.target = w.ps
    _contact(w, _worker(w, actor))


def _ready_locked_actor(w, actor):
    """CMA-3.4 readiness: locked to the actor, the subject's issue finalised, MCA not required (ATO income, nothing
    owed); no contact."""
    _finalise_issue(w)
    _lock_to(w, _worker(w, actor))


def _ready_locked_actor_old_letters(w, actor):
    """As ``ready_locked_actor``, the decision letters having gone out a month before the lock started."""
    import datetime as dt

    with clock.freeze(clock.now() - dt.timedelta(days=30)):
        w.extra["letters"] = _letters(w)
    _ready_locked_actor(w, actor)


def _ready_locked_actor_no_wait(w, actor):
    """As ``ready_locked_actor``; the officer asks for no waiting period after the letters (``after_hours`` 0)."""
    w.extra["after_hours"] = 0
    _ready_locked_actor(w, actor)


def _contact_team_member(w, actor):  # noqa: ARG001
    """Issue 14: an open contact taken by the matrix Service Officer, a member of the matrix Team Leader's team."""
    _contact(w, w.officers[Role.SERVICE_OFFICER.value])


def _contact_poi_failed_actor(w, actor):
    """Issue 14: the actor's open contact on which the identity check failed (CMA-1.1)."""
    contact = _contact(w, _worker(w, actor), poi=False)
    contact.poi_failed_at = clock.now()
    contact.poi_failed_checks = ["date_of_birth"]
    contact.save(update_fields=["poi_failed_at", "poi_failed_checks"])


def _contact_abandoned_actor(w, actor):
    """Issue 14: the actor's contact, abandoned (ended)."""
    contact = _contact(w, _worker(w, actor), poi=False, status="abandoned")
    contact.abandoned_at = clock.now()
    contact.abandon_reason = "call_dropped"
    contact.save(update_fields=["abandoned_at", "abandon_reason"])


# state key -> (description, setter(world, actor))
STATES: dict[str, tuple[str, Callable[[Any, Any], None]]] = {
    "contact_new_actor": ("an open contact taken by the actor, identity not yet confirmed (CMA-1.1)",
                          _contact_new_actor),
    "contact_actor": ("an open contact taken by the actor, POI confirmed, with the customer's open issue on it",
                      _contact_actor),
    "contact_other": ("an open contact taken by another officer (COLLECTION), POI confirmed", _contact_other),
    "contact_transferred_actor": ("the actor's contact, cold-transferred to LITIGATION: closed (CMA-1.1)",
                                  _contact_transferred_actor),
    "contact_ready_actor": ("the actor's open contact, ready to finalise: issue finalised, decision explained, MCA "
                            "not required (CMA-3.1/3.2)", _contact_ready_actor),
    "contact_finalised_actor": ("the actor's finalised contact, decision explained, customer locked to the actor and "
                                "ready to unlock (CMA-3.4)", _contact_finalised_actor),
    "contact_finalised_ps_actor": ("the actor's finalised contact with the PS customer (locked to the Case Manager), "
                                   "decision explained, issue finalised (PS-ACT-5)", _contact_finalised_ps_actor),
    "contact_actor_locked_dpo": ("the actor's open contact; the customer locked to the DPO specialist (CMA-1.2, "
                                 "CMA-3.2)", _contact_actor_locked_dpo),
    "contact_payee_actor": ("an open contact with the payee taken by the actor, POI confirmed (CMA-2.5)",
                            _contact_payee_actor),
    "contact_specialised_actor": ("the actor's open contact with two specialised issues of different areas raised "
                                  "(CMA-1.7)", _contact_specialised_actor),
    "contact_mca_ready_actor": ("the actor's open contact, MCA required (estimate income) and every point ticked "
                                "(CMA-2.1/2.8)", _contact_mca_ready_actor),
    "contact_ps_actor": ("an open contact with the PS customer taken by the actor, POI confirmed, with the PS "
                         "customer's open issue on it (PS-ACT-5, PS-SPE-1)", _contact_ps_actor),
    "contact_team_member": ("an open contact taken by the Service Officer of the matrix Team Leader's team, POI "
                            "confirmed (issue 14: their Team Leader may abandon it)", _contact_team_member),
    "contact_poi_failed_actor": ("the actor's open contact, the identity check failed (CMA-1.1, issue 14)",
                                 _contact_poi_failed_actor),
    "contact_abandoned_actor": ("the actor's contact, abandoned: ended (issue 14)", _contact_abandoned_actor),
    "ready_locked_actor": ("locked to the actor and ready to unlock: issue finalised, MCA not required (CMA-3.4)",
                           _ready_locked_actor),
    "ready_locked_actor_old_letters": ("as ready_locked_actor, with decision letters sent before the lock started "
                                       "(an earlier decision, CMA-3.4)", _ready_locked_actor_old_letters),
    "ready_locked_actor_no_wait": ("as ready_locked_actor; the automatic unlock asked with no waiting period "
                                   "(after_hours 0, CMA-3.4)", _ready_locked_actor_no_wait),
}

# ------------------------------------------------------------------------------------------------------ bodies


def _k(w) -> str:
    return f"/api/v1/contacts/{w.extra['contact'].pk}"


def _c(w) -> str:
    return f"/api/v1/customers/{w.customer.csid}"


def _referral(w) -> int:
    from casework.contacts.models import ExternalReferral

    contact = w.extra["contact"]
    return ExternalReferral.objects.create(contact=contact, organisation="Legal Aid", reason="Property settlement",
                                           given_at=None, created_at=clock.now(), created_by=contact.officer.user).pk


def _debt(w) -> int:
    from casework.testing import factories as f

    return f.DebtFactory(case=w.case).pk


def _letters(w) -> list[int]:
    """A decision letter to the customer and to the other party on the case (CMA-3.4)."""
    from casework.letters.models import Letter

    author = w.officers[Role.SERVICE_OFFICER.value].user
    return [Letter.objects.create(customer=c, template_code="decision_letter", title="Decision", html="<p>x</p>",
                                  issued_at=clock.now(), issued_by=author).pk
            for c in (w.customer, w.payee if w.case.payer_id == w.customer.pk else w.case.payer)]


# operationId -> (world) -> (path, body)
BODIES: dict[str, Callable[[Any], tuple[str, dict[str, Any]]]] = {
    "contacts_poi_create": lambda w: (f"{_k(w)}/poi/", {"method": "Date of birth and address"}),
    "contacts_poi_failed_create": lambda w: (f"{_k(w)}/poi/failed/", {"checks": ["date_of_birth"],
                                                                       "note": "Wrong date of birth"}),
    "contacts_abandon_create": lambda w: (f"{_k(w)}/abandon/", {"reason": "call_dropped"}),
    "contacts_correct_create": lambda w: (f"{_k(w)}/correct/", {"channel": "email", "reason": "Keyed the wrong channel"}),
    "contacts_transfer_create": lambda w: (f"{_k(w)}/transfer/", {"to_area": "LITIGATION", "kind": "cold"}),
    "contacts_issues_create": lambda w: (f"{_k(w)}/issues/", {"issue_type": "payment_enquiry"}),
    "contacts_issues_close_create": lambda w: (f"{_k(w)}/issues/{w.extra['link'].pk}/close/", {
        "outcome": "Explained the payment.", "status": "finalised"}),
    "contacts_external_referrals_create": lambda w: (f"{_k(w)}/external-referrals/", {
        "organisation": "Legal Aid", "reason": "Property settlement", "given": True}),
    "contacts_external_referrals_give_create": lambda w: (f"{_k(w)}/external-referrals/{_referral(w)}/give/", {}),
    "contacts_error_create": lambda w: (f"{_k(w)}/error/", {
        "description": "Payment applied to the wrong month", "apology_given": True, "complaint_offered": True,
        "resolved_in_real_time": True}),
    "contacts_mca_tick_create": lambda w: (f"{_k(w)}/mca/tick/", {"codes": []}),
    "contacts_mca_complete_create": lambda w: (f"{_k(w)}/mca/complete/", {}),
    "contacts_payment_arrangement_create": lambda w: (f"{_k(w)}/payment-arrangement/", {
        "debt_id": _debt(w), "instalment": "50.00", "frequency": "fortnightly", "start_date": "2026-12-14"}),
    "contacts_income_create": lambda w: (f"{_k(w)}/income/", {
        "amount": "70000.00", "source": "ato_issued", "tax_year": 2026, "effective_from": "2026-07-01"}),
    "contacts_collection_info_create": lambda w: (f"{_k(w)}/collection-info/", {
        "information": "The payer started a new job at ACME", "likely_collection_outcome": False}),
    "contacts_impacted_create": lambda w: (f"{_k(w)}/impacted/", {"csid": w.payee.csid}),
    "contacts_explained_create": lambda w: (f"{_k(w)}/explained/", {"csid": w.customer.csid, "explained": True}),
    "contacts_disagreement_create": lambda w: (f"{_k(w)}/disagreement/", {"options": ["new_decision"]}),
    "contacts_finalise_create": lambda w: (f"{_k(w)}/finalise/", {}),
    "contacts_not_resolved_create": lambda w: (f"{_k(w)}/not-resolved/", {"reason": "Needs the payslips first"}),
    "contacts_holistic_advice_create": lambda w: (f"{_k(w)}/holistic-advice/", {}),
    "contacts_unlock_create": lambda w: (f"{_k(w)}/unlock/", {"reason": "Decision explained",
                                                              "decision_explained": True}),
    "customers_ownership_auto_unlock_create": lambda w: (f"{_c(w)}/ownership/auto-unlock/", {
        "letters": w.extra.get("letters") or _letters(w), "reason": "Decision letters sent", "contact_attempted": True,
        **({"after_hours": w.extra["after_hours"]} if "after_hours" in w.extra else {})}),
    "customers_ownership_consultations_create": lambda w: (f"{_c(w)}/ownership/consultations/", {
        "ps_case_manager": "bm_pscm", "summary": "Objection decision due next week",
        "communication_approach": "Case Manager calls first, then the letter", "who_communicates": "Case Manager"}),
}

# The group's write operations with no rows yet (kept equal to casework/testing/bypass_matrix.NOT_YET_BY_GROUP).
NOT_YET: frozenset[str] = frozenset()

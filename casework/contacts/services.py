"""Contacts services: every write of a guided customer contact (CMA-1.1 to CMA-3.5).

Keyword-only, one transaction each, guarded by contacts.policy, audited in the same transaction. Writes that belong
to another app go through that app's services (notes, presenting issues, payment arrangements: customers; locks,
referrals, unlocks: ownership; letters: letters) inside this service's transaction, so nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.core.versioning import version_check
from casework.customers.models import (
    AuthorisedRepresentative,
    Case,
    Customer,
    Debt,
    IssueStatus,
    NoteKind,
)
from casework.org.models import BusinessArea, IssueType

from . import policy, selectors
from .models import (
    Channel,
    Contact,
    ContactCorrection,
    ContactIssue,
    ContactStatus,
    ExplanationStatus,
    ExternalReferral,
    ImpactedCustomer,
    Speaker,
)


# --- guards ----------------------------------------------------------------------------------------------------


def _officer(actor):
    officer = getattr(actor, "officer", None) if actor is not None else None
    if officer is None or not actor.has_perm("contacts.run_contact"):
        raise NotPermitted("Only a caseworking officer can run a customer contact.", step_ids=("CMA-1.1",))
    if officer.position_id is None:
        raise NotPermitted("You need a position in a business area to take contacts.", step_ids=("CMA-1.1",))
    return officer


def _own(actor, contact: Contact) -> None:
    officer = _officer(actor)
    if contact.officer_id != officer.pk:
        raise NotPermitted(
            f"This contact is being handled by {contact.officer.display_name}.", step_ids=("CMA-1.1",)
        )


def _lock(contact: Contact) -> Contact:
    return Contact.objects.select_for_update().get(pk=contact.pk)


def _require_open(contact: Contact, steps: Sequence[str] = ("CMA-1.1",)) -> None:
    if contact.status != ContactStatus.OPEN:
        raise TransitionRefused(
            f"This contact is {contact.get_status_display().lower()}: nothing more can be recorded on it.",
            step_ids=steps,
        )


def _require_poi(contact: Contact) -> None:
    if not contact.poi_confirmed:
        raise TransitionRefused(
            "Confirm proof of identity before discussing or recording anything about the case.", step_ids=("CMA-1.1",)
        )


def _require_may_act(contact: Contact, matter: str) -> None:
    """CMA-1.1: the person speaking may change this matter (their authority, checked as it stands today)."""
    decision = policy.representative_matter_check(selectors.contact_access(contact), matter=matter, act=True)
    if not decision.allowed:
        raise NotPermitted(decision.reason, step_ids=decision.step_ids)


def _bump(contact: Contact, fields: list[str]) -> None:
    contact.version += 1
    contact.save(update_fields=[*fields, "version"])


def _choice(value: Any, choices, field: str) -> str:
    value = getattr(value, "value", value)
    if value not in choices.values:
        raise InvalidInput("Check the highlighted fields.", fields={field: [f"Choose one of: {', '.join(choices.values)}."]})
    return value


def _text(value: Any, field: str, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise InvalidInput("Check the highlighted fields.", fields={field: [f"Enter {label}."]})
    return text


# --- CMA-1.1: start, POI, transfer ------------------------------------------------------------------------------


def contact_start(
    *,
    actor,
    customer: Customer,
    channel: str,
    speaker: str = Speaker.CUSTOMER,
    representative: AuthorisedRepresentative | None = None,
    case: Case | None = None,
    transferred_from: Contact | None = None,
) -> Contact:
    """CMA-1.1: record the contact (channel, who, officer, time). POI done before a transfer is carried with it.

    Idempotent (issue 14): when this officer already has a contact in progress with the customer, that contact is
    returned (audited ``contact.resume``) and nothing is created; ``contact.resumed`` (not stored) says which."""
    officer = _officer(actor)
    channel = _choice(channel, Channel, "channel")
    speaker = _choice(speaker, Speaker, "speaker")
    if speaker == Speaker.REPRESENTATIVE:
        if representative is None:
            raise InvalidInput("Choose the authorised representative who is speaking.", step_ids=("CMA-1.1",),
                               fields={"representative": ["Choose the representative."]})
        if representative.customer_id != customer.pk or not representative.is_active:
            raise InvalidInput(
                "This person is not a current authorised representative of the customer.", step_ids=("CMA-1.1",),
                fields={"representative": ["Not a current representative of this customer."]},
            )
    elif representative is not None:
        raise InvalidInput("A representative is only recorded when one is speaking.", fields={"representative": ["Leave empty when the customer is speaking."]})
    if case is not None and customer.pk not in (case.payer_id, case.payee_id):
        raise InvalidInput("The customer is not a party to this case.", fields={"case": ["Not this customer's case."]})
    poi_carried = False
    if transferred_from is not None:
        if transferred_from.customer_id != customer.pk or transferred_from.status != ContactStatus.TRANSFERRED:
            raise InvalidInput("That contact was not transferred for this customer.", fields={"transferred_from": ["Not a transfer of this customer."]})
        poi_carried = transferred_from.poi_confirmed
    now = clock.now()
    with transaction.atomic():
        # Issue 14: one contact per call. The customer row is locked so two starts at once (a double click, the
        # back button) cannot both open one; the officer's contact in progress is resumed instead.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        own_open = list(Contact.objects.filter(customer=customer, officer=officer, status=ContactStatus.OPEN)
                        .values_list("pk", flat=True))
        decision = policy.start_or_resume(own_open_contact_ids=own_open)
        if decision.outcome == "resume":
            contact = Contact.objects.get(pk=decision.facts["contact_id"])
            audit_record(actor=actor, action="contact.resume", target=contact, after={"channel": channel},
                         step_ids=decision.step_ids, customer=customer)
            contact.resumed = True
            return contact
        contact = Contact.objects.create(
            customer=customer,
            case=case,
            channel=channel,
            speaker=speaker,
            representative=representative,
            officer=officer,
            area=officer.position.business_area,
            started_at=now,
            transferred_from=transferred_from,
            poi_carried=poi_carried,
        )
        ImpactedCustomer.objects.create(contact=contact, customer=customer)
        if poi_carried:
            contact.mca_snapshot = {"facts": selectors.mca_facts_from_record(contact)}
            contact.save(update_fields=["mca_snapshot"])
        audit_record(
            actor=actor,
            action="contact.start",
            target=contact,
            after={
                "channel": channel,
                "speaker": speaker,
                "representative": representative.pk if representative else None,
                "area": contact.area.code,
                "poi_carried": poi_carried,
                "transferred_from": transferred_from.pk if transferred_from else None,
            },
            step_ids=("CMA-1.1",),
            customer=customer,
        )
        # PS-ORM-3: a contact outside the restricted service's channels, days or times is recorded (and the
        # officer is warned on the screen before identity is confirmed).
        for decision in selectors.restriction_status(contact)["outside"]:
            audit_record(actor=actor, action="contact.restriction_outside", target=contact,
                         after={"channel": channel, "warning": decision.reason}, step_ids=decision.step_ids,
                         customer=customer)
    contact.resumed = False  # not stored: tells the caller a new contact was started (issue 14)
    return contact


def contact_poi_confirm(*, actor, contact: Contact, method: str) -> Contact:
    """CMA-1.1: proof of identity confirmed before any case information is shown or discussed."""
    _own(actor, contact)
    method = _text(method, "method", "how identity was confirmed")
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact)
        if contact.poi_confirmed_at is not None:
            raise TransitionRefused("Proof of identity is already confirmed on this contact.", step_ids=("CMA-1.1",))
        if contact.poi_failed:
            raise TransitionRefused(
                "The identity check failed on this contact: nothing about the case may be discussed. Abandon the "
                "contact; a new call starts a new contact.", step_ids=("CMA-1.1",))
        contact.poi_confirmed_at = clock.now()
        contact.poi_method = method[:200]
        contact.mca_snapshot = {"facts": selectors.mca_facts_from_record(contact)}
        _bump(contact, ["poi_confirmed_at", "poi_method", "mca_snapshot"])
        audit_record(
            actor=actor, action="contact.poi_confirm", target=contact, after={"method": contact.poi_method},
            step_ids=("CMA-1.1",), customer=contact.customer_id,
        )
    return contact


def contact_transfer(
    *, actor, contact: Contact, to_area: BusinessArea, kind: str, reasons: Iterable[str] = (), note: str = ""
) -> Contact:
    """CMA-1.1: wrong business area -> cold transfer ("POI done" carried) or warm transfer for the given reasons."""
    _own(actor, contact)
    reasons = tuple(reasons)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact)
        decision = policy.transfer_check(kind=kind, reasons=reasons, poi_confirmed=contact.poi_confirmed)
        if not decision.allowed:
            raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={"reasons" if kind == "warm" else "kind": [decision.reason]})
        if to_area.pk == contact.area_id:
            raise InvalidInput("The call is already in this business area.", fields={"to_area": ["Choose another business area."]})
        contact.transfer()
        contact.transfer_kind = kind
        contact.transfer_reasons = list(reasons)
        contact.transfer_to_area = to_area
        contact.transfer_note = str(note or "").strip()
        _bump(contact, ["status", "transfer_kind", "transfer_reasons", "transfer_to_area", "transfer_note"])
        audit_record(
            actor=actor, action="contact.transfer", target=contact,
            after={"kind": kind, "reasons": list(reasons), "to_area": to_area.code, "poi_done": contact.poi_confirmed},
            step_ids=decision.step_ids, customer=contact.customer_id,
        )
    return contact


def contact_poi_fail(*, actor, contact: Contact, checks: Iterable[str] = (), note: str = "") -> Contact:
    """CMA-1.1 (issue 14): the identity check failed (which checks, free text). Afterwards nothing about the case
    may be discussed (every later step refuses with CMA-1.1, POI cannot be confirmed on this contact): it can only
    be abandoned, or transferred with "POI not done"."""
    _own(actor, contact)
    checks = list(dict.fromkeys(checks))
    note = str(note or "").strip()
    with transaction.atomic():
        contact = _lock(contact)
        decision = policy.poi_failure_check(is_open=contact.is_open, poi_confirmed=contact.poi_confirmed,
                                            poi_failed=contact.poi_failed, checks=checks, note=note)
        if not decision.allowed:
            if decision.outcome == "invalid":
                raise InvalidInput(decision.reason, step_ids=decision.step_ids,
                                   fields={"note" if checks else "checks": [decision.reason]})
            raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
        contact.poi_failed_at = clock.now()
        contact.poi_failed_checks = checks
        contact.poi_failed_note = note
        _bump(contact, ["poi_failed_at", "poi_failed_checks", "poi_failed_note"])
        audit_record(actor=actor, action="contact.poi_failed", target=contact,
                     after={"checks": checks, "note": note}, step_ids=decision.step_ids,
                     customer=contact.customer_id)
    return contact


def contact_abandon(*, actor, contact: Contact, reason: str, note: str = "") -> Contact:
    """CMA-1.1 (issue 14): end an in-progress contact without an outcome (call dropped, hung up, wrong customer,
    POI failed...). The officer who took it or their Team Leader; never after it ended. The presenting issues raised
    in it stay open (they are the customer's) and the customer's lock is untouched."""
    officer = _officer(actor)
    reason = getattr(reason, "value", reason) or ""
    note = str(note or "").strip()
    with transaction.atomic():
        contact = _lock(contact)
        decision = policy.abandon_check(
            is_open=contact.is_open, is_contact_officer=contact.officer_id == officer.pk,
            is_their_team_leader=selectors.leads_team_of(officer, contact), reason=reason, note=note,
        )
        if not decision.allowed:
            if decision.outcome == "not_permitted":
                raise NotPermitted(decision.reason, step_ids=decision.step_ids)
            if decision.outcome == "closed":
                raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
            raise InvalidInput(decision.reason, step_ids=decision.step_ids,
                               fields={"note" if reason == "other" else "reason": [decision.reason]})
        contact.abandon()
        contact.abandoned_at = clock.now()
        contact.abandon_reason = reason
        contact.abandon_note = note
        _bump(contact, ["status", "abandoned_at", "abandon_reason", "abandon_note"])
        still_open = [link.presenting_issue_id for link in contact.issues.select_related("presenting_issue")
                      if link.presenting_issue.status == IssueStatus.OPEN]
        audit_record(actor=actor, action="contact.abandon", target=contact,
                     after={"reason": reason, "note": note, "issues_left_open": still_open,
                            "by_team_leader": contact.officer_id != officer.pk},
                     step_ids=decision.step_ids, customer=contact.customer_id)
    return contact


# --- issue 14: correcting what was recorded ---------------------------------------------------------------------


def contact_correct(*, actor, contact: Contact, reason: str, version: int | None = None, **values: Any) -> Contact:
    """Correct what was typed on a contact (issue 14, CMA-1.1): ``values`` maps fields of
    ``policy.CORRECTABLE_FIELDS`` (channel, POI method, notes, the not-resolved reason...) to their corrected value;
    while the contact runs or after it ended, finalised too. The officer who took it or their Team Leader; never the
    outcomes other rules hang on (refused with their step). One ``ContactCorrection`` row per changed field, audited
    in the same transaction. ``version``: the contact version the correction was made from (stale: 409)."""
    officer = _officer(actor)
    reason = str(reason or "").strip()
    with transaction.atomic():
        contact = _lock(contact)
        version_check(contact, version, what="contact", step_ids=("CMA-1.1",))
        changes: dict[str, tuple[str, str]] = {}
        for name, value in values.items():
            if value is None:
                continue
            value = getattr(value, "value", value)
            if name == "channel":
                value = _choice(value, Channel, "channel")
            elif name in policy.CORRECTABLE_FIELDS:
                value = str(value).strip()
            old = getattr(contact, name, None)
            if name not in policy.CORRECTABLE_FIELDS or str(old if old is not None else "") != value:
                changes[name] = (old, value)
        decision = policy.contact_correct_check(
            is_contact_officer=contact.officer_id == officer.pk,
            is_their_team_leader=selectors.leads_team_of(officer, contact), changed=tuple(changes), reason=reason)
        if not decision.allowed:
            if decision.outcome == "not_permitted":
                raise NotPermitted(decision.reason, step_ids=decision.step_ids)
            if decision.outcome == "protected":
                raise TransitionRefused(decision.reason, step_ids=decision.step_ids)
            field = "reason" if decision.reason.startswith("Give a reason") else "non_field_errors"
            raise InvalidInput(decision.reason, step_ids=decision.step_ids, fields={field: [decision.reason]})
        now = clock.now()
        rows = []
        for name, (old, new) in changes.items():
            shown_old, shown_new = old, new
            if name == "channel":
                shown_old, shown_new = Channel(old).label, Channel(new).label
            rows.append(ContactCorrection(contact=contact, field=name, old_value=str(shown_old or ""),
                                          new_value=shown_new, reason=reason, corrected_by=actor, corrected_at=now))
            setattr(contact, name, new)
        ContactCorrection.objects.bulk_create(rows)
        _bump(contact, list(changes))
        audit_record(actor=actor, action="contact.correct", target=contact,
                     before={name: old for name, (old, _) in changes.items()},
                     after={name: new for name, (_, new) in changes.items()}, reason=reason,
                     step_ids=decision.step_ids, customer=contact.customer_id)
    return contact


# --- CMA-1.2: presenting issues, external referrals -------------------------------------------------------------


def _handling_for(contact: Contact, presenting_issue) -> Any:
    from casework.ownership import policy as own_policy
    from casework.ownership import selectors as own_sel

    lock = own_sel.active_lock(customer=contact.customer)
    decisions = own_policy.issue_handling(
        issues=own_sel.issue_facts(customer=contact.customer),
        point_of_entry=contact.area.code,
        locked_area=own_sel.area_fact(lock.area) if lock is not None else None,
        areas=own_sel.area_facts(),
    )
    return next((d for d in decisions if d.facts.get("issue_id") == presenting_issue.pk), None)


def contact_issue_add(*, actor, contact: Contact, issue_type: IssueType | str, description: str = "") -> ContactIssue:
    """CMA-1.2: a presenting issue from the catalogue; the ownership rules say how it is handled."""
    from casework.customers.services import presenting_issue_add

    _own(actor, contact)
    if isinstance(issue_type, str):
        found = IssueType.objects.filter(code=issue_type, is_active=True).first()
        if found is None:
            raise InvalidInput("Choose an issue from the catalogue.", step_ids=("CMA-1.2",), fields={"issue_type": ["Unknown issue type."]})
        issue_type = found
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact)
        _require_poi(contact)
        issue = presenting_issue_add(
            actor=actor, customer=contact.customer, issue_type=issue_type, received_area=contact.area,
            case=contact.case, description=description, step_ids=("CMA-1.2",),
        )
        handling = _handling_for(contact, issue)
        link = ContactIssue.objects.create(
            contact=contact,
            presenting_issue=issue,
            handling=handling.outcome if handling else "",
            handling_reason=handling.reason if handling else "",
            handled_by=str(handling.facts.get("handled_by", "")) if handling else "",
            step_ids=list(handling.step_ids) if handling else ["CMA-1.2"],
            created_at=clock.now(),
        )
        audit_record(
            actor=actor, action="contact.issue_add", target=contact,
            after={"issue": issue.pk, "issue_type": issue_type.code, "handling": link.handling, "handled_by": link.handled_by},
            step_ids=("CMA-1.2",), customer=contact.customer_id,
        )
    return link


def contact_issue_close(
    *, actor, contact_issue: ContactIssue, outcome: str, status: str = IssueStatus.FINALISED
) -> ContactIssue:
    """CMA-3.2: finalise (or refer) a presenting issue raised in this contact."""
    from casework.customers.services import presenting_issue_close

    contact = contact_issue.contact
    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-3.2",))
        presenting_issue_close(
            actor=actor, issue=contact_issue.presenting_issue, status=status, outcome=outcome,
            step_ids=("CMA-3.1", "CMA-3.2"),
        )
        audit_record(
            actor=actor, action="contact.issue_close", target=contact,
            after={"issue": contact_issue.presenting_issue_id, "status": getattr(status, "value", status)},
            step_ids=("CMA-3.2",), customer=contact.customer_id,
        )
    contact_issue.presenting_issue.refresh_from_db()
    return contact_issue


def contact_external_referral_add(
    *, actor, contact: Contact, organisation: str, reason: str, given: bool = True
) -> ExternalReferral:
    """CMA-1.2: a non-child-support referral (organisation, reason); given now or still to give (CMA-3.1)."""
    _own(actor, contact)
    organisation = _text(organisation, "organisation", "the organisation")
    reason = _text(reason, "reason", "the reason for the referral")
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-1.2",))
        _require_poi(contact)
        now = clock.now()
        referral = ExternalReferral.objects.create(
            contact=contact, organisation=organisation[:200], reason=reason, given_at=now if given else None,
            created_at=now, created_by=actor,
        )
        audit_record(
            actor=actor, action="contact.external_referral", target=contact,
            after={"organisation": referral.organisation, "given": given}, step_ids=("CMA-1.2",),
            customer=contact.customer_id,
        )
    return referral


def contact_external_referral_give(*, actor, referral: ExternalReferral) -> ExternalReferral:
    _own(actor, referral.contact)
    with transaction.atomic():
        contact = _lock(referral.contact)
        _require_open(contact, ("CMA-3.1",))
        row = ExternalReferral.objects.select_for_update().get(pk=referral.pk)
        if row.given_at is not None:
            raise TransitionRefused("This referral was already given.", step_ids=("CMA-3.1",))
        row.given_at = clock.now()
        row.save(update_fields=["given_at"])
        audit_record(
            actor=actor, action="contact.external_referral_give", target=contact,
            after={"referral": row.pk, "organisation": row.organisation}, step_ids=("CMA-3.1", "CMA-1.2"),
            customer=contact.customer_id,
        )
    return row


# --- CMA-1.3: error identified -----------------------------------------------------------------------------------


def contact_error_record(
    *,
    actor,
    contact: Contact,
    description: str,
    apology_given: bool,
    complaint_offered: bool,
    resolved_in_real_time: bool,
    complaint_wanted: bool = False,
) -> Contact:
    """CMA-1.3: apologise, offer the complaints process, resolve in real time or apply the locking rule (locked to
    another officer -> refer the follow-up; not locked -> the identifying officer locks the customer)."""
    from casework.ownership import services as own_services

    _own(actor, contact)
    description = _text(description, "description", "the error identified")
    if not apology_given:
        raise InvalidInput("Apologise to the customer and record it.", step_ids=("CMA-1.3",), fields={"apology_given": ["Record the apology."]})
    if not complaint_offered:
        raise InvalidInput("Offer the complaints process and record it.", step_ids=("CMA-1.3",), fields={"complaint_offered": ["Record that the complaints process was offered."]})
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-1.3",))
        _require_poi(contact)
        report = own_services.error_identified(
            actor=actor, customer=contact.customer, description=description,
            resolvable_in_real_time=resolved_in_real_time,
        )
        decision = policy.Decision.yes(
            {"resolved": "Resolved in real time.", "referred": "Follow-up referred to the locked officer.",
             "locked": "Customer locked to the identifying officer, who manages all outstanding issues."}.get(report.outcome, report.outcome),
            "CMA-1.3", outcome=report.outcome,
        )
        if complaint_wanted:
            _complaint_issue(actor, contact)
        contact.error_identified = True
        contact.error_description = description
        contact.apology_given = True
        contact.complaint_offered = True
        contact.complaint_wanted = complaint_wanted
        contact.error_outcome = decision.outcome
        _bump(contact, ["error_identified", "error_description", "apology_given", "complaint_offered", "complaint_wanted", "error_outcome"])
        audit_record(
            actor=actor, action="contact.error", target=contact,
            after={"outcome": decision.outcome, "complaint_wanted": complaint_wanted},
            reason=decision.reason, step_ids=decision.step_ids, customer=contact.customer_id,
        )
    return contact


def _complaint_issue(actor, contact: Contact) -> ContactIssue:
    from casework.customers.services import presenting_issue_add

    complaint = IssueType.objects.filter(code="complaint").first()
    if complaint is None:
        raise InvalidInput("The complaint issue type is not in the catalogue.", step_ids=("CMA-1.3",))
    issue = presenting_issue_add(
        actor=actor, customer=contact.customer, issue_type=complaint, received_area=contact.area, case=contact.case,
        description="Customer wants to complain about an error identified (CMA-1.3).", step_ids=("CMA-1.3", "CMA-1.2"),
    )
    handling = _handling_for(contact, issue)
    return ContactIssue.objects.create(
        contact=contact, presenting_issue=issue, handling=handling.outcome if handling else "",
        handling_reason=handling.reason if handling else "", handled_by=str(handling.facts.get("handled_by", "")) if handling else "",
        step_ids=list(handling.step_ids) if handling else ["CMA-1.3"], created_at=clock.now(),
    )


# --- CMA-2.x: Minimum Collection Activity -------------------------------------------------------------------------


def contact_mca_tick(*, actor, contact: Contact, codes: Iterable[str]) -> Contact:
    """CMA-2.2/2.6/2.7: the officer ticks the applicable expectation points (the set replaces the previous one)."""
    _own(actor, contact)
    codes = list(dict.fromkeys(str(c) for c in codes))
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-2.1",))
        _require_poi(contact)
        if contact.mca_completed_at is not None:
            raise TransitionRefused("Minimum Collection Activity is already documented for this contact.", step_ids=("CMA-2.8",))
        assessment = selectors.mca_assessment(contact)
        unknown = [c for c in codes if c not in assessment.checklist_codes]
        if unknown:
            raise InvalidInput(
                "Only the points that apply to this customer can be ticked.", step_ids=assessment.steps,
                fields={"codes": [f"Not applicable here: {', '.join(unknown)}."]},
            )
        before = list(contact.mca_ticked)
        contact.mca_ticked = codes
        _bump(contact, ["mca_ticked"])
        audit_record(
            actor=actor, action="contact.mca_tick", target=contact, before={"ticked": before}, after={"ticked": codes},
            step_ids=tuple(sorted({i.step_id for i in assessment.checklist if i.code in codes})) or ("CMA-2.1",),
            customer=contact.customer_id,
        )
    return contact


def contact_income_update(
    *, actor, contact: Contact, amount: Decimal | str | int, source: str, tax_year: int, effective_from: dt.date
) -> Contact:
    """CMA-2.2: income not reliable -> update the income during the contact (the checklist point "updated the
    income, or asked the customer to call back with it" is ticked for the officer)."""
    from casework.customers.services import income_record_add

    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-2.2",))
        _require_poi(contact)
        _require_may_act(contact, "income")
        row = income_record_add(
            actor=actor, customer=contact.customer, amount=amount, source=source, tax_year=tax_year,
            effective_from=effective_from, reason="Updated during a customer contact (MCA)", step_ids=("CMA-2.2",),
        )
        assessment = selectors.mca_assessment(contact)
        if "income_updated_or_call_back" in assessment.checklist_codes and contact.mca_completed_at is None:
            contact.mca_ticked = list(dict.fromkeys([*contact.mca_ticked, "income_updated_or_call_back"]))
        _bump(contact, ["mca_ticked"])
        audit_record(
            actor=actor, action="contact.income_update", target=contact,
            after={"income": row.pk, "source": row.source, "is_reliable": row.is_reliable}, step_ids=("CMA-2.2",),
            customer=contact.customer_id,
        )
    return contact


def contact_payment_arrangement_record(
    *, actor, contact: Contact, debt: Debt, instalment: Decimal | str | int, frequency: str, start_date: dt.date
) -> Contact:
    """CMA-2.4 / CMA-2.5: negotiate a repayment arrangement for the customer's debt during the contact."""
    from casework.customers.services import payment_arrangement_create

    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-2.4",))
        _require_poi(contact)
        _require_may_act(contact, "collection")
        if debt.debtor_id != contact.customer_id:
            raise InvalidInput("This debt is not owed by the customer on the line.", step_ids=("CMA-2.3",), fields={"debt": ["Choose one of the customer's debts."]})
        arrangement = payment_arrangement_create(
            actor=actor, debt=debt, instalment=instalment, frequency=frequency, start_date=start_date,
            step_ids=("CMA-2.1", "CMA-2.4"),
        )
        contact.arrangement = arrangement
        _bump(contact, ["arrangement"])
        audit_record(
            actor=actor, action="contact.payment_arrangement", target=contact,
            after={"arrangement": arrangement.pk, "debt": debt.pk}, step_ids=("CMA-2.4",), customer=contact.customer_id,
        )
    return contact


def contact_collection_info_record(
    *, actor, contact: Contact, information: str, likely_collection_outcome: bool, level1_searches_done: bool = False
) -> Contact:
    """CMA-2.5: a payee's new collection information. Payer not locked and likely to lead to collection -> lock
    the payer to this officer; payer locked to another officer -> investigate (follow-up to the locked officer)."""
    from casework.customers.services import note_add
    from casework.ownership import selectors as own_sel
    from casework.ownership import services as own_services

    officer = _officer(actor)
    _own(actor, contact)
    information = str(information or "").strip()
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-2.5",))
        _require_poi(contact)
        _require_may_act(contact, "collection")
        facts = selectors.mca_facts(contact)
        if facts.role != policy.PAYEE:
            raise TransitionRefused("Collection information is gathered from payees.", step_ids=("CMA-2.5",))
        payer = contact.case.payer if contact.case_id else None
        if payer is None:
            case_row = Case.objects.filter(payee=contact.customer).select_related("payer").first()
            payer = case_row.payer if case_row else None
        payer_lock = own_sel.active_lock(customer=payer) if payer is not None else None
        locked_other = payer_lock is not None and payer_lock.officer_id not in (None, officer.pk)
        decision = policy.collection_information_action(
            new_information=bool(information), likely_collection_outcome=likely_collection_outcome,
            payer_locked_to_other_officer=locked_other,
        )
        body = information or "No new collection information."
        if level1_searches_done:
            body += "\nLevel 1 searches completed."
        note_add(
            actor=actor, customer=contact.customer, case=contact.case, kind=NoteKind.COLLECTION,
            subject="Collection information gathered (Collection and debt macro)",
            body=f"{body}\nOutcome: {decision.reason}", ref=contact, step_ids=decision.step_ids,
        )
        if decision.outcome == "lock_payer" and payer is not None:
            if payer_lock is None:
                own_services.customer_lock(
                    actor=actor, customer=payer, to_officer=officer,
                    reason="New collection information likely to lead to a collection outcome (CMA-2.5).",
                    step_ids=("CMA-2.5", "CMA-2.10"),
                )
        elif decision.outcome == "investigate" and payer is not None:
            own_services.follow_up_refer(
                actor=actor, customer=payer, subject="New collection information from the payee",
                details=body, step_ids=("CMA-2.5", "CMA-2.10"),
            )
        contact.collection_information = body
        contact.collection_outcome = decision.outcome
        contact.level1_searches_done = level1_searches_done
        _bump(contact, ["collection_information", "collection_outcome", "level1_searches_done"])
        audit_record(
            actor=actor, action="contact.collection_info", target=contact,
            after={"outcome": decision.outcome, "level1_searches": level1_searches_done},
            reason=decision.reason, step_ids=decision.step_ids, customer=contact.customer_id,
        )
    return contact


def _mca_body(assessment: policy.McaAssessment, contact: Contact, fields: tuple[tuple[str, str], ...]) -> str:
    lines = [f"{k}: {v}" for k, v in fields]
    lines.append(f"Path: {policy.PAYMENT_PATHS[assessment.payment_path]}")
    lines.append(f"Income: {'ATO-issued, confirmed still accurate' if assessment.income_path == 'confirm_accurate' else 'not reliable, discussed'}")
    ticked = [i.text for i in assessment.checklist if i.code in contact.mca_ticked]
    if ticked:
        lines.append("Discussed:")
        lines += [f"- {t}" for t in ticked]
    if contact.arrangement_id:
        a = contact.arrangement
        lines.append(f"Payment arrangement: ${a.instalment} {a.get_frequency_display().lower()} from {a.start_date:%d/%m/%Y}")
    if contact.collection_information:
        lines.append(f"Collection information: {contact.collection_information}")
    return "\n".join(lines)


def contact_mca_complete(*, actor, contact: Contact) -> Contact:
    """CMA-2.1 / CMA-2.8: refused until every applicable point is ticked (and the arrangement or collection
    information recorded where the path needs it); then the MCA is documented where CMA-2.8 puts it."""
    from casework.customers.services import note_add

    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-2.1",))
        _require_poi(contact)
        if contact.mca_completed_at is not None:
            raise TransitionRefused("Minimum Collection Activity is already documented.", step_ids=("CMA-2.8",))
        assessment = selectors.mca_assessment(contact)
        if not assessment.required:
            raise TransitionRefused(assessment.reason, step_ids=("CMA-2.1",))
        status = selectors.mca_status(contact, assessment)
        if not status.allowed:
            raise TransitionRefused(status.reason, step_ids=status.step_ids, extra={"missing": status.facts["missing"]})
        notes = []
        for target in policy.mca_documentation(assessment, arrangement_negotiated=contact.arrangement_id is not None):
            notes.append(
                note_add(
                    actor=actor, customer=contact.customer, case=contact.case, kind=target.note_kind,
                    subject=target.subject, body=_mca_body(assessment, contact, target.fields), ref=contact,
                    step_ids=(target.step_id, *assessment.steps),
                ).pk
            )
        contact.mca_completed_at = clock.now()
        contact.mca_snapshot = {**contact.mca_snapshot, "assessment": assessment.as_dict(), "notes": notes}
        _bump(contact, ["mca_completed_at", "mca_snapshot"])
        audit_record(
            actor=actor, action="contact.mca_complete", target=contact,
            after={"payment_path": assessment.payment_path, "ticked": contact.mca_ticked, "notes": notes},
            step_ids=("CMA-2.1", "CMA-2.8"), customer=contact.customer_id,
        )
    return contact


# --- CMA-2.9 / 2.10: not resolved in real time ----------------------------------------------------------------


def contact_not_resolved(*, actor, contact: Contact, reason: str) -> Contact:
    """CMA-2.9 -> CMA-2.10: locked to another officer -> refer the follow-up by intray; not locked -> lock the
    customer to this officer."""
    from casework.ownership import selectors as own_sel
    from casework.ownership import services as own_services

    officer = _officer(actor)
    _own(actor, contact)
    reason = _text(reason, "reason", "why it cannot be resolved now and the follow-up needed")
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-2.9",))
        _require_poi(contact)
        decision = policy.realtime_outcome(resolved_in_real_time=False)
        lock = own_sel.active_lock(customer=contact.customer)
        # CMA-2.10 / CMA-1.3: the follow-up always becomes work for the holder, an officer or a position (issue 11:
        # a customer locked to a position used to get no intray).
        if lock is not None and lock.officer_id != officer.pk:
            own_services.follow_up_refer(
                actor=actor, customer=contact.customer, subject="Follow-up from a customer contact", details=reason,
                step_ids=("CMA-2.10",),
            )
            outcome = "referred"
        elif lock is None:
            own_services.customer_lock(
                actor=actor, customer=contact.customer, to_officer=officer,
                reason=f"Not resolved in real time (CMA-2.10): {reason}"[:500], step_ids=("CMA-2.10",),
            )
            outcome = "locked"
        else:
            outcome = "already_owned"
        contact.realtime_resolved = False
        contact.not_resolved_reason = reason
        contact.refer_for_follow_up()
        _bump(contact, ["realtime_resolved", "not_resolved_reason", "status"])
        audit_record(
            actor=actor, action="contact.not_resolved", target=contact, after={"outcome": outcome},
            reason=reason, step_ids=decision.step_ids, customer=contact.customer_id,
        )
        _hand_off_specialised_issues(actor, contact, ending=f"Not resolved in real time: {reason}")
    return contact


# --- CMA-3.1 / 3.2: explanations, disagreement, finalise --------------------------------------------------------


def contact_impacted_add(*, actor, contact: Contact, customer: Customer) -> ImpactedCustomer:
    """CMA-3.1: another customer impacted by the decision (e.g. the other parent on the case)."""
    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-3.1",))
        parties = set()
        for payer_id, payee_id in Case.objects.filter(
            Q(payer=contact.customer) | Q(payee=contact.customer)
        ).values_list("payer_id", "payee_id"):
            parties.update({payer_id, payee_id})
        if customer.pk not in parties:
            raise InvalidInput("Only a party to the customer's cases can be impacted.", fields={"customer": ["Not on the customer's cases."]})
        row, created = ImpactedCustomer.objects.get_or_create(contact=contact, customer=customer)
        if created:
            audit_record(
                actor=actor, action="contact.impacted_add", target=contact, after={"customer": customer.pk},
                step_ids=("CMA-3.1",), customer=contact.customer_id,
            )
    return row


def contact_decision_explained(
    *, actor, contact: Contact, customer: Customer, explained: bool = True
) -> ImpactedCustomer:
    """CMA-3.1: the decision was verbally explained to this impacted customer; or not, after appropriate contact
    attempts (CMA-3.4: a decision letter then goes out on unlock)."""
    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-3.1",))
        _require_poi(contact)
        row = ImpactedCustomer.objects.select_for_update().filter(contact=contact, customer=customer).first()
        if row is None:
            raise InvalidInput("This customer is not recorded as impacted.", fields={"customer": ["Add them as impacted first."]})
        before = row.status
        if explained:
            row.explain()
        else:
            row.record_not_contactable()
        row.recorded_at = clock.now()
        row.save(update_fields=["status", "recorded_at"])
        audit_record(
            actor=actor, action="contact.decision_explained", target=contact,
            before={"customer": customer.pk, "status": before}, after={"customer": customer.pk, "status": row.status},
            step_ids=("CMA-3.1",) if explained else ("CMA-3.1", "CMA-3.4"), customer=contact.customer_id,
        )
    return row


def contact_disagreement_record(*, actor, contact: Contact, options: Iterable[str]) -> Contact:
    """CMA-3.1: the customer disagrees; record the options given (new administrative action, new decision, change
    of assessment, error correction, complaint, objection)."""
    _own(actor, contact)
    options = list(dict.fromkeys(options))
    unknown = [o for o in options if o not in policy.DISAGREEMENT_OPTIONS]
    if not options or unknown:
        raise InvalidInput(
            "Record which options were given.", step_ids=("CMA-3.1",),
            fields={"options": [f"Choose from: {', '.join(policy.DISAGREEMENT_OPTIONS)}."]},
        )
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-3.1",))
        _require_poi(contact)
        contact.customer_disagrees = True
        contact.disagreement_options = options
        _bump(contact, ["customer_disagrees", "disagreement_options"])
        audit_record(
            actor=actor, action="contact.disagreement", target=contact, after={"options": options},
            step_ids=("CMA-3.1",), customer=contact.customer_id,
        )
    return contact


def contact_finalise(*, actor, contact: Contact) -> Contact:
    """CMA-2.9 -> CMA-3.1/3.2: refused, naming the missing items, until everything in scope is done."""
    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-3.1",))
        decision = selectors.finalise_check(contact)
        if not decision.allowed:
            raise TransitionRefused(decision.reason, step_ids=decision.step_ids, extra={"missing": decision.facts["missing"]})
        contact.finalise()
        contact.realtime_resolved = True
        contact.finalised_at = clock.now()
        _bump(contact, ["status", "realtime_resolved", "finalised_at"])
        audit_record(
            actor=actor, action="contact.finalise", target=contact, after={"status": contact.status},
            step_ids=("CMA-2.9", "CMA-3.1", "CMA-3.2"), customer=contact.customer_id,
        )
        _hand_off_specialised_issues(actor, contact, ending="Contact finalised: everything in scope done.")
    return contact


# --- CMA-1.2 / CMA-1.4: specialised issues handed to their areas when the contact ends (issue 11) ---------------


def _issues_to_hand_off(contact: Contact) -> list[ContactIssue]:
    """Specialised issues raised in this contact, still open, that another area handles (referral, collaborative
    management, or a specialist lock elsewhere) and not yet handed on."""
    out = []
    links = contact.issues.filter(referred_intray__isnull=True).select_related(
        "presenting_issue__issue_type__handling_area", "presenting_issue__case")
    for link in links:
        issue = link.presenting_issue
        if issue.status != IssueStatus.OPEN or not issue.issue_type.is_specialised:
            continue
        if issue.issue_type.handling_area_id == contact.area_id:
            continue
        handling = _handling_for(contact, issue)
        if handling is not None and handling.outcome in ("referral", "collaborative", "specialist_area"):
            out.append(link)
    return out


def _hand_off_notepad(contact: Contact, links: Sequence[ContactIssue], ending: str) -> str:
    """The notepad that goes with the work: what was done in the contact and what is outstanding (CMA-1.2)."""
    officer = contact.officer
    done = []
    for link in contact.issues.select_related("presenting_issue__issue_type"):
        pi = link.presenting_issue
        if pi.status not in (IssueStatus.OPEN, IssueStatus.REFERRED):
            done.append(f"- {pi.issue_type.name}: {pi.get_status_display().lower()}" + (f" ({pi.outcome})" if pi.outcome else ""))
    if contact.mca_completed_at is not None:
        done.append("- Minimum Collection Activity documented (CMA-2.8)")
    if contact.error_identified:
        done.append(f"- Error identified: {contact.error_description} (outcome: {contact.error_outcome})")
    lines = [
        f"Contact {contact.pk} with {contact.customer.csid} by {officer.display_name} ({contact.area.name}), "
        f"{contact.get_channel_display().lower()}, {clock.local_date(contact.started_at, clock.office_of(officer)):%d/%m/%Y}.",
        ending,
        "Done:",
        *(done or ["- Nothing further could be progressed in real time."]),
        "Outstanding:",
        *[f"- {link.presenting_issue.issue_type.name}" + (f": {link.presenting_issue.description}"
                                                         if link.presenting_issue.description else "")
          for link in links],
    ]
    return "\n".join(lines)


def _hand_off_specialised_issues(actor, contact: Contact, *, ending: str) -> list[dict[str, Any]]:
    """CMA-1.2 / CMA-1.4: when the officer finalises or leaves the contact, each specialised issue another area
    handles becomes that area's work (ownership.services.specialised_issues_hand_off: an intray in the area's
    queue, due in 2 working days, with the notepad; the receiver is notified). Each issue row records where it
    went (area, intray). Runs inside the caller's transaction."""
    from casework.ownership import services as own_services

    links = _issues_to_hand_off(contact)
    if not links:
        return []
    results = own_services.specialised_issues_hand_off(
        actor=actor, customer=contact.customer, issues=[link.presenting_issue for link in links],
        notepad=_hand_off_notepad(contact, links, ending), step_ids=("CMA-1.2",),
    )
    by_issue = {r["issue"].pk: r for r in results}
    now = clock.now()
    handed = []
    for link in links:
        r = by_issue.get(link.presenting_issue_id)
        if r is None:
            continue
        link.referred_area = r["area"]
        link.referred_intray = r["intray"]
        link.referred_at = now
        link.save(update_fields=["referred_area", "referred_intray", "referred_at"])
        handed.append({"issue": link.presenting_issue_id, "area": r["area"].code, "intray": r["intray"].pk,
                       "collaborative": r["collaborative"]})
    if handed:
        audit_record(
            actor=actor, action="contact.issues_handed_off", target=contact, after={"issues": handed},
            reason=ending, step_ids=("CMA-1.2", "CMA-1.4") if any(h["collaborative"] for h in handed) else ("CMA-1.2",),
            customer=contact.customer_id,
        )
    return results


# --- CMA-1.7: holistic service ---------------------------------------------------------------------------------


def contact_holistic_advice_record(*, actor, contact: Contact) -> Contact:
    """CMA-1.7: ownership is kept as a further specialised issue arises: the officer advised the customer that
    they may deal with more than one person and that entering their CSID routes future calls to the same area."""
    _own(actor, contact)
    with transaction.atomic():
        contact = _lock(contact)
        _require_open(contact, ("CMA-1.7",))
        _require_poi(contact)
        prompt = selectors.holistic_advice_prompt(contact)
        if not prompt.allowed:
            raise TransitionRefused(prompt.reason, step_ids=prompt.step_ids)
        if contact.holistic_advice_at is not None:
            raise TransitionRefused("The advice is already recorded on this contact.", step_ids=("CMA-1.7",))
        contact.holistic_advice_at = clock.now()
        _bump(contact, ["holistic_advice_at"])
        audit_record(
            actor=actor, action="contact.holistic_advice", target=contact,
            after={"advised": policy.HOLISTIC_ADVICE, "areas": prompt.facts.get("areas", [])},
            step_ids=("CMA-1.7",), customer=contact.customer_id,
        )
    return contact


# --- CMA-3.4: unlock ----------------------------------------------------------------------------------------------


def contact_unlock(
    *,
    actor,
    contact: Contact,
    reason: str,
    decision_summary: str = "",
    decision_reasons: str = "",
    decision_explained: bool | None = None,
) -> dict[str, Any]:
    """CMA-3.4: decision explained to every impacted customer -> unlock by the ownership rules; otherwise a decision
    letter to every impacted customer, then the automatic unlock."""
    from casework.letters.services import letter_issue
    from casework.ownership import services as own_services

    _own(actor, contact)
    reason = _text(reason, "reason", "the reason")
    with transaction.atomic():
        contact = _lock(contact)
        if contact.status != ContactStatus.FINALISED:
            raise TransitionRefused("Finalise the contact before unlocking the customer.", step_ids=("CMA-3.4", "CMA-3.1"))
        if contact.unlock_outcome:
            raise TransitionRefused("The unlock was already done for this contact.", step_ids=("CMA-3.4",))
        impacted = list(contact.impacted.select_related("customer").select_for_update())
        explained = all(i.status == ExplanationStatus.EXPLAINED for i in impacted)
        if decision_explained is True and not explained:
            raise TransitionRefused(
                "The decision is not recorded as explained to every impacted customer: record it, or send decision "
                "letters (not explained).", step_ids=("CMA-3.4", "CMA-3.1"),
            )
        if decision_explained is False:
            explained = False
        result: dict[str, Any] = {"decision_explained": explained, "letters": []}
        from casework.ownership.selectors import active_lock

        locked = active_lock(customer=contact.customer) is not None
        if explained and not locked:
            contact.unlock_outcome = "not_locked"
        elif explained:
            # The contact itself was the contact; the ownership service checks the same CMA-3.4 readiness as
            # every other unlock path (MCA, issues in scope, PS).
            lock = own_services.customer_unlock(
                actor=actor, customer=contact.customer, reason=reason, decision_explained=True,
                contact_attempted=True, step_ids=("CMA-3.4",),
            )
            contact.unlock_outcome = "relocked" if lock is not None else "unlocked"
            result["lock"] = lock.pk if lock is not None else None
        else:
            if not decision_summary.strip():
                raise InvalidInput(
                    "The decision was not explained to every impacted customer: give the decision summary for the "
                    "decision letters.", step_ids=("CMA-3.4",), fields={"decision_summary": ["Summarise the decision."]},
                )
            letters = []
            for row in impacted:
                letter = letter_issue(
                    actor=actor, customer=row.customer, template_code="decision_letter",
                    case=contact.case if contact.case and row.customer_id in (contact.case.payer_id, contact.case.payee_id) else None,
                    context={
                        "decision_summary": decision_summary, "decision_reasons": decision_reasons,
                        "decision_date": clock.today_for(actor),
                        "options": list(policy.DISAGREEMENT_OPTIONS.values()),
                    },
                    step_ids=("CMA-3.4",),
                )
                row.letter = letter
                row.save(update_fields=["letter"])
                letters.append(letter)
            result["letters"] = [letter.pk for letter in letters]
            if locked:
                auto = own_services.auto_unlock_schedule(
                    actor=actor, customer=contact.customer, letters=letters, reason=reason,
                    impacted_customers=[row.customer for row in impacted], contact_attempted=True,
                )
                contact.unlock_outcome = "auto_unlock_scheduled"
                result["auto_unlock"] = auto.pk
                result["auto_unlock_due_at"] = auto.due_at
            else:
                contact.unlock_outcome = "letters_sent"
        contact.unlocked_at = clock.now()
        _bump(contact, ["unlock_outcome", "unlocked_at"])
        result["outcome"] = contact.unlock_outcome
        audit_record(
            actor=actor, action="contact.unlock", target=contact, after=result, reason=reason,
            step_ids=("CMA-3.4",), customer=contact.customer_id,
        )
    return result

"""Rules of a customer contact, as pure functions (no database). Every decision names its step IDs.

- ``transfer_check``: cold or warm transfer to the right business area, "POI done" carried (CMA-1.1)
- ``start_or_resume``: the officer's own contact in progress with the customer is resumed, not doubled (CMA-1.1)
- ``poi_failure_check``: recording a failed identity check (CMA-1.1)
- ``abandon_check``: who may abandon a contact, with which reason (CMA-1.1)
- ``representative_access``: what an authorised representative may be told or do (CMA-1.1)
- ``mca_assess``: is Minimum Collection Activity required, which path applies, which expectation points
  apply, where it is documented (CMA-2.1 to CMA-2.8)
- ``collection_information_action``: what to do with new collection information from a payee (CMA-2.5)
- ``mca_documentation``: the records CMA-2.8 puts MCA in, given what was done
- ``mca_completion``: which required checklist items are still unticked (CMA-2.1, 2.6, 2.7)
- ``realtime_outcome``: resolved now -> finalise, else the locking rules (CMA-2.9, CMA-2.10)
- ``finalise_readiness``: may the contact be finalised, naming the missing items (CMA-3.1, CMA-3.2)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from casework.core.policy import Decision

PAYER, PAYEE = "payer", "payee"

# --- CMA-1.1 -------------------------------------------------------------------------------------------------

COLD, WARM = "cold", "warm"
WARM_TRANSFER_REASONS = {
    "escalated": "Escalated customer",
    "repeatedly_cold_transferred": "Customer repeatedly cold-transferred",
    "avoid_repeating": "Avoid the customer repeating the purpose of the call",
}


def transfer_check(*, kind: str, reasons: Iterable[str], poi_confirmed: bool) -> Decision:
    """CMA-1.1: wrong business area -> cold transfer with "POI done" recorded; warm transfer only for the reasons
    the procedure gives (escalated, repeatedly cold-transferred, avoid repeating the purpose of the call)."""
    reasons = tuple(reasons)
    if kind not in (COLD, WARM):
        return Decision.no("Choose a cold or a warm transfer.", "CMA-1.1", outcome="invalid")
    unknown = [r for r in reasons if r not in WARM_TRANSFER_REASONS]
    if unknown:
        return Decision.no(f"Unknown warm transfer reason(s): {', '.join(unknown)}.", "CMA-1.1", outcome="invalid")
    if kind == WARM and not reasons:
        return Decision.no(
            "A warm transfer needs a reason: escalated customer, repeatedly cold-transferred, or to avoid the "
            "customer repeating the purpose of the call. Otherwise transfer cold.",
            "CMA-1.1",
            outcome="warm_needs_reason",
        )
    return Decision.yes(
        f"{kind.capitalize()} transfer to the right business area; POI {'done' if poi_confirmed else 'not done'} "
        "carried with it.",
        "CMA-1.1",
        outcome=kind,
        poi_done=poi_confirmed,
    )


# --- issue 14: resume, failed identity check, abandon (CMA-1.1) ---------------------------------------------------


def start_or_resume(*, own_open_contact_ids: Sequence[int]) -> Decision:
    """CMA-1.1: one contact is one call. When the officer already has a contact in progress with this customer
    (the back button, a second click), starting again resumes it instead of opening a second one. Another officer's
    contact in progress is a separate call and does not block."""
    if own_open_contact_ids:
        return Decision.yes("You already have a contact in progress with this customer: resumed.", "CMA-1.1",
                            outcome="resume", contact_id=min(own_open_contact_ids))
    return Decision.yes("A new contact is started.", "CMA-1.1", outcome="start")


POI_CHECKS = {
    "name": "Name",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "csid": "CSID",
    "phone": "Phone number on record",
    "other": "Other (see the note)",
}


def poi_failure_check(*, is_open: bool, poi_confirmed: bool, poi_failed: bool, checks: Iterable[str],
                      note: str) -> Decision:
    """CMA-1.1: a failed identity check is recorded with the checks that failed (or a note); identity already
    confirmed or already failed on this contact cannot fail again. After it, nothing about the case is discussed:
    the contact can only be abandoned (or transferred, "POI not done")."""
    checks = tuple(checks)
    if not is_open:
        return Decision.no("This contact has ended: nothing more can be recorded on it.", "CMA-1.1", outcome="closed")
    if poi_confirmed:
        return Decision.no("Proof of identity is already confirmed on this contact.", "CMA-1.1", outcome="confirmed")
    if poi_failed:
        return Decision.no("A failed identity check is already recorded on this contact.", "CMA-1.1",
                           outcome="already_failed")
    unknown = [c for c in checks if c not in POI_CHECKS]
    if unknown:
        return Decision.no(f"Unknown identity check(s): {', '.join(unknown)}.", "CMA-1.1", outcome="invalid")
    if not checks and not note.strip():
        return Decision.no("Say which identity checks failed.", "CMA-1.1", outcome="invalid")
    if "other" in checks and not note.strip():
        return Decision.no("Describe the other check that failed.", "CMA-1.1", outcome="invalid")
    return Decision.yes(
        "Identity not confirmed: discuss nothing about the case; abandon the contact (or transfer it, POI not done).",
        "CMA-1.1", outcome="failed",
    )


ABANDON_REASONS = {
    "call_dropped": "Call dropped",
    "customer_hung_up": "Customer hung up",
    "wrong_customer": "Wrong customer selected",
    "poi_failed": "Identity check failed",
    "started_in_error": "Started in error",
    "other": "Other (see the note)",
}


def abandon_check(*, is_open: bool, is_contact_officer: bool, is_their_team_leader: bool, reason: str,
                  note: str) -> Decision:
    """CMA-1.1 (issue 14): an in-progress contact may be abandoned, with a reason, by the officer who took it or the
    Team Leader of that officer's team; never once it has ended (finalised, transferred, referred, abandoned). The
    presenting issues raised stay open: they are the customer's, not the contact's; the lock is untouched."""
    if not (is_contact_officer or is_their_team_leader):
        return Decision.no("Only the officer who took the contact, or their Team Leader, may abandon it.", "CMA-1.1",
                           outcome="not_permitted")
    if not is_open:
        return Decision.no("This contact has ended: it can no longer be abandoned.", "CMA-1.1", outcome="closed")
    if reason not in ABANDON_REASONS:
        return Decision.no(f"Choose one of: {', '.join(ABANDON_REASONS)}.", "CMA-1.1", outcome="invalid")
    if reason == "other" and not note.strip():
        return Decision.no("Say why the contact is abandoned.", "CMA-1.1", outcome="invalid")
    return Decision.yes(
        f"Contact abandoned: {ABANDON_REASONS[reason].lower()}. Presenting issues raised stay open with the customer.",
        "CMA-1.1", outcome="abandoned",
    )


# representative scope (customers.models.RepresentativeScope values)
FULL, ENQUIRE, SPECIFIED = "full", "enquire", "specified"


# The case information each matter opens (customers.models.RepresentativeMatter values).
MATTERS = ("income", "care", "collection", "contact_details")
MATTER_LABELS = {"income": "income", "care": "care", "collection": "payments, debts and arrangements",
                 "contact_details": "contact details"}


def representative_access(
    *, speaker_is_representative: bool, scope: str | None, matters: Iterable[str] = (), current: bool = True
) -> Decision:
    """CMA-1.1: what can be exchanged with an authorised representative is limited to what their authority
    allows. ``facts``: may_discuss (anything at all), may_act (anything at all), ``matters`` (what may be
    discussed), ``act_matters`` (what may be changed). Full: everything. Enquiry only: discuss everything, change
    nothing. Specified matters: discuss and act on those matters only. Ended or not yet started: nothing."""
    if not speaker_is_representative:
        return Decision.yes("Speaking with the customer.", "CMA-1.1", may_discuss=True, may_act=True, limited=False,
                            matters=MATTERS, act_matters=MATTERS)
    if scope == FULL and current:
        return Decision.yes(
            "Authorised representative with full authority: may discuss and act on all matters.",
            "CMA-1.1", may_discuss=True, may_act=True, limited=False, matters=MATTERS, act_matters=MATTERS,
        )
    if scope == ENQUIRE and current:
        return Decision.yes(
            "Authorised representative who may enquire and receive information only: no arrangements or changes.",
            "CMA-1.1", may_discuss=True, may_act=False, limited=True, matters=MATTERS, act_matters=(),
        )
    allowed = tuple(m for m in MATTERS if m in set(matters or ()))
    if scope == SPECIFIED and current and allowed:
        labels = ", ".join(MATTER_LABELS[m] for m in allowed)
        return Decision.yes(
            f"Authorised representative for specified matters only: discuss and act on {labels} only.",
            "CMA-1.1", may_discuss=True, may_act=False, limited=True, matters=allowed, act_matters=allowed,
        )
    return Decision.no(
        "No current authority on record for this representative: discuss nothing about the case.",
        "CMA-1.1", may_discuss=False, may_act=False, limited=True, matters=(), act_matters=(),
    )


def representative_matter_check(access: Decision, *, matter: str, act: bool) -> Decision:
    """CMA-1.1: may this matter be discussed (``act=False``) or changed (``act=True``) with whoever is speaking?"""
    label = MATTER_LABELS.get(matter, matter)
    pool = access.facts.get("act_matters" if act else "matters", ())
    if matter in pool:
        return Decision.yes(f"The speaker's authority covers {label}.", "CMA-1.1")
    verb = "change" if act else "discuss"
    return Decision.no(
        f"The representative's authority does not let you {verb} {label}: {access.reason}", "CMA-1.1",
    )


# --- CMA-2.x Minimum Collection Activity -------------------------------------------------------------------------


@dataclass(frozen=True)
class McaFacts:
    """The case data MCA reads, for the customer on the line (built by selectors from the record)."""

    role: str  # "payer" | "payee" on the case discussed
    income_reliable: bool  # CMA-2.2: latest income is ATO-issued (no income on record = not reliable)
    cs_debt_without_arrangement: bool = False  # the customer (payer) owes child support with no active arrangement
    overpayment_without_arrangement: bool = False  # the customer was overpaid and owes it back, no arrangement
    payer_overpaid: bool = False  # the customer (payer) paid too much: an overpayment is owed back to them
    owed_child_support: bool = False  # the customer (payee) is owed child support (payer has a debt)
    collection_enquiry: bool = False  # collection is a presenting issue (payee asking about collection)
    income_enquiry: bool = False  # the customer called specifically about income
    past_role_reversal: bool = False  # the customer held the other role on this case before
    ongoing_entitlement: bool = False  # the customer (payee) has an ongoing entitlement to receive child support
    roles: tuple[str, ...] = ()  # the customer's role on every case (CMA-2.1/2.3 read all of them)

    @property
    def all_roles(self) -> frozenset[str]:
        return frozenset(self.roles) | {self.role}


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    text: str
    step_id: str


@dataclass(frozen=True)
class McaAssessment:
    required: bool
    triggers: tuple[Decision, ...]
    income_path: str  # "confirm_accurate" | "discuss_and_commit"
    payment_path: str  # see PAYMENT_PATHS
    expectations: str  # "payer" | "payee" | ""
    checklist: tuple[ChecklistItem, ...]
    collection_information: bool  # gather collection information (CMA-2.5)
    level1_searches_discretionary: bool
    steps: tuple[str, ...]
    reason: str
    facts: McaFacts | None = field(default=None, compare=False)

    @property
    def payment_path_label(self) -> str:
        return PAYMENT_PATHS.get(self.payment_path, self.payment_path)

    @property
    def checklist_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.checklist)

    def as_dict(self) -> dict:
        return {
            "required": self.required,
            "reason": self.reason,
            "triggers": [t.as_dict() for t in self.triggers],
            "income_path": self.income_path,
            "payment_path": self.payment_path,
            "payment_path_label": self.payment_path_label,
            "expectations": self.expectations,
            "collection_information": self.collection_information,
            "level1_searches_discretionary": self.level1_searches_discretionary,
            "checklist": [{"code": i.code, "text": i.text, "step_id": i.step_id} for i in self.checklist],
            "step_ids": list(self.steps),
        }


PAYMENT_PATHS = {
    "none": "No debt or overpayment without an arrangement",
    "debt_repayment": "Payer debt: debt repayment (payment arrangement)",
    "payer_overpaid": "Payer overpaid: information for payers about overpayments",
    "payee_overpayment_debt": "Overpayment debt: payee debt process",
    "payee_collection": "Payee owed and asking about collection: gather collection information",
}

INCOME_CONFIRM = (ChecklistItem("income_confirmed", "Income (ATO-issued) confirmed still accurate", "CMA-2.2"),)
INCOME_DISCUSS = (
    ChecklistItem("income_discussed", "Discussed the income currently used for the assessment", "CMA-2.2"),
    ChecklistItem(
        "income_importance",
        "Explained the importance of reliable income (right amount paid/received; late tax returns can prevent "
        "backdating a lower income; over/under-payment from higher incomes)",
        "CMA-2.2",
    ),
    ChecklistItem("income_commitment_to_lodge", "Gained a commitment to lodge the tax return", "CMA-2.2"),
    ChecklistItem("income_updated_or_call_back", "Updated the income, or asked the customer to call back with it", "CMA-2.2"),
)
PAYER_DEBT_POINTS = (
    ChecklistItem("payer_pay_in_full", "Need to keep paying child support in full and on time", "CMA-2.6"),
    ChecklistItem("payer_arrangement_details", "Payment arrangement details for the ongoing liability and the debt", "CMA-2.6"),
    ChecklistItem("payer_late_consequences", "Consequences of paying late (late payment penalty, enforcement action)", "CMA-2.6"),
    ChecklistItem("payer_follow_up", "Any follow-up required on their part", "CMA-2.6"),
    ChecklistItem("payer_contact_on_change", "Contact Child Support on any change of circumstances", "CMA-2.6"),
)
PAYER_OVERPAID_POINTS = (
    ChecklistItem("payer_overpayment_info", "Explained how a payer's overpayment is handled (information for payers about overpayments)", "CMA-2.6"),
    ChecklistItem("payer_follow_up", "Any follow-up required on their part", "CMA-2.6"),
    ChecklistItem("payer_contact_on_change", "Contact Child Support on any change of circumstances", "CMA-2.6"),
)
PAYEE_OWED_POINTS = (
    ChecklistItem("payee_commitment_to_collect", "Child Support's commitment to collecting their child support", "CMA-2.7"),
    ChecklistItem("payee_no_action_without_info", "When no collection action is possible (no new information)", "CMA-2.7"),
    ChecklistItem("payee_follow_up_timeframes", "Follow-up on the collection information and likely timeframes", "CMA-2.7"),
    ChecklistItem("payee_follow_up", "Any follow-up required on their part (e.g. calling back with income details)", "CMA-2.7"),
    ChecklistItem("payee_contact_on_new_info", "Contact Child Support with new collection information or changes", "CMA-2.7"),
    ChecklistItem("payee_commitment_to_monitor", "Child Support's commitment to monitor and act where possible", "CMA-2.7"),
)
PAYEE_OVERPAYMENT_AUTO = (
    ChecklistItem("overpayment_auto_recovery", "The overpayment is recovered automatically from the ongoing entitlement", "CMA-2.7"),
)
PAYEE_OVERPAYMENT_ARRANGEMENT = (
    ChecklistItem("overpayment_arrangement_details", "Payment arrangement details (no ongoing entitlement)", "CMA-2.7"),
)
PAYEE_OVERPAYMENT_POINTS = (
    ChecklistItem("overpayment_consequences", "Consequences of not paying: enforcement powers to collect overpayments", "CMA-2.7"),
    ChecklistItem("overpayment_follow_up", "Any follow-up required on their part", "CMA-2.7"),
    ChecklistItem("overpayment_contact_on_change", "Contact Child Support on any change of circumstances", "CMA-2.7"),
)
COLLECTION_INFO_ITEM = (
    ChecklistItem("collection_info_gathered", "Collection information gathered (Collection and debt macro)", "CMA-2.5"),
)


def mca_assess(facts: McaFacts) -> McaAssessment:
    """CMA-2.1 to CMA-2.7: decide from the case data whether MCA is required, the path, and the checklist."""
    triggers: list[Decision] = []
    steps: list[str] = ["CMA-2.1", "CMA-2.2"]
    if not facts.income_reliable:
        triggers.append(Decision.yes("Income is not reliable (not ATO-issued).", "CMA-2.1", "CMA-2.2", outcome="unreliable_income"))
    # CMA-2.1/2.3: a payer on *any* case with a child support debt and no arrangement (not only the case discussed).
    payer_debt = PAYER in facts.all_roles and facts.cs_debt_without_arrangement
    if payer_debt:
        triggers.append(Decision.yes("Payer debt with no payment arrangement.", "CMA-2.1", "CMA-2.3", outcome="payer_debt"))
    if facts.overpayment_without_arrangement:
        triggers.append(
            Decision.yes(
                "Overpayment with no payment arrangement, speaking with the overpaid customer.",
                "CMA-2.1", "CMA-2.3", outcome="overpayment",
            )
        )
    collection = PAYEE in facts.all_roles and facts.owed_child_support and facts.collection_enquiry
    if collection:
        triggers.append(
            Decision.yes(
                "Payee owed child support and asking about collection: gather collection information.",
                "CMA-2.1", "CMA-2.5", outcome="payee_collection",
            )
        )

    # CMA-2.3 / 2.4 / 2.5: which payment path applies
    payment_path, expectations = "none", ""
    if facts.role == PAYER and facts.overpayment_without_arrangement and facts.past_role_reversal:
        payment_path, expectations = "payee_overpayment_debt", PAYEE  # CMA-2.4 -> CMA-2.5
        steps += ["CMA-2.3", "CMA-2.4", "CMA-2.5", "CMA-2.7"]
    elif payer_debt:
        # CMA-2.3 -> 2.4: the role comes from the case that has the debt, whichever case is discussed.
        payment_path, expectations = "debt_repayment", PAYER
        steps += ["CMA-2.3", "CMA-2.4", "CMA-2.6"]
    elif facts.role == PAYER and (facts.overpayment_without_arrangement or facts.payer_overpaid):
        # CMA-2.4: an overpaid payer (no past role reversal) follows the payer overpayment process (CMA-2.6).
        payment_path, expectations = "payer_overpaid", PAYER
        steps += ["CMA-2.3", "CMA-2.4", "CMA-2.6"]
    elif facts.role == PAYEE and facts.overpayment_without_arrangement:
        payment_path, expectations = "payee_overpayment_debt", PAYEE
        steps += ["CMA-2.3", "CMA-2.5", "CMA-2.7"]
    elif collection:
        payment_path, expectations = "payee_collection", PAYEE
        steps += ["CMA-2.5", "CMA-2.7"]

    required = bool(triggers)
    checklist: list[ChecklistItem] = []
    income_path = "confirm_accurate" if facts.income_reliable else "discuss_and_commit"
    if required or facts.income_enquiry:
        checklist += INCOME_CONFIRM if facts.income_reliable else INCOME_DISCUSS
    if payment_path == "debt_repayment":
        checklist += PAYER_DEBT_POINTS
    elif payment_path == "payer_overpaid":
        checklist += PAYER_OVERPAID_POINTS
    elif payment_path == "payee_overpayment_debt":
        checklist += PAYEE_OVERPAYMENT_AUTO if facts.ongoing_entitlement else PAYEE_OVERPAYMENT_ARRANGEMENT
        checklist += PAYEE_OVERPAYMENT_POINTS
    elif payment_path == "payee_collection":
        checklist += COLLECTION_INFO_ITEM + PAYEE_OWED_POINTS
    if required:
        steps.append("CMA-2.8")
        reason = "Minimum Collection Activity required: " + "; ".join(t.reason for t in triggers)
    else:
        reason = "Minimum Collection Activity not required: income is reliable and there is no debt or overpayment without an arrangement."
    return McaAssessment(
        required=required,
        triggers=tuple(triggers),
        income_path=income_path,
        payment_path=payment_path,
        expectations=expectations,
        checklist=tuple(checklist),
        collection_information=payment_path == "payee_collection",
        level1_searches_discretionary=payment_path == "payee_collection",
        steps=tuple(dict.fromkeys(steps)),
        reason=reason,
        facts=facts,
    )


def mca_within_authority(assessment: McaAssessment, access: Decision) -> McaAssessment:
    """CMA-1.1 on MCA (CMA-2.1): with an authorised representative, the MCA of the contact covers only what their
    authority lets the officer discuss — the income points (CMA-2.2) need *income*, the payment and collection points
    (CMA-2.3 to CMA-2.7) need *collection*. What is left out is named in the reason (for a contact with the customer).
    The customer themselves, or a representative who may discuss both: the assessment unchanged."""
    matters = set(access.facts.get("matters", ()))
    income_ok, collection_ok = "income" in matters, "collection" in matters
    if income_ok and collection_ok:
        return assessment

    def covered(step_or_outcome: str) -> bool:
        return income_ok if step_or_outcome in ("CMA-2.2", "unreliable_income") else collection_ok

    triggers = tuple(t for t in assessment.triggers if covered(t.outcome))
    required = bool(triggers)
    income_enquiry = bool(assessment.facts and assessment.facts.income_enquiry and income_ok)
    checklist = tuple(i for i in assessment.checklist if covered(i.step_id)) if required or income_enquiry else ()
    left_out = [label for label, ok, present in (
        ("income", income_ok, any(i.step_id == "CMA-2.2" for i in assessment.checklist)),
        ("payments, debts and collection", collection_ok, assessment.payment_path != "none"),
    ) if present and not ok]
    if required:
        reason = "Minimum Collection Activity required: " + "; ".join(t.reason for t in triggers)
    else:
        reason = "Minimum Collection Activity not required for what this representative may discuss."
    if left_out:
        reason += (f" Not covered by the representative's authority, so not part of this contact: "
                   f"{' and '.join(left_out)} (CMA-1.1).")
    return replace(
        assessment,
        required=required,
        triggers=triggers,
        payment_path=assessment.payment_path if collection_ok else "none",
        expectations=assessment.expectations if collection_ok else "",
        checklist=checklist,
        collection_information=assessment.collection_information and collection_ok,
        level1_searches_discretionary=assessment.level1_searches_discretionary and collection_ok,
        steps=tuple(dict.fromkeys((*assessment.steps, "CMA-1.1"))),
        reason=reason,
    )


def collection_information_action(
    *, new_information: bool, likely_collection_outcome: bool, payer_locked_to_other_officer: bool
) -> Decision:
    """CMA-2.5: new collection information from a payee. ``outcome``: lock_payer / investigate / no_action."""
    if not new_information:
        return Decision.yes("No new collection information: no further collection action.", "CMA-2.5", outcome="no_action")
    if payer_locked_to_other_officer:
        if likely_collection_outcome:
            return Decision.yes(
                "Payer locked to another officer and the information is likely to lead to a collection outcome: "
                "investigate and act (or refer the follow-up to the locked officer).",
                "CMA-2.5", "CMA-2.10", outcome="investigate",
            )
        return Decision.yes(
            "Payer locked to another officer; the information is unlikely to lead to a collection outcome: no "
            "referral needed.", "CMA-2.5", outcome="no_action",
        )
    if likely_collection_outcome:
        return Decision.yes(
            "Payer not locked and the information is likely to lead to a collection outcome: lock the payer.",
            "CMA-2.5", "CMA-2.10", outcome="lock_payer",
        )
    return Decision.yes(
        "Payer not locked; the information is unlikely to lead to a collection outcome: no further action.",
        "CMA-2.5", outcome="no_action",
    )


@dataclass(frozen=True)
class DocumentationTarget:
    note_kind: str  # customers.models.NoteKind value
    subject: str
    fields: tuple[tuple[str, str], ...]
    step_id: str = "CMA-2.8"

    @property
    def kind_label(self) -> str:
        return NOTE_KIND_LABELS.get(self.note_kind, self.note_kind)


NOTE_KIND_LABELS = {
    "collection": "Collection record",
    "communication": "Communication record",
    "payment_arrangement": "Payment Arrangement record",
}


def mca_documentation(assessment: McaAssessment, *, arrangement_negotiated: bool) -> tuple[DocumentationTarget, ...]:
    """CMA-2.8: payers -> Collection record (Level 1 / payer contact / payer successfully contacted); payees ->
    Communication record, or the Payment Arrangement record when an arrangement was negotiated."""
    if not assessment.required or assessment.facts is None:
        return ()
    role = assessment.facts.role
    targets: list[DocumentationTarget] = []
    if role == PAYER:
        targets.append(
            DocumentationTarget(
                "collection",
                "Minimum Collection Activity: payer contact",
                (("Category", "Level 1"), ("Action", "Payer contact"), ("Outcome", "Payer successfully contacted")),
            )
        )
        if arrangement_negotiated:
            targets.append(DocumentationTarget("payment_arrangement", "Payment arrangement negotiated", ()))
    else:
        if arrangement_negotiated:
            targets.append(DocumentationTarget("payment_arrangement", "Minimum Collection Activity: payment arrangement negotiated", ()))
        else:
            targets.append(
                DocumentationTarget(
                    "communication",
                    "Minimum Collection Activity: payee contact",
                    (("Action", "Payee contact"), ("Outcome", "Payee successfully contacted")),
                )
            )
    return tuple(targets)


def mca_completion(
    assessment: McaAssessment, *, ticked: Iterable[str], arrangement_recorded: bool, collection_info_recorded: bool
) -> Decision:
    """CMA-2.1/2.6/2.7: MCA is complete when every applicable checklist point is ticked and, on the debt repayment
    path, a payment arrangement was recorded (CMA-2.4); on the collection path, collection information (CMA-2.5)."""
    if not assessment.required:
        return Decision.yes("Minimum Collection Activity not required.", "CMA-2.1", outcome="not_required", missing=[])
    ticked = set(ticked)
    missing = [i.text for i in assessment.checklist if i.code not in ticked]
    steps = sorted({i.step_id for i in assessment.checklist if i.code not in ticked})
    if assessment.payment_path == "debt_repayment" and not arrangement_recorded:
        missing.append("Payment arrangement for the debt")
        steps.append("CMA-2.4")
    if assessment.payment_path == "payee_collection" and not collection_info_recorded:
        missing.append("Collection information recorded")
        steps.append("CMA-2.5")
    if missing:
        return Decision.no(
            "Minimum Collection Activity is not complete: " + "; ".join(missing) + ".",
            "CMA-2.1", *dict.fromkeys(steps), outcome="incomplete", missing=missing,
        )
    return Decision.yes("Minimum Collection Activity complete.", "CMA-2.1", outcome="complete", missing=[])


def realtime_outcome(*, resolved_in_real_time: bool) -> Decision:
    """CMA-2.9: resolved while the customer is on the line -> finalise (Table 3); not -> locking (CMA-2.10)."""
    if resolved_in_real_time:
        return Decision.yes("Resolved in real time: finalise the issues.", "CMA-2.9", outcome="finalise")
    return Decision.yes(
        "Not resolvable in real time: apply the locking rules (refer to the locked officer, or lock the customer).",
        "CMA-2.9", "CMA-2.10", outcome="lock",
    )


# --- CMA-3.1 / CMA-3.2 -----------------------------------------------------------------------------------------

DISAGREEMENT_OPTIONS = {
    "new_administrative_action": "New administrative action",
    "new_decision": "New decision",
    "change_of_assessment": "Change of assessment",
    "error_correction": "Error correction",
    "complaint": "Complaint",
    "objection": "Objection",
}


@dataclass(frozen=True)
class FinaliseFacts:
    poi_confirmed: bool
    mca: Decision  # from mca_completion
    open_issues_in_scope: tuple[str, ...] = ()  # names of presenting issues in scope not finalised
    referrals_pending: tuple[str, ...] = ()  # external referrals identified but not yet given
    not_explained_to: tuple[str, ...] = ()  # impacted customers the decision was not explained to
    customer_disagrees: bool = False
    disagreement_options_given: tuple[str, ...] = ()
    error_open: bool = False  # CMA-1.3: an identified error not yet resolved or routed
    holistic_advice_pending: bool = False  # CMA-1.7: the customer not yet advised (ownership kept, further issue)


def finalise_readiness(facts: FinaliseFacts) -> Decision:
    """CMA-3.1/3.2: refused, naming every missing item, until MCA is complete where required, every presenting
    issue in scope is finalised, external referrals are given and the decision was explained to every impacted
    customer (and, where the customer disagrees, the options were given)."""
    missing: list[str] = []
    steps: list[str] = []
    if not facts.poi_confirmed:
        missing.append("Proof of identity not confirmed")
        steps.append("CMA-1.1")
    if not facts.mca.allowed:
        missing += [f"MCA: {m}" for m in facts.mca.facts.get("missing", [])] or ["MCA not complete"]
        steps += ["CMA-3.1", *facts.mca.step_ids]
    if facts.open_issues_in_scope:
        missing += [f"Presenting issue not finalised: {name}" for name in facts.open_issues_in_scope]
        steps += ["CMA-3.1", "CMA-3.2"]
    if facts.referrals_pending:
        missing += [f"External referral not given: {name}" for name in facts.referrals_pending]
        steps += ["CMA-3.1", "CMA-1.2"]
    if facts.not_explained_to:
        missing += [f"Decision not explained to: {name}" for name in facts.not_explained_to]
        steps.append("CMA-3.1")
    if facts.customer_disagrees and not facts.disagreement_options_given:
        missing.append("Customer disagrees: record the options given")
        steps.append("CMA-3.1")
    if facts.error_open:
        missing.append("Identified error not resolved or routed")
        steps.append("CMA-1.3")
    if facts.holistic_advice_pending:
        missing.append("Advise the customer they may deal with more than one person and that entering their CSID "
                       "routes their calls (CMA-1.7)")
        steps.append("CMA-1.7")
    if missing:
        return Decision.no(
            "Cannot finalise yet: " + "; ".join(missing) + ".",
            *dict.fromkeys(steps or ["CMA-3.1"]), outcome="refused", missing=missing,
        )
    return Decision.yes("Ready to finalise.", "CMA-3.1", "CMA-3.2", outcome="ready", missing=[])


# --- CMA-1.7: holistic service ----------------------------------------------------------------------------------

HOLISTIC_ADVICE = (
    "You may deal with more than one person while your issues are worked on.",
    "Enter your CSID when you call: it routes your call to the area managing you.",
)


def holistic_advice_check(
    *, raised_here: tuple[str, ...], specialised_areas: tuple[str, ...], locked_area: str | None,
    locked_area_specialised: bool, advised: bool,
) -> Decision:
    """CMA-1.7: when ownership is kept as a second or later specialised issue arises, the officer advises the
    customer that they may deal with more than one person and that entering their CSID routes future calls to the
    same area; the advice is recorded.

    ``raised_here``: the areas of the specialised issues raised in this contact; ``specialised_areas``: the areas of
    all the customer's outstanding specialised issues; ``locked_area``: the lock's area, if any."""
    further = bool(raised_here) and (
        len(set(specialised_areas)) > 1
        or (locked_area is not None and locked_area_specialised and any(a != locked_area for a in raised_here))
    )
    if not further:
        return Decision.no("No further specialised issue while ownership is kept: no advice needed.", "CMA-1.7",
                           outcome="not_needed")
    areas = sorted(set(specialised_areas) | set(raised_here) | ({locked_area} if locked_area else set()))
    if advised:
        return Decision.yes("The customer was advised (more than one person; CSID routes calls).", "CMA-1.7",
                            outcome="advised", areas=areas, advice=list(HOLISTIC_ADVICE))
    return Decision.yes(
        "Ownership is kept as a further specialised issue arises: advise the customer that they may deal with more "
        "than one person and that entering their CSID routes future calls to the same area, then record it.",
        "CMA-1.7", outcome="advise", areas=areas, advice=list(HOLISTIC_ADVICE),
    )


# --- correcting what was recorded (issue 14) ---------------------------------------------------------------------

# What an officer typed on a contact and may correct afterwards, with a reason (field -> label in the officer's words).
CORRECTABLE_FIELDS = {
    "channel": "channel",
    "poi_method": "proof of identity method",
    "poi_failed_note": "identity check note",
    "abandon_note": "abandon note",
    "transfer_note": "transfer note",
    "collection_information": "collection information",
    "error_description": "error description",
    "not_resolved_reason": "reason not resolved",
}
# Recorded outcomes other rules hang on: never corrected here (the refusal names the step that owns them).
PROTECTED_FIELDS = {
    "status": ("the contact's status", "CMA-3.2"),
    "finalised_at": ("the finalisation", "CMA-3.2"),
    "mca_ticked": ("the Minimum Collection Activity documented", "CMA-2.8"),
    "mca_completed_at": ("the Minimum Collection Activity documented", "CMA-2.8"),
    "mca_snapshot": ("the Minimum Collection Activity documented", "CMA-2.8"),
    "realtime_resolved": ("whether it was resolved in real time", "CMA-2.9"),
    "poi_confirmed_at": ("the proof of identity confirmation", "CMA-1.1"),
    "unlock_outcome": ("the unlock outcome", "CMA-3.4"),
    "error_outcome": ("the error outcome", "CMA-1.3"),
}


def contact_correct_check(*, is_contact_officer: bool, is_their_team_leader: bool, changed: Iterable[str],
                          reason: str) -> Decision:
    """Issue 14 (CMA-1.1): what an officer typed on a contact may be corrected with a reason, while it runs or after it
    ended (finalised too), by the officer who took it or the Team Leader of that officer's team. Never the recorded
    outcomes other rules hang on (MCA documented, finalisation...): the refusal names their step."""
    changed = tuple(changed)
    if not (is_contact_officer or is_their_team_leader):
        return Decision.no("Only the officer who took the contact, or their Team Leader, may correct it.", "CMA-1.1",
                           outcome="not_permitted")
    for name in changed:
        if name in PROTECTED_FIELDS:
            label, step = PROTECTED_FIELDS[name]
            return Decision.no(f"{label[0].upper()}{label[1:]} cannot be corrected: other rules rely on it ({step}).",
                               step, outcome="protected")
        if name not in CORRECTABLE_FIELDS:
            return Decision.no(f"Only what was typed can be corrected: {', '.join(CORRECTABLE_FIELDS.values())}.",
                               "CMA-1.1", outcome="invalid")
    if not changed:
        return Decision.no("Change at least one recorded fact to correct the contact.", "CMA-1.1", outcome="invalid")
    if not reason.strip():
        return Decision.no("Give a reason for the correction.", "CMA-1.1", outcome="invalid")
    return Decision.yes("The contact may be corrected; the original stays in its corrections.", "CMA-1.1",
                        outcome="corrected")

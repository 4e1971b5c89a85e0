"""The ownership kinds of request for approval (issue 11; docs/approvals.md), registered at start-up by
OwnershipConfig.ready. Each effect is an ownership service run inside ``approvals.services.approval_decide``'s
transaction, so the lock moves (or not) in the same transaction as the decision."""

from __future__ import annotations

from casework.approvals.kinds import DecisionField, Kind, register

from . import services

register(Kind(
    code="ownership_dispute",
    step_ids=("CMA-1.6",),
    who_asks="An officer (or Team Leader) of one of the two specialised areas when the areas cannot agree who owns "
             "the customer.",
    who_decides="A Team Leader of one of the two areas concerned (the current owner's area or the proposed area), "
                "never the officer who raised it and never a Team Leader of another area.",
    takes_effect="Transfer: the lock moves to the proposed area (its intake position, or the officer or position "
                 "named). Keep (or not approved): the customer stays with the current owner. Either way the "
                 "decision is recorded and binding: the ownership rules applied again do not undo it.",
    on_approve=services.ownership_dispute_apply,
    on_reject=services.ownership_dispute_keep,
    on_withdraw=services.ownership_request_withdrawn,
    clean_decision=services.dispute_clean_decision,
    reason_required_to_approve=True,
    decision_fields=(
        DecisionField(name="decision", label="Which area owns the customer", kind="choice", required_on="approve",
                      choices=(("transfer", "Transfer to the proposed area"),
                               ("keep", "Keep with the current owning area")),
                      help="Give your reason: it is required (CMA-1.6)."),
        DecisionField(name="to_officer", label="Officer of the proposed area who takes the customer",
                      kind="officer", required_on="never", help="Optional; default: the area's intake position.",
                      options=lambda p: {"position__business_area__code": p.get("to_area")}),
        DecisionField(name="to_position", label="Position of the proposed area that takes the customer",
                      kind="position", required_on="never", help="Optional.",
                      options=lambda p: {"business_area__code": p.get("to_area")}),
    ),
))

register(Kind(
    code="ownership_transfer",
    step_ids=("CMA-1.6",),
    who_asks="An officer (or Team Leader) of the specialised area that owns the customer (or of the area asking to "
             "take them), with the contact volume and time to resolve considered.",
    who_decides="A Team Leader of the other area (the receiving area when the owning area asks).",
    takes_effect="Accepted: the lock moves to the receiving area (the officer or position named, else its intake "
                 "position) and the agreement is recorded and binding (the ownership rules do not undo it). Not "
                 "accepted (with a reason) or withdrawn: nothing moves.",
    on_approve=services.ownership_transfer_accept,
    on_reject=services.ownership_transfer_decline,
    on_withdraw=services.ownership_request_withdrawn,
))

"""The PS kinds of request for approval (issue 11; docs/approvals.md), registered at start-up by PsConfig.ready.
Each effect is a ps service run inside ``approvals.services.approval_decide``'s transaction."""

from __future__ import annotations

from casework.approvals.kinds import DecisionField, Kind, register

from . import policy, services

register(Kind(
    code="segment_3",
    step_ids=("PS-ORM-1", "PS-SEG-3", "PS-RES-1"),
    who_asks="The customer's PS Case Manager (or a PS Team Leader) when ongoing reactive management is indicated.",
    who_decides="The PS Team Leader of the Case Manager's team (any PS Team Leader if that is the requester).",
    takes_effect="The customer is classified segment 3 on the plan and the PS record, with the approver recorded.",
    on_approve=services.segment_3_apply,
))

register(Kind(
    code="ps_finalisation",
    step_ids=("PS-FIN-2", "PS-FIN-3"),
    who_asks="The customer's PS Case Manager (or a PS Team Leader) submitting the finalisation request (PS-FIN-2), "
             "once the PS-FIN-1 readiness holds.",
    who_decides="The PS Team Leader of the Case Manager's team who did not action the plan's issues (else any other "
                "PS Team Leader); never the Case Manager or the submitter.",
    takes_effect="Approved with a PS-FIN-3 reason: the customer leaves PS (unlocked, issue closed) or stays in segment "
                 "3. Not approved: issues back to confirmed with the comments, the customer back with the Case "
                 "Manager, who gets a Finalisation not approved intray and a notification (PS-ACT-3, PS-ACT-5).",
    on_approve=services.finalisation_approve,
    on_reject=services.finalisation_reject,
    on_withdraw=services.finalisation_withdraw,
    clean_decision=services.finalisation_clean,
    decision_fields=(
        DecisionField(name="approval_reason", label="PS-FIN-3 reason for approving", kind="choice",
                      required_on="approve", choices=tuple(policy.APPROVAL_REASONS.items())),
        DecisionField(name="comments", label="Comments for the stacking document", kind="text",
                      required_on="approve",
                      help="PS-ACT-2: the approval documented. If you do not approve, your reason is the comments "
                           "the Case Manager receives (PS-ACT-3)."),
        DecisionField(name="ongoing_ps_will_not_resolve", label="Ongoing PS management will not resolve the issues",
                      kind="bool", required_on="never", help="PS-ACT-1 (customer declined the options)."),
        DecisionField(name="no_escalation_history", label="The customer has no history of escalating decisions",
                      kind="bool", required_on="never", help="PS-ACT-4 (transfer to a specialist area)."),
        DecisionField(name="needs_ongoing_support", label="The customer needs ongoing support (segment 3)",
                      kind="bool", required_on="never", help="PS-ORM-1."),
    ),
))

register(Kind(
    code="ps_reallocation",
    step_ids=("PS-REV-2", "PS-REV-3"),
    who_asks="The customer's PS Case Manager, with a PS-REV-2 reason (a Reallocation request).",
    who_decides="The PS Team Leader of the Case Manager's team (any other PS Team Leader if that is the requester).",
    takes_effect="Approved: sent to the receiving PS position, whose PS Team Leader gets an 'Assign a reallocated PS "
                 "customer' request. Not approved: the customer stays with the Case Manager (record active again).",
    on_approve=services.reallocation_forward_apply,
    on_reject=services.reallocation_decline,
    on_withdraw=services.reallocation_withdraw,
    clean_decision=services.reallocation_forward_clean,
    decision_fields=(
        DecisionField(name="receiving_position", label="Receiving PS position", kind="position",
                      required_on="approve", help="PS-REV-3: the PS team you discussed it with."),
        DecisionField(name="comments", label="Comments for the receiving Team Leader", kind="text",
                      required_on="never"),
    ),
))

register(Kind(
    code="ps_reallocation_assign",
    step_ids=("PS-REV-3",),
    who_asks="The sending PS Team Leader, by approving a reallocation (the follow-on of 'Reallocate a PS customer').",
    who_decides="The PS Team Leader of the receiving position's team.",
    takes_effect="Approved: the customer is locked and assigned to the chosen Case Manager, who gets a Customer "
                 "Assigned to PS intray; the plan moves with them. Declined with a reason: the customer returns to "
                 "where it was, with the Case Manager who asked.",
    on_approve=services.reallocation_assign_apply,
    on_reject=services.reallocation_decline,
    on_withdraw=services.reallocation_withdraw,
    clean_decision=services.reallocation_assign_clean,
    decision_fields=(
        DecisionField(name="case_manager", label="Case Manager to assign", kind="officer", required_on="approve"),
    ),
))

register(Kind(
    code="urgent_ps_referral",
    step_ids=("PS-REF-1",),
    who_asks="A Team Leader, who records their call to the PS Team Leader with the urgent referral.",
    who_decides="The PS Team Leader of the receiving PS team (any other PS Team Leader if that is the requester).",
    takes_effect="Accepted: the URGENT referral intray goes to the PS queue, due per PS-REF-2. Not accepted: no "
                 "referral intray; the Team Leader is told why.",
    on_approve=services.urgent_referral_accept,
    on_reject=services.urgent_referral_decline,
    on_withdraw=services.urgent_referral_withdraw,
))

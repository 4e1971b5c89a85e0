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
    who_asks="The customer's PS Case Manager, with a PS-REV-2 reason (a Reallocation request), once no other "
             "request about the customer is waiting for their team's Team Leader.",
    who_decides="The PS Team Leader of the Case Manager's team (any other PS Team Leader if that is the requester).",
    takes_effect="Approved: sent to the receiving PS position, whose PS Team Leader gets an 'Assign a reallocated PS "
                 "customer' request. Not approved: the customer stays with the Case Manager (record active again).",
    on_approve=services.reallocation_forward_apply,
    on_reject=services.reallocation_decline,
    on_withdraw=services.reallocation_withdraw,
    clean_decision=services.reallocation_forward_clean,
    decision_fields=(
        DecisionField(name="receiving_position", label="Receiving PS position", kind="position",
                      options={"business_area__code": "PS"},
                      required_on="approve", help="PS-REV-3: the PS team you discussed it with."),
        DecisionField(name="comments", label="Comments for the receiving Team Leader", kind="text",
                      required_on="never"),
    ),
))

register(Kind(
    code="ps_reallocation_assign",
    step_ids=("PS-REV-3",),
    who_asks="The sending PS Team Leader, by approving a reallocation (the follow-on of 'Reallocate a PS customer').",
    who_decides="The PS Team Leader of the receiving position's team, who assigns one of that team's Case Managers "
                "(never the one the customer is reallocated from).",
    takes_effect="Approved: the customer (and the associated customer) is locked and assigned to the chosen Case "
                 "Manager, who gets a Customer Assigned to PS intray in place of the previous Case Manager's referral "
                 "intray; the plan moves with them. Declined with a reason: the customer returns to where it was, "
                 "with the Case Manager who asked and their work.",
    on_approve=services.reallocation_assign_apply,
    on_reject=services.reallocation_decline,
    on_withdraw=services.reallocation_withdraw,
    clean_decision=services.reallocation_assign_clean,
    decision_fields=(
        DecisionField(name="case_manager", label="Case Manager to assign", kind="officer", required_on="approve",
                      options=services.reallocation_assign_options,
                      help="A Case Manager of your team (not the one the customer is reallocated from)."),
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

register(Kind(
    code="segment_3_review",
    step_ids=("PS-ORM-2",),
    who_asks="A PS Team Leader who reviewed the segment 3 customer records the outcome (back to segment 2, or "
             "continue with a new review date no more than 3 months ahead).",
    who_decides="A second PS Team Leader (standing in for the procedure's PS Team Manager the outstanding issues are "
                "discussed with): the Team Leader of the Case Manager's team unless they recorded it, otherwise "
                "another PS Team Leader.",
    takes_effect="The review is recorded; back to segment 2 (indicator ended) or a new review date and indicator.",
    on_approve=services.segment3_review_apply,
))

register(Kind(
    code="restricted_service_review",
    step_ids=("PS-ORM-3",),
    who_asks="A PS Team Leader who reviewed the restricted service (every 3 to 6 months).",
    who_decides="The National Manager Quality and Customer Complaints (only).",
    takes_effect="The review is recorded with the National Manager as approver and the restriction's next review "
                 "date moves.",
    on_approve=services.restricted_service_review_apply,
))

register(Kind(
    code="restricted_service_end",
    step_ids=("PS-ORM-3",),
    who_asks="A Team Leader or a PS Team Leader whose review of the restricted service finds it should end (every "
             "path that ends one in force). The National Manager does not ask: they are the one who approves.",
    who_decides="The National Manager Quality and Customer Complaints (only).",
    takes_effect="The restriction ends (it stays on record) with who asked, the National Manager as approver and the "
                 "reason; until then it stays in force. Not approved or withdrawn: it stays in force.",
    on_approve=services.restricted_service_end_apply,
))

register(Kind(
    code="restricted_service",
    step_ids=("PS-ORM-3", "PS-DOC-2"),
    who_asks="A Team Leader or a PS officer proposing a restricted service (every path that proposes one).",
    who_decides="A PS Team Leader other than the proposer: the Team Leader of the customer's PS Case Manager's team, "
                "or any PS Team Leader when the customer is not in PS.",
    takes_effect="The restriction comes into force with the approver and the letter sent to the customer recorded; "
                 "not approved, it is kept as not approved; withdrawn, it ends without taking effect.",
    on_approve=services.restricted_service_apply,
    on_reject=services.restricted_service_reject,
    on_withdraw=services.restricted_service_withdrawn,
    decision_fields=(DecisionField(name="letter_reference", label="The letter sent to the customer",
                                   required_on="approve",
                                   help="PS-DOC-2: the restricted servicing record includes the letter."),),
))

register(Kind(
    code="face_to_face",
    step_ids=("PS-F2F-1", "PS-F2F-3"),
    who_asks="The customer's PS Case Manager (or a PS Team Leader) who wants to meet the customer.",
    who_decides="The PS Team Leader of the Case Manager's team (any other PS Team Leader if that is the requester): "
                "the discussion before the appointment, and the approval of a location other than a service centre.",
    takes_effect="The meeting is booked, discussed with the deciding Team Leader (who approved its location).",
    on_approve=services.face_to_face_apply,
))

register(Kind(
    code="social_worker_referral",
    step_ids=("PS-CON-6", "PS-RES-3"),
    who_asks="The customer's PS Case Manager (or a PS Team Leader).",
    who_decides="The PS Team Leader of the Case Manager's team (any other PS Team Leader if that is the requester).",
    takes_effect="The social worker referral is recorded on the plan as an option offered to the customer.",
    on_approve=services.social_worker_referral_apply,
))


def _register_restriction_route() -> None:
    from casework.customers import services as customer_services

    customer_services.restriction_approval_register(services.restricted_service_request)
    customer_services.restriction_end_approval_register(services.restricted_service_end_request)


_register_restriction_route()

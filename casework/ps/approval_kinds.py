"""The PS kinds of request for approval (issue 11; docs/approvals.md), registered at start-up by PsConfig.ready.
Each effect is a ps service run inside ``approvals.services.approval_decide``'s transaction."""

from __future__ import annotations

from casework.approvals.kinds import DecisionField, Kind, register

from . import services

register(Kind(
    code="segment_3",
    step_ids=("PS-ORM-1", "PS-SEG-3", "PS-RES-1"),
    who_asks="The customer's PS Case Manager (or a PS Team Leader) when ongoing reactive management is indicated.",
    who_decides="The PS Team Leader of the Case Manager's team (any PS Team Leader if that is the requester).",
    takes_effect="The customer is classified segment 3 on the plan and the PS record, with the approver recorded.",
    on_approve=services.segment_3_apply,
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


_register_restriction_route()

"""The PS kinds of request for approval (issue 11; docs/approvals.md), registered at start-up by PsConfig.ready.
Each effect is a ps service run inside ``approvals.services.approval_decide``'s transaction."""

from __future__ import annotations

from casework.approvals.kinds import Kind, register

from . import services

register(Kind(
    code="segment_3",
    step_ids=("PS-ORM-1", "PS-SEG-3", "PS-RES-1"),
    who_asks="The customer's PS Case Manager (or a PS Team Leader) when ongoing reactive management is indicated.",
    who_decides="The PS Team Leader of the Case Manager's team (any PS Team Leader if that is the requester).",
    takes_effect="The customer is classified segment 3 on the plan and the PS record, with the approver recorded.",
    on_approve=services.segment_3_apply,
))

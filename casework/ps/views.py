"""Personalised Services officer UI: dashboard (PS-REF-3), referral actioning (PS-REF-2) and the PS record page with
the plan, contacts, segment, letters and finalisation. Thin: parse → service/selector → render; refusals are shown
with their reason and step IDs."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.core.errors import DomainError, InvalidInput, NotPermitted
from casework.customers.models import ContactRestriction, SensitiveIssueIndicator, SensitiveReason
from casework.customers.services import customer_data_read
from casework.org.models import Officer
from casework.org.roles import Role

from casework.approvals.models import ApprovalRequest

from casework.core.forms import refuse, status_of

from . import forms as ps_forms
from . import policy, selectors, services
from .api import export_csv_response
from .models import FinalisationRequest, PlanAction, PlanIssue, PlanOption, ReallocationRequest, Segment3Review


def _sent(req: ApprovalRequest, what: str, step: str) -> str:
    due = f" (due {req.due_date:%d/%m/%Y})" if req.due_date else ""
    return f"{what}: {req.eligible.label} decides it{due}. Nothing changes until then ({step})."


@login_required
def dashboard(request):
    try:
        team = request.GET.get("team") == "1" and request.user.has_perm("ps.view_team")
        ctx = selectors.dashboard(user=request.user, team=team)
    except NotPermitted as exc:
        return render(request, "ps/forbidden.html", {"error": exc}, status=403)
    ctx["team_view"] = team
    ctx["can_export"] = request.user.has_perm("ps.export")
    ctx["can_action"] = request.user.has_perm("ps.action_referral")
    return render(request, "ps/dashboard.html", ctx)


@login_required
def export_csv(request):
    try:
        return export_csv_response(request.user, channel="ui")
    except NotPermitted as exc:
        return render(request, "ps/forbidden.html", {"error": exc}, status=403)


def _case_managers():
    return Officer.objects.filter(role__in=(Role.PS_CASE_MANAGER, Role.PS_TEAM_LEADER), is_active=True,
                                  position__isnull=False).select_related("user", "position__office")


@login_required
def referral_action(request, intray_id: int):
    from casework.intrays.models import Intray

    intray = Intray.objects.select_related("type", "customer").filter(pk=intray_id).first()
    if intray is None or intray.type.code not in policy.REFERRAL_INTRAY_DAYS:
        raise Http404("No such PS referral")
    if not request.user.has_perm("ps.action_referral"):
        return render(request, "ps/forbidden.html", {"error": NotPermitted(
            "Only Personalised Services officers action PS referrals.", step_ids=("PS-REF-2",))}, status=403)
    posted = request.method == "POST"
    me = getattr(request.user, "officer", None)
    form = ps_forms.ReferralActionForm(
        request.POST if posted else None, case_managers=_case_managers(),
        initial={"case_manager": getattr(getattr(me, "user", None), "username", ""),
                 "referral_source": "crg" if intray.type.code == "crg_referral_to_ps" else "",
                 "main_referral_reason": intray.details, "reviewed_items": ps_forms.REVIEW_ITEMS})
    if posted and form.is_valid():
        d = form.cleaned_data
        try:
            cm = d["case_manager"] or me
            assoc = None
            if d["associated_csid"]:
                from casework.customers.selectors import customer_get

                try:
                    assoc = customer_get(user=request.user, csid=d["associated_csid"].strip())
                except DomainError as exc:
                    raise InvalidInput(exc.message, fields={"associated_csid": [exc.message]},
                                       step_ids=exc.step_ids) from exc
            rec = services.ps_referral_action(
                actor=request.user, customer=intray.customer, case_manager=cm,
                referral_source=d["referral_source"], main_referral_reason=d["main_referral_reason"],
                referral_intray=intray, associated_customer=assoc,
                review={"reviewed_items": d["reviewed_items"], "escalations": d["escalations"],
                        "crg_record": d["crg_record"], "options_identified": d["options_identified"]},
            )
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(request, "Referral actioned: customer locked to the Case Manager, plan and stacking "
                                      "document created (PS-REF-2).")
            return redirect("ps:record", pk=rec.pk)
    # Refused: the same form (400, 403 or 409) with everything typed kept and the reason at the top.
    return render(request, "ps/referral_action.html", {"intray": intray, "form": form},
                  status=status_of(form) if posted else 200)


def _consultations(rec):
    from casework.ownership.models import SpecialistConsultation

    return list(SpecialistConsultation.objects.filter(customer_id=rec.customer_id, recorded_at__gte=rec.allocated_at)
                .select_related("specialist__user"))


@login_required
def record(request, pk: int):
    try:
        rec = selectors.ps_record_get(user=request.user, pk=pk)
    except DomainError as exc:
        if exc.http_status == 404:
            raise Http404(exc.message) from exc
        return render(request, "ps/forbidden.html", {"error": exc}, status=exc.http_status)
    return _record_page(request, rec)


def _record_page(request, rec, *, form=None, action: str = "", status: int = 200):
    """The PS record page; after a refusal, with ``form`` (the one posted to ``action``) refilled as typed."""
    customer_data_read(actor=request.user, customer=rec.customer_id, what="ps_record", detail={"ps_record": rec.pk},
                       channel="ui")
    pd = selectors.plan_detail(ps_record=rec)
    att = {k: True for k in services.ATTESTATIONS}
    off = getattr(request.user, "officer", None)
    # Issue 11: finalisation and reallocation are requests for approval; the forms below decide them through
    # approvals.services.approval_decide and are shown only to an eligible decider (the same as /approvals/<id>/).
    from casework.approvals import selectors as approvals

    pending = rec.finalisations.filter(status="pending").first()
    pending_approval = approvals.pending_for_subject(subject=pending, kind="ps_finalisation") if pending else None
    reallocations = list(rec.reallocations.all())
    for r in reallocations:
        r.pending_approval = (approvals.pending_for_subject(subject=r, kind="ps_reallocation")
                              or approvals.pending_for_subject(subject=r, kind="ps_reallocation_assign"))
        r.may_decide = r.pending_approval is not None and approvals.decision_check(
            user=request.user, approval=r.pending_approval).allowed
        # PS-REV-3: only the receiving team's Case Managers (not the one the customer leaves) can be assigned.
        r.assignable = (Officer.objects.filter(is_active=True, **services.reallocation_assign_options(
            r.pending_approval.payload or {})).select_related("user", "position__office")
            if r.may_decide and r.pending_approval.kind == "ps_reallocation_assign" else [])
    ctx = {
        "rec": rec, **pd,
        "notes": selectors.stacking_notes(ps_record=rec),
        "suggestion": selectors.segment_suggestion(ps_record=rec),
        "readiness": selectors.readiness_for(ps_record=rec, attestations=att),
        "contacts": list(rec.contacts.all()),
        "has_first_contact": rec.contacts.filter(kind="first").exists(),
        "letters": list(rec.letters.all()),
        "finalisations": list(rec.finalisations.select_related("team_leader__user")),
        "pending": pending,
        "pending_approval": pending_approval,
        "may_decide_finalisation": pending_approval is not None and approvals.decision_check(
            user=request.user, approval=pending_approval).allowed,
        "reallocations": reallocations,
        "segment3_reviews": list(rec.segment3_reviews.filter(reviewed_at__isnull=True)),
        "restrictions": list(ContactRestriction.objects.filter(customer=rec.customer, is_active=True)),
        "indicators": list(SensitiveIssueIndicator.objects.filter(customer=rec.customer, is_active=True)),
        "first_points": policy.FIRST_CONTACT_POINTS, "follow_points": policy.FOLLOW_UP_POINTS,
        "mandatory": list(zip(policy.MANDATORY_KEYS, [m[0] for m in policy.MANDATORY_ISSUES])),
        "option_kinds": policy.RECORDABLE_OPTION_KINDS, "approval_reasons": policy.APPROVAL_REASONS,
        "realloc_reasons": policy.REALLOCATION_REASONS, "f2f_locations": policy.F2F_LOCATIONS,
        "sensitive_reasons": SensitiveReason.choices,
        "ps_team_leaders": Officer.objects.filter(role=Role.PS_TEAM_LEADER, is_active=True).select_related("user"),
        "case_managers": _case_managers(),
        "cros": Officer.objects.filter(role=Role.CUSTOMER_REVIEW_OFFICER, is_active=True).select_related("user"),
        "is_tl": off is not None and off.role == Role.PS_TEAM_LEADER,
        "can_manage": request.user.has_perm("ps.manage_plan"),
        "ps_letters": services.PS_LETTERS,
        "consultations": _consultations(rec),
        "error_form": form,
        "error_action_url": f"/ps/records/{rec.pk}/{action}/" if action else "",
    }
    return render(request, "ps/record.html", ctx, status=status)


def _post_action(request, rec, action: str, form) -> str:  # noqa: C901 - a dispatch table of thin form handlers
    """Do one action of the PS record page with its parsed form (``ps/forms.py``); the confirmation to show."""
    d = form.cleaned_data
    u = request.user
    plan = rec.plan
    if action == "plan":
        services.plan_update(actor=u, plan=plan, version=d["version"],
                             agreed_contact_times=d["agreed_contact_times"] if "agreed_contact_times" in form.data else None,
                             special_contact_details=d["special_contact_details"] or None)
        return "Plan saved."
    if action == "approve":
        services.plan_approve(actor=u, plan=plan, version=d["version"])
        return "Plan approved (PS-PSP-3)."
    if action == "issue_add":
        services.plan_issue_add(actor=u, plan=plan, title=d["title"],
                                classification=d["classification"],
                                customer_perspective=d["customer_perspective"],
                                is_specialist_process=d["is_specialist_process"])
        return "Issue recorded."
    if action == "issue_status":
        issue = PlanIssue.objects.get(pk=d["issue"], plan=plan)
        services.plan_issue_transition(actor=u, issue=issue, status=d["status"], comment=d["comment"],
                                       version=d["version"])
        return f"{issue.title}: {d['status']}."
    if action == "option_add":
        result = services.plan_option_add(actor=u, plan=plan, kind=d["kind"], detail=d["detail"],
                                          timeframe=d["timeframe"])
        if isinstance(result, ApprovalRequest):
            return _sent(result, "Social worker referral sent for approval", "PS-CON-6")
        return "Option recorded."
    if action == "option_update":
        opt = PlanOption.objects.get(pk=d["option"], plan=plan)
        services.plan_option_update(actor=u, option=opt, status=d["status"] or None,
                                    confirmed_in_writing=d["confirmed_in_writing"],
                                    timeframe=d["timeframe"] if "timeframe" in form.data else None)
        return "Option updated."
    if action == "action_add":
        services.plan_action_add(actor=u, plan=plan, description=d["description"],
                                 due_on=d["due_on"])
        return "Action recorded."
    if action == "action_complete":
        services.plan_action_complete(actor=u, action=PlanAction.objects.get(pk=d["action"], plan=plan))
        return "Action completed."
    if action == "note":
        services.stacking_note_add(actor=u, ps_record=rec, subject=d["subject"], body=d["body"])
        return "Notepad added to the stacking document."
    if action == "contact":
        kind = d["kind"] or "first"
        points = policy.FIRST_CONTACT_POINTS if kind == "first" else policy.FOLLOW_UP_POINTS
        services.contact_record(
            actor=u, ps_record=rec, kind=kind, summary=d["summary"],
            checklist={k: d[f"cp_{k}"] for k in points},
            mandatory_gathered={k: d[f"mi_{k}"] for k in policy.MANDATORY_KEYS},
            acknowledged=d["acknowledged"], restrictions_reviewed=d["restrictions_reviewed"],
            products_services=d["products_services"], follow_up_type=d["follow_up_type"],
            follow_up_subject=d["follow_up_subject"])
        return "Contact recorded (PS-CON-3)."
    if action == "segment":
        result = services.segment_set(actor=u, ps_record=rec, segment=d["segment"], reason=d["reason"])
        if isinstance(result, ApprovalRequest):
            return (f"Segment 3 requested: {result.eligible.label} decides it (due {result.due_date:%d/%m/%Y}). "
                    "Nothing changes until then (PS-ORM-1).")
        return "Segment recorded on the plan and the PS record (PS-RES-1)."
    if action == "letter":
        letter = services.ps_letter_send(actor=u, ps_record=rec, template_code=d["template_code"],
                                         context={"next_contact": d["next_contact"]}
                                         if d["next_contact"] else None)
        return f"{letter.title} issued."
    if action == "skip":
        services.uq140_01_skip(actor=u, ps_record=rec, straightforward=d["straightforward"],
                               tl_discussion=d["tl_discussion"], team_leader=d["team_leader"])
        return "UQ140.01 not sent: Team Leader discussion recorded (PS-RES-4)."
    if action == "sensitive":
        services.sensitive_indicator_add(actor=u, ps_record=rec, reason=d["reason"],
                                         conditions=d["conditions"],
                                         review_date=d["review_date"])
        return "Sensitive issue indicator added (internal only)."
    if action == "f2f":
        scheduled = d["scheduled_for"]
        result = services.f2f_book(actor=u, ps_record=rec, location_type=d["location_type"],
                                   location_detail=d["location_detail"], attendees=d["attendees"],
                                   scheduled_for=scheduled, reason=d["reason"],
                                   via_customer_review=d["via_customer_review"],
                                   second_person=d["second_person"], security_risk=d["security_risk"],
                                   security_notified=d["security_notified"])
        return _sent(result, "Face-to-face meeting sent for approval", "PS-F2F-1")
    if action == "no_contact":
        services.no_further_contact_record(actor=u, ps_record=rec, cro=d["cro"],
                                           confirmation=d["confirmation"])
        return "Recorded: no further contact needed (PS-CON-1)."
    if action == "told":
        services.customer_told_record(actor=u, ps_record=rec, summary=d["summary"])
        return "Recorded: customer told the case leaves PS."
    if action == "finalise":
        services.finalisation_request_submit(actor=u, ps_record=rec, summary=d["summary"],
                                             attestations={k: d[k] for k in services.ATTESTATIONS})
        return "Finalisation request sent to the Team Leader for approval (PS-FIN-2)."
    if action == "decide":
        req = FinalisationRequest.objects.get(pk=d["request"], ps_record=rec)
        services.finalisation_decide(actor=u, request=req, approve=d["decision"] == "approve",
                                     reason=d["reason"], comments=d["comments"],
                                     ongoing_ps_will_not_resolve=d["ongoing_ps_will_not_resolve"],
                                     no_escalation_history=d["no_escalation_history"],
                                     needs_ongoing_support=d["needs_ongoing_support"])
        return "Finalisation approved." if d["decision"] == "approve" else "Finalisation not approved."
    if action == "realloc":
        services.reallocation_request(actor=u, ps_record=rec, reason_code=d["reason_code"],
                                      detail=d["detail"])
        return "Reallocation request sent to your Team Leader for approval (PS-REV-2)."
    if action == "realloc_forward":
        req = ReallocationRequest.objects.get(pk=d["request"], ps_record=rec)
        pos = d["receiving_position"]
        if pos is None:
            raise InvalidInput("Choose the receiving PS position.", fields={"receiving_position": ["Unknown."]})
        services.reallocation_forward(actor=u, request=req, receiving_position=pos, comments=d["comments"])
        return "Sent to the receiving Team Leader (PS-REV-3)."
    if action == "realloc_assign":
        req = ReallocationRequest.objects.get(pk=d["request"], ps_record=rec)
        services.reallocation_assign(actor=u, request=req, case_manager=d["case_manager"])
        return "Assigned; Customer Assigned to PS intray created (PS-REV-3)."
    if action == "s3_schedule":
        services.segment3_review_schedule(actor=u, ps_record=rec,
                                          review_date=d["review_date"],
                                          conditions=d["conditions"])
        return "Segment 3 review scheduled (PS-ORM-2)."
    if action == "s3_outcome":
        review = Segment3Review.objects.get(pk=d["review"], ps_record=rec)
        result = services.segment3_review_record(
            actor=u, review=review, outcome=d["outcome"], notes=d["notes"],
            new_review_date=d["new_review_date"])
        return _sent(result, "Segment 3 review outcome sent for approval", "PS-ORM-2")
    if action == "restricted_review":
        restriction = ContactRestriction.objects.get(pk=d["restriction"], customer=rec.customer)
        result = services.restricted_service_review_record(
            actor=u, ps_record=rec, restriction=restriction, outcome=d["outcome"],
            next_review_date=d["next_review_date"])
        return _sent(result, "Restricted-service review sent for approval", "PS-ORM-3")
    raise Http404("Unknown action")


@login_required
@require_POST
def record_action(request, pk: int, action: str):
    """One form per action (``ps/forms.py``), done by its service. Refused (bad input or a guard): the PS record page
    again (400, or the refusal's 403/409) with that form holding what was typed (``{% refill %}``), its errors on its
    fields and the reason with its step IDs in the summary at the top. Done: back to the page with the confirmation."""
    form_class = ps_forms.RECORD_FORMS.get(action)
    if form_class is None:
        raise Http404("Unknown action")
    try:
        rec = selectors.ps_record_get(user=request.user, pk=pk)
    except DomainError as exc:
        if exc.http_status == 404:
            raise Http404(exc.message) from exc
        return render(request, "ps/forbidden.html", {"error": exc}, status=exc.http_status)
    form = form_class(request.POST, auto_id=f"id_{action}_%s")
    anchor = ps_forms.AnchorForm(request.POST)
    back = anchor.cleaned_data["anchor"] if anchor.is_valid() else ""
    if form.is_valid():
        try:
            msg = _post_action(request, rec, action, form)
        except DomainError as exc:
            if exc.http_status == 404:
                raise Http404(exc.message) from exc
            refuse(form, exc)
        except (PlanIssue.DoesNotExist, PlanOption.DoesNotExist, PlanAction.DoesNotExist,
                FinalisationRequest.DoesNotExist, ReallocationRequest.DoesNotExist, Segment3Review.DoesNotExist,
                ContactRestriction.DoesNotExist) as exc:
            form.add_error(None, f"That item is not part of this PS record ({exc.__class__.__name__}).")
            form.refusal_status = 404
        else:
            messages.success(request, msg)
            return redirect(f"/ps/records/{pk}/#{back}")
    rec = selectors.ps_record_get(user=request.user, pk=pk)
    return _record_page(request, rec, form=form, action=action, status=status_of(form))

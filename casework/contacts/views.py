"""The guided contact screen (officer UI). Thin: parse the form, call a service, redirect back to the screen.

A refusal is shown to the officer with its reason and step IDs (and the missing items when finalising is refused);
nothing is half-written because each service runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from casework.core import clock
from casework.core.errors import DomainError, InvalidInput, NotFound
from casework.customers.models import AuthorisedRepresentative, Case, Debt, IncomeSource, IssueStatus
from casework.customers.services import customer_data_read
from casework.org.models import BusinessArea, IssueType

from . import policy, selectors, services
from .models import Channel, Contact, ExplanationStatus, Speaker, TransferKind


def _error_page(request, error: DomainError):
    return render(request, "web/error.html", {"error": error}, status=error.http_status)


def _refused(request, error: DomainError) -> None:
    steps = f" ({', '.join(error.step_ids)})" if error.step_ids else ""
    messages.error(request, f"{error.message}{steps}")
    for field, problems in error.fields.items():
        for problem in problems:
            messages.error(request, f"{field.replace('_', ' ').capitalize()}: {problem}")


@login_required
@require_http_methods(["GET", "POST"])
def contact_start_view(request, csid: str):
    """Start a contact from a customer (CMA-1.1): channel, who is speaking. POI comes next, before case details."""
    from casework.customers.selectors import customer_get

    try:
        customer = customer_get(user=request.user, csid=csid)
    except DomainError as exc:
        return _error_page(request, exc)
    representatives = list(customer.representatives.filter(is_active=True))
    cases = list(Case.objects.filter(payer=customer)) + list(Case.objects.filter(payee=customer))
    if request.method == "POST":
        try:
            rep = None
            if request.POST.get("speaker") == Speaker.REPRESENTATIVE and request.POST.get("representative"):
                rep = AuthorisedRepresentative.objects.filter(pk=request.POST["representative"], customer=customer).first()
            case = None
            if request.POST.get("case"):
                case = Case.objects.filter(case_number=request.POST["case"]).first()
            contact = services.contact_start(
                actor=request.user, customer=customer, channel=request.POST.get("channel", ""),
                speaker=request.POST.get("speaker", Speaker.CUSTOMER), representative=rep, case=case,
            )
        except DomainError as exc:
            _refused(request, exc)
        else:
            return redirect("contacts:contact", pk=contact.pk)
    return render(
        request,
        "contacts/start.html",
        {
            "customer": customer, "channels": Channel.choices, "speakers": Speaker.choices,
            "representatives": representatives, "cases": cases,
        },
    )


@login_required
def contact_view(request, pk: int):
    from casework.customers.services import customer_record_view

    try:
        contact = selectors.contact_get(user=request.user, contact_id=pk)
        screen = selectors.contact_screen(user=request.user, contact=contact)
        if screen.summary is not None and contact.is_open:
            customer_record_view(actor=request.user, customer=contact.customer, channel="contact")
        else:  # the contact's own record (issues, notes, outcome) is the customer's data too (issue 13)
            customer_data_read(actor=request.user, customer=contact.customer_id, what="contact",
                               detail={"contact": contact.pk}, channel="ui")
    except DomainError as exc:
        return _error_page(request, exc)
    checklist = []
    if screen.mca is not None:
        checklist = [(item, item.code in contact.mca_ticked) for item in screen.mca.checklist]
    docs = ()
    if screen.mca is not None:
        docs = policy.mca_documentation(screen.mca, arrangement_negotiated=contact.arrangement_id is not None)
    all_explained = all(i.status == ExplanationStatus.EXPLAINED for i in contact.impacted.all())
    impacted_ids = {i.customer_id for i in contact.impacted.all()}
    other_parties = []
    if screen.summary is not None:
        other_parties = [cs.other_party for cs in screen.summary.cases if cs.other_party.pk not in impacted_ids]
    today = clock.today_for(request.user)
    ctx = {
        "contact": contact,
        "screen": screen,
        "own": screen.ownership,
        "summary": screen.summary,
        "checklist": checklist,
        "documentation": docs,
        "issue_types": IssueType.objects.filter(is_active=True).select_related("handling_area").order_by("kind", "name"),
        "areas": BusinessArea.objects.filter(is_active=True).exclude(pk=contact.area_id),
        "warm_reasons": policy.WARM_TRANSFER_REASONS.items(),
        "transfer_kinds": TransferKind.choices,
        "disagreement_options": policy.DISAGREEMENT_OPTIONS.items(),
        "income_sources": IncomeSource.choices,
        "tax_year": today.year + (1 if today.month >= 7 else 0),
        "frequencies": [("weekly", "Weekly"), ("fortnightly", "Fortnightly"), ("monthly", "Monthly")],
        "today": today.isoformat(),
        "all_explained": all_explained,
        "other_parties": other_parties,
        "is_mine": getattr(getattr(request.user, "officer", None), "pk", None) == contact.officer_id,
        "can_view_sensitive": request.user.has_perm("customers.view_sensitive"),
        # CMA-1.7: prompt to advise the customer when ownership is kept as a further specialised issue arises.
        "holistic": selectors.holistic_advice_prompt(contact) if contact.poi_confirmed else None,
    }
    return render(request, "contacts/contact.html", ctx)


def _bool(request, name: str) -> bool:
    return request.POST.get(name) in ("on", "true", "1", "yes")


def _date(raw: str, field: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime((raw or "").strip(), fmt).date()
        except ValueError:
            continue
    raise InvalidInput("Enter a date.", fields={field: ["Enter a date as DD/MM/YYYY."]})


def _customer_by_csid(request, csid: str):
    from casework.customers.selectors import customer_get

    return customer_get(user=request.user, csid=csid)


def _a_poi(request, contact):
    services.contact_poi_confirm(actor=request.user, contact=contact, method=request.POST.get("method", ""))
    return "Proof of identity confirmed. Case details are now shown."


def _a_transfer(request, contact):
    area = BusinessArea.objects.filter(code=request.POST.get("to_area", "")).first()
    if area is None:
        raise InvalidInput("Choose the business area to transfer to.", fields={"to_area": ["Choose an area."]})
    services.contact_transfer(
        actor=request.user, contact=contact, to_area=area, kind=request.POST.get("kind", ""),
        reasons=request.POST.getlist("reasons"), note=request.POST.get("note", ""),
    )
    return f"Transferred to {area.name}."


def _a_issue(request, contact):
    link = services.contact_issue_add(
        actor=request.user, contact=contact, issue_type=request.POST.get("issue_type", ""),
        description=request.POST.get("description", ""),
    )
    return f"{link.presenting_issue.issue_type.name} added: {link.handling_reason}"


def _a_issue_close(request, contact):
    link = contact.issues.filter(pk=request.POST.get("link")).select_related("presenting_issue", "contact").first()
    if link is None:
        raise NotFound("No such issue on this contact.")
    status = request.POST.get("status") or IssueStatus.FINALISED
    services.contact_issue_close(actor=request.user, contact_issue=link, outcome=request.POST.get("outcome", ""), status=status)
    return f"{link.presenting_issue.issue_type.name}: {status}."


def _a_referral(request, contact):
    services.contact_external_referral_add(
        actor=request.user, contact=contact, organisation=request.POST.get("organisation", ""),
        reason=request.POST.get("reason", ""), given=_bool(request, "given"),
    )
    return "External referral recorded."


def _a_referral_give(request, contact):
    referral = contact.external_referrals.filter(pk=request.POST.get("referral")).first()
    if referral is None:
        raise NotFound("No such referral on this contact.")
    services.contact_external_referral_give(actor=request.user, referral=referral)
    return f"Referral to {referral.organisation} given."


def _a_error(request, contact):
    contact = services.contact_error_record(
        actor=request.user, contact=contact, description=request.POST.get("description", ""),
        apology_given=_bool(request, "apology_given"), complaint_offered=_bool(request, "complaint_offered"),
        complaint_wanted=_bool(request, "complaint_wanted"), resolved_in_real_time=_bool(request, "resolved_in_real_time"),
    )
    return f"Error recorded ({contact.error_outcome})."


def _a_tick(request, contact):
    services.contact_mca_tick(actor=request.user, contact=contact, codes=request.POST.getlist("codes"))
    return "Checklist saved."


def _a_arrangement(request, contact):
    debt = Debt.objects.filter(pk=request.POST.get("debt"), debtor=contact.customer).first()
    if debt is None:
        raise InvalidInput("Choose the debt.", fields={"debt": ["Choose one of the customer's debts."]})
    services.contact_payment_arrangement_record(
        actor=request.user, contact=contact, debt=debt, instalment=request.POST.get("instalment", ""),
        frequency=request.POST.get("frequency", ""), start_date=_date(request.POST.get("start_date", ""), "start_date"),
    )
    return "Payment arrangement recorded."


def _a_income(request, contact):
    services.contact_income_update(
        actor=request.user, contact=contact, amount=request.POST.get("amount", ""), source=request.POST.get("source", ""),
        tax_year=request.POST.get("tax_year", ""), effective_from=_date(request.POST.get("effective_from", ""), "effective_from"),
    )
    return "Income updated (CMA-2.2)."


def _a_collection(request, contact):
    contact = services.contact_collection_info_record(
        actor=request.user, contact=contact, information=request.POST.get("information", ""),
        likely_collection_outcome=_bool(request, "likely"), level1_searches_done=_bool(request, "level1"),
    )
    return f"Collection information recorded ({contact.collection_outcome.replace('_', ' ')})."


def _a_mca_complete(request, contact):
    services.contact_mca_complete(actor=request.user, contact=contact)
    return "Minimum Collection Activity documented (CMA-2.8)."


def _a_impacted(request, contact):
    services.contact_impacted_add(actor=request.user, contact=contact, customer=_customer_by_csid(request, request.POST.get("csid", "")))
    return "Impacted customer added."


def _a_explained(request, contact):
    customer = _customer_by_csid(request, request.POST.get("csid", ""))
    explained = request.POST.get("explained", "yes") == "yes"
    services.contact_decision_explained(actor=request.user, contact=contact, customer=customer, explained=explained)
    return f"Recorded for {customer.full_name}."


def _a_disagreement(request, contact):
    services.contact_disagreement_record(actor=request.user, contact=contact, options=request.POST.getlist("options"))
    return "Options given recorded."


def _handed_off(contact) -> str:
    """Issue 11: say where each specialised issue went (area and intray) when the contact ended."""
    rows = contact.issues.filter(referred_intray__isnull=False).select_related(
        "presenting_issue__issue_type", "referred_area", "referred_intray__type")
    parts = [f"{r.presenting_issue.issue_type.name} to {r.referred_area.name} ({r.referred_intray.type.name} "
             f"intray {r.referred_intray_id})" for r in rows]
    return (" Referred: " + "; ".join(parts) + ".") if parts else ""


def _a_finalise(request, contact):
    services.contact_finalise(actor=request.user, contact=contact)
    return "Contact finalised." + _handed_off(contact)


def _a_holistic_advice(request, contact):
    services.contact_holistic_advice_record(actor=request.user, contact=contact)
    return "Advice recorded: more than one person may deal with the customer; their CSID routes calls (CMA-1.7)."


def _a_not_resolved(request, contact):
    services.contact_not_resolved(actor=request.user, contact=contact, reason=request.POST.get("reason", ""))
    return "Not resolved in real time: the locking rules were applied (CMA-2.10)." + _handed_off(contact)


def _a_unlock(request, contact):
    result = services.contact_unlock(
        actor=request.user, contact=contact, reason=request.POST.get("reason", ""),
        decision_summary=request.POST.get("decision_summary", ""), decision_reasons=request.POST.get("decision_reasons", ""),
    )
    labels = {
        "unlocked": "Customer unlocked by the ownership rules.",
        "relocked": "Locked to the officer managing the outstanding specialised issue (CMA-3.3).",
        "not_locked": "The customer was not locked: nothing to unlock.",
        "auto_unlock_scheduled": "Decision letters sent to every impacted customer; automatic unlock scheduled.",
        "letters_sent": "Decision letters sent to every impacted customer.",
    }
    return labels.get(result["outcome"], result["outcome"])


ACTIONS: dict[str, Callable] = {
    "poi": _a_poi, "transfer": _a_transfer, "issue": _a_issue, "issue-close": _a_issue_close,
    "referral": _a_referral, "referral-give": _a_referral_give, "error": _a_error, "tick": _a_tick,
    "arrangement": _a_arrangement, "income": _a_income, "collection": _a_collection, "mca-complete": _a_mca_complete,
    "impacted": _a_impacted, "explained": _a_explained, "disagreement": _a_disagreement,
    "finalise": _a_finalise, "not-resolved": _a_not_resolved, "unlock": _a_unlock,
    "holistic-advice": _a_holistic_advice,
}

ANCHORS = {
    "poi": "poi", "transfer": "poi", "issue": "issues", "issue-close": "issues", "referral": "issues",
    "referral-give": "issues", "error": "issues", "tick": "mca", "arrangement": "mca", "income": "mca", "collection": "mca",
    "mca-complete": "mca", "impacted": "explain", "explained": "explain", "disagreement": "explain",
    "finalise": "finalise", "not-resolved": "finalise", "unlock": "unlock", "holistic-advice": "issues",
}


@login_required
@require_POST
def contact_action(request, pk: int, action: str):
    handler = ACTIONS.get(action)
    if handler is None:
        return _error_page(request, NotFound("Unknown action."))
    try:
        contact = selectors.contact_get(user=request.user, contact_id=pk)
        done = handler(request, contact)
    except DomainError as exc:
        _refused(request, exc)
        if exc.extra.get("missing"):
            for item in exc.extra["missing"]:
                messages.error(request, f"Missing: {item}")
    else:
        messages.success(request, done)
    return redirect(reverse("contacts:contact", kwargs={"pk": pk}) + f"#{ANCHORS.get(action, '')}")


def _letter_form(request):
    """The letter form (django.forms); invalid input becomes the same 400 refusal the service would give."""
    from casework.letters.forms import LetterForm

    form = LetterForm(request.POST)
    if not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        if "template_code" in errors:
            message = "Choose a letter."
        else:
            message = errors["body"][0] if "body" in errors else "Check the letter."
        raise InvalidInput(message, fields=errors)
    return form


@login_required
@require_POST
def letter_send(request, csid: str):
    """CMA-1.2: customer cannot be contacted -> MX1-1 *Request for client to contact*; written correspondence only ->
    a unique letter. Rendered to PDF from allow-listed fields only (letters app)."""
    from casework.customers.selectors import customer_get
    from casework.letters.services import letter_issue

    try:
        customer = customer_get(user=request.user, csid=csid)
        form = _letter_form(request)
        letter = letter_issue(
            actor=request.user, customer=customer, template_code=form.cleaned_data["template_code"],
            context=form.letter_context(), step_ids=("CMA-1.2",),
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{letter.title} sent and logged against the customer.")
    return redirect(reverse("web:customer", args=[csid]) + "#contacts")


@login_required
@require_POST
def letter_preview(request, csid: str):
    """The letter as it would be sent, with the same checks (size limits, disclosure control PS-CON-4 / CMA-1.6);
    nothing is stored. The page offers to send exactly what was previewed."""
    from casework.customers.selectors import customer_get
    from casework.letters.services import letter_preview as preview

    try:
        customer = customer_get(user=request.user, csid=csid)
        form = _letter_form(request)
        composed = preview(actor=request.user, customer=customer, template_code=form.cleaned_data["template_code"],
                           context=form.letter_context(), step_ids=("CMA-1.2",))
        customer_data_read(actor=request.user, customer=customer, what="letter_preview",
                           detail={"template_code": composed.template.code}, channel="ui")
    except DomainError as exc:
        _refused(request, exc)
        return redirect(reverse("web:customer", args=[csid]) + "#contacts")
    return render(request, "contacts/letter_preview.html", {
        "customer": customer, "composed": composed, "form": form,
    })

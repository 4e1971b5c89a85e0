"""The guided contact screen (officer UI). Thin: parse the form (``contacts/forms.py``), call a service, redirect
back to the screen with the confirmation.

A refusal re-renders the screen (400, or 409 for a refused transition) with the posted form still holding what was
typed, the reason and step IDs (and the missing items when finalising is refused) in the error summary at the top and
on the fields; nothing is half-written because each service runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from casework.core import clock
from casework.core.errors import DomainError, InvalidInput, NotFound
from casework.core.forms import refuse, row_forms, status_of
from casework.customers.models import Case, Debt, IssueStatus
from casework.customers.services import customer_data_read
from casework.org.models import BusinessArea
from casework.org.selectors import active_business_areas, active_issue_types

from . import forms, policy, selectors, services
from .models import ExplanationStatus, Speaker


def _error_page(request, error: DomainError):
    return render(request, "web/error.html", {"error": error}, status=error.http_status)


def _refused(request, error: DomainError) -> None:
    """A refusal reported after a redirect (the letter forms, posted from the customer page)."""
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
    form = forms.StartForm(request.POST if request.method == "POST" else None, representatives=representatives,
                           cases=cases, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["speaker"] = data["speaker"] or Speaker.CUSTOMER
        rep = next((r for r in representatives if str(r.pk) == data.get("representative")), None)
        case = next((c for c in cases if c.case_number == data.get("case")), None)
        try:
            contact = services.contact_start(
                actor=request.user, customer=customer, channel=data["channel"], speaker=data["speaker"],
                representative=rep if data["speaker"] == Speaker.REPRESENTATIVE else None, case=case,
            )
        except DomainError as exc:
            refuse(form, exc)
        else:
            if contact.resumed:  # issue 14: the back button / a second start resumes the contact in progress
                messages.info(request, "You already have a contact in progress with this customer: resumed.")
            return redirect("contacts:contact", pk=contact.pk)
    officer = getattr(request.user, "officer", None)
    return render(request, "contacts/start.html", {
        "customer": customer, "form": form,
        "own_open": selectors.open_contact_for(customer=customer, officer=officer) if officer is not None else None,
        "others_in_progress": selectors.in_progress_by_others(customer=customer, officer=officer),
    }, status=status_of(form))


def _choices(contact, screen, ctx) -> dict[str, dict]:
    """The choices of the forms whose options depend on the contact (areas, issue types, the payer's debts)."""
    return {
        "transfer": {"areas": ctx["areas"]}, "issue": {"issue_types": ctx["issue_types"]},
        "arrangement": {"debts": screen.payer_debts or ()},
    }


def _page_forms(contact, screen, ctx) -> dict:
    """Every form of the contact page, unbound, with its defaults. Keys are the action names with ``_`` for ``-``
    (template variables)."""
    today = ctx["today"]
    kwargs = _choices(contact, screen, ctx)
    initial = {
        "arrangement": {"start_date": today},
        "income": {"tax_year": ctx["tax_year"], "effective_from": today},
        "correct": {"version": contact.version, "reason": "",
                    **{name: getattr(contact, name) for name in policy.CORRECTABLE_FIELDS}},
    }
    built = {}
    for name, form_class in forms.FORMS.items():
        if name == "issue-close":
            continue
        key = name.replace("-", "_")
        built[key] = form_class(initial=initial.get(name), auto_id=f"id_{key}_%s", **kwargs.get(name, {}))
    return built


def _contact_page(request, contact, *, action: str | None = None, form=None, carry=None, status: int = 200):
    """The contact page; after a refusal, with the posted form bound (what was typed stays) and its errors."""
    from casework.customers.services import customer_record_view

    try:
        screen = selectors.contact_screen(user=request.user, contact=contact)
        if screen.summary is not None and contact.is_open:
            customer_record_view(actor=request.user, customer=contact.customer, channel="contact")
        else:  # the contact's own record (issues, notes, outcome) is the customer's data too (issue 13)
            customer_data_read(actor=request.user, customer=contact.customer_id, what="contact",
                               detail={"contact": contact.pk}, channel="ui")
    except DomainError as exc:
        return _error_page(request, exc)
    # What the checklist shows: the ticks just posted (an error in the checklist itself, or in another form of the
    # page, carried along by the page's script), else the saved ones.
    shown = list(contact.mca_ticked)
    if action == "tick" and form is not None:
        shown = list(form.data.getlist("codes"))
    elif carry is not None:
        shown = carry
    checklist = []
    if screen.mca is not None:
        checklist = [(item, item.code in shown) for item in screen.mca.checklist]
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
        "ticks_unsaved": sorted(shown) != sorted(contact.mca_ticked),
        "documentation": docs,
        # Issue 15: reference rows cached per process (org.selectors, core.refcache).
        "issue_types": active_issue_types(),
        "areas": [a for a in active_business_areas() if a.pk != contact.area_id],
        "tax_year": today.year + (1 if today.month >= 7 else 0),
        "today": today,
        "all_explained": all_explained,
        "other_parties": other_parties,
        "is_mine": getattr(getattr(request.user, "officer", None), "pk", None) == contact.officer_id,
        "can_abandon": selectors.may_abandon(user=request.user, contact=contact),
        "can_correct": selectors.may_correct(user=request.user, contact=contact),
        # Issue 14: read only when there are some (``has_corrections`` comes with the contact: no query otherwise).
        "corrections": (contact.corrections.select_related("corrected_by__officer")
                        if getattr(contact, "has_corrections", True) else ()),
        # CMA-1.7: prompt to advise the customer when ownership is kept as a further specialised issue arises.
        "holistic": (screen.holistic if screen.holistic is not None
                     else selectors.holistic_advice_prompt(contact) if contact.poi_confirmed else None),
    }
    ctx["f"] = _page_forms(contact, screen, ctx)
    issues = list(contact.issues.all())
    row_forms(issues, attr="close_form", form_class=forms.IssueCloseForm, id_field="link", prefix="close",
              posted=form if action == "issue-close" else None)
    if form is not None and action != "issue-close":
        form.auto_id = f"id_{action.replace('-', '_')}_%s"
        ctx["f"][action.replace("-", "_")] = form
    ctx["issues"] = issues
    ctx["error_form"] = form
    ctx["error_anchor"] = ANCHORS.get(action or "", "")
    return render(request, "contacts/contact.html", ctx, status=status)


@login_required
def contact_view(request, pk: int):
    try:
        contact = selectors.contact_get(user=request.user, contact_id=pk)
    except DomainError as exc:
        return _error_page(request, exc)
    # Ticks carried with a form that succeeded (contact_action): shown again, ticked but not saved yet.
    carried = request.session.pop(_carried_key(pk), None)
    return _contact_page(request, contact, carry=carried)


def _carried_key(pk: int) -> str:
    return f"contact-{pk}-carried-ticks"


def _customer_by_csid(request, csid: str):
    from casework.customers.selectors import customer_get

    return customer_get(user=request.user, csid=csid)


def _a_poi(request, contact, d):
    services.contact_poi_confirm(actor=request.user, contact=contact, method=d["method"])
    return "Proof of identity confirmed. Case details are now shown."


def _a_poi_failed(request, contact, d):
    services.contact_poi_fail(actor=request.user, contact=contact, checks=d["checks"], note=d["note"])
    return "Identity check failed: recorded. Discuss nothing about the case; abandon the contact (CMA-1.1)."


def _a_abandon(request, contact, d):
    contact = services.contact_abandon(actor=request.user, contact=contact, reason=d["reason"], note=d["note"])
    left = sum(1 for link in contact.issues.select_related("presenting_issue")
               if link.presenting_issue.status == IssueStatus.OPEN)
    kept = (f" {left} presenting issue(s) raised in it stay open with the customer." if left else "")
    return f"Contact abandoned ({contact.abandon_reason_label.lower()}).{kept} The customer's lock is unchanged."


def _a_transfer(request, contact, d):
    area = BusinessArea.objects.filter(code=d["to_area"], is_active=True).first()
    if area is None:
        raise InvalidInput("Choose the business area to transfer to.", fields={"to_area": ["Choose an area."]})
    services.contact_transfer(actor=request.user, contact=contact, to_area=area, kind=d["kind"],
                              reasons=d["reasons"], note=d["note"])
    return f"Transferred to {area.name}."


def _a_issue(request, contact, d):
    link = services.contact_issue_add(actor=request.user, contact=contact, issue_type=d["issue_type"],
                                      description=d["description"])
    return f"{link.presenting_issue.issue_type.name} added: {link.handling_reason}"


def _a_issue_close(request, contact, d):
    link = contact.issues.filter(pk=d["link"]).select_related("presenting_issue", "contact").first()
    if link is None:
        raise NotFound("No such issue on this contact.")
    status = d["status"] or IssueStatus.FINALISED
    services.contact_issue_close(actor=request.user, contact_issue=link, outcome=d["outcome"], status=status)
    return f"{link.presenting_issue.issue_type.name}: {status}."


def _a_referral(request, contact, d):
    services.contact_external_referral_add(actor=request.user, contact=contact, organisation=d["organisation"],
                                           reason=d["reason"], given=d["given"])
    return "External referral recorded."


def _a_referral_give(request, contact, d):
    referral = contact.external_referrals.filter(pk=d["referral"]).first()
    if referral is None:
        raise NotFound("No such referral on this contact.")
    services.contact_external_referral_give(actor=request.user, referral=referral)
    return f"Referral to {referral.organisation} given."


def _a_error(request, contact, d):
    contact = services.contact_error_record(
        actor=request.user, contact=contact, description=d["description"], apology_given=d["apology_given"],
        complaint_offered=d["complaint_offered"], complaint_wanted=d["complaint_wanted"],
        resolved_in_real_time=d["resolved_in_real_time"],
    )
    return f"Error recorded ({contact.error_outcome})."


def _a_tick(request, contact, d):
    services.contact_mca_tick(actor=request.user, contact=contact, codes=d["codes"])
    return "Checklist saved."


def _a_arrangement(request, contact, d):
    debt = Debt.objects.filter(pk=d["debt"], debtor=contact.customer).first()
    if debt is None:
        raise InvalidInput("Choose the debt.", fields={"debt": ["Choose one of the customer's debts."]})
    services.contact_payment_arrangement_record(
        actor=request.user, contact=contact, debt=debt, instalment=d["instalment"], frequency=d["frequency"],
        start_date=d["start_date"],
    )
    return "Payment arrangement recorded."


def _a_income(request, contact, d):
    services.contact_income_update(actor=request.user, contact=contact, amount=d["amount"], source=d["source"],
                                   tax_year=d["tax_year"], effective_from=d["effective_from"])
    return "Income updated (CMA-2.2)."


def _a_collection(request, contact, d):
    contact = services.contact_collection_info_record(
        actor=request.user, contact=contact, information=d["information"], likely_collection_outcome=d["likely"],
        level1_searches_done=d["level1"],
    )
    return f"Collection information recorded ({contact.collection_outcome.replace('_', ' ')})."


def _a_mca_complete(request, contact, d):
    services.contact_mca_complete(actor=request.user, contact=contact)
    return "Minimum Collection Activity documented (CMA-2.8)."


def _a_impacted(request, contact, d):
    services.contact_impacted_add(actor=request.user, contact=contact, customer=_customer_by_csid(request, d["csid"]))
    return "Impacted customer added."


def _a_explained(request, contact, d):
    customer = _customer_by_csid(request, d["csid"])
    explained = (d["explained"] or "yes") == "yes"
    services.contact_decision_explained(actor=request.user, contact=contact, customer=customer, explained=explained)
    return f"Recorded for {customer.full_name}."


def _a_disagreement(request, contact, d):
    services.contact_disagreement_record(actor=request.user, contact=contact, options=d["options"])
    return "Options given recorded."


def _handed_off(contact) -> str:
    """Issue 11: say where each specialised issue went (area and intray) when the contact ended."""
    rows = contact.issues.filter(referred_intray__isnull=False).select_related(
        "presenting_issue__issue_type", "referred_area", "referred_intray__type")
    parts = [f"{r.presenting_issue.issue_type.name} to {r.referred_area.name} ({r.referred_intray.type.name} "
             f"intray {r.referred_intray_id})" for r in rows]
    return (" Referred: " + "; ".join(parts) + ".") if parts else ""


def _a_finalise(request, contact, d):
    services.contact_finalise(actor=request.user, contact=contact)
    return "Contact finalised." + _handed_off(contact)


def _a_holistic_advice(request, contact, d):
    services.contact_holistic_advice_record(actor=request.user, contact=contact)
    return "Advice recorded: more than one person may deal with the customer; their CSID routes calls (CMA-1.7)."


def _a_not_resolved(request, contact, d):
    services.contact_not_resolved(actor=request.user, contact=contact, reason=d["reason"])
    return "Not resolved in real time: the locking rules were applied (CMA-2.10)." + _handed_off(contact)


def _a_unlock(request, contact, d):
    result = services.contact_unlock(
        actor=request.user, contact=contact, reason=d["reason"], decision_summary=d["decision_summary"],
        decision_reasons=d["decision_reasons"],
    )
    labels = {
        "unlocked": "Customer unlocked by the ownership rules.",
        "relocked": "Locked to the officer managing the outstanding specialised issue (CMA-3.3).",
        "not_locked": "The customer was not locked: nothing to unlock.",
        "auto_unlock_scheduled": "Decision letters sent to every impacted customer; automatic unlock scheduled.",
        "letters_sent": "Decision letters sent to every impacted customer.",
    }
    return labels.get(result["outcome"], result["outcome"])


def _a_correct(request, contact, d):
    values = {name: d[name] for name in policy.CORRECTABLE_FIELDS}
    contact = services.contact_correct(actor=request.user, contact=contact, reason=d["reason"], version=d["version"],
                                       **values)
    return "Contact corrected; what it said before is kept in its corrections."


ACTIONS: dict[str, Callable] = {
    "poi": _a_poi, "poi-failed": _a_poi_failed, "abandon": _a_abandon, "transfer": _a_transfer, "issue": _a_issue, "issue-close": _a_issue_close,
    "referral": _a_referral, "referral-give": _a_referral_give, "error": _a_error, "tick": _a_tick,
    "arrangement": _a_arrangement, "income": _a_income, "collection": _a_collection, "mca-complete": _a_mca_complete,
    "impacted": _a_impacted, "explained": _a_explained, "disagreement": _a_disagreement,
    "finalise": _a_finalise, "not-resolved": _a_not_resolved, "unlock": _a_unlock,
    "holistic-advice": _a_holistic_advice, "correct": _a_correct,
}

ANCHORS = {
    "poi": "poi", "poi-failed": "poi", "abandon": "abandon", "transfer": "poi", "issue": "issues", "issue-close": "issues", "referral": "issues",
    "referral-give": "issues", "error": "issues", "tick": "mca", "arrangement": "mca", "income": "mca", "collection": "mca",
    "mca-complete": "mca", "impacted": "explain", "explained": "explain", "disagreement": "explain",
    "finalise": "finalise", "not-resolved": "finalise", "unlock": "unlock", "holistic-advice": "issues",
    "correct": "corrections",
}


@login_required
@require_POST
def contact_action(request, pk: int, action: str):
    """One form per action, parsed by its django form and done by its service. Refused (bad input or a guard): the
    contact page again, with that form still holding what was typed, its errors on its fields and a summary at the
    top; the MCA ticks on screen (carried with the post) stay ticked. Done: back to the page with the confirmation."""
    handler = ACTIONS.get(action)
    if handler is None:
        return _error_page(request, NotFound("Unknown action."))
    try:
        contact = selectors.contact_get(user=request.user, contact_id=pk)
    except DomainError as exc:
        return _error_page(request, exc)
    options = {}
    if action in ("transfer", "issue", "arrangement"):  # choices that depend on the contact: parse against them
        options = _choices(contact, selectors.contact_screen(user=request.user, contact=contact), {
            "areas": [a for a in active_business_areas() if a.pk != contact.area_id],
            "issue_types": active_issue_types(),
        }).get(action, {})
    form = forms.FORMS[action](request.POST, **options)
    carry = forms.CarryForm(request.POST)
    carried = carry.cleaned_data["carry_codes"] if carry.is_valid() and carry.cleaned_data["carry"] else None
    if form.is_valid():
        try:
            done = handler(request, contact, form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(request, done)
            if carried is not None and action != "tick":  # the ticks on screen survive the redirect, still unsaved
                request.session[_carried_key(pk)] = list(carried)
            return redirect(reverse("contacts:contact", kwargs={"pk": pk}) + f"#{ANCHORS.get(action, '')}")
    contact.refresh_from_db()
    return _contact_page(request, contact, action=action, form=form, carry=carried, status=status_of(form))


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

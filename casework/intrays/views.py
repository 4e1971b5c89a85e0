"""Officer UI for intrays: the worklist at /work/ (htmx filtering, no full reload), an intray page with its
actions, and a form to create an intray. Thin: every write goes through services; refusals show their reason."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.core import clock
from casework.core.errors import DomainError, InvalidInput, NotFound, NotPermitted
from casework.core.files import stored_file_response
from casework.customers import selectors as customer_selectors
from casework.customers.models import PresentingIssue
from casework.customers.services import customer_data_read
from casework.org.rules import officer_of

from casework.core.forms import refuse, row_forms, status_of

from . import forms as intray_forms
from . import selectors, services
from .calendar import local_today
from .models import CorrespondenceMatter
from .policy import SERVICE_ONLY_TYPES, bucket

PAGE_SIZE = 25


def _error(request, error: DomainError, status: int | None = None):
    return render(request, "intrays/error.html", {"error": error}, status=status or error.http_status)


def _filter(request) -> selectors.WorklistFilter:
    g = request.GET
    scope = g.get("scope", "mine")
    if scope not in selectors.SCOPES:
        scope = "mine"
    due = g.get("due", "")
    return selectors.WorklistFilter(
        scope=scope,
        status=g.get("status", "open") if g.get("status", "open") in selectors.STATUS_FILTERS else "open",
        type_code=g.get("type", ""),
        csid=g.get("csid", "").strip(),
        due=due if due in selectors.DUE_FILTERS else "",
    )


def _rows(page, today_by_office):
    rows = []
    for intray in page:
        today = today_by_office(intray.office)
        rows.append({"intray": intray, "bucket": bucket(intray.due_date, today) if intray.is_open else "closed"})
    return rows


@login_required
def worklist(request):
    f = _filter(request)
    try:
        qs = selectors.worklist(user=request.user, f=f)
        counts = selectors.scope_counts(user=request.user)
        # Keyset paging (issue 15): "Next"/"Previous" carry the position of the last/first row shown; no COUNT.
        after, before = (request.GET.get(k, "").strip() for k in ("after", "before"))
        page = selectors.keyset_page(
            qs, size=PAGE_SIZE,
            after=selectors.Cursor.decode(after, field="after") if after else None,
            before=selectors.Cursor.decode(before, field="before") if before and not after else None,
        )
        if before and not after and not page.rows:  # the rows before were closed meanwhile: start again
            page = selectors.keyset_page(qs, size=PAGE_SIZE)
    except DomainError as exc:
        return _error(request, exc)
    # The worklist itself is not audited; filtered to one customer it is a read of that customer's work (issue 13).
    customer_id = customer_selectors.customer_id_for_csid(f.csid) if f.csid else None
    if customer_id is not None:
        customer_data_read(actor=request.user, customer=customer_id, what="intrays",
                           detail={"count": len(page.object_list)}, channel="ui")
    now = clock.now()
    cache: dict[int, dt.date] = {}

    def today_by_office(office):
        if office.pk not in cache:
            cache[office.pk] = local_today(office, now)
        return cache[office.pk]

    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    context = {
        "f": f,
        "page": page,
        "rows": _rows(page.object_list, today_by_office),
        "counts": counts,
        "scope_counts": counts.get(f.scope) or {},
        "types": [t for t in selectors.intray_types() if t.is_active],
        "query": query.urlencode(),
        "tabs": [(code, label, counts[code]) for code, label in
                 (("mine", "My intrays"), ("position", "My position's"), ("team", "My team's")) if counts.get(code)],
    }
    if request.htmx:
        return render(request, "intrays/_worklist.html", context)
    return render(request, "intrays/worklist.html", context)


def _detail_context(request, intray, *, action: str | None = None, form=None):
    """The intray page; after a refusal, the posted form (``action``) is bound to what was typed, with its errors."""
    corr = getattr(intray, "correspondence", None) if intray.type.is_correspondence else None
    bound = {name: cls(auto_id=f"id_{name}_%s") for name, cls in intray_forms.ACTION_FORMS.items()}
    bound["correct"] = intray_forms.IntrayCorrectForm(auto_id="id_correct_%s", initial={
        "subject": intray.subject, "details": intray.details, "case": intray.case.case_number if intray.case else "",
        "received_at": intray.received_at.astimezone(clock.office_zone(intray.office)).replace(tzinfo=None,
                                                                                            second=0, microsecond=0)})
    if corr is not None:
        bound["recategorise"] = intray_forms.RecategoriseForm(auto_id="id_recategorise_%s",
                                                              initial={"category": corr.category})
    matters = list(corr.matters.select_related("referred_intray__assignee_officer__user",
                                               "referred_intray__assignee_position")) if corr else []
    row_forms(matters, attr="address_form", form_class=intray_forms.MatterAddressForm, id_field="matter", prefix="m",
              posted=form if action == "matter_address" else None)
    row_forms(matters, attr="refer_form", form_class=intray_forms.MatterReferForm, id_field="matter", prefix="r",
              posted=form if action == "matter_refer" else None)
    if form is not None and action not in ("matter_address", "matter_refer"):
        form.auto_id = f"id_{action}_%s"
        bound[action] = form
    return {
        "f": bound,
        "error_form": form,
        "intray": intray,
        "corr": corr,
        "documents": corr.documents.all() if corr else [],
        "matters": matters,
        "history": corr.category_changes.select_related("changed_by__officer__position__office") if corr else [],
        "issues": intray.issues.select_related("issue_type"),
        "corrections": intray.corrections.select_related("corrected_by__officer"),
        "unaddressed": services.unaddressed_matters(intray) if corr else (),
        "bucket": bucket(intray.due_date, local_today(intray.office, clock.now())) if intray.is_open else "closed",
        "can_change": request.user.has_perm("intrays.change_intray"),
    }


@login_required
def detail(request, pk: int):
    try:
        intray = selectors.intray_get(user=request.user, pk=pk)
    except DomainError as exc:
        return _error(request, exc)
    if intray.customer_id is not None:
        customer_data_read(actor=request.user, customer=intray.customer_id, what="intray", detail={"intray": intray.pk},
                           channel="ui")
    return render(request, "intrays/detail.html", _detail_context(request, intray))


def _act(request, intray, name: str, d: dict) -> str:
    """Do one action of the intray page with its parsed form; the confirmation to show."""
    if name == "start":
        services.intray_start(actor=request.user, intray=intray, version=d["version"])
        return "Intray started."
    if name == "complete":
        services.intray_complete(actor=request.user, intray=intray, outcome=d["outcome"], version=d["version"])
        return "Intray done."
    if name == "delete":
        services.intray_delete(actor=request.user, intray=intray, reason=d["reason"], version=d["version"])
        return "Intray deleted."
    if name == "reassign":
        services.intray_reassign(actor=request.user, intray=intray, to_officer=d["to_officer"],
                                 to_position=d["to_position"], reason=d["reason"],
                                 version=d["version"])
        return "Intray referred."
    if name == "recategorise":
        services.correspondence_recategorise(actor=request.user, intray=intray, category=d["category"],
                                             reason=d["reason"], version=d["version"])
        return "Category changed; the previous category is kept in the history."
    if name == "correct":
        return _correct(request, intray, d)
    if name == "matter_add":
        services.correspondence_matter_add(actor=request.user, intray=intray, description=d["description"],
                                           version=d["version"])
        return "Matter recorded."
    if name == "matter_address":
        matter = CorrespondenceMatter.objects.filter(pk=d["matter"], correspondence__intray=intray).first()
        if matter is None:
            raise NotFound("No such matter on this intray.")
        services.correspondence_matter_address(actor=request.user, matter=matter, outcome=d["outcome"],
                                               communicated=d["communicated"], version=d["version"])
        return "Matter addressed."
    if name == "matter_refer":
        matter = CorrespondenceMatter.objects.filter(pk=d["matter"], correspondence__intray=intray).first()
        if matter is None:
            raise NotFound("No such matter on this intray.")
        referral = services.correspondence_matter_refer(
            actor=request.user, matter=matter, to_officer=d["to_officer"], to_position=d["to_position"],
            reason=d["reason"], version=d["version"])
        return (f"Matter referred to {referral.assignee_label}, due {referral.due_date:%d/%m/%Y}. "
                "It no longer holds this correspondence open.")
    upload = d["file"]  # document_add
    services.correspondence_document_add(actor=request.user, intray=intray, filename=upload.name,
                                         content=upload.read(), content_type=upload.content_type)
    return "Document attached."


def _correct(request, intray, d: dict) -> str:
    """Issue 14: only what differs from the record is a correction (the page shows the time to the minute)."""
    received = d["received_at"]
    if received is not None and intray.received_at is not None and (
            received.replace(second=0, microsecond=0) == intray.received_at.replace(second=0, microsecond=0)):
        received = None
    case = None
    if d["case"].strip() and d["case"].strip() != (intray.case.case_number if intray.case else ""):
        try:
            case = customer_selectors.case_get(user=request.user, case_number=d["case"].strip())
        except NotFound:
            raise InvalidInput("No case has that number.", fields={"case": ["No case has that number."]}) from None
    services.intray_correct(actor=request.user, intray=intray, reason=d["reason"], version=d["version"],
                            subject=d["subject"], details=d["details"], received_at=received, case=case)
    return "Intray corrected; what it said before is kept in its corrections."


@login_required
@require_POST
def action(request, pk: int, name: str):
    """One POST per transition, parsed by its form. Refused (bad input or a guard): the intray page again (400, or
    409 for a refused transition) with the form as typed, the reason and step IDs in the summary at the top."""
    form_class = intray_forms.ACTION_FORMS.get(name)
    try:
        intray = selectors.intray_get(user=request.user, pk=pk)
        if form_class is None:
            raise NotFound("Unknown action.")
    except DomainError as exc:
        return _error(request, exc)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            done = _act(request, intray, name, form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("intrays:detail", args=[pk]))
    intray = selectors.intray_get(user=request.user, pk=pk)
    return render(request, "intrays/detail.html", _detail_context(request, intray, action=name, form=form),
                  status=status_of(form))


@login_required
def document(request, pk: int, doc_id: int):
    try:
        if not request.user.has_perm("intrays.view_document"):
            raise NotPermitted("Your role does not allow you to open correspondence documents.")
        intray = selectors.intray_get(user=request.user, pk=pk)
        corr = getattr(intray, "correspondence", None) if intray.type.is_correspondence else None
        doc = corr.documents.filter(pk=doc_id).first() if corr else None
        if doc is None:
            raise NotFound("No such document on this intray.")
    except DomainError as exc:
        return _error(request, exc)
    # Streamed from storage; its size is checked before the read is audited (docs/intrays.md).
    response = stored_file_response(default_storage, doc.file.name, size=doc.size, sha256=doc.sha256,
                                    content_type=doc.content_type, filename=doc.filename)
    if intray.customer_id is not None:
        customer_data_read(actor=request.user, customer=intray.customer_id, what="intray_document",
                           detail={"intray": intray.pk, "document": doc.pk}, channel="ui")
    return response


@login_required
def create(request):
    """Create an intray (or record correspondence) for a customer: ``/work/new/?csid=...``. Refused: the same form
    again (400) with everything typed kept (type, subject, assignee, issues, received date and time, notepad,
    channel, date received, category, matters), the reason and step IDs at the top and on the fields."""
    if not request.user.has_perm("intrays.add_intray"):
        return _error(request, NotPermitted("Your role does not allow you to create intrays."))
    posted = request.method == "POST"
    form = intray_forms.IntrayCreateForm(request.POST if posted else None)  # the CSID first: whose issues to offer
    csid = (request.GET.get("csid") or (form.data.get("csid", "") if posted else "")).strip()
    customer, refused = None, None
    try:
        if csid:
            customer = customer_selectors.customer_get(user=request.user, csid=csid)
    except DomainError as exc:
        if isinstance(exc, NotPermitted) or not posted:
            return _error(request, exc)
        refused = InvalidInput(exc.message, fields={"csid": [exc.message]}, step_ids=exc.step_ids)
    types = [t for t in selectors.intray_types() if t.is_active and t.code not in SERVICE_ONLY_TYPES]
    issues = (PresentingIssue.objects.filter(customer=customer, status__in=["open", "referred"])
              .select_related("issue_type") if customer else [])
    form = intray_forms.IntrayCreateForm(request.POST if posted else None, request.FILES if posted else None,
                                         types=types, issues=issues, initial={"csid": csid})
    if refused is not None:
        refuse(form, refused)
    elif posted and customer is not None and form.is_valid():
        d = form.cleaned_data
        try:
            officer, position = d["to_officer"], d["to_position"]
            if d["type_code"] == "correspondence_received":
                upload = d["file"]
                intray = services.correspondence_receive(
                    actor=request.user, customer=customer, channel=d["channel"], received_on=d["received_on"],
                    received_at=d["received_at"], category=d["category"], subject=d["subject"],
                    assignee_officer=officer, assignee_position=position, details=d["details"],
                    documents=[(upload.name, upload.read(), upload.content_type)] if upload else [],
                    matters=form.matter_lines(),
                )
            else:
                intray = services.intray_raise(
                    actor=request.user, type_code=d["type_code"], customer=customer, subject=d["subject"],
                    assignee_officer=officer, assignee_position=position,
                    issues=[i for i in issues if i.pk in d.get("issues", [])], details=d["details"],
                    received_at=d["received_at"],
                )
        except DomainError as exc:
            if isinstance(exc, NotPermitted):
                return _error(request, exc)
            refuse(form, exc)
        else:
            messages.success(request, "Intray created.")
            return redirect(reverse("intrays:detail", args=[intray.pk]))
    elif posted and customer is None:
        form.is_valid()
        if not form.has_error("csid"):
            form.add_error("csid", "Give the customer's CSID.")
    return render(request, "intrays/create.html", {"customer": customer, "form": form, "me": officer_of(request.user)},
                  status=status_of(form) if posted else 200)

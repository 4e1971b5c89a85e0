"""Officer UI for intrays: the worklist at /work/ (htmx filtering, no full reload), an intray page with its
actions, and a form to create an intray. Thin: every write goes through services; refusals show their reason."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework.core import clock
from casework.core.errors import DomainError, InvalidInput, NotFound, NotPermitted
from casework.core.files import content_disposition, safe_content_type
from casework.customers import selectors as customer_selectors
from casework.customers.models import PresentingIssue
from casework.customers.services import customer_data_read
from casework.org.models import Officer, Position
from casework.org.rules import officer_of

from . import selectors, services
from .calendar import local_today
from .models import Channel, CorrespondenceCategory, CorrespondenceMatter, IntrayType
from .policy import SERVICE_ONLY_TYPES, bucket

PAGE_SIZE = 25


class ReceivedForm(forms.Form):
    """When the item was received (CMA-1.1). A time without a zone is in the officer's active (office) time zone."""

    received_at = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


def _received_at(post) -> dt.datetime | None:
    form = ReceivedForm(post)
    if not form.is_valid():
        raise InvalidInput("Enter the date and time received.", fields={"received_at": form.errors["received_at"]},
                           step_ids=("CMA-1.1",))
    return form.cleaned_data["received_at"]


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
    except DomainError as exc:
        return _error(request, exc)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
    query.pop("page", None)
    context = {
        "f": f,
        "page": page,
        "rows": _rows(page.object_list, today_by_office),
        "counts": counts,
        "scope_counts": counts.get(f.scope) or {},
        "types": IntrayType.objects.filter(is_active=True).order_by("name"),
        "query": query.urlencode(),
        "tabs": [(code, label, counts[code]) for code, label in
                 (("mine", "My intrays"), ("position", "My position's"), ("team", "My team's")) if counts.get(code)],
    }
    if request.htmx:
        return render(request, "intrays/_worklist.html", context)
    return render(request, "intrays/worklist.html", context)


def _detail_context(request, intray):
    corr = getattr(intray, "correspondence", None) if intray.type.is_correspondence else None
    return {
        "intray": intray,
        "corr": corr,
        "documents": corr.documents.defer("content") if corr else [],
        "matters": corr.matters.all() if corr else [],
        "history": corr.category_changes.select_related("changed_by") if corr else [],
        "issues": intray.issues.select_related("issue_type"),
        "unaddressed": services.unaddressed_matters(intray) if corr else (),
        "categories": CorrespondenceCategory.choices,
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


def _find_officer(value: str) -> Officer | None:
    value = (value or "").strip()
    if not value:
        return None
    qs = Officer.objects.select_related("user", "position__business_area", "position__office", "position__team")
    officer = qs.filter(user__username=value).first() or (qs.filter(pk=int(value)).first() if value.isdigit() else None)
    if officer is None:
        raise InvalidInput(f"No officer with username '{value}'.", fields={"to_officer": ["Unknown officer."]})
    return officer


def _find_position(value: str) -> Position | None:
    value = (value or "").strip()
    if not value:
        return None
    position = Position.objects.select_related("business_area", "office", "team").filter(code=value).first()
    if position is None:
        raise InvalidInput(f"No position with code '{value}'.", fields={"to_position": ["Unknown position."]})
    return position


ACTIONS = ("start", "complete", "delete", "reassign", "recategorise", "matter_add", "matter_address", "document_add")


@login_required
@require_POST
def action(request, pk: int, name: str):
    """One POST per transition; the officer sees the service's reason and step IDs when it is refused."""
    try:
        intray = selectors.intray_get(user=request.user, pk=pk)
        p = request.POST
        if name == "start":
            services.intray_start(actor=request.user, intray=intray)
            messages.success(request, "Intray started.")
        elif name == "complete":
            services.intray_complete(actor=request.user, intray=intray, outcome=p.get("outcome", ""))
            messages.success(request, "Intray done.")
        elif name == "delete":
            services.intray_delete(actor=request.user, intray=intray, reason=p.get("reason", ""))
            messages.success(request, "Intray deleted.")
        elif name == "reassign":
            services.intray_reassign(actor=request.user, intray=intray, to_officer=_find_officer(p.get("to_officer")),
                                     to_position=_find_position(p.get("to_position")), reason=p.get("reason", ""))
            messages.success(request, "Intray referred.")
        elif name == "recategorise":
            services.correspondence_recategorise(actor=request.user, intray=intray, category=p.get("category", ""),
                                                 reason=p.get("reason", ""))
            messages.success(request, "Category changed; the previous category is kept in the history.")
        elif name == "matter_add":
            services.correspondence_matter_add(actor=request.user, intray=intray, description=p.get("description", ""))
            messages.success(request, "Matter recorded.")
        elif name == "matter_address":
            matter = CorrespondenceMatter.objects.filter(pk=p.get("matter") or 0, correspondence__intray=intray).first()
            if matter is None:
                raise NotFound("No such matter on this intray.")
            services.correspondence_matter_address(actor=request.user, matter=matter, outcome=p.get("outcome", ""),
                                                   communicated=p.get("communicated") == "on")
            messages.success(request, "Matter addressed.")
        elif name == "document_add":
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput("Choose a file to attach.", fields={"file": ["Choose a file."]})
            services.correspondence_document_add(actor=request.user, intray=intray, filename=upload.name,
                                                 content=upload.read(), content_type=upload.content_type)
            messages.success(request, "Document attached.")
        else:
            raise NotFound("Unknown action.")
    except DomainError as exc:
        messages.error(request, str(exc))
        if isinstance(exc, NotFound) and name not in ACTIONS:
            return _error(request, exc)
    return redirect(reverse("intrays:detail", args=[pk]))


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
    if intray.customer_id is not None:
        customer_data_read(actor=request.user, customer=intray.customer_id, what="intray_document",
                           detail={"intray": intray.pk, "document": doc.pk}, channel="ui")
    response = HttpResponse(bytes(doc.content), content_type=safe_content_type(doc.content_type))
    response["Content-Disposition"] = content_disposition(doc.filename)
    return response


@login_required
def create(request):
    """Create an intray (or record correspondence) for a customer: ``/work/new/?csid=...``."""
    csid = request.GET.get("csid") or request.POST.get("csid", "")
    errors, values, error_message = {}, request.POST if request.method == "POST" else {}, ""
    customer = None
    try:
        if not request.user.has_perm("intrays.add_intray"):
            raise NotPermitted("Your role does not allow you to create intrays.")
        if csid:
            customer = customer_selectors.customer_get(user=request.user, csid=csid)
        if request.method == "POST":
            if customer is None:
                raise InvalidInput("Give the customer's CSID.", fields={"csid": ["Required."]})
            p = request.POST
            officer = _find_officer(p.get("to_officer")) if p.get("to_officer") else None
            position = _find_position(p.get("to_position")) if p.get("to_position") else None
            received_at = _received_at(p)
            if p.get("type_code") == "correspondence_received":
                received = p.get("received_on") or ""
                try:
                    received_on = dt.date.fromisoformat(received) if received else None
                except ValueError:
                    raise InvalidInput("Enter the date received.", fields={"received_on": ["Invalid date."]}) from None
                upload = request.FILES.get("file")
                intray = services.correspondence_receive(
                    actor=request.user, customer=customer, channel=p.get("channel", ""), received_on=received_on,
                    received_at=received_at, category=p.get("category", ""), subject=p.get("subject", ""), assignee_officer=officer,
                    assignee_position=position, details=p.get("details", ""),
                    documents=[(upload.name, upload.read(), upload.content_type)] if upload else [],
                    matters=[m for m in p.get("matters", "").splitlines() if m.strip()],
                )
            else:
                issue_ids = [int(i) for i in p.getlist("issues") if i.isdigit()]
                issues = list(PresentingIssue.objects.filter(pk__in=issue_ids, customer=customer))
                intray = services.intray_raise(
                    actor=request.user, type_code=p.get("type_code", ""), customer=customer,
                    subject=p.get("subject", ""), assignee_officer=officer, assignee_position=position,
                    issues=issues, details=p.get("details", ""), received_at=received_at,
                )
            messages.success(request, "Intray created.")
            return redirect(reverse("intrays:detail", args=[intray.pk]))
    except DomainError as exc:
        if isinstance(exc, NotPermitted):
            return _error(request, exc)
        errors, error_message = dict(exc.fields) or {"form": [str(exc)]}, str(exc)
    me = officer_of(request.user)
    return render(request, "intrays/create.html", {
        "customer": customer, "csid": csid, "errors": errors, "values": values, "error_message": error_message,
        "types": IntrayType.objects.filter(is_active=True).exclude(code__in=SERVICE_ONLY_TYPES).order_by("name"),
        "channels": Channel.choices, "categories": CorrespondenceCategory.choices,
        "issues": PresentingIssue.objects.filter(customer=customer, status__in=["open", "referred"])
        .select_related("issue_type") if customer else [],
        "me": me,
    }, status=400 if errors else 200)

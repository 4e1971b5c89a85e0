"""Officer web shell: customer search, the customer page (summary, panels, notes, audit tab) and audit search.

Thin: parse the request, call a customers selector/service, render. Domain errors become the officer-facing
message with the HTTP status of the error (400/403/404/409), never a 500.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from casework.core import audit_display, clock, timefmt
from casework.core.errors import DomainError, InvalidInput, NotPermitted
from casework.core.files import content_disposition
from casework.core.forms import DATE_INVALID, invalid
from casework.customers import selectors, services
from casework.customers.models import Customer, NoteKind
from casework.ownership.selectors import customer_record

from .charts import trend_chart, workload_chart
from .forms import BulkReassignForm, NoteForm
from .panels import customer_panel_reads, render_customer_panels
from .selectors import morning_intrays, officer_day, recent_customers, team_morning

AUDIT_PAGE_SIZE = 50
SEARCH_LIMIT = 50
# Note kinds an officer may pick in the notes form (the others are written by the procedures' own screens).
NOTE_FORM_KINDS = [
    (k.value, k.label)
    for k in (NoteKind.GENERAL, NoteKind.INCOME, NoteKind.CARE, NoteKind.COLLECTION, NoteKind.COMMUNICATION,
              NoteKind.INTERNAL)
]


def login_required(view):
    """Like Django's, but an htmx request from an expired session sends the whole page to sign-in (not a fragment)."""
    plain = django_login_required(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back, settings.LOGIN_URL)["Location"])
        return plain(request, *args, **kwargs)

    return wrapper


def _parse_date(raw: str, field: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            value = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if 1900 <= value.year <= 2100:
            return value
        break
    message = DATE_INVALID
    raise InvalidInput(message, fields={field: [message]})


def _error_page(request, error: DomainError, *, template: str = "web/error.html", context=None):
    ctx = {"error": error, **(context or {})}
    return render(request, template, ctx, status=error.http_status)


# --- Home and customer search -----------------------------------------------------------------------------------


def _search(request) -> dict:
    query = request.GET.get("q", "").strip()
    dob_raw = request.GET.get("dob", "").strip()
    ctx = {"q": query, "dob": dob_raw, "searched": bool(query or dob_raw), "results": [], "errors": {},
           "limit": SEARCH_LIMIT}
    if not ctx["searched"]:
        return ctx
    try:
        dob = _parse_date(dob_raw, "dob")
        ctx["results"] = list(selectors.customer_search(
            user=request.user, query=query, date_of_birth=dob, limit=SEARCH_LIMIT
        ))
        services.customer_search_record(
            actor=request.user, query=query, date_of_birth=dob, results=len(ctx["results"]), channel="ui"
        )
    except InvalidInput as exc:
        errors = dict(exc.fields)
        if "csid" in errors:
            errors["q"] = errors.pop("csid")
        ctx["errors"] = errors or {"q": [exc.message]}
    return ctx


@login_required
@require_GET
def home(request):
    """Customer search (CSID, name, date of birth). Works without JavaScript; with htmx it updates in place."""
    if not request.user.has_perm("customers.view_customer"):
        return render(request, "web/home.html", {"can_search": False})
    try:
        ctx = _search(request)
    except NotPermitted as exc:
        return _error_page(request, exc)
    ctx["can_search"] = True
    ctx["recent"] = recent_customers(user=request.user)
    ctx["day"] = officer_day(user=request.user)
    return render(request, "web/home.html", ctx, status=400 if ctx["errors"] else 200)


@login_required
@require_GET
def customer_search(request):
    """htmx partial: the results table only."""
    try:
        ctx = _search(request)
    except NotPermitted as exc:
        return _error_page(request, exc, template="web/_error.html")
    return render(request, "web/_search_results.html", ctx, status=400 if ctx["errors"] else 200)


# --- Customer page ----------------------------------------------------------------------------------------------


NOTES_SHOWN = 200
_NOTES = "web.notes"


def _notes_context(request, customer, *, cases=(), form=None, errors=None, notes=None):
    """``notes``: the timeline already read (the customer page reads it with the record, issue 15)."""
    user = request.user
    can_read = user.has_perm("customers.view_note")
    if notes is None:
        notes = list(selectors.notes_for_customer(user=user, customer=customer)[:NOTES_SHOWN]) if can_read else []
    return {
        "customer": customer,
        "notes": notes,
        "can_read_notes": can_read,
        "can_add_note": user.has_perm("customers.add_note"),
        "note_kinds": NOTE_FORM_KINDS,
        "cases": list(cases),
        "form": form or {"kind": NoteKind.GENERAL.value},
        "errors": errors or {},
    }


@login_required
@require_GET
def customer_detail(request, csid: str):
    """The customer page. Every open is audited (``customer.view``) before anything is shown."""
    return customer_page(request, csid)


def customer_page(request, csid: str, *, status: int = 200, error_form=None):
    """The customer page; after a refusal of one of its panels' forms (``core.pages.customer_page``), with that form's
    errors summarised at the top (the panel shows the form as typed) and the refusal's status."""
    try:
        customer = selectors.customer_get(user=request.user, csid=csid)
        services.customer_record_view(actor=request.user, customer=customer, channel="ui")
    except DomainError as exc:
        return _error_page(request, exc, context={"csid": csid})
    user = request.user
    can_audit = user.has_perm("core.view_auditevent")
    tab = "audit" if (request.GET.get("tab") == "audit" and can_audit) else "summary"
    ctx = {
        "customer": customer,
        "tab": tab,
        "can_audit": can_audit,
        "can_view_sensitive": user.has_perm("customers.view_sensitive"),
        "can_view_cases": user.has_perm("customers.view_case"),
        "error_form": error_form,
    }
    if tab == "audit":
        events = selectors.audit_search(user=user, csid=customer.csid)
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        ctx.update({"page": page, "events": page.object_list})
    else:
        # Issue 15: the customer's record read once (facts, lock history, the ownership decision), for every panel.
        # Issue 15: the customer's record read once (facts, lock history, the ownership decision), for every panel,
        # with the panels' own reads and the notes in the same statement (core.batch): 8 queries in all.
        reads = customer_panel_reads(request, customer)
        if user.has_perm("customers.view_note"):
            reads[_NOTES] = selectors.notes_for_customer(user=user, customer=customer)[:NOTES_SHOWN]
        record = customer_record(customer=customer, full=user.has_perm("customers.view_case"), also=reads)
        ctx["summary"] = record.summary
        ctx["panels"] = render_customer_panels(request, customer, record)
        ctx.update(_notes_context(request, customer, cases=[c.case for c in ctx["summary"].cases],
                                  notes=record.reads.get(_NOTES)))
    return render(request, "web/customer.html", ctx, status=status)


@login_required
@require_POST
def note_add(request, csid: str):
    """htmx (or plain POST): add a note, answer with the refreshed notes section."""
    try:
        customer = selectors.customer_get(user=request.user, csid=csid)
    except DomainError as exc:
        return _error_page(request, exc, template="web/_error.html")
    note_form = NoteForm(request.POST)
    form = note_form.values()
    case = None
    status = 200
    errors: dict = {}
    try:
        if not note_form.is_valid():
            raise invalid(note_form)
        if form["case"]:
            case = next(
                (c for c in selectors.cases_for_customer(user=request.user, customer=customer)
                 if c.case_number == form["case"]),
                None,
            )
            if case is None:
                message = "This customer is not a party to that case."
                raise InvalidInput(message, fields={"case": [message]})
        services.note_add(
            actor=request.user,
            customer=customer,
            subject=form["subject"],
            body=form["body"],
            case=case,
            kind=form["kind"] or NoteKind.GENERAL,
        )
        form = None
    except InvalidInput as exc:
        errors = exc.fields or {"form": [exc.message]}
        status = 400
    except DomainError as exc:
        return _error_page(request, exc, template="web/_error.html")
    cases = (
        selectors.cases_for_customer(user=request.user, customer=customer)
        if request.user.has_perm("customers.view_case")
        else ()
    )
    ctx = _notes_context(request, customer, cases=cases, form=form, errors=errors)
    ctx["saved"] = status == 200
    if request.htmx:
        return render(request, "web/_notes.html", ctx, status=status)
    if status == 200:
        return redirect("web:customer", csid=customer.csid)
    return render(request, "web/notes_page.html", ctx, status=status)


def _with_csids(events):
    """Label each event with its customer's CSID (one query for the page)."""
    events = list(events)
    ids = {e.customer_id for e in events if e.customer_id}
    csids = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "csid")) if ids else {}
    for e in events:
        e.customer_csid = csids.get(e.customer_id, "")
    return events


# --- Audit search -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def audit(request):
    """Auditor search over the trail by customer (CSID), officer, action and date range."""
    if not request.user.has_perm("core.view_auditevent"):
        return _error_page(request, NotPermitted("Only auditors and administrators may search the audit trail."))
    filters = _audit_filters(request)
    ctx = {"filters": filters, "errors": {}, "page": None, "events": []}
    status = 200
    try:
        events = _audit_events(request, filters)
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        ctx.update({"page": page, "events": _with_csids(page.object_list)})
    except InvalidInput as exc:
        ctx["errors"] = exc.fields or {"form": [exc.message]}
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    ctx["query"] = query.urlencode()
    template = "web/_audit_results.html" if request.htmx else "web/audit.html"
    return render(request, template, ctx, status=status)


def _audit_filters(request) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in ("csid", "officer", "action", "date_from", "date_to")}


def _audit_events(request, filters):
    return selectors.audit_search(
        user=request.user,
        csid=filters["csid"] or None,
        officer=filters["officer"] or None,
        action=filters["action"] or None,
        date_from=_parse_date(filters["date_from"], "date_from"),
        date_to=_parse_date(filters["date_to"], "date_to"),
    )


AUDIT_EXPORT_MAX = 10_000


def _csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _who(event) -> str:
    """The officer's name with their username (a job's label as recorded)."""
    name = event.actor.get_full_name() if event.actor_id and event.actor else ""
    return f"{name} ({event.actor_label})" if name else event.actor_label


@login_required
@require_GET
def audit_export(request):
    """The audit search as CSV (at most ``AUDIT_EXPORT_MAX`` events, newest first), in the same words as the page
    (issue 14): action and target labels, each change a "Field label: value" line."""
    if not request.user.has_perm("core.view_auditevent"):
        return _error_page(request, NotPermitted("Only auditors and administrators may search the audit trail."))
    filters = _audit_filters(request)
    try:
        events = _with_csids(_audit_events(request, filters)[:AUDIT_EXPORT_MAX])
    except InvalidInput as exc:
        return _error_page(request, exc)
    buf = io.StringIO()
    writer = csv.writer(buf)
    zone = timezone.get_current_timezone()
    writer.writerow([f"When ({getattr(zone, 'key', zone)} time)", "Who", "Action", "What", "Customer (CSID)",
                     "Change", "Reason", "Procedure steps", "Request", "Action code"])
    for e in events:
        writer.writerow([_csv_cell(str(v)) for v in (
            timefmt.shown(e.occurred_at, "seconds"), _who(e), audit_display.action_label(e.action),
            audit_display.target_label(e.target_type, e.target_id, e.target_repr), e.customer_csid,
            "\n".join(row.line() for row in audit_display.change_rows(e)), e.reason, ", ".join(e.step_ids or ()),
            e.request_id, e.action,
        )])
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"audit-{clock.viewer_today().isoformat()}.csv")
    return response


# --- The Team Leader's morning (issue 14, journey 7) ------------------------------------------------------------


# A "Decision requested" intray follows its request for approval (decided on /approvals/<id>/, closed by the
# decision): it is not referred by hand.
NOT_REFERRED = frozenset({"approval_decision"})


def _morning_form(m, data=None) -> BulkReassignForm:
    return BulkReassignForm(data, intray_choices=[i.pk for i in m["open_intrays"] if i.type.code not in NOT_REFERRED],
                            targets=m["targets"])


def _morning_page(request, *, form=None, status=200):
    try:
        m = team_morning(user=request.user)
    except NotPermitted as exc:
        return _error_page(request, exc)
    ctx = {"m": m, "form": form or _morning_form(m), "not_referred": NOT_REFERRED,
           "workload_svg": workload_chart(m["rows"]), "trend_svg": trend_chart(m["trend"])}
    return render(request, "web/morning.html", ctx, status=status)


@login_required
@require_GET
def morning(request):
    """Every team the Team Leader leads on one page: work overdue and due today by officer, referrals against their
    service levels, PS plans near 21 days, reviews due, decisions and disputes waiting, workload and trend charts."""
    return _morning_page(request)


@login_required
@require_POST
def morning_reassign(request):
    """Bulk referral of selected intrays through ``intrays.services.intray_reassign``, one call per intray: a refusal
    is reported for that intray and the others still go."""
    from casework.intrays.services import intray_reassign

    try:
        m = team_morning(user=request.user)
    except NotPermitted as exc:
        return _error_page(request, exc)
    form = _morning_form(m, request.POST)
    if not form.is_valid():
        return _morning_page(request, form=form, status=400)
    kind, pk = form.target_parts()
    target = m["target_objects"][(kind, pk)]
    done, refused = [], []
    for intray in morning_intrays(ids=form.cleaned_data["intrays"]):
        try:
            intray_reassign(actor=request.user, intray=intray, reason=form.cleaned_data["reason"],
                            to_officer=target if kind == "officer" else None,
                            to_position=target if kind == "position" else None)
            done.append(intray)
        except DomainError as exc:
            refused.append((intray, exc))
    label = target.display_name if kind == "officer" else target.title
    if done:
        messages.success(request, f"Referred {len(done)} of {len(done) + len(refused)} intrays to {label}.")
    for intray, exc in refused:
        messages.error(request, f"Not referred: intray {intray.pk} ({intray.type.name}, {intray.customer.csid}): "
                                f"{exc.message}")
    return redirect("web:morning")


_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_CSV_FORMULA) else text


def morning_csv_rows(m) -> list[list[str]]:
    """What the morning page shows, section by section (a title row, a header row, the rows, a blank row). Customer
    data is limited to what the page shows: CSID and name."""
    out: list[list] = []

    def section(title, header, rows):
        out.append([title])
        out.append(header)
        out.extend(rows)
        out.append([])

    section("Work by officer", ["Officer or position", "Team", "Role", "Open", "Overdue", "Due today"],
            [[r["label"], r["team"], r["role"], r["open"], r["overdue"], r["due_today"]] for r in m["rows"]])
    section("Referrals against service levels", ["Intray", "Type", "CSID", "Customer", "With", "Due", "Service level"],
            [[r["intray"].pk, r["intray"].type.name, r["intray"].customer.csid, r["intray"].customer.full_name,
              r["intray"].assignee_label, r["intray"].due_date, r["state"]] for r in m["referrals"]])
    section("PS plans near 21 days", ["PS record", "CSID", "Customer", "Case Manager", "Plan due", "State"],
            [[p["record"].pk, p["customer"].csid, p["customer"].full_name, p["case_manager"].display_name,
              p["plan"].due_on, p["state"]] for p in m["plans"]])
    section("Segment 3 reviews due", ["PS record", "CSID", "Customer", "Case Manager", "Review due", "Overdue"],
            [[r["record"].pk, r["customer"].csid, r["customer"].full_name, r["case_manager"].display_name,
              r["due"], "yes" if r["overdue"] else "no"] for r in m["segment3_reviews"]])
    section("Restricted-service reviews due", ["CSID", "Customer", "Case Manager", "Review due", "Overdue"],
            [[r["customer"].csid, r["customer"].full_name,
              r["case_manager"].display_name if r["case_manager"] else "", r["due"],
              "yes" if r["overdue"] else "no"] for r in m["restricted_reviews"]])
    section("Decisions waiting for you", ["Request", "Kind", "CSID", "Summary", "Requested by", "Due"],
            [[a.pk, a.get_kind_display(), a.customer.csid, a.summary,
              a.requested_by.get_full_name() or a.requested_by.username, a.due_date] for a in m["approvals"]])
    section("Finalisation requests awaiting a decision", ["PS record", "CSID", "Customer", "Case Manager",
                                                           "Submitted"],
            [[f.ps_record_id, f.ps_record.customer.csid, f.ps_record.customer.full_name,
              f.ps_record.case_manager.display_name if f.ps_record.case_manager_id else "",
              f.submitted_at.date()] for f in m["finalisations"]])
    section("Ownership disputes waiting", ["Intray", "CSID", "Customer", "With", "Subject", "Due"],
            [[i.pk, i.customer.csid, i.customer.full_name, i.assignee_label, i.subject, i.due_date]
             for i in m["disputes"]])
    section("Open work", ["Intray", "Type", "Subject", "CSID", "Customer", "With", "Due"],
            [[i.pk, i.type.name, i.subject, i.customer.csid, i.customer.full_name, i.assignee_label, i.due_date]
             for i in m["open_intrays"]])
    section("Intrays created and closed per week", ["Week starting", "Created", "Closed"],
            [[w["week"], w["created"], w["closed"]] for w in m["trend"]])
    return [[_cell(v) for v in row] for row in out]


@login_required
@require_GET
def morning_export(request):
    """CSV of what the morning page shows."""
    try:
        m = team_morning(user=request.user)
    except NotPermitted as exc:
        return _error_page(request, exc)
    buf = io.StringIO()
    csv.writer(buf).writerows(morning_csv_rows(m))
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"team-morning-{m['today'].isoformat()}.csv")
    return response

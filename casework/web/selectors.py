"""Reads the web shell needs beyond the customers selectors."""

from __future__ import annotations

from django.db.models import F

from casework.core.models import AuditEvent
from casework.customers.models import Customer


def recent_customers(*, user, limit: int = 8) -> list[Customer]:
    """Customers this officer opened most recently (from their own ``customer.view`` events). Two queries."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("customers.view_customer"):
        return []
    ids: list[int] = []
    for customer_id in (
        AuditEvent.objects.filter(actor=user, action="customer.view", customer_id__isnull=False)
        .order_by("-occurred_at", "-id")
        .values_list("customer_id", flat=True)[: limit * 6]
    ):
        if customer_id not in ids:
            ids.append(customer_id)
        if len(ids) == limit:
            break
    by_id = Customer.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def officer_day(*, user, limit: int = 5) -> dict | None:
    """The home page's "your day" (issue 11/14): my work overdue and due today, decisions waiting for me, contacts I
    left in progress, unread notifications. A handful of indexed queries; None for someone who works no customers."""
    from casework.approvals.selectors import approvals_to_decide
    from casework.contacts.models import Contact, ContactStatus
    from casework.intrays.selectors import COUNT_CAP, worklist_counts
    from casework.notifications.selectors import notifications_for, unread_count
    from casework.org.rules import officer_of

    officer = officer_of(user)
    if officer is None or not user.has_perm("intrays.view_intray"):
        return None
    to_decide = approvals_to_decide(user=user)
    return {
        "work": worklist_counts(user=user, scope="mine", cap=COUNT_CAP),
        "to_decide": to_decide[:limit],
        "to_decide_count": len(to_decide),
        "contacts": list(Contact.objects.filter(officer=officer, status=ContactStatus.OPEN)
                         .select_related("customer").order_by("-id")[:limit]),
        "notifications": list(notifications_for(user=user, unread_only=True, limit=limit)),
        "unread": unread_count(user=user),
    }


# --- The Team Leader's morning (issue 14, journey 7) ------------------------------------------------------------

MORNING_PLAN_WINDOW_DAYS = 5  # PS plans within 5 days of their 21-day due date (PS-PSP-1)
MORNING_REVIEW_WINDOW_DAYS = 14  # segment 3 (PS-ORM-2) and restricted-service (PS-ORM-3) reviews due soon
MORNING_TREND_WEEKS = 8
MORNING_LIST_LIMIT = 200
# Referral intray types (PS-REF-1/2); any other type whose code contains "referral" counts too.
REFERRAL_TYPE_CODES = ("crg_referral_to_ps", "ps_referral_tl_only", "complaints_referral_to_ps")
DISPUTE_TYPE_CODE = "ownership_dispute"


def may_see_morning(user) -> bool:
    """``web.view_morning`` (casework/web/rules.py: Team Leader roles), for an active officer."""
    from casework.org.rules import officer_of

    officer = officer_of(user) if getattr(user, "is_authenticated", False) else None
    return officer is not None and officer.is_active and user.has_perm("web.view_morning")


def _referral_q():
    from django.db.models import Q

    return Q(type__code__in=REFERRAL_TYPE_CODES) | Q(type__code__contains="referral")


def team_morning(*, user, list_limit: int = MORNING_LIST_LIMIT) -> dict:
    """Everything the Team Leader's morning shows, over every team the officer leads (``Team.leader`` and, for a Team
    Leader role, their own position's team). Reads only, set-based: a fixed number of queries whatever the number of
    officers, intrays, plans or reviews (casework/web/tests/test_morning.py counts them).

    "Today" is each receiving office's day for intrays (overdue / due today / service level), the Case Manager's
    office's day for PS plans and reviews, and the Team Leader's own office's day for the weekly trend."""
    import datetime as dt

    from django.db.models import Count, Q

    from casework.approvals.selectors import approvals_to_decide
    from casework.core import clock
    from casework.core.errors import NotPermitted
    from casework.customers.models import ContactRestriction, RestrictionStatus
    from casework.intrays.models import IS_OPEN, Intray
    from casework.intrays.selectors import ordered, teams_led
    from casework.org.models import Officer, Position, Team
    from casework.org.roles import CASEWORK_ROLES
    from casework.org.rules import officer_of
    from casework.ps.models import FinalisationRequest, FinalisationStatus, Plan, Segment3Review

    if not may_see_morning(user):
        raise NotPermitted("The morning page is for Team Leaders and PS Team Leaders.")
    me = officer_of(user)
    led = teams_led(me)
    teams = list(Team.objects.filter(id__in=led).select_related("office").order_by("name"))
    positions = list(Position.objects.filter(team_id__in=led, is_active=True).select_related("office", "team")
                     .order_by("team__name", "title"))
    officers = list(Officer.objects.filter(position__team_id__in=led, is_active=True)
                    .select_related("user", "position__office", "position__team")
                    .order_by("position__team__name", "user__last_name", "user__first_name", "id"))
    if me.pk not in {o.pk for o in officers}:
        officers.insert(0, me)  # her own intray counts even when her position is in none of the teams she leads
    officer_ids = [o.pk for o in officers]
    by_officer = {o.pk: o for o in officers}
    by_position = {p.pk: p for p in positions}

    # Each office's own day: overdue and due today are counted against the receiving office's calendar day.
    offices = {t.office_id: t.office for t in teams}
    offices.update({p.office_id: p.office for p in positions})
    offices.update({o.position.office_id: o.position.office for o in officers if o.position_id and o.position.office_id})
    today_of = {oid: clock.local_today(office) for oid, office in offices.items()}
    default_today = clock.today_for(me)
    overdue_q = Q(due_date__lt=default_today) & ~Q(office_id__in=list(today_of))
    today_q = Q(due_date=default_today) & ~Q(office_id__in=list(today_of))
    for oid, day in today_of.items():
        overdue_q |= Q(office_id=oid, due_date__lt=day)
        today_q |= Q(office_id=oid, due_date=day)

    def office_today(office_id) -> dt.date:
        return today_of.get(office_id, default_today)

    scope = Q(team_id__in=led) | Q(assignee_officer=me)
    if me.position_id:
        scope |= Q(assignee_position_id=me.position_id)
    open_qs = Intray.objects.filter(IS_OPEN).filter(scope)
    joined = ("type", "customer", "assignee_officer__user", "assignee_position", "office")

    # Per officer (and per position holding work): open, overdue, due today. One aggregate.
    counts = {(r["assignee_officer_id"], r["assignee_position_id"]): r for r in (
        open_qs.order_by().values("assignee_officer_id", "assignee_position_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q), due_today=Count("id", filter=today_q)))}
    rows = []
    for o in officers:
        c = counts.pop((o.pk, None), {})
        rows.append({"kind": "officer", "id": o.pk, "label": o.display_name,
                     "team": o.team.name if o.team else "",
                     "role": o.get_role_display(), "open": c.get("open", 0), "overdue": c.get("overdue", 0),
                     "due_today": c.get("due_today", 0)})
    others = [k[0] for k in counts if k[0] is not None and k[0] not in by_officer]
    if others:  # work left with an officer who has since moved on (labelled, not lost)
        by_officer_extra = {o.pk: o for o in Officer.objects.filter(pk__in=others).select_related("user")}
    else:
        by_officer_extra = {}
    for (officer_id, position_id), c in sorted(counts.items(), key=lambda kv: (kv[0][0] is None, kv[0])):
        if officer_id is not None:
            o = by_officer_extra.get(officer_id)
            label, team, role, kind, ident = (o.display_name if o else f"Officer {officer_id}"), "", \
                (o.get_role_display() if o else ""), "officer", officer_id
        else:
            p = by_position.get(position_id)
            label = f"Position: {p.title}" if p else f"Position {position_id}"
            team, role, kind, ident = (p.team.name if p and p.team_id else ""), "", "position", position_id
        rows.append({"kind": kind, "id": ident, "label": label, "team": team, "role": role, "open": c["open"],
                     "overdue": c["overdue"], "due_today": c["due_today"]})
    for r in rows:
        r["not_overdue"] = r["open"] - r["overdue"]
    totals = {k: sum(r[k] for r in rows) for k in ("open", "overdue", "due_today")}

    open_intrays = list(ordered(open_qs.select_related(*joined))[:list_limit])
    open_total = totals["open"]

    referrals = []
    for i in ordered(open_qs.filter(_referral_q()).select_related(*joined))[:list_limit]:
        day = office_today(i.office_id)
        if i.due_date is None:
            state = "no service level"
        elif i.sla_breached_at is not None or i.due_date < day:
            state = "breached"
        elif i.due_date == day:
            state = "due today"
        else:
            state = "within service level"
        referrals.append({"intray": i, "state": state, "sla_days": i.type.sla_working_days})

    disputes = list(ordered(open_qs.filter(type__code=DISPUTE_TYPE_CODE).select_related(*joined))[:list_limit])

    # PS: plans not approved within 5 days of their 21-day due date; reviews due in the next 14 days. The bound is
    # the latest day anywhere; each row is then checked against its Case Manager's office day.
    latest = clock.latest_today()

    def cm_today(cm) -> dt.date:
        return clock.local_today(cm.position.office) if cm is not None and cm.position_id else default_today

    cm_joined = ("ps_record__customer", "ps_record__case_manager__user", "ps_record__case_manager__position__office")
    plans = []
    for plan in (Plan.objects.filter(approved_at__isnull=True, ps_record__is_active=True,
                                     ps_record__case_manager_id__in=officer_ids,
                                     due_on__lte=latest + dt.timedelta(days=MORNING_PLAN_WINDOW_DAYS))
                 .select_related(*cm_joined).order_by("due_on", "id")[:list_limit]):
        day = cm_today(plan.ps_record.case_manager)
        left = (plan.due_on - day).days
        if left <= MORNING_PLAN_WINDOW_DAYS:
            plans.append({"plan": plan, "record": plan.ps_record, "customer": plan.ps_record.customer,
                          "case_manager": plan.ps_record.case_manager, "days_left": left,
                          "state": "overdue" if left < 0 else ("due today" if left == 0 else f"{left} days left")})
    segment3 = []
    for rv in (Segment3Review.objects.filter(reviewed_at__isnull=True, ps_record__is_active=True,
                                             ps_record__case_manager_id__in=officer_ids,
                                             review_date__lte=latest + dt.timedelta(days=MORNING_REVIEW_WINDOW_DAYS))
               .select_related(*cm_joined).order_by("review_date", "id")[:list_limit]):
        day = cm_today(rv.ps_record.case_manager)
        if (rv.review_date - day).days <= MORNING_REVIEW_WINDOW_DAYS:
            segment3.append({"review": rv, "record": rv.ps_record, "customer": rv.ps_record.customer,
                             "case_manager": rv.ps_record.case_manager, "due": rv.review_date,
                             "overdue": rv.review_date < day})
    restricted = []
    for r in (ContactRestriction.objects.filter(status=RestrictionStatus.ACTIVE, is_active=True,
                                                customer__ps_records__is_active=True,
                                                customer__ps_records__case_manager_id__in=officer_ids,
                                                review_date__lte=latest + dt.timedelta(days=MORNING_REVIEW_WINDOW_DAYS))
              .annotate(cm_id=F("customer__ps_records__case_manager_id"))
              .select_related("customer").order_by("review_date", "id")[:list_limit]):
        cm = by_officer.get(r.cm_id)
        day = cm_today(cm)
        if (r.review_date - day).days <= MORNING_REVIEW_WINDOW_DAYS:
            restricted.append({"restriction": r, "customer": r.customer, "case_manager": cm, "due": r.review_date,
                               "overdue": r.review_date < day})

    approvals = approvals_to_decide(user=user)
    on_approvals = {(a.subject_type, a.subject_id) for a in approvals}
    finalisations = [f for f in FinalisationRequest.objects.filter(status=FinalisationStatus.PENDING)
                     .filter(Q(team_leader=me) | Q(ps_record__case_manager_id__in=officer_ids))
                     .select_related("ps_record__customer", "ps_record__case_manager__user", "submitted_by")
                     .order_by("submitted_at", "id")[:list_limit]
                     if ("ps.finalisationrequest", str(f.pk)) not in on_approvals]

    trend = _intray_trend(led=led, office=clock.office_of(me))
    targets = ([("officer", o.pk, f"{o.display_name} ({o.get_role_display()}"
                 + (f", {o.team.name})" if o.team else ")")) for o in officers if o.role in CASEWORK_ROLES]
               + [("position", p.pk, f"Position: {p.title} ({p.team.name})") for p in positions])
    return {
        "officer": me, "teams": teams, "today": default_today, "rows": rows, "totals": totals,
        "open_intrays": open_intrays, "open_total": open_total, "list_limit": list_limit,
        "referrals": referrals, "disputes": disputes, "plans": plans, "segment3_reviews": segment3,
        "restricted_reviews": restricted, "approvals": approvals, "finalisations": finalisations,
        "trend": trend, "targets": targets,
        "target_objects": {**{("officer", o.pk): o for o in officers}, **{("position", p.pk): p for p in positions}},
        "plan_window": MORNING_PLAN_WINDOW_DAYS, "review_window": MORNING_REVIEW_WINDOW_DAYS,
    }


def _intray_trend(*, led: list[int], office) -> list[dict]:
    """Intrays created and closed (done or deleted) per week for the teams over the last 8 weeks (this week last),
    weeks starting Monday 00:00 in the Team Leader's office. One aggregate query."""
    import datetime as dt

    from django.db.models import Count, Q

    from casework.core import clock
    from casework.intrays.models import Intray

    tz = clock.office_zone(office)
    today = clock.local_today(office)
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=MORNING_TREND_WEEKS - 1 - i) for i in range(MORNING_TREND_WEEKS)]
    edges = [dt.datetime.combine(d, dt.time.min, tzinfo=tz) for d in starts]
    edges.append(edges[-1] + dt.timedelta(weeks=1))
    aggs = {}
    for i in range(MORNING_TREND_WEEKS):
        aggs[f"c{i}"] = Count("id", filter=Q(created_at__gte=edges[i], created_at__lt=edges[i + 1]))
        aggs[f"d{i}"] = Count("id", filter=Q(closed_at__gte=edges[i], closed_at__lt=edges[i + 1]))
    got = (Intray.objects.filter(team_id__in=led)
           .filter(Q(created_at__gte=edges[0]) | Q(closed_at__gte=edges[0])).aggregate(**aggs))
    return [{"week": starts[i], "created": got[f"c{i}"] or 0, "closed": got[f"d{i}"] or 0}
            for i in range(MORNING_TREND_WEEKS)]


def morning_intrays(*, ids) -> list:
    """The intrays a bulk action selected, by id order (one query); the service re-checks each one."""
    from casework.intrays.models import Intray

    by_id = Intray.objects.select_related("type", "customer").in_bulk(list(ids))
    return [by_id[i] for i in ids if i in by_id]

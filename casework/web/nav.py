"""Top navigation. Entries whose URL name does not exist (yet) or that the officer may not use are left out."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

NAV = (
    ("Customers", "web:home", "customers.view_customer"),
    ("Morning", "web:morning", "web.view_morning"),
    ("My work", "intrays:worklist", "intrays.view_intray"),
    ("Approvals", "approvals:queue", "approvals.view_approval"),
    ("Team", "ownership:team_queue", "ownership.view_team_queue"),
    ("Personalised Services", "ps:dashboard", "ps.view_ps"),
    ("Audit", "web:audit", "core.view_auditevent"),
    ("Organisation", "org:home", "org.manage_reference"),
    ("Operations", "ops:failures", "org.manage_reference"),
    # Django admin for reference data: administrators with staff access only.
    ("Admin", "admin:index", "org.manage_reference"),
)


def nav_items(request):
    items = []
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": items}
    for label, name, perm in NAV:
        if perm and not user.has_perm(perm):
            continue
        if name.startswith("admin:") and not user.is_staff:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}

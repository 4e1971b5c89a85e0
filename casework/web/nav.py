"""Top navigation. Entries whose URL name does not exist (yet) or that the officer may not use are left out.

Issue 15: every page used to ask the permission rules ten times and reverse ten URLs for the header. Each entry's
permission depends only on who the person is by role (``org.rules``: the officer's role, the officer and account
being active) and, for the admin entry, ``is_staff``, so the entries are worked out once per process for each such
kind of person (``_cache``) and only "which one is the current page" is computed per request. A permission added
to ``NAV`` must depend on nothing else (``web/tests/test_i15_request_cost.py`` checks every role against the rules).
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse

from casework.org.rules import officer_of

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


def nav_key(user) -> tuple:
    """What the entries depend on: the role of an active officer (None otherwise), and the account's flags."""
    officer = officer_of(user)
    return (officer.role if officer is not None else None, bool(user.is_active), bool(user.is_staff),
            bool(user.is_superuser))


def entries_for(user) -> list[tuple[str, str]]:
    """The (label, url) entries ``user`` may use, asked of the permission rules (uncached)."""
    out = []
    for label, name, perm in NAV:
        if perm and not user.has_perm(perm):
            continue
        if name.startswith("admin:") and not user.is_staff:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        out.append((label, url))
    return out


_cache: dict[tuple, tuple[tuple[str, str], ...]] = {}


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":  # tests that swap the URLs
        _cache.clear()


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    key = nav_key(user)
    entries = _cache.get(key)
    if entries is None:
        entries = _cache[key] = tuple(entries_for(user))
    return {"nav_items": [{"label": label, "url": url, "active": request.path.startswith(url) and url != "/"}
                          for label, url in entries]}

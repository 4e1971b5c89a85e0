"""/notifications/: what happened to the officer's work. Opening one marks it read and goes to the item."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from casework.core.errors import DomainError

from . import selectors, services


@login_required
def inbox(request):
    if not request.user.has_perm("notifications.view_notification"):
        return render(request, "403.html", status=403)
    unread_only = request.GET.get("show") == "unread"
    rows = selectors.notifications_for(user=request.user, unread_only=unread_only)
    return render(request, "notifications/inbox.html", {"rows": rows, "unread_only": unread_only})


@login_required
@require_POST
def open_item(request, pk: int):
    try:
        row = services.notification_mark_read(actor=request.user,
                                              notification=selectors.notification_get(user=request.user, pk=pk))
    except DomainError as exc:
        return render(request, "403.html", {"exception": exc.message}, status=exc.http_status)
    link = row.link if row.link and url_has_allowed_host_and_scheme(row.link, allowed_hosts=None) else ""
    return redirect(link or "notifications:inbox")


@login_required
@require_POST
def read_all(request):
    try:
        services.notification_mark_all_read(actor=request.user)
    except DomainError as exc:
        return render(request, "403.html", {"exception": exc.message}, status=exc.http_status)
    return redirect("notifications:inbox")

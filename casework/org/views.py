"""Organisation screens for administrators at /org/: the intake-coverage check, offices, teams, positions and
officers, and forms to add each. Thin: django.forms parse, ``org.services`` write (audited); a refusal is shown on
the form with its reason."""

from __future__ import annotations

from django import forms as forms_
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from casework.core.errors import DomainError, NotPermitted

from . import api, forms, selectors, services


def _require_admin(request):
    if not request.user.has_perm("org.manage_reference"):
        raise NotPermitted("Only an administrator may view or change the organisation.")


def _forbidden(request, error: DomainError):
    return render(request, "web/error.html", {"error": error}, status=error.http_status)


@login_required
def home(request):
    try:
        _require_admin(request)
    except NotPermitted as exc:
        return _forbidden(request, exc)
    return render(request, "org/home.html", {
        "coverage": api.coverage_payload(),
        "offices": selectors.offices(),
        "teams": selectors.teams(),
        "positions": selectors.positions(),
        "officers": selectors.officers(),
    })


def _create(*, form_class, write):
    @login_required
    def view(request):
        try:
            _require_admin(request)
        except NotPermitted as exc:
            return _forbidden(request, exc)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                label = write(request.user, form.cleaned_data)
            except DomainError as exc:
                for field, errs in exc.fields.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"Added {label}.")
                return redirect("org:home")
        return render(request, "org/form.html", {"form": form, "what": form_class.__name__.removesuffix("Form")},
                      status=400 if form.errors else 200)

    return view


office_new = _create(
    form_class=forms.OfficeForm,
    write=lambda user, d: services.office_create(actor=user, **d),
)
team_new = _create(
    form_class=forms.TeamForm,
    write=lambda user, d: services.team_create(actor=user, **d),
)
position_new = _create(
    form_class=forms.PositionForm,
    write=lambda user, d: services.position_create(actor=user, **d),
)
officer_new = _create(
    form_class=forms.OfficerForm,
    write=lambda user, d: services.officer_create(actor=user, **d),
)


class PickQuery(forms_.Form):
    """The picker's question (GET): what was typed, the listbox it fills and the signed scope of its field."""

    q = forms_.CharField(max_length=100, required=False, strip=True)
    list = forms_.SlugField(max_length=120)
    scope = forms_.CharField(max_length=4000)


@login_required
def pick(request):
    """``GET /org/pick/?q=an&scope=…&list=…``: at most ``PICK_LIMIT`` officers/positions for the picker's listbox
    (names, role, team and office only). For officers who hand work on (``org.pick``); 403 otherwise, 400 on a
    malformed or tampered question."""
    from django.core import signing
    from django.http import HttpResponseBadRequest, HttpResponseForbidden

    from .pickers import scope_from_token

    if not request.user.has_perm("org.pick"):
        return HttpResponseForbidden("Your role does not hand work to other officers.")
    query = PickQuery(request.GET)
    if not query.is_valid():
        return HttpResponseBadRequest("Malformed picker question.")
    try:
        kinds, scopes = scope_from_token(query.cleaned_data["scope"])
    except (signing.BadSignature, ValueError, TypeError, AttributeError):
        return HttpResponseBadRequest("Malformed picker question.")
    q = query.cleaned_data["q"]
    options = selectors.pick_search(q=q, kinds=kinds, scopes=scopes)
    return render(request, "org/_pick_options.html", {
        "options": options, "list_id": query.cleaned_data["list"], "short": len(q) < selectors.PICK_MIN_CHARS})

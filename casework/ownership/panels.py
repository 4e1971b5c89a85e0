"""The ownership banner on the customer page: owner, since, why (with step ID), PS "contact the Case Manager first",
and only the actions the signed-in officer may take (the services refuse the others with a reason)."""

from __future__ import annotations

from casework.org.models import BusinessArea
from casework.org.rules import officer_of

from casework.core.pages import bound_form

from . import forms, policy, selectors, services


def customer_panel(request, customer, record=None) -> dict | None:
    """``record``: the request's ``selectors.CustomerRecord`` (issue 15: its ownership decision, computed once)."""
    user = request.user
    if not user.has_perm("ownership.view_ownership"):
        return None
    record = record or selectors.customer_record(customer=customer, full=False)
    view = record.ownership
    officer = officer_of(user)
    history = list(record.lock_history[:6])
    actions = {}
    current = selectors.holder_fact(view.lock)
    my_area = officer.business_area if officer is not None else None
    tl_areas = services.team_leader_areas(officer)
    if officer is not None and my_area is not None:
        if user.has_perm("ownership.lock_customer"):
            if view.lock is None:
                actions["lock"] = True
            elif not (view.officer is not None and view.officer.pk == officer.pk):
                rule_area = view.rule.facts.get("area")
                take = policy.take_over_decision(current=current, actor_officer_id=officer.pk,
                                                 actor_area=my_area.code, actor_tl_areas=tl_areas,
                                                 rule_owner_area=rule_area)
                actions["take_over"] = take.allowed and user.has_perm("ownership.take_over")
                actions["refer"] = user.has_perm("ownership.refer_follow_up")
        if view.lock is not None and services._may_unlock(officer, view.lock) and user.has_perm(
            "ownership.unlock_customer"
        ):
            actions["unlock"] = True
        if view.lock is not None and view.area.is_specialised and user.has_perm("ownership.transfer"):
            if my_area.code == view.area.code or view.area.code in tl_areas or my_area.is_specialised:
                actions["transfer"] = True
                actions["dispute"] = user.has_perm("ownership.raise_dispute")
        actions["lock_other"] = view.lock is None and user.has_perm("ownership.lock_for_other")
    decision_letters = []
    if actions.get("unlock") and not view.auto_unlock:
        from casework.letters.models import Letter

        parties = {customer.pk}
        for case in record.facts.cases:
            parties.update((case.payer_id, case.payee_id))
        decision_letters = list(
            Letter.objects.filter(customer_id__in=parties, template_code="decision_letter")
            .select_related("customer").defer("html").order_by("-issued_at")[:12]
        )
        actions["auto_unlock"] = True
    ps_check = services.specialist_action_check(actor=user, customer=customer) if view.is_ps else None
    areas = (list(BusinessArea.objects.filter(kind="specialised", is_active=True).exclude(
        pk=view.area.pk if view.area else None).order_by("name")) if actions.get("transfer") else [])
    return {
        "customer": customer,
        "own": view,
        "history": history,
        "actions": actions,
        "any_action": any(actions.values()),
        "ps_check": ps_check,
        "decision_letters": decision_letters,
        "ps_case_manager": view.officer if view.is_ps else None,
        "specialised_areas": areas,
        "f": _forms(request, areas=areas, letters=decision_letters,
                    ps_case_manager=view.officer if view.is_ps else None),
    }


def _forms(request, *, areas, letters, ps_case_manager) -> dict:
    """The panel's forms, empty, except one refused on this request (``core.pages``): bound, as typed, with errors."""
    built = {
        "lock": forms.LockForm(), "take_over": forms.TakeOverForm(), "refer": forms.ReferForm(),
        "transfer": forms.TransferForm(areas=areas), "dispute": forms.DisputeForm(areas=areas),
        "unlock": forms.UnlockForm(), "auto_unlock": forms.AutoUnlockForm(letters=letters),
        "consult": forms.ConsultForm(initial={"ps_case_manager": getattr(getattr(ps_case_manager, "user", None),
                                                                         "username", "")}),
    }
    for key, form in built.items():
        posted = bound_form(request, f"ownership.{key}")
        if posted is not None:
            if key in ("transfer", "dispute"):
                posted.fields["to_area"].choices = form.fields["to_area"].choices or posted.fields["to_area"].choices
            if key == "auto_unlock":
                posted.fields["letters"].choices = form.fields["letters"].choices
            built[key] = posted
        built[key].auto_id = f"id_own_{key}_%s"
    return built

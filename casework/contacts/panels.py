"""The contacts section of the customer page: start a contact, the officer's open contact, recent contacts and
letters."""

from __future__ import annotations

from . import selectors


def customer_panel(request, customer) -> dict | None:
    user = request.user
    if not user.has_perm("contacts.view_contact"):
        return None
    officer = getattr(user, "officer", None)
    open_contact, others, recent = selectors.customer_panel_contacts(user=user, customer=customer, officer=officer)
    letters = []
    if user.has_perm("letters.view_letter"):
        from casework.letters.selectors import letters_for_customer

        letters = letters_for_customer(user=user, customer=customer)[:10]
    request_contact = None
    if user.has_perm("letters.issue_letter"):
        from casework.core import clock
        from casework.letters import policy as letter_policy
        from casework.letters import selectors as letter_selectors

        # CMA-1.2: the "please contact us" letter is offered only for a customer we could not reach.
        request_contact = letter_policy.request_contact_decision(
            last_reached=letter_selectors.customer_last_reached(customer), now=clock.now())
    return {
        "request_contact": request_contact,
        "can_start": user.has_perm("contacts.run_contact"),
        "open_contact": open_contact,
        "others_in_progress": others,
        "recent_contacts": recent,
        "letters": letters,
        "can_send_letters": user.has_perm("letters.issue_letter"),
    }

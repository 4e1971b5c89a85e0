"""The contacts section of the customer page: start a contact, the officer's open contact, recent contacts and
letters."""

from __future__ import annotations

from . import selectors

_CONTACTS, _LETTERS, _REACHED = "contacts.contacts", "contacts.letters", "contacts.last_reached"


def customer_reads(request, customer) -> dict:
    """Issue 15: this panel's reads, run by the customer page in the same statement as the customer's record
    (``ownership.selectors.customer_record(also=...)``); the panel takes their rows from ``record.reads``."""
    user = request.user
    if not user.has_perm("contacts.view_contact"):
        return {}
    reads = {_CONTACTS: selectors.customer_panel_contacts_queryset(customer=customer)}
    from casework.letters import selectors as letter_selectors

    if user.has_perm("letters.view_letter"):
        reads[_LETTERS] = letter_selectors.letters_for_customer_queryset(user=user, customer=customer)[:10]
    if user.has_perm("letters.issue_letter"):
        reached = letter_selectors.customer_last_reached_queryset(customer)
        if reached is not None:
            reads[_REACHED] = reached
    return reads


def customer_panel(request, customer, record=None) -> dict | None:
    user = request.user
    if not user.has_perm("contacts.view_contact"):
        return None
    officer = getattr(user, "officer", None)
    reads = record.reads if record is not None else {}
    if _CONTACTS in reads:
        open_contact, others, recent = selectors.customer_panel_contacts_split(reads[_CONTACTS], officer=officer)
    else:
        open_contact, others, recent = selectors.customer_panel_contacts(user=user, customer=customer, officer=officer)
    letters = []
    if user.has_perm("letters.view_letter"):
        from casework.letters.selectors import letters_for_customer

        letters = reads[_LETTERS] if _LETTERS in reads else letters_for_customer(user=user, customer=customer)[:10]
    request_contact = None
    if user.has_perm("letters.issue_letter"):
        from casework.core import clock
        from casework.letters import policy as letter_policy
        from casework.letters import selectors as letter_selectors

        if _REACHED in reads:
            last_reached = letter_selectors.customer_last_reached_of(next(iter(reads[_REACHED]), None))
        else:
            last_reached = letter_selectors.customer_last_reached(customer)
        # CMA-1.2: the "please contact us" letter is offered only for a customer we could not reach.
        request_contact = letter_policy.request_contact_decision(last_reached=last_reached, now=clock.now())
    return {
        "request_contact": request_contact,
        "can_start": user.has_perm("contacts.run_contact"),
        "open_contact": open_contact,
        "others_in_progress": others,
        "recent_contacts": recent,
        "letters": letters,
        "can_send_letters": user.has_perm("letters.issue_letter"),
    }

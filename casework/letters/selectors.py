"""Letters reads."""

from __future__ import annotations

from casework.core.errors import NotFound, NotPermitted

from .models import Letter


def letters_for_customer(*, user, customer) -> list[Letter]:
    if not user.has_perm("letters.view_letter"):
        raise NotPermitted("Your role cannot view letters.")
    return list(Letter.objects.filter(customer=customer).select_related("case", "issued_by", "signed_by").defer("pdf", "html"))


def letter_get(*, user, letter_id: int) -> Letter:
    if not user.has_perm("letters.view_letter"):
        raise NotPermitted("Your role cannot view letters.")
    letter = Letter.objects.select_related("customer", "case", "issued_by", "signed_by").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound("No such letter.")
    return letter

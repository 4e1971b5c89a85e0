"""Letters services: issue a letter (render HTML -> PDF with WeasyPrint, store it, log it, audit it)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db import transaction
from django.template.loader import select_template

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import InvalidInput, NotPermitted, TransitionRefused
from casework.customers import scope
from casework.customers.models import Case, Customer, NoteKind

from . import policy, registry
from .models import Letter

SIGNATURE_DEFAULT = "for the General Manager, Child Support"


class UrlFetchRefused(Exception):
    pass


def refuse_url_fetcher(url: str, *args: Any, **kwargs: Any):
    """Letters never fetch anything (no images, stylesheets or fonts from URLs, local or remote)."""
    raise UrlFetchRefused(f"Letters do not fetch URLs: {url}")


def _refusing_fetcher():
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return refuse_url_fetcher(url)

    return RefusingFetcher(allowed_protocols=(), allow_redirects=False)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher()).write_pdf()


def internal_texts_for(customer: Customer) -> list[str]:
    """Internal-only text held about the customer: sensitive issue indicators, internal notes, and any model an app
    marks ``INTERNAL_ONLY = True`` with a ``customer`` foreign key (e.g. ownership discussions)."""
    texts: list[str] = []
    texts += [n.body for n in customer.notes.filter(kind=NoteKind.INTERNAL)]
    texts += [n.subject for n in customer.notes.filter(kind=NoteKind.INTERNAL)]
    for model in apps.get_models():
        if not getattr(model, "INTERNAL_ONLY", False):
            continue
        fk = next(
            (f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Customer), None
        )
        if fk is None:
            continue
        text_fields = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() in ("TextField", "CharField")]
        for row in model._base_manager.filter(**{fk.name: customer}).values(*text_fields):
            texts += [str(v) for v in row.values() if v]
    return texts


def _blocks(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = []
    for key, value in fields.items():
        if key in registry.COMMON_KEYS:
            continue
        blocks.append({"items": value} if isinstance(value, list) else {"text": value})
    return blocks


def letter_issue(
    *,
    actor,
    customer: Customer,
    template_code: str,
    context: Mapping[str, Any],
    case: Case | None = None,
    signed_by=None,
    step_ids: Iterable[str] = (),
    via: str = scope.VIA_GENERIC,
) -> Letter:
    """Render the template from allow-listed customer-facing data, store PDF + data, audit ``letter.issue``.

    PS-CON-8: a PS letter (UQ140.*) goes only through ``ps.services.ps_letter_send`` (``via=scope.VIA_PS``), which
    decides who may send it, signs it for the Case Manager and counts the exit letter. PS-SPE-1: any other letter to
    a customer managed by Personalised Services needs a consultation with their Case Manager (PS officers and the
    PS services excepted)."""
    if not actor.has_perm("letters.issue_letter"):
        raise NotPermitted("Your role cannot issue letters.", step_ids=("CMA-1.2",))
    template = registry.get(template_code)
    if template is None:
        raise InvalidInput(
            f"Unknown letter template '{template_code}'.",
            fields={"template_code": [f"Choose one of: {', '.join(t.code for t in registry.all_templates())}."]},
        )
    if template.ps_only and via != scope.VIA_PS:
        raise TransitionRefused(
            f"{template.title} is a Personalised Services letter: send it from the customer's PS record, signed by "
            "their Case Manager.",
            step_ids=("PS-CON-8",),
        )
    if template.ps_only and signed_by is None:
        raise InvalidInput("A Personalised Services letter is signed by the PS Case Manager.",
                           fields={"signed_by": ["Required (PS-CON-8)."]}, step_ids=("PS-CON-8",))
    ps_check = scope.ps_customer_action_check(actor=actor, customer=customer, via=via)
    if not ps_check.allowed:
        raise TransitionRefused(ps_check.reason, step_ids=ps_check.step_ids)
    if case is not None and customer.pk not in (case.payer_id, case.payee_id):
        raise InvalidInput("The customer is not a party to this case.", fields={"case": ["Not this customer's case."]})
    office = clock.office_of(actor)
    # A moment in the context becomes the issuing officer's local day before the (pure) filter sees it.
    local = {key: clock.local_date(value, office) if isinstance(value, dt.datetime) and value.tzinfo else value
             for key, value in (context or {}).items()}
    filtered = policy.filter_context(template, local)
    check = policy.internal_text_check(filtered.fields, internal_texts_for(customer))
    if not check.allowed:
        raise InvalidInput(check.reason, step_ids=check.step_ids, fields={"context": [check.reason]})
    issued_at = clock.now()
    # Dated the issuing officer's local day (a letter issued at 09:00 in Sydney is not dated yesterday, UTC).
    issued_on = clock.local_date(issued_at, office)
    signer_name = ""
    if signed_by is not None:
        signer_name = signed_by.get_full_name() or signed_by.username
    # Customer block: only these fields, taken from the record (never from the caller).
    source = {
        "template_code": template.code,
        "title": template.title,
        "customer": {"full_name": customer.full_name, "csid": customer.csid, "postal_address": customer.postal_address},
        "case_number": case.case_number if case is not None else "",
        "fields": filtered.fields,
        "signature": signer_name or SIGNATURE_DEFAULT,
        "issued_on": issued_on.isoformat(),
    }
    page = select_template([template.template_name, "letters/_generic.html"])
    html = page.render({**source, "issued_on": issued_on, "blocks": _blocks(filtered.fields)})
    pdf = render_pdf(html)
    steps = tuple(dict.fromkeys([*step_ids, *template.step_ids]))
    with transaction.atomic():
        letter = Letter.objects.create(
            customer=customer,
            case=case,
            template_code=template.code,
            title=template.title,
            source_data=source,
            html=html,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            issued_at=issued_at,
            issued_by=actor,
            signed_by=signed_by,
            step_ids=list(steps),
        )
        audit_record(
            actor=actor,
            action="letter.issue",
            target=letter,
            after={"template_code": template.code, "sha256": letter.sha256, "dropped_keys": list(filtered.dropped)},
            step_ids=steps,
            customer=customer,
        )
    return letter



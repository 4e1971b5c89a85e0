"""Letters services: issue a letter (compose the allow-listed HTML, store it with its data, audit it) and render its
PDF after the issuing transaction commits (``letter_render``, run by a django-q2 task; issue 15)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import select_template

from casework.core import clock
from casework.core.audit import audit_record
from casework.core.errors import InvalidInput, NotFound, NotPermitted, TransitionRefused
from casework.core.queue import enqueue_after_commit
from casework.customers import scope
from casework.customers.csid import format_csid
from casework.customers.models import Case, Customer

from . import disclosure, policy, registry, selectors, storage
from .models import RENDER_ITEM, RENDER_JOB, Letter, LetterDocument  # noqa: F401 (RENDER_*: jobs)

SIGNATURE_DEFAULT = "for the General Manager, Child Support"
# The django-q2 task that renders a letter's PDF after the issuing transaction commits (its failures are recorded
# under models.RENDER_JOB: core.JobItemFailure, retried with backoff by jobs.letters_render_pending).
RENDER_TASK = "casework.letters.jobs.letter_render_job"


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
    """Internal-only text held about the customer (kept for callers; letters check far more, see ``disclosure``)."""
    return [p.text for p in disclosure.protected_for(customer) if p.kind in disclosure.TEXT_KINDS]


def _blocks(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = []
    for key, value in fields.items():
        if key in registry.COMMON_KEYS:
            continue
        blocks.append({"items": value} if isinstance(value, list) else {"text": value})
    return blocks


@dataclass(frozen=True)
class ComposedLetter:
    template: registry.LetterTemplate
    source: dict[str, Any]
    html: str
    dropped: tuple[str, ...]
    step_ids: tuple[str, ...]
    issued_at: Any


def _compose(
    *,
    actor,
    customer: Customer,
    template_code: str,
    context: Mapping[str, Any],
    case: Case | None,
    signed_by,
    step_ids: Iterable[str],
    via: str = scope.VIA_GENERIC,
) -> ComposedLetter:
    """Everything a letter goes through before it exists: permission, template, PS paths, size limits, allow-list and
    the disclosure check (PS-CON-4, CMA-1.6). Issue and preview share it, so a preview refuses exactly what issuing
    would.

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
    if template.code == policy.REQUEST_CONTACT:
        offer = policy.request_contact_decision(last_reached=selectors.customer_last_reached(customer),
                                                now=clock.now())
        if not offer.allowed:
            raise TransitionRefused(offer.reason, step_ids=offer.step_ids)
    ps_check = scope.ps_customer_action_check(actor=actor, customer=customer, via=via)
    if not ps_check.allowed:
        raise TransitionRefused(ps_check.reason, step_ids=ps_check.step_ids)
    if case is not None and customer.pk not in (case.payer_id, case.payee_id):
        raise InvalidInput("The customer is not a party to this case.", fields={"case": ["Not this customer's case."]})
    too_big = policy.size_check(context or {})
    if too_big:
        raise InvalidInput("This letter is too long: " + " ".join(m for ms in too_big.values() for m in ms), fields=too_big)
    bad_dates = policy.date_check(context or {})
    if bad_dates:
        raise InvalidInput("A date in this letter is not a real date.", fields=bad_dates)
    office = clock.office_of(actor)
    # A moment in the context becomes the issuing officer's local day before the (pure) filter sees it.
    local = {key: clock.local_date(value, office) if isinstance(value, dt.datetime) and value.tzinfo else value
             for key, value in (context or {}).items()}
    filtered = policy.filter_context(template, local)
    _disclosure_guard(actor=actor, customer=customer, template=template, fields=filtered.fields,
                      public_names=_officer_names(actor, signed_by, filtered.fields.get("case_manager_name")))
    issued_at = clock.now()
    # Dated the issuing officer's local day (a letter issued at 09:00 in Sydney is not dated yesterday, UTC).
    issued_on = clock.local_date(issued_at, office)
    signer_name = ""
    if signed_by is not None:
        signer_name = signed_by.get_full_name() or signed_by.username
    # Customer block: only these fields, taken from the record (never from the caller). The postal address printed
    # is the recipient's own (a silent address is printed only to its owner).
    source = {
        "template_code": template.code,
        "title": template.title,
        "customer": {"full_name": customer.full_name, "csid": customer.csid, "postal_address": customer.postal_address,
                     "reference": format_csid(customer.csid)},
        "agency_phone": settings.CASEWORK["AGENCY_PHONE"],
        "case_number": case.case_number if case is not None else "",
        "fields": filtered.fields,
        "signature": signer_name or SIGNATURE_DEFAULT,
        "issued_on": issued_on.isoformat(),
    }
    page = select_template([template.template_name, "letters/_generic.html"])
    html = page.render({**source, "issued_on": issued_on, "blocks": _blocks(filtered.fields)})
    steps = tuple(dict.fromkeys([*step_ids, *template.step_ids]))
    return ComposedLetter(template, source, html, filtered.dropped, steps, issued_at)


def _officer_names(actor, signed_by, case_manager_name: Any) -> list[str]:
    """Officers' names a letter may carry (the issuer, the signer, the named PS Case Manager if an officer)."""
    from django.contrib.auth import get_user_model

    names = [u.get_full_name() for u in (actor, signed_by) if u is not None and hasattr(u, "get_full_name")]
    if isinstance(case_manager_name, str) and case_manager_name.strip():
        parts = case_manager_name.split()
        if len(parts) >= 2 and get_user_model().objects.filter(
            first_name__iexact=" ".join(parts[:-1]), last_name__iexact=parts[-1], officer__isnull=False
        ).exists():
            names.append(case_manager_name)
    return [n for n in names if n]


def _disclosure_guard(
    *, actor, customer: Customer, template: registry.LetterTemplate, fields: Mapping[str, Any],
    public_names: Iterable[str] = (),
) -> None:
    """Refuse (400, per field, PS-CON-4 / CMA-1.6) free text that discloses internal or another customer's data.
    The refusal names the kind of information, never the text; the attempt is audited (kinds only)."""
    protected = disclosure.protected_for(customer)
    public = [customer.full_name, *public_names]
    result = disclosure.check_texts(disclosure.free_texts(fields), protected, public_names=public)
    if result.allowed:
        return
    reason = result.decision.reason
    per_field = {"context": [reason]}
    for key, value in fields.items():
        if not disclosure.check_texts(disclosure.free_texts({key: value}), protected, public_names=public).allowed:
            per_field[key] = [reason]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="letter.disclosure_refused",
            target=("customer", customer.pk),
            after={"template_code": template.code, "kinds": result.kinds(), "fields": sorted(per_field)},
            step_ids=result.decision.step_ids,
            customer=customer,
        )
    raise InvalidInput(reason, step_ids=result.decision.step_ids, fields=per_field, code="disclosure_refused")


def letter_preview(
    *,
    actor,
    customer: Customer,
    template_code: str,
    context: Mapping[str, Any],
    case: Case | None = None,
    signed_by=None,
    step_ids: Iterable[str] = (),
    via: str = scope.VIA_GENERIC,
) -> ComposedLetter:
    """What ``letter_issue`` would send, without rendering the PDF or storing anything. Same checks, same refusals."""
    return _compose(actor=actor, customer=customer, template_code=template_code, context=context, case=case,
                    signed_by=signed_by, step_ids=step_ids, via=via)


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
    """Compose the letter from allow-listed customer-facing data (the disclosure guard runs here: the content is
    fixed now), store the HTML and its data, audit ``letter.issue``. The PDF is rendered after the transaction
    commits (``RENDER_TASK`` queued with ``core.queue.enqueue_after_commit``, so a caller's outer transaction is
    never held by WeasyPrint); until then the officer sees "Being prepared" (``selectors.letter_status``)."""
    composed = _compose(actor=actor, customer=customer, template_code=template_code, context=context, case=case,
                        signed_by=signed_by, step_ids=step_ids, via=via)
    template, source, html, steps = composed.template, composed.source, composed.html, composed.step_ids
    with transaction.atomic():
        letter = Letter.objects.create(
            customer=customer,
            case=case,
            template_code=template.code,
            title=template.title,
            source_data=source,
            html=html,
            issued_at=composed.issued_at,
            issued_by=actor,
            signed_by=signed_by,
            step_ids=list(steps),
        )
        audit_record(
            actor=actor,
            action="letter.issue",
            target=letter,
            after={"template_code": template.code, "html_sha256": storage.sha256_of(html.encode()),
                   "dropped_keys": list(composed.dropped)},
            step_ids=steps,
            customer=customer,
        )
        scope.ps_customer_action_done(actor=actor, customer=customer, what=f"issued the letter {template.title}",
                                      via=via)
        enqueue_after_commit(RENDER_TASK, letter.pk, task_name=f"letter-render-{letter.pk}")
    return letter


def letter_render(*, letter_id: int) -> LetterDocument:
    """Render the letter's stored HTML to PDF and keep it in storage as its ``LetterDocument`` (audited
    ``letter.render``). Idempotent: a letter that has its document gets it back untouched; a re-run after a crash
    (a file written, no row) writes the same name again, never a second file or row. WeasyPrint runs outside any
    transaction; the short transaction that follows locks the letter, so two workers never both write it."""
    existing = LetterDocument.objects.filter(letter_id=letter_id).first()
    if existing is not None:
        return existing
    letter = Letter.objects.filter(pk=letter_id).only("pk", "html", "issued_at", "customer_id").first()
    if letter is None:
        raise NotFound("No such letter.")
    pdf = render_pdf(letter.html)
    digest = storage.sha256_of(pdf)
    name = storage.document_name(letter_id=letter.pk, issued_at=letter.issued_at)
    with transaction.atomic():
        Letter.objects.select_for_update().filter(pk=letter.pk).values_list("pk", flat=True).get()
        existing = LetterDocument.objects.filter(letter_id=letter.pk).first()
        if existing is not None:  # another worker finished first
            return existing
        if default_storage.exists(name):
            default_storage.delete(name)  # a crashed attempt's file: no row refers to it
        saved = default_storage.save(name, ContentFile(pdf))
        if saved != name:
            raise RuntimeError(f"Storage saved letter {letter.pk}'s PDF as {saved!r}, not {name!r}.")
        document = LetterDocument.objects.create(letter_id=letter.pk, file=saved, sha256=digest, size=len(pdf),
                                                 rendered_at=clock.now())
        audit_record(actor=None, action="letter.render", target=document,
                     after={"letter": letter.pk, "sha256": digest, "size": len(pdf)},
                     customer=letter.customer_id)
    return document

"""Letter templates and their allow-lists of customer-facing fields.

A template may only receive the context keys named here. Anything else given to ``letter_issue`` is dropped before
rendering, so internal-only information (sensitive issue indicators, ownership discussions, internal notes) has no
way into a letter. Other apps add their own templates with ``register(LetterTemplate(...))`` (e.g. the PS letters
UQ140.00/01/02, PS-CON-8), with the HTML under ``templates/letters/<code>.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every letter may carry these (the customer block is built by the service from the record, not from the caller).
COMMON_KEYS = frozenset({"reference", "salutation", "closing_note", "contact_phone"})


# Issue 14: a letter's title is customer wording (the officer's form code, e.g. MX1-1 or UQ140.01, stays on the
# officer's screens, never in the letter); ``tests`` render every registered template and check its text.
@dataclass(frozen=True)
class LetterTemplate:
    code: str
    title: str
    allowed_keys: frozenset[str]
    step_ids: tuple[str, ...] = ()
    # Keys whose values are lists of strings (rendered as bullet points).
    list_keys: frozenset[str] = frozenset()
    # PS-CON-8: sent only through the Personalised Services service (who may send, signature, exit-letter wait).
    ps_only: bool = False

    @property
    def template_name(self) -> str:
        return f"letters/{self.code}.html"


_REGISTRY: dict[str, LetterTemplate] = {}


def register(template: LetterTemplate) -> LetterTemplate:
    _REGISTRY[template.code] = template
    return template


def get(code: str) -> LetterTemplate | None:
    return _REGISTRY.get(code)


def all_templates() -> list[LetterTemplate]:
    return sorted(_REGISTRY.values(), key=lambda t: t.code)


register(
    LetterTemplate(
        code="decision_letter",
        title="Notice of decision",
        allowed_keys=frozenset({"decision_date", "decision_summary", "decision_reasons", "options", "issue_name"}),
        list_keys=frozenset({"options"}),
        step_ids=("CMA-3.4", "CMA-3.1"),
    )
)
register(
    LetterTemplate(
        code="mx1_1_request_contact",
        title="Please contact us",
        allowed_keys=frozenset({"contact_by_date", "matter"}),
        step_ids=("CMA-1.2",),
    )
)
register(
    LetterTemplate(
        code="unique_letter",
        title="Letter about your child support",
        allowed_keys=frozenset({"heading", "paragraphs"}),
        list_keys=frozenset(),
        step_ids=("CMA-1.2",),
    )
)
# PS-CON-8 letters: the PS engineer supplies their HTML templates; the allow-list is declared here so that nothing
# outside it can reach a PS letter either.
_PS_KEYS = frozenset(
    {"case_manager_name", "case_manager_phone", "issues", "commitments", "next_contact", "exit_reason", "respond_by"}
)
for _code, _title in (
    ("uq140_00_introduction", "Introducing your Personalised Services Case Manager"),
    ("uq140_01_first_call_confirmation", "What we discussed in our first call"),
    ("uq140_02_exit", "Your case is leaving Personalised Services"),
):
    register(
        LetterTemplate(
            code=_code,
            title=_title,
            allowed_keys=_PS_KEYS,
            list_keys=frozenset({"issues", "commitments"}),
            step_ids=("PS-CON-8",),
            ps_only=True,
        )
    )

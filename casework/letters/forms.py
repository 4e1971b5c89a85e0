"""Web input for the letters an officer writes from the customer page (CMA-1.2): MX1-1 and the unique letter.

One form serves sending and previewing, so both see the same input and the same limits; the service then applies
the allow-list, the size limits and disclosure control (PS-CON-4, CMA-1.6) on every path.
"""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.forms import DateField

from . import policy

WEB_TEMPLATES = (
    ("mx1_1_request_contact", "MX1-1 Request for client to contact"),
    ("unique_letter", "Unique letter"),
)


class LetterForm(forms.Form):
    template_code = forms.ChoiceField(choices=WEB_TEMPLATES, error_messages={"invalid_choice": "Choose MX1-1 or a unique letter."})
    matter = forms.CharField(required=False, max_length=300)
    contact_by_date = DateField(required=False, error_messages={"invalid": policy.DATE_PROBLEM})
    heading = forms.CharField(required=False, max_length=200)
    body = forms.CharField(
        required=False, max_length=policy.MAX_TOTAL_CHARS, widget=forms.Textarea,
        help_text=f"Blank line between paragraphs; at most {policy.MAX_ITEMS} paragraphs of "
        f"{policy.MAX_FIELD_CHARS} characters.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("template_code") == "unique_letter":
            text = (data.get("body") or "").strip()
            if not text:
                self.add_error("body", "Write the letter.")
                return data
            paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
            if len(paragraphs) > policy.MAX_ITEMS:
                self.add_error("body", f"A letter may have at most {policy.MAX_ITEMS} paragraphs ({len(paragraphs)} given).")
            elif any(len(p) > policy.MAX_FIELD_CHARS for p in paragraphs):
                self.add_error("body", f"Each paragraph may have at most {policy.MAX_FIELD_CHARS} characters.")
            data["paragraphs"] = paragraphs
        return data

    def letter_context(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["template_code"] == "mx1_1_request_contact":
            context = {"matter": data.get("matter", ""), "contact_by_date": data.get("contact_by_date", "")}
        else:
            context = {"heading": data.get("heading", ""), "paragraphs": data.get("paragraphs", [])}
        return {k: v for k, v in context.items() if v}


class PdfLinkForm(forms.Form):
    """The query string of the PDF-link fragment (issue 15): how the link reads where it is shown. Anything else
    (or nothing) reads as the letter's title."""

    LINK_STYLES = ("title", "pdf", "decision")

    link = forms.ChoiceField(choices=[(s, s) for s in LINK_STYLES], required=False)

    def style(self) -> str:
        return (self.cleaned_data.get("link") if self.is_valid() else None) or "title"

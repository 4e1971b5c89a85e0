"""Web shell forms (django.forms for web input)."""

from __future__ import annotations

from django import forms

MAX_BULK = 200


class BulkReassignForm(forms.Form):
    """Refer several of the teams' open intrays to one officer or position, with one reason. The choices are what the
    morning page listed (the teams' open intrays and the teams' officers and positions): anything else is invalid."""

    intrays = forms.TypedMultipleChoiceField(coerce=int, label="Intrays", error_messages={
        "required": "Select at least one intray.",
        "invalid_choice": "An intray you selected is no longer open in your teams' queues; reload the page."})
    target = forms.ChoiceField(label="Refer to", error_messages={"required": "Choose the officer or position."})
    reason = forms.CharField(label="Reason", max_length=500, strip=True,
                             error_messages={"required": "Give a reason for referring the intrays."})

    def __init__(self, *args, intray_choices=(), targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intrays"].choices = [(i, str(i)) for i in intray_choices]
        self.fields["target"].choices = [("", "Choose…")] + [(f"{kind}:{pk}", label) for kind, pk, label in targets]

    def clean_intrays(self):
        ids = self.cleaned_data["intrays"]
        if len(ids) > MAX_BULK:
            raise forms.ValidationError(f"Select at most {MAX_BULK} intrays at a time.")
        return ids

    def target_parts(self) -> tuple[str, int]:
        kind, _, pk = self.cleaned_data["target"].partition(":")
        return kind, int(pk)


class NoteForm(forms.Form):
    """A notepad on the customer record (the notes section posts it, htmx or plain). Only parses and bounds: the
    service checks what is required and the kind (CMA-1.1 notes are append-only)."""

    subject = forms.CharField(label="Subject", max_length=200, required=False)
    body = forms.CharField(label="Note", max_length=20000, required=False)
    kind = forms.CharField(label="Kind", max_length=20, required=False)
    case = forms.CharField(label="Case (optional)", max_length=12, required=False)

    def values(self) -> dict[str, str]:
        """What was typed, to show again (the notes template fills its own inputs)."""
        return {name: str(self.data.get(name, "")) for name in self.fields}

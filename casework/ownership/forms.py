"""Web inputs of the ownership panel on the customer page (django.forms; issue 14). Forms only parse and bound; the
services decide (the same guards as the API). CMA-3.4: the officer states explicitly whether the decision was
explained and whether contact was attempted: yes/no fields, required, never defaulted."""

from __future__ import annotations

from django import forms

from casework.org.pickers import OfficerField

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect, required=True,
        error_messages={"required": "Answer yes or no (CMA-3.4)."},
    )


def _text(label: str, *, required: bool = True, textarea: bool = False, max_length: int = 2000):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.Textarea(attrs={"rows": 2}) if textarea else None)


class LockForm(forms.Form):
    reason = _text("Reason for locking")
    to_officer = OfficerField(label="Lock to officer (username, Team Leader)")


class TakeOverForm(forms.Form):
    reason = _text("Reason for taking over")


class ReferForm(forms.Form):
    subject = _text("Subject", max_length=200)
    details = _text("Follow-up needed", textarea=True)


class TransferForm(forms.Form):
    to_area = forms.ChoiceField(label="To area")
    to_officer = OfficerField(label="Officer in that area (username, optional)")
    expected_contact_volume = _text("Expected contact volume", textarea=True)
    time_to_resolve = _text("Time to resolve", textarea=True)
    agreed_with = _text("Who you spoke to in the other area (optional)", required=False, max_length=200)
    reason = _text("Reason for transfer")

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_area"].choices = [(a.code, a.name) for a in areas]


class DisputeForm(forms.Form):
    to_area = forms.ChoiceField(label="Proposed owning area")
    expected_contact_volume = _text("Expected contact volume", textarea=True)
    time_to_resolve = _text("Time to resolve", textarea=True)
    reason = _text("Why the areas disagree")

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_area"].choices = [(a.code, a.name) for a in areas]


class ConsultForm(forms.Form):
    ps_case_manager = OfficerField(widget=forms.HiddenInput, required=True)
    summary = _text("Summary", textarea=True)
    communication_approach = _text("Agreed communication approach", textarea=True)
    who_communicates = _text("Who communicates the decision", max_length=200)
    regular_updates = _text("Regular updates", required=False, max_length=200)
    face_to_face = forms.BooleanField(label="Face-to-face", required=False)


class UnlockForm(forms.Form):
    decision_explained = _yes_no("Decision verbally explained to every impacted customer?")
    contact_attempted = _yes_no("Appropriate contact attempts made?")
    reason = _text("Reason for unlocking")


class AutoUnlockForm(forms.Form):
    letters = forms.TypedMultipleChoiceField(label="Decision letters", coerce=int, choices=(), required=True,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "Choose the decision letters (CMA-3.4)."})
    contact_attempted = _yes_no("Appropriate contact attempts made?")
    reason = _text("Reason")

    def __init__(self, *args, letters=None, **kwargs):
        super().__init__(*args, **kwargs)
        if letters is not None:  # the panel: the recorded decision letters it offers
            self.fields["letters"].choices = [
                (lt.pk, f"{lt.title} to {lt.customer.full_name} ({lt.issued_at:%d/%m/%Y})") for lt in letters]
        else:  # a post: any letter id; the service checks each is a recorded decision letter
            self.fields["letters"].choices = [(v, v) for v in self.data.getlist("letters")] if self.data else []

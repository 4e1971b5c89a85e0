"""Web inputs of the ownership panel (django.forms). CMA-3.4: the officer states explicitly whether the decision
was explained and whether contact was attempted: yes/no fields, required, never defaulted."""

from __future__ import annotations

from django import forms

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect, required=True,
        error_messages={"required": "Answer yes or no (CMA-3.4)."},
    )


class UnlockForm(forms.Form):
    reason = forms.CharField(max_length=2000)
    decision_explained = _yes_no("Decision verbally explained to every impacted customer")
    contact_attempted = _yes_no("Appropriate contact attempts made")


class AutoUnlockForm(forms.Form):
    reason = forms.CharField(max_length=2000)
    letters = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True,
                                             error_messages={"required": "Choose the decision letters (CMA-3.4)."})
    contact_attempted = _yes_no("Appropriate contact attempts made")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any letter id is offered; the service checks each is a recorded decision letter.
        self.fields["letters"].choices = [(v, v) for v in self.data.getlist("letters")] if self.data else []


def errors_text(form: forms.Form) -> str:
    return " ".join(f"{form.fields[name].label or name}: {' '.join(errs)}" if name in form.fields else " ".join(errs)
                    for name, errs in form.errors.items())

"""Web inputs of the intray pages (django.forms; issue 14): the new-intray form and each action of an intray's page.
Forms only parse and bound; the services decide (the same guards as the API). A refusal re-renders the page with
the form still holding what was typed (a chosen file cannot be kept by a browser: it is asked for again)."""

from __future__ import annotations

from django import forms

from casework.core.api import DB_INT_MAX
from casework.core.forms import DateField, DateTimeField, text, version_field
from casework.org.pickers import OfficerField, PickerInput, PositionField

from .models import Channel, CorrespondenceCategory

def _received_at(label: str) -> forms.DateTimeField:
    """When the item was received (CMA-1.1). A time without a zone is in the officer's active (office) time zone."""
    return DateTimeField(label=label, required=False, help_text="Empty: now. The due date counts from it (CMA-1.1).")


class IntrayCreateForm(forms.Form):
    csid = forms.CharField(label="Customer CSID", max_length=20,
                           widget=forms.TextInput(attrs={"id": "csid", "autofocus": True}),  # first field (issue 14)
                           error_messages={"required": "Give the customer's CSID."})
    # Offered: the types an officer may raise; parsed: any code, so a type only the procedures raise is refused by
    # the service with its reason and step IDs (403), the same as through the API.
    type_code = forms.CharField(label="Type", max_length=60, widget=forms.Select(attrs={"id": "type_code"}))
    subject = forms.CharField(label="Subject", max_length=200, required=False,
                              widget=forms.TextInput(attrs={"size": 60, "id": "subject"}))
    to_officer = OfficerField(label="Assign to officer (username)", widget=PickerInput(attrs={"id": "to_officer"}))
    to_position = PositionField(label="or position (code)", widget=PickerInput(attrs={"id": "to_position"}))
    issues = forms.TypedMultipleChoiceField(label="Presenting issues it raises", coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    received_at = _received_at("Date and time received")
    details = text("Notepad", required=False, textarea=True, max_length=4000)
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, required=False)
    received_on = DateField(label="Date received", required=False)
    category = forms.ChoiceField(label="Category", choices=CorrespondenceCategory.choices, required=False)
    matters = text("Matters raised (one a line)", required=False, textarea=True, max_length=4000)
    file = forms.FileField(label="Document", required=False,
                           help_text="After a problem, choose the file again (a browser never keeps it).")

    def __init__(self, *args, types=(), issues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].widget.choices = [
            (t.code, f"{t.name}{f' ({t.sla_working_days} working days)' if t.sla_working_days else ''}")
            for t in types]
        self.fields["issues"].choices = [(i.pk, i.issue_type.name) for i in issues]
        if not issues:
            del self.fields["issues"]

    def matter_lines(self) -> list[str]:
        return [m.strip() for m in self.cleaned_data["matters"].splitlines() if m.strip()]


class VersionedForm(forms.Form):
    """An action on the intray as the page showed it: the intray's version, posted hidden (issue 13). If the intray
    changed since (someone else started, referred or completed it), the action is refused with 409 saying what
    changed, and nothing is written."""

    version = version_field()


class OutcomeForm(VersionedForm):
    outcome = text("Outcome", required=False, textarea=True)


class ReasonForm(VersionedForm):
    reason = text("Reason", max_length=500, required=False)


class ReassignForm(VersionedForm):
    to_officer = OfficerField(label="Officer (username)")
    to_position = PositionField(label="or position (code)")
    reason = text("Reason", max_length=500)


class RecategoriseForm(VersionedForm):
    category = forms.ChoiceField(label="Change category", choices=CorrespondenceCategory.choices)
    reason = text("Reason (required)", max_length=500, required=False)


class MatterAddForm(VersionedForm):
    description = text("Another matter raised", max_length=2000, required=False)


class MatterAddressForm(VersionedForm):
    matter = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput,
                                error_messages={"required": "Choose the matter."})
    outcome = text("Outcome", required=False)
    communicated = forms.BooleanField(label="Outcome communicated to the customer", required=False)


class MatterReferForm(VersionedForm):
    """Refer one matter to the team it belongs to (CMA-3.5, CMA-2.10): the receiving officer or position (the same
    fields as referring the whole intray) and what they need to do. The service decides; its refusals land on the
    fields."""

    matter = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput,
                                error_messages={"required": "Choose the matter."})
    to_officer = OfficerField(label="Refer to officer (username)")
    to_position = PositionField(label="or position (code)")
    reason = text("What the other team needs to do", max_length=500, required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label="Attach a document", error_messages={"required": "Choose a file."})


class IntrayCorrectForm(VersionedForm):
    """Correct what was keyed wrongly (issue 14, CMA-1.1): the fields as recorded, changed where wrong, with a reason.
    A changed date received moves the due date by the creation rule (the receiving office's working days)."""

    subject = text("Subject", max_length=200)
    details = text("Notepad", required=False, textarea=True, max_length=4000)
    received_at = DateTimeField(label="Date and time received", required=False,
                                help_text="The due date is counted again from it (CMA-1.1).")
    case = forms.CharField(label="Case number", max_length=40, required=False,
                           help_text="One of the customer's cases.")
    reason = text("Reason for the correction", max_length=500, required=False)


class StartForm(VersionedForm):
    """Start: nothing to type but the version."""


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "start": StartForm, "complete": OutcomeForm, "delete": ReasonForm, "reassign": ReassignForm,
    "recategorise": RecategoriseForm, "matter_add": MatterAddForm, "matter_address": MatterAddressForm,
    "matter_refer": MatterReferForm, "correct": IntrayCorrectForm,
    "document_add": DocumentForm,
}

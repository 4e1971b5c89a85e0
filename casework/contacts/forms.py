"""Web inputs of the guided contact (django.forms; issue 14). Forms only parse and bound what is typed; the services
check everything else (the same guard as the API), and a refusal is shown on the form that was posted, with what was
typed kept. Field names are those the pages have always posted (and the API's serializers accept)."""

from __future__ import annotations

from django import forms

from casework.core.api import DB_INT_MAX
from casework.core.forms import CodeListField, date, text, version_field, yes_no
from casework.customers.models import IncomeSource, IssueStatus

from . import policy
from .models import Channel, Speaker, TransferKind

FREQUENCIES = [("weekly", "Weekly"), ("fortnightly", "Fortnightly"), ("monthly", "Monthly")]
CLOSE_STATUSES = [(IssueStatus.FINALISED, "Finalised"), (IssueStatus.REFERRED, "Referred"),
                  (IssueStatus.WITHDRAWN, "Withdrawn")]


def _id(name: str) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput,
                              error_messages={"required": f"Choose the {name}.", "invalid": f"Choose the {name}."})


class StartForm(forms.Form):
    # Issue 14: the first field of the step has the focus on arrival.
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices,
                                widget=forms.Select(attrs={"autofocus": True}))
    speaker = forms.ChoiceField(label="Who is speaking", choices=Speaker.choices, initial=Speaker.CUSTOMER,
                                required=False)
    representative = forms.ChoiceField(label="Authorised representative (if speaking)", required=False)
    case = forms.ChoiceField(label="Case discussed", required=False)

    def __init__(self, *args, representatives=(), cases=(), customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].choices = [("", "—")] + [
            (str(r.pk), f"{r.name} ({r.get_scope_display()})") for r in representatives]
        self.fields["case"].choices = [
            (c.case_number, f"{c.case_number} ({'payer' if customer and c.payer_id == customer.pk else 'payee'})")
            for c in cases]
        if not cases:
            del self.fields["case"]
        if not representatives:
            del self.fields["representative"]


class PoiForm(forms.Form):
    method = forms.CharField(
        label="How identity was confirmed", max_length=200,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "e.g. date of birth, address and CSID",
                                      "id": "poi-method", "autofocus": True}),  # issue 14: first field of the step
        error_messages={"required": "Say how the customer's identity was confirmed (CMA-1.1)."})


class PoiFailedForm(forms.Form):
    checks = forms.MultipleChoiceField(label="Checks that failed", choices=list(policy.POI_CHECKS.items()),
                                       widget=forms.CheckboxSelectMultiple, required=False)
    note = text("What happened", required=False, textarea=True)


class AbandonForm(forms.Form):
    reason = forms.ChoiceField(label="Why the contact is abandoned", choices=list(policy.ABANDON_REASONS.items()),
                               error_messages={"required": "Choose why the contact is abandoned."})
    note = text("Note", required=False, textarea=True)


class CorrectForm(forms.Form):
    """Issue 14 (CMA-1.1): what was typed on the contact, as recorded; a field changed here is corrected (old and new
    kept, with the reason), the others stay. The outcomes other rules hang on are not here."""

    version = version_field()
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices)
    poi_method = text("Proof of identity method", max_length=200, required=False)
    not_resolved_reason = text("Reason not resolved (follow-up needed)", required=False, textarea=True, max_length=4000)
    collection_information = text("Collection information", required=False, textarea=True, max_length=4000)
    error_description = text("Error description", required=False, textarea=True, max_length=4000)
    poi_failed_note = text("Identity check note", required=False, textarea=True, max_length=4000)
    abandon_note = text("Abandon note", required=False, textarea=True, max_length=4000)
    transfer_note = text("Transfer note", required=False, textarea=True, max_length=4000)
    reason = text("Reason for the correction", max_length=500, required=False)


class TransferForm(forms.Form):
    to_area = forms.ChoiceField(label="Transfer to", error_messages={"required": "Choose an area."})
    kind = forms.ChoiceField(label="Transfer", choices=TransferKind.choices, initial=TransferKind.COLD,
                             widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(label="Warm transfer reason (required for warm)", required=False,
                                        choices=list(policy.WARM_TRANSFER_REASONS.items()),
                                        widget=forms.CheckboxSelectMultiple)
    note = text("Note for the receiving area", required=False, textarea=True)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_area"].choices = [(a.code, a.name) for a in areas]


class IssueForm(forms.Form):
    issue_type = forms.ChoiceField(label="Add a presenting issue")
    description = forms.CharField(label="Details", max_length=2000, required=False,
                                  widget=forms.TextInput(attrs={"size": 30, "id": "issue-desc"}))

    def __init__(self, *args, issue_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue_type"].choices = [
            (t.code, f"{t.name} ({t.get_kind_display()}{': ' + t.handling_area.name if t.is_specialised else ''})")
            for t in issue_types]


class IssueCloseForm(forms.Form):
    link = _id("issue")
    outcome = text("Outcome")
    status = forms.ChoiceField(label="Status", choices=CLOSE_STATUSES, required=False)


class ReferralForm(forms.Form):
    organisation = text("Organisation", max_length=200)
    reason = text("Reason")
    given = yes_no("Given to the customer now", initial=True)


class ReferralGiveForm(forms.Form):
    referral = _id("referral")


class ErrorForm(forms.Form):
    description = text("What went wrong", textarea=True)
    apology_given = yes_no("Apologised to the customer")
    complaint_offered = yes_no("Offered the complaints process")
    complaint_wanted = yes_no("Customer wants to complain")
    resolved_in_real_time = yes_no("Resolved in real time")


class TickForm(forms.Form):
    codes = CodeListField(label="Checklist: only the points that apply")


class CarryForm(forms.Form):
    """The MCA ticks on screen, sent along with whichever form is posted from the contact page (contact.html's script),
    so an error there re-renders the checklist as it was, ticked but not yet saved."""

    carry = forms.BooleanField(required=False)
    carry_codes = CodeListField(label="Checklist")


class ArrangementForm(forms.Form):
    debt = forms.TypedChoiceField(label="Debt", coerce=int,
                                  error_messages={"required": "Choose one of the customer's debts.",
                                                  "invalid_choice": "Choose one of the customer's debts."})
    instalment = forms.DecimalField(label="Instalment ($)", max_digits=10, decimal_places=2, min_value=0,
                                    widget=forms.TextInput(attrs={"size": 8, "inputmode": "decimal"}))
    frequency = forms.ChoiceField(label="Frequency", choices=FREQUENCIES)
    start_date = date("Starting")

    def __init__(self, *args, debts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["debt"].choices = [(d.debt.pk, f"{d.debt.get_kind_display()} ${d.debt.amount:,.2f}")
                                       for d in debts]


class IncomeForm(forms.Form):
    amount = forms.DecimalField(label="Amount ($ a year)", max_digits=12, decimal_places=2, min_value=0,
                                widget=forms.TextInput(attrs={"size": 10, "inputmode": "decimal"}))
    source = forms.ChoiceField(label="Source", choices=IncomeSource.choices)
    tax_year = forms.IntegerField(label="Financial year ending", min_value=1900, max_value=2200,
                                  widget=forms.TextInput(attrs={"size": 6, "inputmode": "numeric"}))
    effective_from = date("Effective from")


class CollectionForm(forms.Form):
    information = text("New collection information (leave empty if none)", required=False, textarea=True)
    likely = yes_no("Likely to lead to a collection outcome")
    level1 = yes_no("Level 1 searches done (at your discretion)")


class CsidForm(forms.Form):
    csid = forms.CharField(label="Customer (CSID)", max_length=20, widget=forms.HiddenInput)


class ExplainedForm(CsidForm):
    explained = forms.ChoiceField(label="Decision explained", choices=[("yes", "Yes"), ("no", "No")], required=False,
                                  widget=forms.HiddenInput)


class DisagreementForm(forms.Form):
    options = forms.MultipleChoiceField(label="Options given", choices=list(policy.DISAGREEMENT_OPTIONS.items()),
                                        widget=forms.CheckboxSelectMultiple, required=False)


class NotResolvedForm(forms.Form):
    reason = text("Follow-up needed", textarea=True)


class UnlockForm(forms.Form):
    decision_summary = text("Decision (for the letters)", required=False, textarea=True)
    decision_reasons = text("Reasons (customer-facing)", required=False, textarea=True)
    reason = text("Reason", max_length=500, initial="Issues finalised in real time")


class EmptyForm(forms.Form):
    """An action with nothing to type (finalise, complete MCA, customer advised)."""


FORMS: dict[str, type[forms.Form]] = {
    "poi": PoiForm, "poi-failed": PoiFailedForm, "abandon": AbandonForm, "transfer": TransferForm, "issue": IssueForm, "issue-close": IssueCloseForm,
    "referral": ReferralForm, "referral-give": ReferralGiveForm, "error": ErrorForm, "tick": TickForm,
    "arrangement": ArrangementForm, "income": IncomeForm, "collection": CollectionForm, "mca-complete": EmptyForm,
    "impacted": CsidForm, "explained": ExplainedForm, "disagreement": DisagreementForm, "finalise": EmptyForm,
    "not-resolved": NotResolvedForm, "unlock": UnlockForm, "holistic-advice": EmptyForm, "correct": CorrectForm,
}

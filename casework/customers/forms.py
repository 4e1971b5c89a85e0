"""django.forms for recording case financial and care facts from the customer page (docs/facts.md).

Forms only parse; the services do every check (sense checks, permissions) and write, so the web, the API, jobs and
imports share one guard.
"""

from __future__ import annotations

from django import forms

from casework.core.api import DB_INT_MAX, VERSION_MAX
from casework.core.forms import DATE, DateField

from .models import (
    DebtKind,
    DpoStatus,
    IncomeSource,
    PaymentFrequency,
    RegistrationStatus,
    RepresentativeMatter,
    RepresentativeScope,
)
from .policy import RESTRICTION_CHANNELS, WEEKDAY_NAMES

TIME = forms.TimeInput(attrs={"type": "time"})


def version_hidden() -> forms.IntegerField:
    """The version of the record the page was read at, posted hidden: a change made from a stale page is refused
    with what changed since (issue 13). Every form that changes an existing record sends it."""
    return forms.IntegerField(min_value=1, max_value=VERSION_MAX, widget=forms.HiddenInput)


class DebtForm(forms.Form):
    case_number = forms.CharField(max_length=12)
    kind = forms.ChoiceField(choices=DebtKind.choices)
    amount = forms.DecimalField(max_digits=14, decimal_places=2)
    as_at = DateField()
    source = forms.CharField(max_length=200, required=False)


class DebtCorrectForm(forms.Form):
    debt_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, required=False)
    as_at = DateField(required=False)
    reason = forms.CharField(max_length=2000)
    version = version_hidden()


class ArrangementForm(forms.Form):
    debt_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    instalment = forms.DecimalField(max_digits=14, decimal_places=2)
    frequency = forms.ChoiceField(choices=PaymentFrequency.choices)
    start_date = DateField()


class ArrangementChangeForm(forms.Form):
    arrangement_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    change = forms.ChoiceField(choices=[("amend", "Amend"), ("default", "Defaulted"), ("end", "Ended")])
    instalment = forms.DecimalField(max_digits=14, decimal_places=2, required=False)
    frequency = forms.ChoiceField(choices=[("", "—"), *PaymentFrequency.choices], required=False)
    start_date = DateField(required=False)
    reason = forms.CharField(max_length=2000)
    version = version_hidden()


class PaymentForm(forms.Form):
    case_number = forms.CharField(max_length=12)
    amount = forms.DecimalField(max_digits=14, decimal_places=2)
    received_on = DateField()
    debt_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, required=False)


class PaymentCorrectForm(forms.Form):
    payment_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    version = version_hidden()
    amount = forms.DecimalField(max_digits=14, decimal_places=2, required=False)
    received_on = DateField(required=False)
    reason = forms.CharField(max_length=2000)


class CareForm(forms.Form):
    child_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX)
    care_percentage = forms.IntegerField(min_value=0, max_value=100)
    effective_from = DateField()


class CareCorrectForm(forms.Form):
    care_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    version = version_hidden()
    care_percentage = forms.IntegerField(min_value=0, max_value=100, required=False)
    effective_from = DateField(required=False)
    reason = forms.CharField(max_length=2000)


class IncomeForm(forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2)
    source = forms.ChoiceField(choices=IncomeSource.choices)
    tax_year = forms.IntegerField(min_value=1, max_value=9999, help_text="Financial year ending, e.g. 2026.")
    effective_from = DateField()


class IncomeCorrectForm(forms.Form):
    """Correct a wrongly keyed income (issue 12): only the fields given change; a reason is required."""

    income_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    version = version_hidden()
    amount = forms.DecimalField(max_digits=14, decimal_places=2, required=False)
    source = forms.ChoiceField(choices=[("", "(unchanged)"), *IncomeSource.choices], required=False)
    tax_year = forms.IntegerField(min_value=1, max_value=9999, required=False)
    effective_from = DateField(required=False)
    reason = forms.CharField(max_length=2000)


class RoleReversalForm(forms.Form):
    case_number = forms.CharField(max_length=12, widget=forms.HiddenInput)
    effective_from = DateField()
    reason = forms.CharField(max_length=2000)
    version = version_hidden()


class RoleCorrectForm(forms.Form):
    """Correct the latest role reversal (CMA-2.4, issue 12): its real date, or undo it (keyed in error)."""

    case_number = forms.CharField(max_length=12, widget=forms.HiddenInput)
    effective_from = DateField(required=False, label="The date it really took effect")
    undo = forms.BooleanField(required=False, label="Keyed in error: undo the reversal (the parties swap back)")
    reason = forms.CharField(max_length=2000)
    version = version_hidden()


class RegistrationForm(forms.Form):
    case_number = forms.CharField(max_length=12, widget=forms.HiddenInput)
    registration_status = forms.ChoiceField(choices=RegistrationStatus.choices)
    reason = forms.CharField(max_length=2000)
    version = version_hidden()


class DpoForm(forms.Form):
    status = forms.ChoiceField(choices=DpoStatus.choices)
    case_number = forms.CharField(max_length=12, required=False)
    issued_on = DateField(required=False)
    reason = forms.CharField(max_length=2000, required=False)


class DpoCorrectForm(forms.Form):
    dpo_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    version = version_hidden()
    status = forms.ChoiceField(choices=[("", "—"), *DpoStatus.choices], required=False)
    issued_on = DateField(required=False)
    reason = forms.CharField(max_length=2000)


class DeathForm(forms.Form):
    date_of_death = DateField()
    reason = forms.CharField(max_length=2000)
    # The customer's version the page was read at: a change made from a stale page is refused (issue 13).
    version = forms.IntegerField(min_value=1, max_value=VERSION_MAX, required=False, widget=forms.HiddenInput)


class RepresentativeForm(forms.Form):
    name = forms.CharField(max_length=150)
    scope = forms.ChoiceField(choices=RepresentativeScope.choices)
    matters = forms.MultipleChoiceField(choices=RepresentativeMatter.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    scope_detail = forms.CharField(max_length=2000, required=False)
    relationship = forms.CharField(max_length=100, required=False)
    valid_from = DateField(required=False)
    valid_to = DateField(required=False)


class EndForm(forms.Form):
    """Ends a representative's authority or a restricted service in force (the row's id and why)."""

    row_id = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
    version = version_hidden()
    reason = forms.CharField(max_length=2000)


class RestrictionForm(forms.Form):
    conditions = forms.CharField(widget=forms.Textarea, max_length=4000)
    case_review = forms.CharField(widget=forms.Textarea, max_length=8000)
    recommendation = forms.CharField(widget=forms.Textarea, max_length=4000)
    review_date = DateField()
    channels = forms.MultipleChoiceField(choices=[(c, c.replace("_", " ")) for c in RESTRICTION_CHANNELS],
                                         required=False, widget=forms.CheckboxSelectMultiple)
    days = forms.TypedMultipleChoiceField(choices=list(enumerate(WEEKDAY_NAMES)), coerce=int, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    time_from = forms.TimeField(widget=TIME, required=False)
    time_to = forms.TimeField(widget=TIME, required=False)

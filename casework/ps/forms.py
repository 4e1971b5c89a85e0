"""Web inputs of Personalised Services (django.forms; issue 14). Forms only parse and bound; the services decide (the
same guards as the API). A refusal re-renders the page with the form still holding what was typed."""

from __future__ import annotations

from django import forms

from casework.core.forms import text

from . import policy

REVIEW_ITEMS = ["Case and customer records", "Notepads and communications", "Feedback/review record",
                "Customer history report", "CRG Record notepad"]


class ReferralActionForm(forms.Form):
    """PS-REF-2: lock and assign the customer to a Case Manager, with the PS Case Review (PS-REV-1)."""

    case_manager = forms.ChoiceField(label="Case Manager", required=False)
    referral_source = forms.ChoiceField(label="Referral source", choices=list(policy.REFERRAL_SOURCES.items()))
    main_referral_reason = text("Main referral reason", textarea=True, max_length=4000)
    associated_csid = forms.CharField(label="Associated customer CSID (if required)", max_length=20, required=False)
    reviewed_items = forms.MultipleChoiceField(label="PS Case Review: what was reviewed", required=False,
                                               choices=[(i, i) for i in REVIEW_ITEMS],
                                               widget=forms.CheckboxSelectMultiple)
    escalations = text("Escalations", required=False, textarea=True, max_length=4000)
    crg_record = text("CRG Record (gateway referrals)", required=False, textarea=True, max_length=4000)
    options_identified = text("Options identified", required=False, textarea=True, max_length=4000)

    def __init__(self, *args, case_managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].choices = [
            (o.user.username, f"{o.display_name} — {o.get_role_display()} ({o.position.office.name})")
            for o in case_managers]

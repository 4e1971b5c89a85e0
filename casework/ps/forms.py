"""Web inputs of Personalised Services (django.forms; issue 14). Forms only parse and bound; the services decide (the
same guards as the API). A refusal re-renders the page with the form still holding what was typed."""

from __future__ import annotations

from django import forms

from casework.core.api import DB_INT_MAX
from casework.core.forms import DateField, DateTimeField, text, version_field

from casework.org.pickers import OfficerField, PositionField
from casework.org.roles import Role
from casework.org.selectors import PickError, pick_resolve

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

    def clean_case_manager(self):
        """The chosen Case Manager (or None: the officer actioning it), through the one lookup (issue 14)."""
        try:
            return pick_resolve(self.cleaned_data["case_manager"], kinds=("officer",),
                                scopes={"officer": {"role__in": [Role.PS_CASE_MANAGER, Role.PS_TEAM_LEADER]}}, noun="Case Manager")
        except PickError as exc:
            raise forms.ValidationError(str(exc)) from exc


# --- The PS record page: one form per action (``ps.views._post_action``) ------------------------------------------

def _s(label: str = "", *, max_length: int = 2000) -> forms.CharField:
    """Text the service checks (required or not, and against what)."""
    return forms.CharField(label=label, max_length=max_length, required=False)


def _b(label: str = "") -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


def _pk(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput,
                              error_messages={"required": f"Choose the {label}.", "invalid": f"Choose the {label}."})


def _day(label: str) -> forms.DateField:
    return DateField(label=label, required=False)


class VersionForm(forms.Form):
    """The hidden version the page was read at (issue 13): a stale page's change is refused with 409 saying what
    changed; a missing or malformed one is a 400 asking to reload, never a server error."""

    version = version_field()


class PlanForm(VersionForm):
    agreed_contact_times = _s("Agreed contact times")
    special_contact_details = _s("Special contact details")


class PlanIssueAddForm(forms.Form):
    title = _s("Issue", max_length=200)
    classification = _s("Classification", max_length=20)
    customer_perspective = _s("Customer's perspective")
    is_specialist_process = _b("Specialist process")


class PlanIssueStatusForm(VersionForm):
    issue = _pk("issue")
    status = _s("Status", max_length=20)
    comment = _s("Comment")


class OptionAddForm(forms.Form):
    kind = _s("Option", max_length=40)
    detail = _s("Detail")
    timeframe = _s("Timeframe", max_length=200)


class OptionUpdateForm(forms.Form):
    option = _pk("option")
    status = _s("Answer", max_length=20)
    confirmed_in_writing = _b("in writing")
    timeframe = _s("Timeframe", max_length=200)


class ActionAddForm(forms.Form):
    description = _s("Action")
    due_on = _day("Due")


class ActionCompleteForm(forms.Form):
    action = _pk("action")


class NoteForm(forms.Form):
    subject = _s("Subject", max_length=200)
    body = _s("Notepad", max_length=10000)


class ContactForm(forms.Form):
    """PS-CON-3: a first or follow-up contact, with its checklist (``cp_<point>``) and, for the first, the mandatory
    information gathered (``mi_<key>``)."""

    kind = forms.ChoiceField(label="Contact", choices=[("first", "First"), ("follow_up", "Follow-up")],
                             required=False, widget=forms.HiddenInput)
    summary = _s("Summary", max_length=10000)
    acknowledged = _b("Customer acknowledged the issues and commitments")
    restrictions_reviewed = _b("Restricted-service conditions reviewed")
    products_services = _s("Products and services provided")
    follow_up_type = _s("Follow-up intray (PS-CON-5)", max_length=60)
    follow_up_subject = _s("Follow-up subject", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for k, v in {**policy.FIRST_CONTACT_POINTS, **policy.FOLLOW_UP_POINTS}.items():
            self.fields[f"cp_{k}"] = _b(v)
        for k in policy.MANDATORY_KEYS:
            self.fields[f"mi_{k}"] = _b(k)


class SegmentForm(forms.Form):
    segment = forms.TypedChoiceField(label="Segment", choices=[(n, n) for n in ("1", "2", "3")], coerce=int)
    reason = _s("Reason")


class LetterForm(forms.Form):
    template_code = _s("Letter", max_length=60)
    next_contact = DateField(label="Next contact", required=False)


class SkipForm(forms.Form):
    straightforward = _b("Straightforward issue")
    team_leader = OfficerField(label="Team Leader")
    tl_discussion = _s("Team Leader discussion")


class SensitiveForm(forms.Form):
    reason = _s("Reason", max_length=40)
    conditions = _s("Conditions")
    review_date = _day("Review date")


class F2fForm(forms.Form):
    location_type = _s("Location", max_length=40)
    location_detail = _s("Place", max_length=200)
    reason = _s("Why a meeting")
    via_customer_review = _b("Organised through Customer Review (MP office)")
    attendees = _s("Attendees", max_length=500)
    second_person = _b("Second person attends")
    security_risk = _b("Security or aggression risk")
    security_notified = _b("Service Centre Manager notified via the Team Leader")
    scheduled_for = DateTimeField(label="When")


class NoContactForm(forms.Form):
    cro = OfficerField(label="Customer Review Officer")
    confirmation = _s("What they confirmed")


class ToldForm(forms.Form):
    summary = _s("Customer told by phone that the case leaves PS")


class FinaliseForm(forms.Form):
    summary = _s("Finalisation notepad", max_length=10000)
    cma_activities_completed = _b("CMA activities completed")
    written_responses_understood = _b("Written responses (Ministerial/Ombudsman) received and understood")
    customer_notified_of_decisions = _b("Customer notified of all decisions")
    feedback_provided = _b("Relevant feedback provided")


class DecideForm(forms.Form):
    request = _pk("finalisation request")
    decision = forms.ChoiceField(label="Decision", choices=[("approve", "Approve"), ("reject", "Not approved")],
                                 required=False)
    reason = _s("Approval reason (PS-FIN-3)", max_length=60)
    comments = _s("Comments")
    ongoing_ps_will_not_resolve = _b("Ongoing PS management will not resolve the issues (PS-ACT-1)")
    no_escalation_history = _b("No history of escalating decisions (PS-ACT-4)")
    needs_ongoing_support = _b("Needs high ongoing support (PS-ORM-1)")


class ReallocForm(forms.Form):
    reason_code = _s("Reason", max_length=40)
    detail = _s("Detail")


class ReallocForwardForm(forms.Form):
    request = _pk("reallocation request")
    receiving_position = PositionField(label="Receiving PS position", scope={"business_area__code": "PS"})
    comments = _s("Comments")


class ReallocAssignForm(forms.Form):
    request = _pk("reallocation request")
    case_manager = OfficerField(label="Case Manager")


class S3ScheduleForm(forms.Form):
    review_date = _day("Review date (≤ 3 months)")
    conditions = _s("Conditions")


class S3OutcomeForm(forms.Form):
    review = _pk("review")
    outcome = _s("Outcome", max_length=40)
    notes = _s("Outcome notes")
    new_review_date = _day("New date")


class RestrictedReviewForm(forms.Form):
    restriction = _pk("restricted service")
    outcome = _s("Outcome")
    next_review_date = _day("Next review (3–6 months)")


RECORD_FORMS: dict[str, type[forms.Form]] = {
    "plan": PlanForm, "approve": VersionForm, "issue_add": PlanIssueAddForm, "issue_status": PlanIssueStatusForm,
    "option_add": OptionAddForm, "option_update": OptionUpdateForm, "action_add": ActionAddForm,
    "action_complete": ActionCompleteForm, "note": NoteForm, "contact": ContactForm, "segment": SegmentForm,
    "letter": LetterForm, "skip": SkipForm, "sensitive": SensitiveForm, "f2f": F2fForm, "no_contact": NoContactForm,
    "told": ToldForm, "finalise": FinaliseForm, "decide": DecideForm, "realloc": ReallocForm,
    "realloc_forward": ReallocForwardForm, "realloc_assign": ReallocAssignForm, "s3_schedule": S3ScheduleForm,
    "s3_outcome": S3OutcomeForm, "restricted_review": RestrictedReviewForm,
}


class AnchorForm(forms.Form):
    """Where on the PS record page to come back to."""

    anchor = forms.SlugField(max_length=40, required=False)

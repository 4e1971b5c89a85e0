"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

R = "ps/records/<int:pk>/"
urlpatterns = [
    path("ps/referrals/", api.ReferralView.as_view(), name="ps-referrals"),
    path("ps/records/", api.RecordListView.as_view(), name="ps-records"),
    path(R, api.RecordDetailView.as_view(), name="ps-record"),
    path(R + "plan/", api.PlanView.as_view(), name="ps-plan"),
    path(R + "plan/approve/", api.PlanApproveView.as_view(), name="ps-plan-approve"),
    path(R + "issues/", api.IssueAddView.as_view(), name="ps-issue-add"),
    path("ps/issues/<int:pk>/status/", api.IssueStatusView.as_view(), name="ps-issue-status"),
    path(R + "options/", api.OptionAddView.as_view(), name="ps-option-add"),
    path("ps/options/<int:pk>/", api.OptionUpdateView.as_view(), name="ps-option-update"),
    path(R + "actions/", api.ActionAddView.as_view(), name="ps-action-add"),
    path("ps/actions/<int:pk>/complete/", api.ActionCompleteView.as_view(), name="ps-action-complete"),
    path(R + "notes/", api.NoteAddView.as_view(), name="ps-note-add"),
    path(R + "case-review/", api.CaseReviewView.as_view(), name="ps-case-review"),
    path(R + "contacts/", api.ContactView.as_view(), name="ps-contact"),
    path(R + "customer-told/", api.CustomerToldView.as_view(), name="ps-customer-told"),
    path(R + "no-further-contact/", api.NoFurtherContactView.as_view(), name="ps-no-further-contact"),
    path(R + "sensitive-indicator/", api.SensitiveView.as_view(), name="ps-sensitive"),
    path(R + "segment-suggestion/", api.SegmentSuggestionView.as_view(), name="ps-segment-suggestion"),
    path(R + "segment/", api.SegmentView.as_view(), name="ps-segment"),
    path(R + "letters/", api.LetterView.as_view(), name="ps-letter"),
    path(R + "uq140-01-skip/", api.SkipView.as_view(), name="ps-uq140-01-skip"),
    path(R + "f2f/", api.F2FView.as_view(), name="ps-f2f"),
    path(R + "segment3-review/", api.Segment3ScheduleView.as_view(), name="ps-segment3-schedule"),
    path("ps/segment3-reviews/<int:pk>/outcome/", api.Segment3OutcomeView.as_view(), name="ps-segment3-outcome"),
    path(R + "restricted-review/", api.RestrictedReviewView.as_view(), name="ps-restricted-review"),
    path("restrictions/<int:restriction_id>/approve/", api.RestrictionApproveView.as_view(),
         name="api-restriction-approve"),
    path("restrictions/<int:restriction_id>/reject/", api.RestrictionRejectView.as_view(),
         name="api-restriction-reject"),
    path(R + "reallocation/", api.ReallocationRequestView.as_view(), name="ps-reallocation"),
    path("ps/reallocations/<int:pk>/forward/", api.ReallocationForwardView.as_view(), name="ps-realloc-forward"),
    path("ps/reallocations/<int:pk>/assign/", api.ReallocationAssignView.as_view(), name="ps-realloc-assign"),
    path(R + "readiness/", api.ReadinessView.as_view(), name="ps-readiness"),
    path(R + "finalisation/", api.FinalisationView.as_view(), name="ps-finalisation"),
    path("ps/finalisations/", api.FinalisationListView.as_view(), name="ps-finalisations"),
    path("ps/finalisations/<int:pk>/decision/", api.FinalisationDecisionView.as_view(), name="ps-final-decision"),
    path("ps/dashboard/", api.DashboardView.as_view(), name="ps-dashboard"),
    path("ps/export.csv", api.ExportView.as_view(), name="ps-export"),
]

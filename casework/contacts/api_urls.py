"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("contacts/", api.ContactListView.as_view(), name="contacts-list"),
    path("contacts/<int:pk>/", api.ContactDetailView.as_view(), name="contacts-detail"),
    path("contacts/<int:pk>/poi/", api.PoiView.as_view(), name="contacts-poi"),
    path("contacts/<int:pk>/poi/failed/", api.PoiFailedView.as_view(), name="contacts-poi-failed"),
    path("contacts/<int:pk>/abandon/", api.AbandonView.as_view(), name="contacts-abandon"),
    path("contacts/<int:pk>/correct/", api.CorrectView.as_view(), name="contacts-correct"),
    path("contacts/<int:pk>/transfer/", api.TransferView.as_view(), name="contacts-transfer"),
    path("contacts/<int:pk>/issues/", api.IssueAddView.as_view(), name="contacts-issues"),
    path("contacts/<int:pk>/issues/<int:link_id>/close/", api.IssueCloseView.as_view(), name="contacts-issue-close"),
    path("contacts/<int:pk>/external-referrals/", api.ReferralAddView.as_view(), name="contacts-referrals"),
    path("contacts/<int:pk>/external-referrals/<int:referral_id>/give/", api.ReferralGiveView.as_view(), name="contacts-referral-give"),
    path("contacts/<int:pk>/error/", api.ErrorView.as_view(), name="contacts-error"),
    path("contacts/<int:pk>/mca/", api.McaView.as_view(), name="contacts-mca"),
    path("contacts/<int:pk>/mca/tick/", api.TickView.as_view(), name="contacts-mca-tick"),
    path("contacts/<int:pk>/mca/complete/", api.McaCompleteView.as_view(), name="contacts-mca-complete"),
    path("contacts/<int:pk>/payment-arrangement/", api.ArrangementView.as_view(), name="contacts-arrangement"),
    path("contacts/<int:pk>/income/", api.IncomeView.as_view(), name="contacts-income"),
    path("contacts/<int:pk>/collection-info/", api.CollectionView.as_view(), name="contacts-collection"),
    path("contacts/<int:pk>/impacted/", api.ImpactedView.as_view(), name="contacts-impacted"),
    path("contacts/<int:pk>/explained/", api.ExplainedView.as_view(), name="contacts-explained"),
    path("contacts/<int:pk>/disagreement/", api.DisagreementView.as_view(), name="contacts-disagreement"),
    path("contacts/<int:pk>/finalise/", api.FinaliseView.as_view(), name="contacts-finalise"),
    path("contacts/<int:pk>/finalise/check/", api.FinaliseCheckView.as_view(), name="contacts-finalise-check"),
    path("contacts/<int:pk>/not-resolved/", api.NotResolvedView.as_view(), name="contacts-not-resolved"),
    path("contacts/<int:pk>/holistic-advice/", api.HolisticAdviceView.as_view(), name="contacts-holistic-advice"),
    path("contacts/<int:pk>/unlock/", api.UnlockView.as_view(), name="contacts-unlock"),
]

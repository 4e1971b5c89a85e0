"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

P = "customers/<str:csid>/ownership/"

urlpatterns: list = [
    path(P, api.OwnershipView.as_view(), name="api-ownership"),
    path(P + "lock/", api.LockView.as_view(), name="api-ownership-lock"),
    path(P + "take-over/", api.TakeOverView.as_view(), name="api-ownership-take-over"),
    path(P + "apply-rules/", api.ApplyRulesView.as_view(), name="api-ownership-apply-rules"),
    path(P + "lock-parents/", api.ParentsLockView.as_view(), name="api-ownership-lock-parents"),
    path(P + "reassign/", api.ReassignView.as_view(), name="api-ownership-reassign"),
    path(P + "refer/", api.ReferView.as_view(), name="api-ownership-refer"),
    path(P + "unlock/", api.UnlockView.as_view(), name="api-ownership-unlock"),
    path(P + "auto-unlock/", api.AutoUnlockView.as_view(), name="api-ownership-auto-unlock"),
    path(P + "transfer/", api.TransferView.as_view(), name="api-ownership-transfer"),
    path(P + "disputes/", api.DisputeRaiseView.as_view(), name="api-ownership-dispute-raise"),
    path(P + "errors/", api.ErrorView.as_view(), name="api-ownership-error"),
    path(P + "consultations/", api.ConsultationView.as_view(), name="api-ownership-consultation"),
    path(P + "issues/", api.IssueHandlingView.as_view(), name="api-ownership-issues"),
    path("ownership/disputes/", api.DisputeListView.as_view(), name="api-ownership-disputes"),
    path("ownership/disputes/<int:pk>/decide/", api.DisputeDecideView.as_view(), name="api-ownership-dispute-decide"),
    path("routing/<str:csid>/", api.RoutingView.as_view(), name="api-routing"),
]

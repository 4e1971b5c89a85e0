"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("approvals/", api.ApprovalListView.as_view(), name="approvals"),
    path("approvals/kinds/", api.KindsView.as_view(), name="approval-kinds"),
    path("approvals/<int:pk>/", api.ApprovalDetailView.as_view(), name="approval"),
    path("approvals/<int:pk>/decide/", api.ApprovalDecideView.as_view(), name="approval-decide"),
    path("approvals/<int:pk>/withdraw/", api.ApprovalWithdrawView.as_view(), name="approval-withdraw"),
]

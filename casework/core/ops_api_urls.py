"""API routes of the operator view (failed job items), mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import ops_api

urlpatterns: list = [
    path("ops/failures/", ops_api.FailureListView.as_view(), name="api-ops-failures"),
    path("ops/failures/<int:pk>/retry/", ops_api.FailureRetryView.as_view(), name="api-ops-failure-retry"),
]

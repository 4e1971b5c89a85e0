"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("customers/", api.CustomerListView.as_view(), name="api-customers"),
    path("customers/<str:csid>/", api.CustomerDetailView.as_view(), name="api-customer"),
    path("customers/<str:csid>/cases/", api.CustomerCasesView.as_view(), name="api-customer-cases"),
    path("customers/<str:csid>/notes/", api.NotesView.as_view(), name="api-customer-notes"),
    path("customers/<str:csid>/issues/", api.IssuesView.as_view(), name="api-customer-issues"),
    path("customers/<str:csid>/issues/<int:issue_id>/close/", api.IssueCloseView.as_view(), name="api-issue-close"),
    path("cases/", api.CaseCreateView.as_view(), name="api-cases"),
    path("cases/<str:case_number>/", api.CaseDetailView.as_view(), name="api-case"),
    path("audit/", api.AuditSearchView.as_view(), name="api-audit"),
]

"""API routes of the organisation administration, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("org/offices/", api.OfficeListView.as_view(), name="api-org-offices"),
    path("org/offices/<slug:code>/", api.OfficeDetailView.as_view(), name="api-org-office"),
    path("org/teams/", api.TeamListView.as_view(), name="api-org-teams"),
    path("org/teams/<int:pk>/", api.TeamDetailView.as_view(), name="api-org-team"),
    path("org/positions/", api.PositionListView.as_view(), name="api-org-positions"),
    path("org/positions/<slug:code>/", api.PositionDetailView.as_view(), name="api-org-position"),
    path("org/officers/", api.OfficerListView.as_view(), name="api-org-officers"),
    path("org/officers/<str:username>/", api.OfficerDetailView.as_view(), name="api-org-officer"),
    path("org/coverage/", api.CoverageView.as_view(), name="api-org-coverage"),
]

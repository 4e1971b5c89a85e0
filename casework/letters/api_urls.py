"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns = [
    path("letters/", api.LetterListView.as_view(), name="letters-list"),
    path("letters/preview/", api.LetterPreviewView.as_view(), name="letters-preview"),
    path("letters/<int:pk>/", api.LetterDetailView.as_view(), name="letters-detail"),
    path("letters/<int:pk>/pdf/", api.LetterPdfView.as_view(), name="letters-pdf"),
]

"""API routes of this app, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("intrays/", api.IntrayListView.as_view(), name="api-intrays"),
    path("intrays/counts/", api.IntrayCountsView.as_view(), name="api-intray-counts"),
    path("intrays/<int:pk>/", api.IntrayDetailView.as_view(), name="api-intray"),
    path("intrays/<int:pk>/start/", api.IntrayStartView.as_view(), name="api-intray-start"),
    path("intrays/<int:pk>/complete/", api.IntrayCompleteView.as_view(), name="api-intray-complete"),
    path("intrays/<int:pk>/reassign/", api.IntrayReassignView.as_view(), name="api-intray-reassign"),
    path("intrays/<int:pk>/delete/", api.IntrayDeleteView.as_view(), name="api-intray-delete"),
    path("intrays/<int:pk>/correct/", api.IntrayCorrectView.as_view(), name="api-intray-correct"),
    path("intrays/<int:pk>/recategorise/", api.RecategoriseView.as_view(), name="api-intray-recategorise"),
    path("intrays/<int:pk>/matters/", api.MatterAddView.as_view(), name="api-intray-matters"),
    path("intrays/<int:pk>/matters/<int:matter_id>/address/", api.MatterAddressView.as_view(),
         name="api-intray-matter-address"),
    path("intrays/<int:pk>/matters/<int:matter_id>/refer/", api.MatterReferView.as_view(),
         name="api-intray-matter-refer"),
    path("intrays/<int:pk>/documents/", api.DocumentsView.as_view(), name="api-intray-documents"),
    path("intrays/<int:pk>/documents/<int:doc_id>/", api.DocumentDownloadView.as_view(), name="api-intray-document"),
    path("correspondence/", api.CorrespondenceView.as_view(), name="api-correspondence"),
]

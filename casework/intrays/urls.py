"""Officer UI routes of this app, mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "intrays"
urlpatterns: list = [
    path("work/", views.worklist, name="worklist"),
    path("work/new/", views.create, name="create"),
    path("work/intrays/<int:pk>/", views.detail, name="detail"),
    path("work/intrays/<int:pk>/documents/<int:doc_id>/", views.document, name="document"),
    path("work/intrays/<int:pk>/<slug:name>/", views.action, name="action"),
]

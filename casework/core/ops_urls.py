"""Operator screens (administrators), mounted at the site root by config/urls.py."""

from django.urls import path

from . import ops_views

app_name = "ops"
urlpatterns: list = [
    path("ops/failures/", ops_views.failures, name="failures"),
    path("ops/failures/<int:pk>/retry/", ops_views.failure_retry, name="failure_retry"),
]

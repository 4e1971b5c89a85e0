"""Officer UI routes of this app, mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "ps"
urlpatterns = [
    path("ps/", views.dashboard, name="dashboard"),
    path("ps/export.csv", views.export_csv, name="export"),
    path("ps/referrals/<int:intray_id>/action/", views.referral_action, name="referral_action"),
    path("ps/records/<int:pk>/", views.record, name="record"),
    path("ps/records/<int:pk>/tasks/<slug:task>/", views.task, name="task"),
    path("ps/records/<int:pk>/<slug:action>/", views.record_action, name="record_action"),
]

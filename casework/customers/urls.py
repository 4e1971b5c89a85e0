"""Officer UI routes of this app, mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "customers"
urlpatterns: list = [
    path("customers/<str:csid>/facts/<slug:kind>/", views.fact_record, name="fact_record"),
]

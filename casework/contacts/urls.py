"""Officer UI routes of this app, mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("customers/<str:csid>/contact/", views.contact_start_view, name="start"),
    path("customers/<str:csid>/letters/send/", views.letter_send, name="letter_send"),
    path("customers/<str:csid>/letters/preview/", views.letter_preview, name="letter_preview"),
    path("contacts/<int:pk>/", views.contact_view, name="contact"),
    path("contacts/<int:pk>/<slug:action>/", views.contact_action, name="action"),
]

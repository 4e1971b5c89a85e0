"""Web routes of the letters app."""

from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("letters/<int:pk>/pdf-link/", views.pdf_link, name="pdf_link"),
]

"""Organisation screens (administrators), mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "org"
urlpatterns: list = [
    path("org/", views.home, name="home"),
    path("org/offices/new/", views.office_new, name="office_new"),
    path("org/teams/new/", views.team_new, name="team_new"),
    path("org/positions/new/", views.position_new, name="position_new"),
    path("org/officers/new/", views.officer_new, name="officer_new"),
    path("org/pick/", views.pick, name="pick"),
]

"""Officer UI routes of this app, mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "ownership"
P = "customers/<str:csid>/ownership/"
urlpatterns: list = [
    path(P + "lock/", views.lock, name="lock"),
    path(P + "take-over/", views.take_over, name="take_over"),
    path(P + "refer/", views.refer, name="refer"),
    path(P + "unlock/", views.unlock, name="unlock"),
    path(P + "auto-unlock/", views.auto_unlock, name="auto_unlock"),
    path(P + "transfer/", views.transfer, name="transfer"),
    path(P + "dispute/", views.dispute, name="dispute"),
    path(P + "consult/", views.consult, name="consult"),
    path("team/ownership-disputes/", views.team_queue, name="team_queue"),
    path("team/ownership-disputes/<int:pk>/decide/", views.dispute_decide, name="dispute_decide"),
]
